"""UnitTests: write a Python function from its specification; hidden tests check it in the sandbox.

**Task.** One of 53 problems shipped with agora (`problems.py`: strings, numbers, lists, dynamic
programming, parsing), chosen by the seed, or by name with ``reset(options={"problem": "fizzbuzz"})``.
The observation gives the function's signature and specification.

**Action format.** The complete function in a fenced code block (the last ```` ```python ```` block of the
reply counts; a reply without a fence is taken as code). Imports and helper functions may come with it.
Code that does not parse, or does not define the function, is malformed: an error observation,
``info["error"]``, reward -0.1; it does not use up an attempt.

**Grading.** The code runs in a sandbox (no network, time and memory limits); each hidden test calls the
function once (2 s per call) and the host compares the return value with the expected one (floats to
1e-6). After a failing submission the observation shows the score, the first failing call with the
expected and actual result, and what the code printed; the agent may submit again (self-correction) up
to ``max_attempts`` (default 4) submissions. The episode ends when every test passes or the attempts are
used up. ``make`` limits it to 8 turns.

**Rewards.** A submission earns the improvement of the best fraction of tests passed so far, so an
episode's return is the best fraction passed (1 when all pass); -0.1 for a malformed reply. A sandbox
failure gives an observation saying so, ``info["infra_error"]``, reward 0, and no attempt is used.

``backend="local"`` runs the tests under bubblewrap instead of Docker (trusted code only); other keywords
go to `agora.sandbox.create`.
"""

from __future__ import annotations

import ast
import json
import re
import secrets
from pathlib import Path
from typing import Any, ClassVar

from agora.core import TextEnv
from agora.envs.code.unit_tests.grading import Report, grade, parse_outcomes
from agora.envs.code.unit_tests.problems import PROBLEMS, Problem
from agora.errors import SandboxError
from agora.sandbox.episode import SandboxedEnv

RUNNER = (Path(__file__).with_name("runner.py")).read_text()
CALL_LIMIT_S = 2
_FENCE = re.compile(r"```[ \t]*(?:(?:python|py)[ \t]*)?\n(.*?)```", re.DOTALL | re.IGNORECASE)
MAX_CODE_CHARS = 32_000
"""The longest submission read (Python's parser recurses on nesting; real solutions are far shorter)."""
INSTRUCTIONS = (
    "Write the Python function described below. Reply with the complete function in a ```python code block "
    "(imports and helpers allowed). Hidden tests call it; you see your score and the first failing test, and "
    "may submit again. Your return is the best fraction of tests passed."
)


def extract_code(reply: str) -> str:
    """The last fenced code block of the reply, or the whole reply when it has none."""
    blocks = _FENCE.findall(reply)
    return blocks[-1] if blocks else reply


def code_problem(code: str, name: str) -> str | None:
    """Why `code` cannot be a submission (too long, does not parse, lacks `def name`), or None."""
    if len(code) > MAX_CODE_CHARS:
        return f"the code has {len(code)} characters; at most {MAX_CODE_CHARS} are accepted"
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        return f"the code does not parse: {type(e).__name__}: {str(e)[:200]}"
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name for n in tree.body):
        return f"the code does not define a top-level function named {name!r}"
    return None


class UnitTests(SandboxedEnv, TextEnv):
    """Function-writing tasks graded by hidden unit tests in the sandbox (see the module docs)."""

    invalid_action_reward: ClassVar[float] = -0.1

    def __init__(
        self,
        backend: str = "docker",
        max_attempts: int = 4,
        render_mode: str | None = None,
        **sandbox_kwargs: Any,
    ):
        super().__init__(backend, render_mode, **sandbox_kwargs)
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}.")
        self.max_attempts = max_attempts
        self.problem: Problem = PROBLEMS[0]
        self.attempts = 0
        self.best = 0.0

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.problem = self._choose(options.get("problem"))
        self.attempts, self.best = 0, 0.0
        self.sandbox.new_episode()
        text = f"Write a Python function `{self.problem.signature}`.\n{self.problem.spec}"
        return text, {"instructions": INSTRUCTIONS}

    def _choose(self, name: str | None) -> Problem:
        if name is None:
            return PROBLEMS[int(self.np_random.integers(len(PROBLEMS)))]
        by_name = {p.name: p for p in PROBLEMS}
        if name not in by_name:
            raise ValueError(f"Unknown UnitTests problem {name!r}; names: {', '.join(sorted(by_name))}.")
        return by_name[name]

    def _step(self, action: str) -> tuple[str, float, bool, dict[str, Any]]:
        code = extract_code(action)
        problem = code_problem(code, self.problem.name)
        if problem:
            return self.invalid(problem)
        try:
            report = self._run_tests(code)
        except SandboxError as e:
            return (
                f"The test run failed (sandbox failure, not your fault): {e}",
                0.0,
                False,
                {"infra_error": str(e)},
            )
        self.attempts += 1
        reward, self.best = max(0.0, report.fraction - self.best), max(self.best, report.fraction)
        done = report.passed == report.total or self.attempts >= self.max_attempts
        left = "" if done else f"\nAttempts left: {self.max_attempts - self.attempts}."
        return (
            report.feedback + left,
            reward,
            done,
            {"tests_passed": report.passed, "tests_total": report.total},
        )

    def _run_tests(self, code: str) -> Report:
        box = self.sandbox.get()
        box.reset()  # each submission starts from a clean work dir
        mark = secrets.token_hex(8)
        box.write_file("solution.py", code)
        box.write_file("runner.py", RUNNER)
        box.write_file("test_args.json", json.dumps([list(args) for args, _ in self.problem.tests]))
        timeout_s = CALL_LIMIT_S * len(self.problem.tests) + 5
        result = box.exec(f"python3 runner.py {mark} {self.problem.name} {CALL_LIMIT_S}", timeout_s=timeout_s)
        outcomes, printed = parse_outcomes(result.stdout, mark, len(self.problem.tests))
        note = _run_note(result.timed_out, result.oom_killed, result.exit_code, result.stderr)
        return grade(self.problem, outcomes, printed, note)


def _run_note(timed_out: bool, oom_killed: bool, exit_code: int, stderr: str) -> str:
    if timed_out:
        return "The test run was killed at its time limit."
    if oom_killed:
        return "The test run was killed: out of memory."
    if exit_code != 0:
        return f"The test run ended with exit code {exit_code}:\n{stderr[-1000:]}"
    return ""

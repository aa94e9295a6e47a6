"""swe/BugFix: fix a bug injected into a real Python project, working through tools in a Docker sandbox.

**Task.** A project from PyPI (its sdist, with its own pytest suite) with one procedurally injected bug
(an AST mutation: a flipped comparison, an off-by-one, a dropped ``return``, ...), validated so that at
least one of its tests fails with the bug and every other test still passes. The observation at reset is
the problem statement (the failing behaviour, one failing test and an excerpt of its error, never the
fix). ``agora.make("swe/BugFix-v0", tasks="all")`` plays every shipped task; ``tasks=`` also takes a
shipped project's name (``"tinydb"``), a ``tasks.jsonl`` or a folder holding one (``agora swe
generate``). ``reset(seed=k)`` draws a task; ``reset(options={"instance_id": ...})`` picks one.

**Sandbox.** The buggy working copy is in ``/work`` of a container (no network, non-root, read-only
image, memory/CPU/pids limits, warm pool), without git history; no pristine copy of the project is
anywhere in the container (not installed, no sdist, no pip cache). Python 3 and pytest are there:
``python3 -m pytest`` runs the suite (``PYTHONPATH`` points at the project).

**Tools** (``info["tools"]``, OpenAI-format JSON-schema specs), one JSON call per turn:

- ``bash(command)``: runs in ``/work`` with a 30 s limit; the observation is the exit code and the
  combined output, cut to its first and last 4,000 characters beyond 8,000.
- ``view(path, start_line?, end_line?)``: a file with line numbers (at most 400 lines a call) or a
  folder's entries.
- ``edit(path, old_str, new_str)``: replaces the one exact occurrence of ``old_str`` in the file.
- ``submit()``: ends the episode and grades the working copy.

**Grading** (`agora.envs.swe.bug_fix.grading`): the agent's diff to library code is applied to a
pristine copy of the buggy tree in a fresh container; tests and test configuration are restored; the
whole suite runs. **Rewards:** 1.0 at ``submit`` when every FAIL_TO_PASS and PASS_TO_PASS test passes,
else 0.0; 0 for other tool calls; -0.1 for a malformed call (not JSON, unknown tool, bad arguments),
with an error observation and ``info["error"]``. ``info`` at the end carries ``resolved``,
``fail_to_pass`` (fraction passing, for partial credit), ``pass_to_pass``, ``agent_patch``, ``bug_patch``
(the injected bug, shown only once the episode is over, for viewers such as `agora view`) and ``tampering``
(what the grader's guard found: tampering with the test run scores 0 whatever the tests say; empty when
none; see docs/guides/swe.md). The last
turn (``submit_at_turn``, 30) grades the working copy as if submitted (``info["auto_submitted"]``) and
terminates: the env ends its own episodes, so it is registered without a ``TurnLimit`` (``agora.make(...,
max_turns=N)`` would truncate at N without grading).
A sandbox failure ends the episode with ``info["infra_error"]`` (not the agent's fault). Sandbox keywords
(``pool_size``, limits such as ``memory_mb``) go to `agora.sandbox.create`, as for every sandboxed env; the
image is the task's.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, ClassVar

from agora.envs.swe.bug_fix.grading import SubmissionError, collect, grade
from agora.envs.swe.bug_fix.tasks import Task, buggy_tree, load_tasks
from agora.envs.swe.bug_fix.testrun import SUITE_LIMITS, put_tree, tarball
from agora.envs.tools.base import ToolEnv, ToolResult
from agora.errors import AgoraError, EngineUnavailable, ImageNotBuilt, SandboxCrashed, SandboxError
from agora.sandbox.episode import SandboxedEnv
from agora.tools import ToolCall, object_schema, tool_spec

OUTPUT_CHARS = 8000
VIEW_LINES = 400
EDIT_MAX_BYTES = 1024 * 1024
TOOLS = [
    tool_spec(
        "bash",
        "Runs a bash command in /work (the project's working copy), 30 s limit, no network. Returns "
        "the exit code and the output (cut to its first and last 4000 characters beyond 8000).",
        object_schema({"command": {"type": "string", "description": "the command line"}}),
    ),
    tool_spec(
        "view",
        "Shows a file with line numbers (at most 400 lines per call) or lists a folder.",
        object_schema(
            {
                "path": {"type": "string", "description": "a path, relative to /work or absolute"},
                "start_line": {"type": "integer", "description": "first line (1-based)"},
                "end_line": {"type": "integer", "description": "last line (inclusive)"},
            },
            required=["path"],
        ),
    ),
    tool_spec(
        "edit",
        "Replaces the one exact occurrence of old_str in a file with new_str.",
        object_schema({"path": {"type": "string"}, "old_str": {"type": "string"}, "new_str": {"type": "string"}}),
    ),
    tool_spec("submit", "Ends the episode: your working copy is graded by the project's tests.", object_schema({})),
]
INSTRUCTIONS = (
    "You are fixing a bug in a Python project. Its working copy is in /work; python3 and pytest are installed "
    "(run the tests with `python3 -m pytest`). Use the tools, one JSON call per turn, e.g. "
    '{"name": "bash", "arguments": {"command": "grep -rn parse_date ."}} or {"name": "submit", "arguments": {}}. '
    "Change only the library code: test files are restored before grading. Reward 1 when the whole test "
    "suite passes after `submit`, else 0; a malformed call costs 0.1."
)


class BugFix(SandboxedEnv, ToolEnv):
    """Repository-level bug fixing in a Docker sandbox (see the module docs)."""

    sandbox_defaults: ClassVar[dict[str, Any]] = {"pool_size": 2, **SUITE_LIMITS}
    scripted_agents: ClassVar[dict[str, str]] = {
        "oracle": "agora.envs.swe.bug_fix.agents:OracleAgent",
        "noop": "agora.envs.swe.bug_fix.agents:NoopAgent",
    }

    def __init__(
        self,
        tasks: str | Path = "all",
        submit_at_turn: int = 30,
        bash_timeout_s: float = 30.0,
        backend: str = "docker",
        render_mode: str | None = None,
        **sandbox_kwargs: Any,
    ):
        super().__init__(backend, render_mode, **sandbox_kwargs)
        self.task_source = str(tasks)
        self.tasks: list[Task] = load_tasks(tasks)
        self._by_id = {t.instance_id: t for t in self.tasks}
        self.submit_at_turn, self.bash_timeout_s = submit_at_turn, bash_timeout_s
        self._tarballs: dict[str, bytes] = {}
        self.task: Task | None = None
        self._turns = 0
        self._done = False

    def _pick(self, options: dict[str, Any]) -> Task:
        if "instance_id" in options:
            if options["instance_id"] not in self._by_id:
                raise ValueError(
                    f"No task {options['instance_id']!r} in {self.task_source!r} ({len(self.tasks)} tasks)."
                )
            return self._by_id[options["instance_id"]]
        return self.tasks[int(self.np_random.integers(len(self.tasks)))]

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.task = self._pick(options)
        self._turns, self._done = 0, False
        self._set_tools(TOOLS)
        self.sandbox.use_image(self.task.image)
        self.sandbox.new_episode()
        put_tree(self.sandbox.get(), self._tarball(self.task))
        info = {
            "instructions": INSTRUCTIONS,
            "instance_id": self.task.instance_id,
            "package": self.task.package,
            "version": self.task.version,
            "task_source": self.task_source,
        }
        return self.task.problem_statement, self._info(**info)

    def _tarball(self, task: Task) -> bytes:
        if task.instance_id not in self._tarballs:
            if len(self._tarballs) > 32:
                self._tarballs.clear()
            self._tarballs[task.instance_id] = tarball(buggy_tree(task))
        return self._tarballs[task.instance_id]

    def _step(self, action: str) -> ToolResult:
        if self._done:
            return self.invalid("The episode is over (submitted): call reset().", self._info())
        self._turns += 1
        observation, reward, terminated, info = super()._step(action)
        if not terminated and self._turns >= self.submit_at_turn:
            graded = self._call_tool(ToolCall(name="submit", arguments={}))
            extra = {**graded[3], "auto_submitted": True} if "resolved" in graded[3] else graded[3]
            return f"{observation}\n\n{graded[0]}", reward + graded[1], True, {**info, **extra}
        return observation, reward, terminated, info

    def _call_tool(self, call: ToolCall) -> ToolResult:
        try:
            if call.name == "submit":
                return self._submit()
            return getattr(self, f"_tool_{call.name}")(**call.arguments)
        except Exception as e:
            if not _is_infra(e):
                if isinstance(e, SandboxError):  # the server refused the request (a read-only path, ...)
                    return self.tool_failed(str(e))
                raise
            self._done = True
            return f"The sandbox failed (not your fault): {e}", 0.0, True, {"infra_error": str(e)}

    def _tool_bash(self, command: str) -> ToolResult:
        assert self.task is not None
        path = f"/work/{self.task.pythonpath}".rstrip("/")
        result = self.sandbox.get().exec(
            f"cd /work && PYTHONPATH={path} bash -c {shlex.quote(command)} 2>&1", timeout_s=self.bash_timeout_s
        )
        lines = [f"exit code: {result.exit_code}"]
        if result.timed_out:
            lines.append(f"(killed: it ran past the {self.bash_timeout_s:g} s limit)")
        return "\n".join([*lines, cut(result.stdout)]), 0.0, False, {}

    def _tool_view(self, path: str, start_line: int = 1, end_line: int | None = None) -> ToolResult:
        box = self.sandbox.get()
        listing = box.exec(
            f"cd /work && if [ -d {shlex.quote(path)} ]; then ls -1Ap -- {shlex.quote(path)}; else exit 3; fi",
            timeout_s=10,
        )
        if listing.exit_code != 3:
            return cut(listing.stdout + listing.stderr), 0.0, False, {}
        try:
            text = box.read_file(path, max_bytes=EDIT_MAX_BYTES).decode("utf-8", "replace")
        except SandboxCrashed:
            raise
        except SandboxError as e:
            return self.tool_failed(f"cannot read {path!r}: {e}")
        lines = text.splitlines()
        start = max(1, start_line)
        end = min(len(lines), end_line if end_line is not None else start + VIEW_LINES - 1, start + VIEW_LINES - 1)
        shown = "\n".join(f"{n:6d}\t{lines[n - 1]}" for n in range(start, end + 1))
        return cut(f"{path} (lines {start}-{end} of {len(lines)})\n{shown}"), 0.0, False, {}

    def _tool_edit(self, path: str, old_str: str, new_str: str) -> ToolResult:
        box = self.sandbox.get()
        try:
            raw = box.read_file(path, max_bytes=EDIT_MAX_BYTES + 1)
        except SandboxCrashed:
            raise
        except SandboxError as e:
            return self.tool_failed(f"cannot read {path!r}: {e}")
        text = raw.decode("utf-8", "replace")
        count = text.count(old_str) if old_str else 0
        if len(raw) > EDIT_MAX_BYTES or count != 1:
            why = (
                "the file is too large"
                if len(raw) > EDIT_MAX_BYTES
                else "old_str is empty"
                if not old_str
                else f"old_str occurs {count} times (it must occur exactly once)"
            )
            return self.tool_failed(f"no edit made to {path!r}: {why}")
        box.write_file(path, text.replace(old_str, new_str, 1))
        line = text[: text.index(old_str)].count("\n") + 1
        return f"Edited {path} at line {line}.", 0.0, False, {}

    def _submit(self) -> ToolResult:
        assert self.task is not None
        self._done = True
        try:
            agent = collect(self.sandbox.get())
        except SubmissionError as e:
            return f"Submission rejected: {e}. Reward 0.", 0.0, True, {"resolved": False, "error": str(e)}
        except SandboxError as e:  # the container could not hand the working copy over
            return f"Grading failed (not your fault): {e}", 0.0, True, {"infra_error": str(e)}
        try:
            result = grade(self.task, buggy_tree(self.task), agent)
        except (SandboxError, AgoraError) as e:
            return f"Grading failed (not your fault): {e}", 0.0, True, {"infra_error": str(e)}
        verdict = "resolved: every test passes" if result.reward == 1.0 else "not resolved: some tests still fail"
        if result.tampering:
            verdict = "not resolved: the grader found tampering with the test run"
        info = {
            "resolved": result.reward == 1.0,
            "fail_to_pass": result.fail_to_pass,
            "pass_to_pass": result.pass_to_pass,
            "agent_patch": result.agent_patch[:20_000],
            "bug_patch": self.task.patch[:20_000],
            "grading_timed_out": result.timed_out,
            "auto_submitted": False,
            "tampering": result.tampering,
        }
        return f"Submitted and graded: {verdict}.", result.reward, True, info


def _is_infra(error: Exception) -> bool:
    """True for failures of the harness: a dead or missing container, engine or image (not the agent's)."""
    if isinstance(error, (SandboxCrashed, EngineUnavailable, ImageNotBuilt)):
        return True
    return type(error).__module__.split(".")[0] in ("docker", "requests", "urllib3")


def cut(text: str, limit: int = OUTPUT_CHARS) -> str:
    """`text`, or its first and last `limit // 2` characters with a marker saying how much was cut."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} characters cut ...]\n{text[-half:]}"

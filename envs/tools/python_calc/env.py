"""PythonCalc: solve a puzzle with a sandboxed Python interpreter, then answer.

**Task.** A procedurally generated puzzle with one exact answer (seeded): arithmetic (sums of squares,
modular powers), combinatorics (binomials, arrangements of a word, inclusion-exclusion), strings
(counting a pattern) and dates (weekday, days between, date plus days). The same seed gives the same
puzzle; ``reset(options={"kind": "weekday"})`` picks a kind.

**Tools** (listed in ``info["tools"]`` as OpenAI-format JSON-schema function specs):

- ``python(code)``: runs the code as ``python3 main.py`` in a sandbox (Python 3 with numpy, no network,
  10 s wall clock, files persist within the episode); the observation is the exit code, stdout and stderr.
- ``answer(answer)``: the final answer; ends the episode.

**Action format.** One tool call per turn as JSON text: ``{"name": "python", "arguments": {"code":
"print(2 ** 10)"}}`` or ``{"name": "answer", "arguments": {"answer": "1024"}}``.

**Rewards.** 1 for a correct answer, 0 for a wrong one (both end the episode); 0 for a python call;
-0.1 for a malformed call (not JSON, unknown tool, bad arguments): an error observation, ``info["error"]``,
and the episode goes on. ``make`` limits the episode to 10 turns. If the sandbox itself fails, the
observation says so and ``info["infra_error"]`` is set (reward 0).

**Sandbox.** ``agora.make("tools/PythonCalc-v0", backend="local")`` uses bubblewrap instead of Docker
(trusted code only); other keywords go to `agora.sandbox.create` (e.g. ``memory_mb=256``).
"""

from __future__ import annotations

from typing import Any

from agora.envs.tools.base import ToolEnv, ToolResult, answer_spec
from agora.envs.tools.python_calc.tasks import Task, generate, is_correct
from agora.errors import SandboxError
from agora.sandbox.episode import SandboxedEnv
from agora.tools import ToolCall, object_schema, tool_spec

TOOLS = [
    tool_spec(
        "python",
        "Runs Python 3 code (numpy available, no network) and returns its exit code, stdout "
        "and stderr. Print what you want to see.",
        object_schema({"code": {"type": "string", "description": "the program"}}),
    ),
    answer_spec(
        "Gives the final answer and ends the episode.",
        object_schema({"answer": {"type": "string", "description": "the answer, in the format the question asks"}}),
    ),
]
INSTRUCTIONS = (
    "Solve the puzzle. You may call the `python` tool as often as you like, then call `answer` once. "
    'Reply with exactly one tool call per turn, as JSON: {"name": "python", "arguments": {"code": "..."}} or '
    '{"name": "answer", "arguments": {"answer": "..."}}. A correct answer earns 1; a malformed '
    "call costs 0.1."
)
OBSERVATION_CHARS = 4000


class PythonCalc(SandboxedEnv, ToolEnv):
    """Puzzles solved with a sandboxed Python tool (see the module docs)."""

    def __init__(
        self,
        backend: str = "docker",
        tool_timeout_s: float = 10.0,
        render_mode: str | None = None,
        **sandbox_kwargs: Any,
    ):
        super().__init__(backend, render_mode, **sandbox_kwargs)
        self.tool_timeout_s = tool_timeout_s
        self.task: Task | None = None

    def _reset(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.task = generate(self.np_random, options.get("kind"))
        self.sandbox.new_episode()
        self._set_tools(TOOLS)
        return self.task.question, self._info(instructions=INSTRUCTIONS)

    def _call_tool(self, call: ToolCall) -> ToolResult:
        if call.name == "python":
            return self._run_python(call)
        return self._answer(call.arguments["answer"])

    def _run_python(self, call: ToolCall) -> ToolResult:
        try:
            box = self.sandbox.get()
            box.write_file("main.py", call.arguments["code"])
            result = box.exec("python3 main.py", timeout_s=self.tool_timeout_s)
        except SandboxError as e:
            message = f"The python tool is unavailable (sandbox failure, not your fault): {e}"
            return message, 0.0, False, self._info(infra_error=str(e))
        lines = [f"exit code: {result.exit_code}"]
        if result.timed_out:
            lines.append(f"(killed: it ran past the {self.tool_timeout_s:g} s limit)")
        if result.oom_killed:
            lines.append("(killed: out of memory)")
        lines += [
            f"stdout:\n{result.stdout[:OBSERVATION_CHARS]}",
            f"stderr:\n{result.stderr[-OBSERVATION_CHARS:]}",
        ]
        return "\n".join(lines), 0.0, False, self._info()

    def _answer(self, reply: str) -> ToolResult:
        assert self.task is not None
        if is_correct(self.task, reply):
            return "Correct.", 1.0, True, self._info()
        return f"Wrong: the answer was {self.task.answer}.", 0.0, True, self._info()

"""Host-side grading: parse the runner's lines, compare with the expected values, explain a failure."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from agora.envs.code.unit_tests.problems import Problem

FLOAT_TOLERANCE = 1e-6


def same(got: Any, expected: Any) -> bool:
    """Equality for JSON values: floats to 1e-6, bool never equal to a number, lists and dicts deeply."""
    if isinstance(got, bool) or isinstance(expected, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(got, (int, float)) and isinstance(expected, (int, float)):
        return math.isclose(got, expected, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(got, list) and isinstance(expected, list):
        return len(got) == len(expected) and all(same(g, e) for g, e in zip(got, expected, strict=True))
    if isinstance(got, dict) and isinstance(expected, dict):
        return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in expected)
    return type(got) is type(expected) and got == expected


def passed(outcome: dict[str, Any] | None, expected: Any) -> bool:
    """Whether one test's outcome (from the runner) is what the test expects."""
    if outcome is None:
        return False
    if isinstance(expected, dict) and set(expected) == {"raises"}:
        return outcome.get("raised") == expected["raises"]
    return "value" in outcome and same(outcome["value"], expected)


def parse_outcomes(stdout: str, mark: str, count: int) -> tuple[list[dict[str, Any] | None], str]:
    """The runner's outcome per test (None where none came) and the solution's own printed output."""
    outcomes: list[dict[str, Any] | None] = [None] * count
    printed = []
    for line in stdout.splitlines():
        if line.startswith(mark + " "):
            try:
                index, outcome = json.loads(line[len(mark) + 1 :])
                outcomes[int(index)] = outcome
            except (ValueError, TypeError, IndexError):
                continue
        else:
            printed.append(line)
    return outcomes, "\n".join(printed)


@dataclass(frozen=True)
class Report:
    """The grade of one submission: tests passed and what the agent is told."""

    passed: int
    total: int
    feedback: str

    @property
    def fraction(self) -> float:
        """Share of tests passed."""
        return self.passed / self.total


def grade(problem: Problem, outcomes: list[dict[str, Any] | None], printed: str, note: str = "") -> Report:
    """Counts passing tests and describes the first failing one (call, expected, got)."""
    results = [passed(o, expected) for o, (_, expected) in zip(outcomes, problem.tests, strict=True)]
    lines = [f"Passed {sum(results)}/{len(results)} hidden tests."]
    if not all(results):
        index = results.index(False)
        args, expected = problem.tests[index]
        call = f"{problem.name}({', '.join(repr(a) for a in args)})"
        lines += [
            f"First failing test: {call}",
            f"  expected: {_show_expected(expected)}",
            f"  got: {_show_outcome(outcomes[index])}",
        ]
        if printed.strip():
            lines.append(f"Your code printed:\n{printed[:1500]}")
        if note:
            lines.append(note)
    return Report(sum(results), len(results), "\n".join(lines))


def _show_expected(expected: Any) -> str:
    if isinstance(expected, dict) and set(expected) == {"raises"}:
        return f"raises {expected['raises']}"
    return repr(expected)


def _show_outcome(outcome: dict[str, Any] | None) -> str:
    if outcome is None:
        return "no result (the run ended or timed out before this test)"
    if "value" in outcome:
        return repr(outcome["value"])
    return f"raised {outcome['raised']}: {outcome.get('error', '')}"

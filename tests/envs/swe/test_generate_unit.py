"""Generation without Docker: coverage skipping, per-statement AST checks, in-order parallel validation, resuming."""

from __future__ import annotations

import ast
import json
import threading
import time

import pytest

from agora.envs.swe.bug_fix.generate import (
    PROGRESS,
    GenerationStats,
    _resume,
    _validate_all,
    is_covered,
    read_requirements,
)
from agora.envs.swe.bug_fix.mutations import file_mutations
from agora.envs.swe.bug_fix.projects import ProjectError
from agora.envs.swe.bug_fix.tasks import load_tasks
from agora.envs.swe.bug_fix.testrun import _covered

SOURCE = """import functools

LIMIT = 3


@functools.lru_cache(maxsize=8)
def called(a, b=2):
    if a > b:
        return a - b
    return b


class Box:
    size = 1 + 1

    def unused(self, n, flag=True):
        def inner(x):
            return x * 2 < n

        return [inner(i) for i in range(n)] if flag else []
"""


def test_a_mutation_in_a_function_no_test_called_is_skipped():
    tree = {"pkg/m.py": SOURCE.encode()}
    covered = {("pkg/m.py", 1), ("pkg/m.py", 6)}  # the module and `called` (its code starts at the decorator)
    mutations = file_mutations("pkg/m.py", SOURCE)
    keep = {(m.line, m.kind): is_covered(m, tree, covered) for m in mutations}
    assert keep[(8, "flip_comparison")] and keep[(9, "flip_arithmetic")]  # inside `called`
    assert keep[(7, "change_default")]  # `called`'s default: inside it
    assert keep[(6, "off_by_one")]  # the decorator runs at import
    assert keep[(14, "off_by_one")]  # class body: runs at import
    assert not keep[(16, "change_default")] and not keep[(18, "flip_comparison")]  # `unused` and `inner`
    assert not keep[(20, "drop_return")]
    inner_called = covered | {("pkg/m.py", 16)}  # `unused` called, `inner` (line 17) never
    assert is_covered(next(m for m in mutations if m.line == 20), tree, inner_called)
    assert not is_covered(next(m for m in mutations if m.line == 18), tree, inner_called)


def test_per_statement_checks_match_whole_file_parses():
    text = SOURCE + "\n\ndef g(s, n):\n    return s[:n] if n < 2 else s[n:]\n"
    original = ast.dump(ast.parse(text))
    found = file_mutations("m.py", text)
    assert len(found) > 15
    for m in found:
        assert ast.dump(ast.parse(m.apply(text))) != original


def test_coverage_records_are_read_bounded_and_typed():
    verdict = {
        "records": [
            {"kind": "coverage", "functions": [["/work/src/p/a.py", 3], ["/work/p/b.py", "x"], "junk"]},
            {"kind": "test", "id": "t", "when": "call", "outcome": "passed"},
        ]
    }
    assert _covered(verdict) == {("src/p/a.py", 3)}


def test_validation_runs_in_parallel_and_decides_in_order():
    boxes, active, peak, lock = ["a", "b"], [0], [0], threading.Lock()

    def check(m, box):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05 * (m % 3))
        with lock:
            active[0] -= 1
        return m if m % 2 else None

    decided = []
    _validate_all(boxes, list(range(12)), check, lambda m, t: decided.append((m, t)), lambda: False)
    assert [m for m, _ in decided] == list(range(12)) and peak[0] == 2
    decided.clear()
    _validate_all(boxes, list(range(12)), check, lambda m, t: decided.append((m, t)), lambda: len(decided) >= 5)
    assert [m for m, _ in decided] == list(range(5))


def test_resume_keeps_decided_work_and_refuses_unknown_tasks(tmp_path):
    state = {"project": "tinydb-4.9.0", "seed": 0}
    task = load_tasks("tinydb")[0]
    (tmp_path / "tasks.jsonl").write_text(task.model_dump_json() + "\n")
    with pytest.raises(ProjectError, match="progress.json is missing"):
        _resume(tmp_path, state)
    (tmp_path / PROGRESS).write_text(json.dumps({**state, "decided": 7}))
    assert _resume(tmp_path, state) == (7, [task])
    assert _resume(tmp_path, {**state, "seed": 1}) == (0, []) and (tmp_path / "tasks.jsonl").read_text() == ""


def test_stats_report_rates_and_the_project_list_parses(tmp_path):
    stats = GenerationStats(kept=10, wall_s=600.0, sandbox_cpu_s=300.0, host_cpu_s=60.0)
    figures = stats.as_dict()
    assert figures["tasks_per_cpu_hour"] == 100.0 and figures["tasks_per_wall_hour"] == 60.0
    from agora.envs.swe.bug_fix.projects import PINS_FILE, parse_requirement, pins

    listed = [parse_requirement(r) for r in read_requirements(PINS_FILE.with_name("projects.txt"))]
    assert len(listed) >= 13 and all(p.sha256 == pins()[p.name]["sha256"] for p in listed)

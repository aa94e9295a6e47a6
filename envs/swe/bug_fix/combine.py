"""Harder tasks: two or three validated bugs of one project at once, in different functions (``agora swe combine``).

SWE-smith's "combine" strategy. From a project's validated single-bug tasks, parts are picked (seeded)
so that each lies in a different function (or module level of a different file) and their hunks, context
included, do not overlap; their patches are applied to the pristine tree together (hunks applied from
the bottom of each file up, so line numbers stay right) and the whole suite runs on the result in a
sandbox. A combination becomes a task when every pristine-passing test either fails (FAIL_TO_PASS) or
passes (PASS_TO_PASS), nothing times out or trips the guard, and **each part is needed**: reverting any
one part alone still leaves a failing test. For two parts this holds by construction (what is left is
one validated bug); for three, each leave-one-out tree is run too. The pristine run is never repeated:
the pristine-passing tests are a single task's FAIL_TO_PASS plus PASS_TO_PASS. The task records
``mutation="combined"``, its parts' ids in ``parts`` and every part's kind in ``difficulty.mutations``.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from agora.envs.swe.bug_fix.generate import run_tree
from agora.envs.swe.bug_fix.patches import apply_patch, tree_diff
from agora.envs.swe.bug_fix.projects import SourceTree
from agora.envs.swe.bug_fix.tasks import Task, difficulty_of, pristine_tree, problem_statement
from agora.envs.swe.bug_fix.testrun import SUITE_LIMITS

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", re.M)
MAX_PAIRS = 20_000


def hunk_spans(patch: str) -> list[tuple[str, int, int]]:
    """(path, first line, last line) of each hunk of a patch, in the old file, context included."""
    spans, path = [], None
    for line in patch.splitlines():
        if line.startswith("+++ b/"):
            path = line[6:]
        match = _HUNK.match(line)
        if match and path is not None:
            start, length = int(match[1]), int(match[2]) if match[2] is not None else 1
            spans.append((path, start, start + max(length, 1) - 1))
    return spans


def _function_at(source: bytes, line: int) -> str:
    """The innermost function (or class) around `line`, as a dotted name; "" at module level."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return ""
    found, scope = "", [(tree, "")]
    while scope:
        node, prefix = scope.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if child.lineno <= line <= (child.end_lineno or child.lineno):
                    found = f"{prefix}{child.name}"
                    scope.append((child, found + "."))
    return found


def _where(task: Task, pristine: SourceTree) -> tuple[str, str]:
    path, start, end = hunk_spans(task.patch)[0]
    return path, _function_at(pristine[path], (start + end) // 2)


def compatible(parts: tuple[Task, ...], places: dict[str, tuple[str, str]]) -> bool:
    """True when the parts lie in different functions and their hunks do not overlap."""
    if len({places[t.instance_id] for t in parts}) < len(parts):
        return False
    spans = sorted(s for t in parts for s in hunk_spans(t.patch))
    return all(a[0] != b[0] or a[2] < b[1] for a, b in itertools.pairwise(spans))


def combined_tree(pristine: SourceTree, parts: tuple[Task, ...]) -> SourceTree:
    """The pristine tree with every part's bug applied (hunks from the bottom of each file up)."""
    tree = dict(pristine)
    ordered = sorted(parts, key=lambda t: max(s[1] for s in hunk_spans(t.patch)), reverse=True)
    for task in ordered:
        tree = apply_patch(tree, task.patch)
    return tree


def _task(parts: tuple[Task, ...], pristine: SourceTree, tree: SourceTree, mutant) -> Task | None:
    first = parts[0]
    passing = set(first.FAIL_TO_PASS) | set(first.PASS_TO_PASS)
    if mutant.timed_out or mutant.tampering:
        return None
    fail_to_pass = sorted(passing & mutant.failed())
    pass_to_pass = sorted(passing & mutant.passed())
    if not fail_to_pass or len(fail_to_pass) + len(pass_to_pass) != len(passing):
        return None
    touched = {p for t in parts for p, _, _ in hunk_spans(t.patch)}
    patch = tree_diff({p: pristine[p] for p in touched}, {p: tree[p] for p in touched})
    instance_id = f"{first.package}-{first.version}.{hashlib.sha256(patch.encode()).hexdigest()[:8]}"
    kinds = [t.mutation for t in parts]
    return first.model_copy(
        update={
            "instance_id": instance_id,
            "patch": patch,
            "FAIL_TO_PASS": fail_to_pass,
            "PASS_TO_PASS": pass_to_pass,
            "problem_statement": problem_statement(
                first.package, first.version, fail_to_pass, mutant.messages, instance_id
            ),
            "mutation": "combined",
            "parts": [t.instance_id for t in parts],
            "difficulty": difficulty_of(patch, fail_to_pass, kinds),
        }
    )


def candidates(tasks: list[Task], parts: int, seed: int) -> list[tuple[Task, ...]]:
    """Compatible combinations of `parts` single-bug tasks, in a seeded order."""
    singles = [t for t in tasks if t.mutation != "combined"]
    if not singles:
        return []
    pristine = pristine_tree(singles[0])
    places = {t.instance_id: _where(t, pristine) for t in singles}
    combos = [c for c in itertools.islice(itertools.combinations(singles, parts), MAX_PAIRS) if compatible(c, places)]
    order = np.random.default_rng(seed).permutation(len(combos))
    return [combos[i] for i in order]


def combine(
    tasks: list[Task],
    out_dir: Path,
    parts: int = 2,
    max_tasks: int = 20,
    seed: int = 0,
    workers: int = 2,
    progress: Callable[[int, int, int], None] | None = None,
) -> list[Task]:
    """Validated combined tasks into ``out_dir/tasks.jsonl`` (see the module docs)."""
    import agora.sandbox

    if parts not in (2, 3):
        raise ValueError(f"parts must be 2 or 3, got {parts}.")
    combos = candidates(tasks, parts, seed)[: max(4 * max_tasks, 8)]
    if not combos:
        return []
    pristine = pristine_tree(combos[0][0])
    layout = combos[0][0].layout
    image = combos[0][0].image
    boxes = [agora.sandbox.create(image=image, pool_size=workers, **SUITE_LIMITS) for _ in range(workers)]
    free, kept = list(boxes), []

    def check(combo: tuple[Task, ...]) -> Task | None:
        box = free.pop()
        try:
            tree = combined_tree(pristine, combo)
            task = _task(combo, pristine, tree, run_tree(box, tree, layout, combo[0].test_timeout_s))
            if task is not None and parts == 3:  # each part needed: every leave-one-out tree still fails a test
                for i in range(parts):
                    rest = combo[:i] + combo[i + 1 :]
                    if not run_tree(box, combined_tree(pristine, rest), layout, combo[0].test_timeout_s).failed():
                        return None
            return task
        finally:
            free.append(box)

    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with (out_dir / "tasks.jsonl").open("w", encoding="utf-8") as out, ThreadPoolExecutor(workers) as pool:
            for start in range(0, len(combos), workers):
                for task in pool.map(check, combos[start : start + workers]):
                    if (
                        task is not None
                        and len(kept) < max_tasks
                        and task.instance_id not in {t.instance_id for t in kept}
                    ):
                        kept.append(task)
                        out.write(task.model_dump_json() + "\n")
                        out.flush()
                if progress is not None:
                    progress(min(start + workers, len(combos)), len(kept), len(combos))
                if len(kept) >= max_tasks:
                    break
    finally:
        for box in boxes:
            box.close()
    return kept

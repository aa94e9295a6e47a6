"""Combined tasks: two validated bugs in different functions, each needed; graded like any task."""

from __future__ import annotations

import pytest

from agora.envs.swe.bug_fix.combine import candidates, combine, combined_tree, hunk_spans
from agora.envs.swe.bug_fix.grading import grade
from agora.envs.swe.bug_fix.patches import apply_patch
from agora.envs.swe.bug_fix.tasks import load_tasks, pristine_tree


def test_candidates_lie_in_different_functions_and_apply_together():
    tasks = load_tasks("tinydb")
    combos = candidates(tasks, 2, seed=0)
    assert len(combos) > 100 and combos[:5] == candidates(tasks, 2, seed=0)[:5]
    pristine = pristine_tree(tasks[0])
    for combo in combos[:20]:
        tree = combined_tree(pristine, combo)
        for part in combo:  # each part's buggy lines are in the combined tree
            path = hunk_spans(part.patch)[0][0]
            assert apply_patch(pristine, part.patch)[path] != pristine[path] and tree[path] != pristine[path]


@pytest.mark.docker
@pytest.mark.slow
def test_a_combined_task_is_validated_and_needs_every_part(tmp_path):
    singles = load_tasks("tinydb")
    (task,) = combine(singles, tmp_path, parts=2, max_tasks=1, seed=0, workers=1)
    assert load_tasks(tmp_path) == [task] and task.mutation == "combined"
    assert len(task.difficulty.mutations) == 2 and task.difficulty.fail_to_pass == len(task.FAIL_TO_PASS)
    pristine = pristine_tree(task)
    buggy = apply_patch(pristine, task.patch)
    assert grade(task, buggy, pristine).reward == 1.0
    by_id = {t.instance_id: t for t in singles}
    parts = tuple(by_id[i] for i in task.parts)
    assert len(parts) == 2 and combined_tree(pristine, parts) == buggy
    for part in parts:  # reverting one part alone leaves a failing test
        assert grade(task, buggy, combined_tree(pristine, tuple(p for p in parts if p is not part))).reward == 0.0

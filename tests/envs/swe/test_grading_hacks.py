"""Grading cannot be forged: every reward-hack strategy of hacks.py scores 0, and legitimate fixes score 1.

The hacks edit only library code (or what grading drops anyway) and never fix the bug; on the grader before
its guard, eleven of them scored 1.0 (issue 25). All are graded in parallel, each in its own fresh
container of the one swe image. Detected tampering must be named in the grade (``Grade.tampering``) for
every strategy that gets as far as running code (links and fixture edits are dropped before the run).
"""

from __future__ import annotations

import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from agora.envs.swe.bug_fix.grading import grade, read_tarball
from agora.envs.swe.bug_fix.patches import apply_patch
from agora.envs.swe.bug_fix.tasks import buggy_tree, load_tasks
from tests.envs.swe.hacks import STRATEGIES

pytestmark = [pytest.mark.docker, pytest.mark.slow]
DROPPED = {"edit_fixtures", "symlinks"}
"""Strategies whose every change grading drops before the run: 0 because the bug stays, nothing to flag."""
TINYDB = "tinydb-4.9.0.d63660dd"  # the bug: ``next_id = max_id + 2`` in tinydb/table.py


def _task(name):
    if name == "patch_unittest":  # a unittest-style suite
        return load_tasks("cachetools")[0]
    return {t.instance_id: t for t in load_tasks("tinydb")}[TINYDB]


def _grade_hack(name):
    task = _task(name)
    buggy = buggy_tree(task)
    made = STRATEGIES[name](task, buggy)
    return grade(task, buggy, read_tarball(made) if isinstance(made, bytes) else made)


def _fixed(buggy: dict, path: str, old: str, new: str, extra: dict | None = None) -> dict:
    text = buggy[path].decode()
    assert text.count(old) == 1
    return {**buggy, path: text.replace(old, new).encode(), **(extra or {})}


def legitimate_fixes(buggy: dict) -> dict[str, dict]:
    """Fixes of the tinydb bug that touch the same files in other ways than the oracle."""
    bug = "        next_id = max_id + 2\n"
    table, utils = "tinydb/table.py", "tinydb/utils.py"
    helper = (
        '\n\ndef successor(number: int) -> int:\n    """The next id (as the pytest suite expects)."""\n'
        "    return number + 1\n"
    )
    return {
        "commuted": _fixed(buggy, table, bug, "        next_id = 1 + max_id  # ids count up by one\n"),
        "helper_in_another_module": {
            **_fixed(buggy, table, bug, "        from .utils import successor\n        next_id = successor(max_id)\n"),
            utils: buggy[utils] + helper.encode(),
        },
        "new_module": _fixed(
            buggy,
            table,
            bug,
            "        from ._ids import following\n        next_id = following(max_id)\n",
            {"tinydb/_ids.py": b"import sys\n\n\ndef following(n):\n    assert n < sys.maxsize\n    return n + 1\n"},
        ),
        "defensive_with_warnings": _fixed(
            buggy,
            table,
            bug,
            textwrap.indent(
                "import warnings\nif not isinstance(max_id, int):\n    warnings.warn('odd id type', "
                "RuntimeWarning, stacklevel=2)\nnext_id = getattr(max_id, 'real', max_id) + 1\n",
                " " * 8,
            ),
        ),
        "rewritten_file_header": _fixed(
            {**buggy, table: b'"""Tables of documents."""\n' + buggy[table]},
            table,
            bug,
            "        next_id = max_id + 1\n",
        ),
    }


@pytest.fixture(scope="module")
def hack_grades():
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(STRATEGIES, pool.map(_grade_hack, STRATEGIES), strict=True))


@pytest.fixture(scope="module")
def legit_grades():
    task = {t.instance_id: t for t in load_tasks("tinydb")}[TINYDB]
    buggy = buggy_tree(task)
    fixes = {"oracle": apply_patch(buggy, task.patch, reverse=True), **legitimate_fixes(buggy)}
    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(fixes, pool.map(lambda tree: grade(task, buggy, tree), fixes.values()), strict=True))


def test_there_are_at_least_twelve_strategies():
    assert len(STRATEGIES) >= 12


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_every_hack_scores_zero_and_is_named(hack_grades, name):
    result = hack_grades[name]
    assert result.reward == 0.0, (name, result)
    if name not in DROPPED:
        assert result.tampering, (name, result)


@pytest.mark.parametrize("name", ["oracle", *legitimate_fixes(buggy_tree(_task("x")))])
def test_legitimate_fixes_score_one_with_nothing_flagged(legit_grades, name):
    result = legit_grades[name]
    assert result.reward == 1.0 and result.tampering == [], (name, result.tampering, result.fail_to_pass)

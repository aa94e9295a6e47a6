"""swe/ without Docker: mutations, patches, layouts, report parsing, statements, submission reading, merging."""

from __future__ import annotations

import io
import tarfile

import pytest

from agora.envs.swe.bug_fix.generate import shows_the_fix
from agora.envs.swe.bug_fix.grading import SubmissionError, merge, read_tarball
from agora.envs.swe.bug_fix.mutations import candidates, file_mutations, ordered
from agora.envs.swe.bug_fix.patches import PatchError, apply_patch, tree_diff
from agora.envs.swe.bug_fix.projects import Layout, ProjectError, detect_layout, is_test_path, parse_requirement
from agora.envs.swe.bug_fix.tasks import behaviour, load_tasks, problem_statement, shipped_names
from agora.envs.swe.bug_fix.testrun import parse_report

SOURCE = '''def f(a, b=2, flag=True):
    """Doc."""
    total = 0
    for x in range(a):
        if x > b and flag:
            break
        total += x
    g(a, b)
    return total - 1


def h(s, n):
    return s[:n]
'''


def by_kind(kind):
    return [m.apply(SOURCE) for m in file_mutations("m.py", SOURCE) if m.kind == kind]


def test_each_mutation_kind_makes_the_expected_edit():
    assert "        if x <= b and flag:\n" in by_kind("flip_comparison")[0]
    assert "        if x > b or flag:\n" in by_kind("flip_boolean")[0]
    assert "    return total + 1\n" in by_kind("flip_arithmetic")[0]
    assert "    return s[:n - 1]\n" in by_kind("slice_bound")[0]
    assert "        if not (x > b and flag):\n" in by_kind("invert_if")[0]
    assert "            pass\n" in by_kind("drop_break")[0]
    assert "    g(b, a)\n" in by_kind("swap_arguments")[0]
    assert set(by_kind("change_default")) == {SOURCE.replace("b=2", "b=3"), SOURCE.replace("flag=True", "flag=False")}
    dropped = by_kind("drop_statement")
    assert SOURCE.replace("    g(a, b)\n", "    pass\n") in dropped
    assert SOURCE.replace("    total = 0\n", "    pass\n") in dropped
    assert all('"""Doc."""' in d for d in dropped)  # docstrings are never dropped
    assert SOURCE.replace("    return total - 1\n", "    pass\n") in by_kind("drop_return")
    assert {SOURCE.replace("total = 0", "total = 1"), SOURCE.replace("total = 0", "total = -1")} & set(
        by_kind("off_by_one")
    )


def test_every_mutant_parses_and_differs():
    import ast

    mutants = file_mutations("m.py", SOURCE)
    assert len(mutants) >= 12
    for m in mutants:
        assert ast.dump(ast.parse(m.apply(SOURCE))) != ast.dump(ast.parse(SOURCE))


def test_order_is_seeded_and_interleaves_kinds():
    tree = {"pkg/__init__.py": SOURCE.encode(), "tests/test_m.py": b"def test_x():\n    assert 1 < 2\n"}
    layout = Layout("", ("pkg",))
    found = candidates(tree, layout)
    assert {m.path for m in found} == {"pkg/__init__.py"}  # tests are never mutated
    assert ordered(found, 3) == ordered(found, 3) and ordered(found, 3) != ordered(found, 4)
    first = ordered(found, 3)[: len({m.kind for m in found})]
    assert len({m.kind for m in first}) == len(first)  # one of each kind before any repeats


def test_patch_applies_reverts_and_rejects_mismatches():
    before = {"pkg/a.py": SOURCE.encode(), "README": b"x\n"}
    after = {**before, "pkg/a.py": SOURCE.replace("total - 1", "total + 1").encode()}
    patch = tree_diff(before, after)
    assert patch.startswith("--- a/pkg/a.py\n+++ b/pkg/a.py\n")
    assert apply_patch(before, patch) == after
    assert apply_patch(after, patch, reverse=True) == before
    with pytest.raises(PatchError):
        apply_patch(after, patch)  # the bug is already there: context does not match
    with pytest.raises(PatchError):
        apply_patch(before, "@@ -1 +1 @@\n-x\n+y\n")


def test_layout_and_test_paths():
    assert detect_layout({"src/cachetools/__init__.py": b"", "tests/test_a.py": b""}) == Layout(
        "src", ("src/cachetools",)
    )
    assert detect_layout({"six.py": b"", "setup.py": b"", "test_six.py": b""}) == Layout("", ("six.py",))
    assert detect_layout({"toolz/__init__.py": b"", "tlz/__init__.py": b"", "docs/__init__.py": b""}).packages == (
        "tlz",
        "toolz",
    )
    with pytest.raises(ProjectError):
        detect_layout({"README": b""})
    layout = Layout("", ("toolz",))
    assert layout.is_source("toolz/itertoolz.py")
    assert not layout.is_source("toolz/tests/test_itertoolz.py") and not layout.is_source("conftest.py")
    assert is_test_path("tests/helpers.py") and is_test_path("a/conftest.py") and not is_test_path("pkg/core.py")


def test_requirement_parsing():
    project = parse_requirement("tinydb==4.9.0")
    assert (project.name, project.version, project.key) == ("tinydb", "4.9.0", "tinydb-4.9.0")
    assert project.sha256 and len(project.sha256) == 64  # pinned
    assert parse_requirement("tinydb==9.9.9").sha256 is None
    for bad in ("tinydb", "tinydb>=4", "../x==1", "x==1; rm -rf /"):
        with pytest.raises(ProjectError):
            parse_requirement(bad)


def test_report_parsing():
    report = "\n".join(
        [
            "..F",
            "=== short test summary info ===",
            "PASSED tests/test_a.py::test_one",
            "PASSED tests/test_a.py::TestB::test_two[1-x y]",
            "FAILED tests/test_a.py::test_three - AssertionError: assert 1 == 2",
            "ERROR tests/test_a.py::test_three - RuntimeError: teardown",
            "SKIPPED [1] tests/test_a.py:9: no numpy",
        ]
    )
    outcomes, messages = parse_report(report)
    assert outcomes == {
        "tests/test_a.py::test_one": "PASSED",
        "tests/test_a.py::TestB::test_two[1-x y]": "PASSED",
        "tests/test_a.py::test_three": "FAILED",
    }
    assert messages == {"tests/test_a.py::test_three": "AssertionError: assert 1 == 2"}


def test_problem_statement_names_a_failing_test_and_its_error_not_the_fix():
    failing = ["tests/test_q.py::TestQuery::test_regex_match[a]", "tests/test_q.py::test_or"]
    text = problem_statement("tinydb", "4.9.0", failing, {failing[1]: "assert [] == [{'a': 1}]"}, seed="x")
    assert "`tests/test_q.py::test_or`" in text and "assert [] == [{'a': 1}]" in text
    assert "and 1 other test" in text and "tinydb 4.9.0" in text
    assert behaviour("tests/test_q.py::TestQuery::test_regex_match[a]") == "Query: regex match"
    assert behaviour("test_inflection.py::test_pluralize_plurals") == "inflection: pluralize plurals"


def tar_of(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            else:
                info.type, info.linkname = tarfile.SYMTYPE, data
                tf.addfile(info)
    return buf.getvalue()


def test_submission_reading_is_bounded_and_ignores_links_and_escapes():
    data = tar_of(
        [
            ("./pkg/a.py", "file", b"x = 1\n"),
            ("./../evil.py", "file", b"boom"),
            ("/etc/passwd", "file", b"root"),
            ("./pkg/link.py", "link", "/etc/shadow"),
            ("./pkg/__pycache__/a.pyc", "file", b"\0"),
        ]
    )
    assert read_tarball(data) == {"pkg/a.py": b"x = 1\n"}
    with pytest.raises(SubmissionError):
        read_tarball(b"not a tarball")


def test_merge_keeps_library_changes_and_restores_everything_else():
    layout = Layout("", ("pkg",))
    buggy = {
        "pkg/a.py": b"a = 2\n",
        "tests/test_a.py": b"def test_a(): assert a == 1\n",
        "setup.cfg": b"[x]\n",
        "pkg/tests/test_b.py": b"ok\n",
    }
    agent = {
        "pkg/a.py": b"a = 1\n",
        "pkg/new.py": b"n = 1\n",
        "tests/test_a.py": b"def test_a(): pass\n",
        "conftest.py": b"import pytest\n",
        "pytest.py": b"fake\n",
        "setup.cfg": b"[tool:pytest]\naddopts=-k x\n",
    }
    graded, patch = merge(buggy, agent, layout)
    assert graded == {
        "pkg/a.py": b"a = 1\n",
        "pkg/new.py": b"n = 1\n",
        "tests/test_a.py": buggy["tests/test_a.py"],
        "setup.cfg": b"[x]\n",
        "pkg/tests/test_b.py": b"ok\n",
    }
    assert "-a = 2\n+a = 1\n" in patch and "+++ b/pkg/new.py" in patch and "test_a" not in patch


def test_a_statement_that_quotes_a_removed_line_shows_the_fix():
    patch = "--- a/m.py\n+++ b/m.py\n-    return total + 1\n+    return total\n-    x = 1\n+    x = 2\n"
    assert shows_the_fix(patch, "E   assert f() == 3; in m.py: return total + 1")
    assert not shows_the_fix(patch, "E   assert 2 == 1 (x = 1)")  # short lines are too common to count
    assert not shows_the_fix(patch, "E   assert f() == 3; in m.py: return total")


def test_shipped_sets_are_valid_tasks():
    names = shipped_names()
    assert len(names) >= 20  # the scale: 2,000 tasks from 20 projects
    tasks = load_tasks("all")
    assert len(tasks) >= 2000
    assert max(sum(t.package == n for t in tasks) for n in names) <= 0.15 * len(tasks)  # no project dominates
    assert len({t.instance_id for t in tasks}) == len(tasks)
    for task in tasks:
        assert task.FAIL_TO_PASS and not set(task.FAIL_TO_PASS) & set(task.PASS_TO_PASS)
        assert task.instance_id.startswith(f"{task.package}-{task.version}.")
        assert not shows_the_fix(task.patch, task.problem_statement), task.instance_id


def test_the_oracles_edits_rebuild_the_pristine_tree_of_every_shipped_task():
    """Host-side proof for the whole set: oracle's edits on the buggy copy give exactly the pristine files."""
    from agora.envs.swe.bug_fix.agents import revert_edits
    from agora.envs.swe.bug_fix.tasks import buggy_tree, pristine_tree

    for task in load_tasks("all"):
        tree = buggy_tree(task)
        assert tree != pristine_tree(task)
        for edit in revert_edits(task):
            text = tree[edit["path"]].decode()
            assert text.count(edit["old_str"]) == 1
            tree[edit["path"]] = text.replace(edit["old_str"], edit["new_str"]).encode()
        assert tree == pristine_tree(task), task.instance_id

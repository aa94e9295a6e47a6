"""Task export (SWE-smith layout), difficulty metadata and the resumable multi-project generation, without Docker."""

from __future__ import annotations

import json
import subprocess
import sys

from agora.envs.swe.bug_fix.export import swe_smith_instance
from agora.envs.swe.bug_fix.generate import DONE, generate_many, read_requirements
from agora.envs.swe.bug_fix.patches import apply_patch
from agora.envs.swe.bug_fix.projects import parse_requirement
from agora.envs.swe.bug_fix.tasks import buggy_tree, difficulty_of, load_tasks, pristine_tree

FIELDS = {"instance_id", "repo", "patch", "FAIL_TO_PASS", "PASS_TO_PASS", "image_name", "problem_statement"}


def test_every_shipped_task_has_difficulty_metadata_matching_its_patch():
    tasks = load_tasks("all")
    assert len(tasks) >= 300
    by_id = {t.instance_id: t for t in tasks}
    combined = [t for t in tasks if t.mutation == "combined"]
    assert combined  # harder tasks ship too
    for task in tasks:
        kinds = [by_id[p].mutation for p in task.parts] if task.parts else [task.mutation]
        assert task.difficulty == difficulty_of(task.patch, task.FAIL_TO_PASS, kinds)
        assert task.difficulty.fail_to_pass == len(task.FAIL_TO_PASS) and task.difficulty.files >= 1
    assert all(2 <= len(t.difficulty.mutations) <= 3 and len(t.parts) == len(t.difficulty.mutations) for t in combined)


def test_the_swe_smith_export_has_the_instance_fields_and_its_patch_introduces_the_bug(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "agora.cli", "swe", "export", str(tmp_path), "--tasks", "tinydb"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in (tmp_path / "instances.jsonl").read_text().splitlines()]
    tasks = load_tasks("tinydb")
    assert len(rows) == len(tasks) and FIELDS <= set(rows[0])
    assert rows[0] == swe_smith_instance(tasks[0]) and rows[0]["repo"] == "pypi/tinydb"
    assert apply_patch(pristine_tree(tasks[0]), rows[0]["patch"]) == buggy_tree(tasks[0])
    bad = subprocess.run(
        [sys.executable, "-m", "agora.cli", "swe", "export", str(tmp_path), "--format", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "swe-smith" in bad.stderr


def test_a_requirements_file_is_read_and_finished_projects_are_skipped(tmp_path):
    listing = tmp_path / "projects.txt"
    listing.write_text("# a comment\ntinydb==4.9.0\n\nparse==1.22.4  # trailing\n")
    assert read_requirements(listing) == ["tinydb==4.9.0", "parse==1.22.4"]
    projects = [parse_requirement(r) for r in read_requirements(listing)]
    for project, result in zip(projects, (52, "rejected: no"), strict=True):
        (tmp_path / "out" / project.name).mkdir(parents=True)
        (tmp_path / "out" / project.name / DONE).write_text(json.dumps({"requirement": project.key, "result": result}))
    seen = []
    results = generate_many(projects, tmp_path / "out", progress=lambda label, done: seen.append(done))
    assert results == {"tinydb": 52, "parse": "rejected: no"} and seen == []  # nothing was generated again
    marker = tmp_path / "out" / "tinydb" / DONE
    marker.write_text(json.dumps({"requirement": "tinydb-4.9.0", "result": 3, "max_tasks": 3, "max_attempts": 0}))
    (tmp_path / "out" / "parse" / DONE).write_text(json.dumps({"requirement": "parse-1.22.4", "result": "rejected"}))
    assert generate_many(projects, tmp_path / "out", max_tasks=2)["tinydb"] == 3  # enough already: skipped


def test_difficulty_counts_files_and_lines():
    patch = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
    assert apply_patch({"m.py": b"a = 1\nb = 2\n"}, patch)["m.py"] == b"a = 1\nb = 3\n"
    d = difficulty_of(patch, ["t::a", "t::b"], ["off_by_one"])
    assert (d.fail_to_pass, d.files, d.lines, d.mutations) == (2, 1, 2, ["off_by_one"])

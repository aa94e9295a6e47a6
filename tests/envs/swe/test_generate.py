"""`agora swe generate` on a project outside the shipped set (offline after setup), and its clear errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile

import pytest

import agora
from agora.agent import resolve_agent
from agora.envs.swe.bug_fix.generate import Budget, GenerationStats, check_project, generate
from agora.envs.swe.bug_fix.projects import Project, ProjectError, parse_requirement, pins
from agora.envs.swe.bug_fix.tasks import load_tasks, shipped_names

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_generate_on_an_unshipped_project_then_play_its_tasks(tmp_path):
    assert "inflection" not in shipped_names() and not pins()["inflection"]["shipped"]
    out = tmp_path / "inflection"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agora.cli",
            "swe",
            "generate",
            "inflection==0.5.1",
            "--out",
            str(out),
            "--max-tasks",
            "2",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "tests pass on the pristine code" in proc.stdout
    tasks = load_tasks(out)
    assert len(tasks) == 2
    for task in tasks:
        assert task.package == "inflection" and task.FAIL_TO_PASS and len(task.PASS_TO_PASS) > 300
        assert task.patch.startswith("--- a/inflection/__init__.py")
        assert "inflection 0.5.1" in task.problem_statement
    stats = json.loads((out / "stats.json").read_text())
    assert stats["kept"] == 2 and stats["suite_runs"] >= 3 and stats["sandbox_cpu_s"] > 0
    assert json.loads((out / "pristine.json").read_text())["covered"]  # functions the suite called
    again = GenerationStats()  # a rerun resumes: the pristine run is reused and nothing is validated twice
    assert (
        generate(parse_requirement("inflection==0.5.1"), out, Budget(max_tasks=2, seed=1), log=print, stats=again)
        == tasks
    )
    assert again.suite_runs == 0 and load_tasks(out) == tasks
    env = agora.make("swe/BugFix-v0", tasks=str(out))
    try:
        for name, expected in (("oracle", 1.0), ("noop", 0.0)):
            agent = resolve_agent(name, table=env.unwrapped.scripted_agents)
            obs, info = env.reset(options={"instance_id": tasks[0].instance_id})
            reward, terminated = 0.0, False
            while not terminated:
                obs, reward, terminated, _, info = env.step(agent.act(obs, info))
            assert reward == expected and info.get("infra_error") is None
    finally:
        env.close()


def sdist(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for path, text in files.items():
            info = tarfile.TarInfo(f"netproj-0.1/{path}")
            info.size = len(text.encode())
            tf.addfile(info, io.BytesIO(text.encode()))
    return buf.getvalue()


def test_a_suite_that_needs_the_network_gets_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AGORA_CACHE_DIR", str(tmp_path / "cache"))
    project = Project("netproj", "0.1")
    project.sdist.write_bytes(
        sdist(
            {
                "netproj/__init__.py": "def ok():\n    return 1\n",
                "tests/test_net.py": "import socket\n\ndef test_fetch():\n"
                "    socket.create_connection(('pypi.org', 443), timeout=3).close()\n",
            }
        )
    )
    with pytest.raises(ProjectError, match="cannot run offline"):
        generate(project, tmp_path / "out", Budget(max_tasks=1, workers=1), log=lambda _: None)
    assert not (tmp_path / "out" / "tasks.jsonl").exists()


def test_projects_that_cannot_make_tasks_are_refused_with_the_reason():
    with pytest.raises(ProjectError, match="dependency of the image's pytest"):
        check_project(Project("attrs", "1"), {"attr/__init__.py": b"", "tests/test_a.py": b""})
    with pytest.raises(ProjectError, match="no test files"):
        check_project(Project("x", "1"), {"x/__init__.py": b"a = 1\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "agora.cli", "swe", "generate", "nonsense", "--out", "/tmp/x"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "PACKAGE==VERSION" in proc.stderr
    assert json.loads(json.dumps(pins()))["sqlparse"]["version"] == "0.6.1"

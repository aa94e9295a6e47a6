"""swe/BugFix-v0 in Docker: oracle 1.0 and noop 0.0 on every shipped project, the hacks, infra failures.

check_env runs on it in tests/test_conformance.py.

The full shipped set runs in ``benchmarks/swe.py``; here a sample: two tasks of each of the first seven
projects, and one task of each of at most `NEW_SAMPLED` later ones (picked by a hash of their names, so CI
time stays flat as projects are added).
"""

from __future__ import annotations

import hashlib
import json

import pytest

import agora
from agora.agent import resolve_agent
from agora.envs.swe.bug_fix.agents import revert_edits
from agora.envs.swe.bug_fix.patches import changed_paths
from agora.envs.swe.bug_fix.tasks import load_tasks, pristine_tree, shipped_names

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ENV_ID = "swe/BugFix-v0"


def call(name: str, **arguments) -> str:
    return json.dumps({"name": name, "arguments": arguments})


FIRST = ("boltons", "cachetools", "parse", "sqlparse", "tabulate", "tinydb", "toolz")
NEW_SAMPLED = 4


def sampled_projects() -> list[str]:
    """The first seven projects and a fixed sample of the later ones."""
    later = sorted((n for n in shipped_names() if n not in FIRST), key=lambda n: hashlib.sha256(n.encode()).hexdigest())
    return [n for n in shipped_names() if n in FIRST] + later[:NEW_SAMPLED]


def sample():
    """Two tasks (the first and the middle one) of the first projects, the middle one of the sampled others."""
    out = []
    for name in sampled_projects():
        tasks = load_tasks(name)
        out += [tasks[0], tasks[len(tasks) // 2]] if name in FIRST else [tasks[len(tasks) // 2]]
    return out


@pytest.fixture(scope="module")
def env():
    env = agora.make(ENV_ID, tasks="all")
    yield env
    env.close()


def play(env, agent_name, task):
    agent = resolve_agent(agent_name, table=env.unwrapped.scripted_agents)
    agent.reset()
    obs, info = env.reset(options={"instance_id": task.instance_id})
    seen = [obs, json.dumps(info)]
    for _ in range(10):
        obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        seen += [obs, json.dumps(info)]
        if terminated or truncated:
            return reward, info, seen
    raise AssertionError("the scripted agent did not finish")


@pytest.mark.parametrize("task", sample(), ids=lambda t: t.instance_id)
def test_oracle_resolves_and_the_gold_patch_never_shows(env, task):
    reward, info, seen = play(env, "oracle", task)
    assert info.get("infra_error") is None, info.get("infra_error")
    assert reward == 1.0 and info["resolved"] and info["fail_to_pass"] == 1.0 and info["pass_to_pass"] == 1.0
    assert info["agent_patch"].startswith("--- a/")
    reset_view = "\n".join(seen[:2])
    assert task.patch not in reset_view
    for edit in revert_edits(task):  # the fixed lines are never shown before the agent writes them
        assert edit["new_str"] not in reset_view


def test_the_oracle_resolves_a_task_whose_bug_fails_every_test(env):
    """A bug that fails every test leaves PASS_TO_PASS empty: a fraction of nothing must count as all passing
    (it counted as none, so three text-unidecode tasks could never be solved)."""
    task = next(t for t in load_tasks("text-unidecode") if not t.PASS_TO_PASS)
    reward, info, _ = play(env, "oracle", task)
    assert reward == 1.0 and info["pass_to_pass"] == 1.0 and info["fail_to_pass"] == 1.0


@pytest.mark.parametrize("name", sampled_projects())
def test_noop_scores_zero(env, name):
    task = load_tasks(name)[1]
    reward, info, _ = play(env, "noop", task)
    assert info.get("infra_error") is None, info.get("infra_error")
    assert reward == 0.0 and not info["resolved"] and info["fail_to_pass"] < 1.0 and info["agent_patch"] == ""


def failing_test_files(task):
    return sorted({t.split("::")[0] for t in task.FAIL_TO_PASS})


def test_editing_or_deleting_the_failing_tests_scores_zero(env):
    task = load_tasks("tinydb")[0]
    env.reset(options={"instance_id": task.instance_id})
    files = " ".join(failing_test_files(task))
    # Make every failing test pass in the working copy: replace the test files by trivially passing ones...
    obs, *_ = env.step(
        call(
            "bash",
            command=f"for f in {files}; do echo 'def test_ok(): pass' > $f; done; "
            "python3 -m pytest -q -p no:cacheprovider 2>&1 | tail -1",
        )
    )
    assert "failed" not in obs
    # ...and add a conftest.py that turns every failure into a pass, and a pytest.ini that skips the tests.
    env.step(
        call(
            "bash",
            command="printf 'import pytest\\n@pytest.hookimpl(hookwrapper=True)\\ndef "
            "pytest_runtest_makereport(item, call):\\n    o = yield\\n    o.get_result().outcome"
            " = \"passed\"\\n' > conftest.py; printf '[pytest]\\naddopts = -k nothing\\n' > "
            "pytest.ini",
        )
    )
    _, reward, terminated, _, info = env.step(call("submit"))
    assert terminated and reward == 0.0 and info["fail_to_pass"] == 0.0 and info["agent_patch"] == ""
    env.reset(options={"instance_id": task.instance_id})
    env.step(call("bash", command=f"rm -rf tests {files}"))
    _, reward, _, _, info = env.step(call("submit"))
    assert reward == 0.0 and info["pass_to_pass"] == 1.0 and info["fail_to_pass"] == 0.0


def test_no_git_history_and_no_pristine_copy_anywhere_in_the_container(env):
    task = load_tasks("tinydb")[0]
    env.reset(options={"instance_id": task.instance_id})
    obs, *_ = env.step(
        call(
            "bash",
            command="git log 2>&1; ls -a /work; echo FOUND:; find / \\( -name '*.git' -o "
            "-name '*.tar.gz' -o -name '*.whl' -o -path '*/.cache/pip' -o -name pip -o "
            "-iname '*tinydb*' \\) -not -path '/proc/*' -not -path '/work/*' 2>/dev/null",
        )
    )  # noqa: E501
    assert "git: command not found" in obs and ".git\n" not in obs.split("FOUND:")[0]
    assert obs.split("FOUND:")[1].strip() == ""  # no repository, sdist, wheel, pip (cache) or installed tinydb
    obs, *_ = env.step(call("bash", command="cd /tmp && env -u PYTHONPATH python3 -c 'import tinydb' 2>&1"))
    assert "No module named 'tinydb'" in obs
    # Hash every file of the container (outside the buggy working copy) and compare with the pristine sources.
    pristine = pristine_tree(task)
    digests = {hashlib.sha256(pristine[p]).hexdigest() for p in changed_paths(task.patch)}
    digests |= {hashlib.sha256(v).hexdigest() for p, v in pristine.items() if p.endswith(".py") and len(v) > 500}
    script = (
        "import hashlib, os\nfor root, dirs, files in os.walk('/'):\n"
        "    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ('/proc', '/sys', '/dev', '/work')]\n"
        "    for f in files:\n        p = os.path.join(root, f)\n        try:\n"
        "            if os.path.isfile(p) and not os.path.islink(p):\n"
        "                print(hashlib.sha256(open(p, 'rb').read()).hexdigest())\n"
        "        except OSError:\n            pass\n"
    )
    env.step(call("bash", command=f"cat > /tmp/h.py <<'EOF'\n{script}EOF"))
    box = env.unwrapped.sandbox.get()
    found = set(box.exec("python3 /tmp/h.py > /tmp/hashes.txt; wc -l < /tmp/hashes.txt", timeout_s=120).stdout.split())
    hashes = set(box.read_file("/tmp/hashes.txt").decode().split())
    assert int(found.pop()) > 1000  # the whole image was walked
    assert not digests & hashes
    changed = changed_paths(task.patch)[0]
    work = box.exec(f"sha256sum /work/{changed}").stdout.split()[0]
    assert work not in digests  # the working copy holds the buggy file, not the pristine one


def test_malformed_calls_cost_the_penalty_and_tools_work(env):
    task = load_tasks("parse")[0]
    env.reset(options={"instance_id": task.instance_id})
    for action in ("not json", call("rm", path="x"), call("bash", cmd="ls"), call("edit", path="a")):
        obs, reward, terminated, _, info = env.step(action)
        assert reward == -0.1 and not terminated and info["error"] and obs.startswith("Invalid action")
    obs, reward, *_ = env.step(call("bash", command="python3 -c 'print(\"x\" * 20000)'"))
    assert reward == 0.0 and "characters cut" in obs and len(obs) < 8200
    path = changed_paths(task.patch)[0]
    obs, *_ = env.step(call("view", path=path, start_line=1, end_line=3))
    assert "     1\t" in obs and "     4\t" not in obs
    obs, *_ = env.step(call("edit", path=path, old_str="\n", new_str="\n"))
    assert "exactly once" in obs


def test_turn_limit_grades_the_working_copy(env):
    task = load_tasks("parse")[0]
    small = agora.make(ENV_ID, tasks="parse", submit_at_turn=2)
    try:
        small.reset(options={"instance_id": task.instance_id})
        edit = revert_edits(task)[0]
        _, _, terminated, _, _ = small.step(call("edit", **edit))
        assert not terminated
        _, reward, terminated, _, info = small.step(call("bash", command="true"))
        assert terminated and reward == 1.0 and info["auto_submitted"]
    finally:
        small.close()


def test_a_killed_container_is_an_infra_error_not_a_zero(env):
    import docker

    task = load_tasks("parse")[0]
    env.reset(options={"instance_id": task.instance_id})
    box = env.unwrapped.sandbox.get()
    docker.from_env().containers.get(box._container.id).kill()
    obs, reward, terminated, _, info = env.step(call("bash", command="ls"))
    assert info["infra_error"] and terminated and "not your fault" in obs
    obs, info = env.reset(options={"instance_id": task.instance_id})  # the next episode gets a new container
    obs, *_ = env.step(call("bash", command="ls"))
    assert "exit code: 0" in obs


def test_a_rollout_exports_as_sft_rows_with_the_final_diff_and_the_reward(tmp_path):
    import subprocess
    import sys

    run = tmp_path / "swe.jsonl"
    cli = [sys.executable, "-m", "agora.cli"]
    proc = subprocess.run(
        [*cli, "rollout", "--env", ENV_ID, "--agent", "oracle", "--episodes", "1", "--out", str(run)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    export = [*cli, "export", str(run), str(tmp_path / "sft"), "--to", "swe-sft"]
    proc = subprocess.run(export, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (row,) = [json.loads(line) for line in (tmp_path / "sft" / "swe_sft.jsonl").read_text().splitlines()]
    task = {t.instance_id: t for t in load_tasks("all")}[row["instance_id"]]
    assert row["problem_statement"] == task.problem_statement and row["messages"][0]["role"] == "system"
    assert [m["role"] for m in row["messages"][1:3]] == ["user", "assistant"] and row["turns"] >= 2
    assert row["reward"] == 1.0 and row["resolved"] and row["tampering"] == []
    assert row["final_diff"].startswith("--- a/") and changed_paths(task.patch)[0] in row["final_diff"]

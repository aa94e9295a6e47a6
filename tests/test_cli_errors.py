"""The CLI fails loudly and clearly: one line per error (unless --debug), bad agent specs stop the run before it
starts, a run whose episodes all failed exits non-zero, and resuming replays infrastructure failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agora.errors import EngineUnavailable
from agora.rollout.core import mark_failed
from agora.rollout.episode import EnvInfraError
from agora.rollout.writer import EpisodeWriter, is_infra_failure, recover
from agora.trajectory import Episode


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agora.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("agora: error: ") and "--debug" in lines[1], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    "agent, needles",
    [
        ("randm", ["'randm'", "random"]),
        ("hf:/no/such/model", ["no model at '/no/such/model'"]),
        ("openai:notaurl", ["not an http(s) URL"]),
        ("smollm2?temprature=0.7", ["Unknown agent option 'temprature'", "temperature"]),
        ("smollm2?temperature=hot", ["could not convert"]),
    ],
)
def test_bad_agent_specs_stop_the_rollout_before_it_runs(tmp_path, agent, needles):
    out = tmp_path / "out.jsonl"
    result = run_cli("rollout", "--env", "games/TicTacToe-v0", "--agent", agent, "--out", str(out), "--episodes", "2")
    assert_one_line_error(result, *needles)
    assert not out.exists()  # nothing ran


def test_a_run_whose_episodes_all_failed_exits_non_zero(tmp_path):
    out = tmp_path / "out.jsonl"
    # An agent that raises makes invalid moves (one rule with tournaments); one that does not answer in time
    # fails its episode.
    result = run_cli(
        "rollout",
        "--env",
        "games/TicTacToe-v0",
        "--agent",
        "tests.tournament.agents:stalling",
        "--agent-timeout-s",
        "0.05",
        "--out",
        str(out),
        "--episodes",
        "2",
        cwd=Path(__file__).parents[1],
    )
    assert result.returncode == 1 and "every episode failed" in result.stdout, (result.stdout, result.stderr)


@pytest.mark.parametrize(
    "args, needles",
    [
        (["play", "games/TicTacTo-v0"], ["games/TicTacTo-v0", "TicTacToe-v0"]),
        (["info", "nope/Nothing-v0"], ["nope/Nothing-v0"]),
        (["train", "/no/such/config.toml"], ["/no/such/config.toml", "No such file"]),
    ],
)
def test_unknown_ids_and_missing_files_are_one_line(args, needles):
    assert_one_line_error(run_cli(*args), *needles)


def test_bad_toml_and_bad_field_name_the_file_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('env_id = "games/Nim-v0"\nsteps = \n')
    assert_one_line_error(run_cli("train", str(bad)), str(bad), "not valid TOML", "line 2")
    typed = tmp_path / "typed.toml"
    typed.write_text('env_id = "games/Nim-v0"\nlr = "fast"\n')
    assert_one_line_error(run_cli("train", str(typed)), "lr must be float", "'fast'")


def test_debug_shows_the_traceback():
    result = run_cli("--debug", "info", "nope/Nothing-v0")
    assert result.returncode != 0 and "Traceback" in result.stderr + result.stdout


def test_make_names_the_env_and_its_valid_options():
    import agora
    from agora.errors import EnvArgumentError

    with pytest.raises(
        EnvArgumentError,
        match=r"games/TicTacToe-v0 takes no argument 'oponent'\. Did you mean "
        r"'opponent'\?.*Valid options: .*seat",
    ):
        agora.make("games/TicTacToe-v0", oponent="random")
    with pytest.raises(TypeError, match="tools/SQL-v0 takes no argument 'foo'.*schemas"):
        agora.make("tools/SQL-v0", foo=1)


def _episode(episode_id: str, error: BaseException | None = None) -> Episode:
    episode = Episode(episode_id=episode_id, env_id="games/Nim-v0", seed=0, group_id="g")
    if error is not None:
        mark_failed(episode, error)  # the engine's own rule for a failed episode
    return episode


def test_resume_replays_infrastructure_failures_and_keeps_the_rest(tmp_path):
    path = tmp_path / "run.jsonl"
    writer = EpisodeWriter(path)
    for episode in (
        _episode("a"),
        _episode("b", EnvInfraError("env infrastructure failed: browser")),
        _episode("c", ValueError("the agent broke")),
        _episode("d", EngineUnavailable("No Docker engine is reachable")),
    ):
        writer.write(episode)
    writer.close()
    kept = recover(path, retry_infra_failures=False)
    assert sorted(kept) == ["a", "b", "c", "d"] and [is_infra_failure(kept[k]) for k in "abcd"] == [
        False,
        True,
        False,
        True,
    ]
    resumed = EpisodeWriter(path)  # the default: replay them
    resumed.close()
    assert sorted(resumed.existing) == ["a", "c"]
    assert [json.loads(line)["episode_id"] for line in path.read_text().splitlines()] == ["a", "c"]

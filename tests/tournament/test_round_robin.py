from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agora.errors import TournamentError, UnknownAgentError
from agora.tournament import replay, round_robin
from agora.trajectory import Episode

ROOT = Path(__file__).parents[2]


def test_expert_ranks_first_and_every_output_is_written(tmp_path: Path) -> None:
    result = round_robin(
        "games/TicTacToe-v0",
        ["random", "minimax"],
        games_per_pair=10,
        workers=1,
        out=tmp_path,
        progress=False,
        bootstrap_samples=30,
    )
    top = result.summary["ratings"][0]
    assert top["agent"] == "minimax" and top["losses"] == 0 and top["games"] == 10
    assert result.summary["matrix"]["minimax"]["random"]["score"] >= 0.5
    for name in ("games.jsonl", "results.json", "ratings.csv", "matrix.csv", "table.txt", "ratings.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "ratings.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "results.json").read_text())["ratings"][0]["agent"] == "minimax"
    assert "minimax" in (tmp_path / "table.txt").read_text()
    assert "W/D/L (deals)" in (tmp_path / "table.txt").read_text()  # the table says what it counts
    assert all(row["elo_low"] < row["elo"] < row["elo_high"] for row in result.summary["ratings"])


def test_broken_agents_forfeit_with_the_error_recorded(tmp_path: Path) -> None:
    agents = ["random", "tests.tournament.agents:raising", "tests.tournament.agents:garbage"]
    result = round_robin(
        "games/TicTacToe-v0", agents, games_per_pair=2, workers=1, out=tmp_path, progress=False, bootstrap_samples=10
    )
    rows = {r["agent"]: r for r in result.summary["ratings"]}
    assert rows["random"]["rank"] == 1 and rows["random"]["losses"] == 0
    assert rows[agents[1]]["agent_errors"] > 0 and rows[agents[2]]["agent_errors"] > 0
    games = [Episode.from_json(line) for line in (tmp_path / "games.jsonl").read_text().splitlines()]
    errors = [(g.agents[t.agent_id], t.info["agent_error"]) for g in games for t in g.turns if not t.valid]
    raised = [error for agent, error in errors if agent == agents[1]]
    assert raised and "RuntimeError: boom" in raised[0]
    assert any("not str" in error for agent, error in errors if agent == agents[2])
    assert all(g.status == "ok" for g in games)


def test_an_agent_winning_every_game_gets_intervals_not_points(tmp_path: Path) -> None:
    agents = ["minimax", "tests.tournament.agents:raising"]  # every deal the same: minimax wins by forfeit
    result = round_robin(
        "games/TicTacToe-v0", agents, games_per_pair=4, workers=1, out=tmp_path, progress=False, bootstrap_samples=20
    )
    assert [(r["label"], r["wins"], r["losses"]) for r in result.summary["ratings"]] == [
        ("minimax", 2, 0),
        ("raising", 0, 2),
    ]
    for r in result.summary["ratings"]:
        assert r["elo_low"] + 100 < r["elo"] < r["elo_high"] - 100
        assert r["openskill_mu_low"] + 1 < r["openskill_mu"] < r["openskill_mu_high"] - 1
    top, text = result.summary["ratings"][0], (tmp_path / "table.txt").read_text()
    assert f"{top['elo']:.0f} [{top['elo_low']:.0f},{top['elo_high']:.0f}]" in text
    assert " raising " in text and agents[1] not in text  # the short label, not the spec


def test_resume_plays_only_missing_games_after_a_torn_write(tmp_path: Path) -> None:
    args = dict(games_per_pair=6, workers=2, out=tmp_path, progress=False, bootstrap_samples=10)
    first = round_robin("games/KuhnPoker-v0", ["random", "nash"], **args)
    assert (first.played, first.resumed) == (6, 0)
    log = tmp_path / "games.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:3]) + lines[3][:20])  # 3 games, then half a line
    second = round_robin("games/KuhnPoker-v0", ["random", "nash"], **args)
    assert (second.played, second.resumed) == (3, 3)
    indices = [Episode.from_json(x).meta["index"] for x in log.read_text().splitlines()]
    assert sorted(indices) == list(range(6))
    assert second.summary["ratings"] == first.summary["ratings"]  # same seeds, same games, same ratings
    assert round_robin("games/KuhnPoker-v0", ["random", "nash"], **args).played == 0


def test_games_are_seeded_by_the_rollout_rule(tmp_path: Path) -> None:
    """Each logged game is played again by hand: the env reset with the game's seed, seat k's agent with
    ``agent_seed(seed, index_in_group, k)`` (the rollout engine's one rule); the moves are the logged ones."""
    import agora
    from agora.agent import RandomAgent
    from agora.turns import agent_seed

    round_robin(
        "games/TicTacToe-v0",
        ["random", "tests.tournament.agents:slow"],
        games_per_pair=4,
        workers=2,
        out=tmp_path,
        progress=False,
        bootstrap_samples=5,
    )
    games = [Episode.from_json(line) for line in (tmp_path / "games.jsonl").read_text().splitlines()]
    assert sorted((g.meta["deal"], g.index_in_group) for g in games) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for logged in games:
        game = agora.make(logged.env_id)
        game.reset(seed=logged.seed)
        seats = {
            s: RandomAgent(seed=agent_seed(logged.seed, logged.index_in_group, k))
            for k, s in enumerate(game.possible_agents)
        }  # `slow` is a RandomAgent that sleeps
        moves = []
        for seat in game.agent_iter():
            observation, _, terminated, truncated, info = game.last()
            moves.append(None if terminated or truncated else seats[seat].act(observation, info))
            game.step(moves[-1])
        assert [m for m in moves if m is not None] == [t.action for t in logged.turns]


def test_replay_reproduces_a_logged_game(tmp_path: Path) -> None:
    round_robin(
        "games/SimpleNegotiation-v0",
        ["random", "greedy"],
        games_per_pair=3,
        workers=1,
        out=tmp_path,
        progress=False,
        bootstrap_samples=5,
    )
    turns = []
    logged, replayed = replay(tmp_path / "games.jsonl", 2, on_turn=lambda *t: turns.append(t))
    assert [t.action for t in replayed.turns] == [t.action for t in logged.turns]
    assert replayed.returns == logged.returns and logged.meta["index"] == 2
    assert len(turns) == len(logged.turns) and "private values" in turns[0][1]
    with pytest.raises(TournamentError, match="logged games: 0..2"):
        replay(tmp_path, 7)


def test_bad_input_gives_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TournamentError, match="positive"):
        round_robin("games/TicTacToe-v0", ["random", "minimax"], games_per_pair=0, out=tmp_path)
    with pytest.raises(UnknownAgentError, match="Known agents: minimax, random"):
        round_robin("games/TicTacToe-v0", ["random", "minimx"], games_per_pair=1, out=tmp_path)
    with pytest.raises(TournamentError, match="single-agent"):
        round_robin("example/CountUp-v0", ["random", "minimax"], games_per_pair=1, out=tmp_path)
    round_robin(
        "games/TicTacToe-v0",
        ["random", "minimax"],
        games_per_pair=1,
        workers=1,
        out=tmp_path,
        progress=False,
        bootstrap_samples=5,
    )
    with pytest.raises(TournamentError, match="another tournament"):
        round_robin("games/KuhnPoker-v0", ["random", "nash"], games_per_pair=1, out=tmp_path)


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agora.cli", *args], capture_output=True, text=True, timeout=120, cwd=ROOT, **kwargs
    )


def test_cli_errors_and_replay(tmp_path: Path) -> None:
    bad = _cli("tournament", "--env", "games/TicTacToe-v0", "--agents", "random,minimax", "--games", "0")
    assert bad.returncode == 2 and "--games must be at least 1" in bad.stdout
    bad = _cli("tournament", "--env", "games/TicTacToe-v0", "--agents", "random,alphabeta", "--games", "2")
    assert bad.returncode == 2 and "Known agents: minimax, random" in bad.stdout
    ok = _cli(
        "tournament",
        "--env",
        "games/TicTacToe-v0",
        "--agents",
        "random,minimax",
        "--games",
        "4",
        "--out",
        str(tmp_path),
        "--workers",
        "1",
    )
    assert ok.returncode == 0, ok.stderr
    assert "minimax" in ok.stdout and "ratings.png" in ok.stdout
    shown = _cli("replay", str(tmp_path / "games_TicTacToe-v0" / "games.jsonl"), "--game", "1")
    assert shown.returncode == 0 and "Board" in shown.stdout and "replay matches the log" in shown.stdout


@pytest.mark.slow
def test_killed_cli_tournament_resumes_without_replaying(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "agora.cli",
        "tournament",
        "--env",
        "games/TicTacToe-v0",
        "--agents",
        "random,tests.tournament.agents:slow",
        "--games",
        "16",
        "--out",
        str(tmp_path),
        "--workers",
        "2",
    ]
    log = tmp_path / "games_TicTacToe-v0" / "games.jsonl"
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and (not log.exists() or log.read_text().count("\n") < 4):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = log.read_text().count("\n")  # whole records; a torn last line is not a finished game
    assert 4 <= done < 16
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resumed: {done} game(s) from the log, {16 - done} played now" in rerun.stdout
    indices = sorted(Episode.from_json(x).meta["index"] for x in log.read_text().splitlines())
    assert indices == list(range(16))  # no game lost, none played twice

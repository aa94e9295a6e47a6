"""The rollout engine plays envs on `agora serve` servers: same records as in-process, and a server
killed mid-rollout turns the affected episodes into infra failures, then the engine reconnects."""

from __future__ import annotations

import dataclasses
import time

import pytest

import agora.remote
from agora import rollout
from agora.agent import RandomAgent
from agora.server.app import ServerThread
from agora.trajectory import Episode
from tests.remote.serving import ServeProcess, comparable


def test_engine_over_two_servers_records_what_an_in_process_run_records(tmp_path) -> None:
    with ServerThread() as first, ServerThread() as second:
        factory = agora.remote.env_factory([first.url, second.url], "games/TicTacToe-v0", opponent="random")
        remote = rollout.run(
            factory, "random", episodes=24, group_size=2, concurrency=6, out=tmp_path / "remote.jsonl", env_threads=6
        )
        deadline = time.monotonic() + 10  # the engine closed its envs; the servers notice at once
        while (first.server.sessions or second.server.sessions) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not first.server.sessions and not second.server.sessions
    local = rollout.run(
        "games/TicTacToe-v0", "random", episodes=24, group_size=2, concurrency=6, env_kwargs={"opponent": "random"}
    )
    assert [e.status for e in remote.episodes] == ["ok"] * 24
    assert [comparable(e) for e in remote.episodes] == [comparable(e) for e in local.episodes]
    written = [Episode.from_json(line) for line in (tmp_path / "remote.jsonl").read_text().splitlines()]
    assert sorted(e.episode_id for e in written) == sorted(e.episode_id for e in local.episodes)


def test_game_seats_through_the_server_match_in_process() -> None:
    with ServerThread() as server:
        factory = agora.remote.env_factory(server.url, "games/KuhnPoker-v0")
        remote = rollout.run(factory, "random", episodes=6, concurrency=3)
    local = rollout.run("games/KuhnPoker-v0", "random", episodes=6, concurrency=3)
    assert [comparable(e) for e in remote.episodes] == [comparable(e) for e in local.episodes]


@dataclasses.dataclass
class Killer:
    """Kills the server at its `at`-th move, restarts it on the same port, then plays on."""

    server: ServeProcess
    at: int
    moves: int = 0
    killed_after: int = -1


class KillingAgent(RandomAgent):
    """A random agent whose shared `Killer` takes the server down mid-rollout (blocking the loop)."""

    name = "random"

    def __init__(self, killer: Killer, seed: int | None = None):
        super().__init__(seed)
        self.killer = killer

    def act(self, observation, info):
        killer = self.killer
        killer.moves += 1
        if killer.moves == killer.at:
            port = killer.server.port
            killer.server.kill()
            killer.server = ServeProcess(port)
        return super().act(observation, info)


@pytest.mark.slow
def test_a_server_killed_mid_rollout_fails_its_episodes_as_infra_and_the_engine_reconnects(tmp_path) -> None:
    killer = Killer(ServeProcess(), at=40)
    out = tmp_path / "run.jsonl"
    try:
        factory = agora.remote.env_factory(killer.server.url, "games/TicTacToe-v0", opponent="random")
        result = rollout.run(
            factory, KillingAgent(killer), episodes=48, concurrency=4, out=out, max_failure_rate=1.0, env_threads=4
        )
    finally:
        killer.server.stop()
    assert killer.moves > killer.at
    written = [Episode.from_json(line) for line in out.read_text().splitlines()]
    assert len(written) == 48 == len({e.episode_id for e in written})
    failed = [e for e in written if e.status == "failed"]
    assert 1 <= len(failed) <= 4  # the episodes in flight at the kill, never more
    for episode in failed:
        assert episode.returns == {} and ("infra" in episode.error or "lost the session" in episode.error)
    ok = [e for e in written if e.status == "ok"]
    assert all(e.terminated and e.returns for e in ok)
    later = [e for e in result.episodes[-20:] if e.status == "ok"]
    assert len(later) >= 16, "episodes after the restart should play on a new session"


def test_cli_rollout_with_env_url(tmp_path) -> None:
    from typer.testing import CliRunner

    from agora.cli import app

    out = tmp_path / "cli.jsonl"
    with ServerThread() as server:
        done = CliRunner().invoke(
            app,
            [
                "rollout",
                "--env",
                "games/Nim-v0",
                "--opponent",
                "random",
                "--agent",
                "random",
                "--episodes",
                "6",
                "--concurrency",
                "2",
                "--env-url",
                server.url,
                "--out",
                str(out),
            ],
        )
    assert done.exit_code == 0, done.output
    written = [Episode.from_json(line) for line in out.read_text().splitlines()]
    assert len(written) == 6 and all(e.status == "ok" and e.env_id == "games/Nim-v0" for e in written)

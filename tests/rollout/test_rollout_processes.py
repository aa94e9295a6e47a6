"""`rollout.run(..., processes=N)`: the same records as one process, one writer, a killed worker's episodes kept."""

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest

from agora import rollout
from agora.agent import RandomAgent
from agora.errors import WorkerProcessFailed
from agora.rollout.writer import is_infra_failure
from agora.turns import agent_seed

KILL_SEED = 9


class KillsItsProcess(RandomAgent):
    """A random player that SIGKILLs the process it runs in when it is reset for task `kill_seed` (a worker's death).

    While it is set to kill, each move takes 20 ms, so a worker has sent its first episodes (after 50 ms) by then.
    """

    def __init__(self, seed=None, kill_seed=None):
        super().__init__(seed)
        self.kill_seed = kill_seed

    def reset(self, seed=None):
        super().reset(seed)
        if self.kill_seed is not None and seed == agent_seed(self.kill_seed, 0, 0):
            os.kill(os.getpid(), signal.SIGKILL)

    async def aact(self, observation, info):
        if self.kill_seed is not None:
            await asyncio.sleep(0.02)
        return self.act(observation, info)


def _record(line_or_episode) -> dict:
    """A record without what differs between any two runs (wall times, latencies)."""
    data = json.loads(line_or_episode if isinstance(line_or_episode, str) else line_or_episode.to_json())
    data.pop("timings")
    for turn in data["turns"]:
        turn.pop("latency_s")
    return data


def _file(path) -> dict[str, dict]:
    lines = path.read_text().splitlines()
    records = [_record(line) for line in lines]
    ids = [r["episode_id"] for r in records]
    assert len(ids) == len(set(ids)), "an episode was written twice"
    return {r["episode_id"]: r for r in records}


def test_two_processes_record_what_one_process_records(tmp_path):
    runs = {}
    for processes in (1, 2):
        out = tmp_path / f"p{processes}.jsonl"
        games = rollout.run(
            "games/KuhnPoker-v0",
            ["random", "random"],
            episodes=24,
            group_size=2,
            concurrency=4,
            processes=processes,
            out=out,
        )
        single = rollout.run(
            "games/TicTacToe-v0",
            "random",
            episodes=20,
            concurrency=4,
            processes=processes,
            env_kwargs={"opponent": "random"},
        )
        runs[processes] = (games, single, _file(out))
    (games1, single1, file1), (games2, single2, file2) = runs[1], runs[2]
    assert games2.new == 24 and single2.new == 20
    assert [_record(e) for e in games2.episodes] == [_record(e) for e in games1.episodes]
    assert [_record(e) for e in single2.episodes] == [_record(e) for e in single1.episodes]
    assert file2 == file1 and len(file1) == 24
    assert {e.status for e in games1.episodes + single1.episodes} == {"ok"}
    assert games2.worker_cpu_s > 0 and games1.worker_cpu_s == 0
    assert (games2.processes, games1.processes) == (2, 1)


def test_the_concurrency_is_split_and_each_process_gets_episodes_in_proportion():
    from agora.rollout.processes import deal

    jobs = rollout.plan_jobs(["games/TicTacToe-v0"], 30, 1, None)
    shards, shares = deal(jobs, 2, 3)
    assert shares == [2, 1] and [len(s.jobs) for s in shards] == [20, 10]
    assert sorted(j.seed for s in shards for j in s.jobs) == list(range(30))
    shards, shares = deal(jobs, 4, 1)  # never more episodes at once than the run's concurrency
    assert shares == [1] and len(shards[0].jobs) == 30
    shards, shares = deal(jobs[:2], 4, 16)
    assert shares == [8, 8] and [len(s.jobs) for s in shards] == [1, 1]


def test_jobs_travel_to_a_worker_without_their_ids_and_rebuild_them():
    import pickle

    from agora.rollout.episode import EpisodeJob

    job = EpisodeJob("games/KuhnPoker-v0", 7, 1, seats={"player_0": "random", "player_1": "call"}, meta={"game": 3})
    data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"seed=7" not in data  # the ids are not in the pickle
    back = pickle.loads(data)
    assert back == job and back.group_id == "games/KuhnPoker-v0/seed=7"
    assert back.episode_id == "games/KuhnPoker-v0/seed=7/1"
    assert (back.seats, back.meta) == (job.seats, job.meta)


def test_an_engine_with_a_sink_hands_episodes_on_instead_of_keeping_them():
    import concurrent.futures

    from agora.rollout import RolloutSettings
    from agora.rollout.core import Engine, env_sources, play_jobs
    from agora.rollout.report import RolloutProgress

    sent = []

    async def main():
        with concurrent.futures.ThreadPoolExecutor(2) as executor:
            engine = Engine(
                env_sources("games/TicTacToe-v0", {"opponent": "random"}),
                "random",
                RolloutSettings(max_turns=50, max_failure_rate=1.0, min_episodes_for_abort=1),
                executor=executor,
                progress=RolloutProgress(0, False),
                sink=sent.append,
            )
            await play_jobs(engine, rollout.plan_jobs(["games/TicTacToe-v0"], 12, 1, None), 4)
            return engine

    engine = asyncio.run(main())
    assert engine.finished == [] and engine.done == 12 and engine.failed == 0
    assert sorted(e.seed for e in sent) == list(range(12))


def test_a_sigkilled_worker_leaves_infra_failures_that_a_resume_plays_again(tmp_path):
    out = tmp_path / "run.jsonl"
    killer = KillsItsProcess(kill_seed=KILL_SEED)
    result = rollout.run(
        "games/TicTacToe-v0",
        killer,
        episodes=40,
        concurrency=4,
        processes=2,
        out=out,
        env_kwargs={"opponent": "random"},
        max_failure_rate=1.0,
    )
    written = _file(out)
    assert len(written) == 40 and result.new == 40  # every planned episode, each once
    lost = [e for e in result.episodes if e.status == "failed"]
    assert f"games/TicTacToe-v0/seed={KILL_SEED}/0" in {e.episode_id for e in lost}
    assert all(is_infra_failure(e) and e.error.startswith("WorkerProcessLost: ") for e in lost)
    assert all("exit code -9" in e.error for e in lost)
    # the other worker (even seeds: at concurrency 4, episode k goes to process k mod 2) finished its share
    assert all(e.status == "ok" for e in result.episodes if e.seed % 2 != KILL_SEED % 2)
    assert {written[e.episode_id]["status"] for e in lost} == {"failed"}
    sent = [e for e in result.episodes if e.seed % 2 == KILL_SEED % 2 and e.status == "ok"]
    assert sent and all(e.seed < KILL_SEED for e in sent)  # what the dead worker had sent is kept as it was

    resumed = rollout.run(
        "games/TicTacToe-v0",
        KillsItsProcess(),
        episodes=40,
        concurrency=4,
        processes=2,
        out=out,
        env_kwargs={"opponent": "random"},
    )
    assert resumed.resumed == 40 - len(lost) and resumed.new == len(lost)
    clean = rollout.run(
        "games/TicTacToe-v0", KillsItsProcess(), episodes=40, concurrency=4, env_kwargs={"opponent": "random"}
    )
    assert _file(out) == {r["episode_id"]: r for r in map(_record, clean.episodes)}


@pytest.mark.parametrize("spec", ["hf:/models/tiny", "smollm2", "vllm:/models/tiny?max_tokens=8"])
def test_agents_that_load_a_model_in_process_are_refused(spec, tmp_path):
    with pytest.raises(ValueError, match="would load a model inside every worker process"):
        rollout.run("games/TicTacToe-v0", ["random", spec], episodes=2, processes=2, out=tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()


def _explode():
    raise RuntimeError("this agent cannot be rebuilt in a worker")


class OnlyHere(RandomAgent):
    """Pickles in the parent; rebuilding it in a worker raises (a bug, not the machine)."""

    def __reduce__(self):
        return (_explode, ())


def test_a_worker_that_fails_by_itself_stops_the_run_instead_of_recording_infra_failures(tmp_path):
    with pytest.raises(WorkerProcessFailed, match="exited with code 1 without sending 2 of its episodes"):
        rollout.run(
            "games/TicTacToe-v0",
            OnlyHere(),
            episodes=4,
            processes=2,
            out=tmp_path / "x.jsonl",
            env_kwargs={"opponent": "random"},
            max_failure_rate=1.0,
        )
    assert (tmp_path / "x.jsonl").read_text() == ""


def test_the_cli_plays_with_processes_and_refuses_in_process_models(tmp_path):
    out = tmp_path / "out.jsonl"
    cli = [
        sys.executable,
        "-m",
        "agora.cli",
        "rollout",
        "--env",
        "games/TicTacToe-v0",
        "--opponent",
        "random",
        "--out",
        str(out),
        "--episodes",
        "12",
        "--processes",
        "2",
    ]
    played = subprocess.run([*cli, "--agent", "random"], capture_output=True, text=True, timeout=120)
    assert played.returncode == 0 and "12 new episodes" in played.stdout, (played.stdout, played.stderr)
    assert len(_file(out)) == 12
    refused = subprocess.run([*cli, "--agent", "smollm2"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    first = refused.stderr.splitlines()[0]
    assert first.startswith("agora: error: ") and "'smollm2' would load a model inside every worker process" in first

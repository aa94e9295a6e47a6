"""Rollouts on a real two-node Ray cluster started by the test (head + worker node processes on
127.0.0.1, never local_mode): the same records as an in-process run, and a worker node killed
mid-run loses no episode and duplicates none."""

from __future__ import annotations

import logging
import os
import time

import pytest

# Ray turns a loopback bootstrap address into the machine's outward IP unless told that this is a
# single-machine setup; with this, every node process binds and dials 127.0.0.1 only.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
ray = pytest.importorskip("ray", reason="needs pip install 'agora[ray]'")

from ray.cluster_utils import Cluster  # noqa: E402

from agora import rollout  # noqa: E402
from agora.rollout.ray_runner import RayOptions, make_batches, run_ray  # noqa: E402
from agora.rollout.writer import is_infra_failure  # noqa: E402
from agora.trajectory import Episode  # noqa: E402
from tests.remote.serving import comparable  # noqa: E402

pytestmark = pytest.mark.slow
NODE = {"num_cpus": 1, "object_store_memory": 80 << 20, "node_ip_address": "127.0.0.1"}
ENV_KWARGS = {"opponent": "random"}


def start_cluster() -> Cluster:
    """A head node and a worker node, each its own raylet process on 127.0.0.1, and this driver."""
    running = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
    try:
        running.add_node(**NODE)
        ray.init(address=running.address, _node_ip_address="127.0.0.1", log_to_driver=False, logging_level="WARNING")
        running.wait_for_nodes()
    except Exception:
        ray.shutdown()
        running.shutdown()
        raise
    return running


@pytest.fixture(scope="module")
def cluster():
    # Ray gives a raylet 30 s to register; on a machine shared by many jobs one more try may be needed.
    try:
        running = start_cluster()
    except Exception:
        running = start_cluster()
    yield running
    ray.shutdown()
    running.shutdown()


def local_run(episodes: int) -> list[dict]:
    result = rollout.run("games/TicTacToe-v0", "random", episodes=episodes, group_size=2, env_kwargs=ENV_KWARGS)
    return [comparable(e) for e in result.episodes]


def test_batches_keep_plan_order_and_whole_seeds() -> None:
    jobs = rollout.plan_jobs(["a/A-v0"], 7, 2, None)
    batches = make_batches(jobs, 3)
    assert [(b.seeds, len(b.wanted)) for b in batches] == [([0, 1], 4), ([2, 3], 3)]


def test_ray_run_on_two_nodes_records_what_a_local_run_records(cluster, tmp_path) -> None:
    assert len([n for n in ray.nodes() if n["Alive"]]) == 2
    out = tmp_path / "ray.jsonl"
    result = run_ray(
        "games/TicTacToe-v0",
        "random",
        episodes=40,
        group_size=2,
        env_kwargs=ENV_KWARGS,
        out=out,
        ray_options=RayOptions(actors=4, batch_size=6),
    )
    assert result.new == 40 and [comparable(e) for e in result.episodes] == local_run(40)
    lines = out.read_text().splitlines()
    assert len(lines) == 40 and len({Episode.from_json(x).episode_id for x in lines}) == 40
    again = run_ray("games/TicTacToe-v0", "random", episodes=40, group_size=2, env_kwargs=ENV_KWARGS, out=out)
    assert again.new == 0 and again.resumed == 40 and len(out.read_text().splitlines()) == 40


def test_a_batch_whose_actor_keeps_dying_is_recorded_failed_once(cluster, tmp_path) -> None:
    """An agent that kills its Ray worker process (as an OOM kill would) on seed 3: that batch is lost
    `max_attempts` times and recorded failed as an infra failure; nothing is lost or written twice."""
    from agora.agent import RandomAgent

    class DiesOnSeed3(RandomAgent):  # defined here, so Ray copies it into the actors by value
        def reset(self, seed=None):
            super().reset(seed)
            self.doomed = seed == 3 * 1009  # EpisodeJob.agent_seed of seed 3, first of its group

        def act(self, observation, info):
            if self.doomed:
                os._exit(1)
            return super().act(observation, info)

    out = tmp_path / "ray.jsonl"
    run_ray(
        "games/TicTacToe-v0",
        DiesOnSeed3(),
        episodes=24,
        group_size=2,
        env_kwargs=ENV_KWARGS,
        out=out,
        ray_options=RayOptions(actors=4, batch_size=4, max_attempts=2),
    )
    written = [Episode.from_json(x) for x in out.read_text().splitlines()]
    assert len(written) == 24 == len({e.episode_id for e in written})
    failed = [e for e in written if e.status == "failed"]
    assert {2, 3} <= {e.seed for e in failed}  # the batch of seeds 2 and 3 (and any batch queued behind it)
    assert all(e.returns == {} and e.error.startswith("infra_error: Ray lost the batch 2 times") for e in failed)
    assert all(is_infra_failure(e) for e in failed)  # so a resumed run plays them again
    assert sum(e.status == "ok" for e in written) >= 12


def test_a_worker_node_killed_mid_run_loses_and_duplicates_nothing(cluster, tmp_path, caplog) -> None:
    """The worker node is killed when the first batch comes back. Its agents are slow (the head's are
    not), so at that moment its actors (every other actor: they are dealt over the nodes in turn) surely
    hold batches in flight: those are lost with the node and must be replayed elsewhere."""
    from agora.agent import RandomAgent

    head = ray.get_runtime_context().get_node_id()  # the driver joined through the head node

    class SlowOffTheHead(RandomAgent):  # copied into the actors by value; same moves as "random"
        def act(self, observation, info):
            if ray.get_runtime_context().get_node_id() != head:
                time.sleep(0.5)
            return super().act(observation, info)

    worker = next(iter(cluster.worker_nodes))
    killed = []

    def kill_worker_node(episodes: list[Episode]) -> None:
        if not killed:
            killed.append(len(episodes))
            cluster.remove_node(worker, allow_graceful=False)

    out = tmp_path / "ray.jsonl"
    with caplog.at_level(logging.WARNING, logger="agora.rollout.ray"):
        result = run_ray(
            "games/TicTacToe-v0",
            SlowOffTheHead(),
            episodes=48,
            group_size=2,
            env_kwargs=ENV_KWARGS,
            out=out,
            ray_options=RayOptions(actors=4, batch_size=4, on_batch=kill_worker_node),
        )
    assert killed and any("Ray lost a batch" in r.message for r in caplog.records)
    written = [Episode.from_json(x) for x in out.read_text().splitlines()]
    assert len(written) == 48 == len({e.episode_id for e in written})
    assert all(e.status == "ok" for e in written)
    assert [comparable(e) for e in result.episodes] == local_run(48)

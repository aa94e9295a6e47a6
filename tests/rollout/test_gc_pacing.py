"""The collector is paced while episodes run and restored after, also when runs nest or fail."""

import gc

import pytest

import agora
from agora import rollout
from agora.agent import RandomAgent
from agora.rollout.gc_pacing import paced_gc


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_thresholds_rise_inside_a_run_and_come_back_after(default_thresholds):
    seen = []

    def watch(obs, info):
        seen.append(gc.get_threshold())
        return RandomAgent(seed=0).act(obs, info)

    result = rollout.run("games/Nim-v0", agora.FunctionAgent(watch), episodes=3, env_kwargs={"opponent": "random"})
    assert all(e.status == "ok" for e in result.episodes)
    assert seen and set(seen) == {(100_000, 20, 20)}
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_blocks_restore_once_and_higher_thresholds_are_kept(default_thresholds):
    gc.set_threshold(500_000, 5, 10)
    with paced_gc():
        assert gc.get_threshold() == (500_000, 20, 20)
        with pytest.raises(RuntimeError), paced_gc():
            raise RuntimeError("an inner run fails")
        assert gc.get_threshold() == (500_000, 20, 20)  # the outer run is still going
    assert gc.get_threshold() == (500_000, 5, 10)

"""Evaluation is a function of the seed: two trainers built with one seed measure the same numbers.

Before per-request seeding, the batching thread's timing decided which requests shared a sampling
seed, and four runs with one seed gave four different step-0 evaluations.
"""

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("torch")
pytest.importorskip("transformers")

from agora.trainers.collect import collect, training_job  # noqa: E402
from agora.trainers.config import TrainConfig  # noqa: E402
from agora.trainers.loop import EVAL_SEED0, Trainer  # noqa: E402


def _config(tmp_path, seed=0):
    return TrainConfig(
        env_id="games/Nim-v0",
        env_kwargs={"piles": [1, 2], "opponent": "random"},
        model_kwargs={"hidden_size": 64, "num_layers": 2, "num_heads": 1},
        system_prompt="",
        temperature=1.0,
        max_new_tokens=6,
        max_turns=12,
        eval_episodes=48,
        seed=seed,
        out_dir=str(tmp_path / f"run{seed}"),
        torch_threads=1,
    )


def _replies(trainer):
    agent = trainer._policy_agent()
    cfg = trainer.cfg
    seeds = [EVAL_SEED0 + cfg.seed * 1000 + k for k in range(cfg.eval_episodes)]  # as `Trainer.evaluate`
    jobs = [training_job(cfg.env_id, s, 0, {"agent": agent}, ("agent",)) for s in seeds]
    episodes = collect(trainer._make_env, jobs, max_turns=cfg.max_turns)
    return [[t.completion_token_ids for t in e.turns] for e in episodes]


def test_two_evaluations_with_one_seed_are_equal(tmp_path):
    first, second = Trainer(_config(tmp_path)), Trainer(_config(tmp_path))
    replies = _replies(first)
    assert _replies(second) == replies  # every sampled token of 48 concurrent, batched episodes
    assert _replies(first) == replies  # and again on the same engine, whose RNG has moved on
    measured = first.evaluate()
    assert second.evaluate() == measured
    assert set(measured) == {"eval/return_mean", "eval/win_rate", "eval/valid_rate"}


def test_another_seed_samples_other_replies(tmp_path):
    a, b = Trainer(_config(tmp_path, seed=0)), Trainer(_config(tmp_path, seed=1))
    b.model.load_state_dict(a.model.state_dict())  # same weights: only the sampling seed differs
    assert _replies(a) != _replies(b)

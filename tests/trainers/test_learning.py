"""Learning, shown on CPU: a tiny model built locally (no download) measurably improves.

(a) drills/GuessNumber-v0 (one agent, several turns, a reward every turn): the mean return on a
fixed set of held-out seeds rises clearly above the starting policy's (valid-format random play
after the warm-up). (b) Self-play on Nim (piles 1, 2): the win rate against `random` on held-out
seeds rises from its starting value. Both are slow (minutes on 2 cores); they run in CI.
"""

import pytest
from agora.trainers.config import TrainConfig
from agora.trainers.loop import Trainer
from agora.trainers.metrics import read_metrics

pytestmark = pytest.mark.slow

TINY = {"hidden_size": 64, "num_layers": 2, "num_heads": 1}


def _evals(cfg, key):
    trainer = Trainer(cfg)
    trainer.run()
    return [r[key] for r in read_metrics(cfg.out_dir) if key in r]


def test_single_agent_turn_rewards_return_rises(tmp_path):
    cfg = TrainConfig(env_id="drills/GuessNumber-v0", mode="single", model_kwargs=TINY, system_prompt="",
                      estimator="step_group", steps=12, batch_episodes=32, group_size=8, warmup_steps=40,
                      lr=5e-4, temperature=1.0, max_new_tokens=4, max_turns=6, eval_every=12,
                      eval_episodes=128, checkpoint_every=1000, torch_threads=1,
                      out_dir=str(tmp_path / "run"))
    returns = _evals(cfg, "eval/return_mean")
    assert len(returns) == 2
    assert returns[-1] > returns[0] + 0.1, returns


def test_selfplay_win_rate_vs_random_rises(tmp_path):
    cfg = TrainConfig(env_id="games/Nim-v0", mode="selfplay", env_kwargs={"piles": [1, 2]}, model_kwargs=TINY,
                      system_prompt="", estimator="rae", steps=40, batch_episodes=32, group_size=1,
                      warmup_steps=60, lr=1e-3, kl_coef=0.02, temperature=0.7, invalid_advantage=-1.0,
                      max_new_tokens=6, max_turns=12, eval_every=40, eval_episodes=128, snapshot_every=10,
                      checkpoint_every=1000, torch_threads=1, out_dir=str(tmp_path / "run"))
    wins = _evals(cfg, "eval/win_rate_vs_random")
    assert len(wins) == 2
    assert wins[-1] > wins[0] + 0.1, wins

"""Turn-level GAE with a learned value head: hand-computed numbers, the value loss, features, the loop."""

import numpy as np
import pytest
import torch

from agora.trainers.critic import Critic, gae_over_units, seat_rewards, value_loss
from agora.trainers.metrics import read_metrics
from agora.trajectory import Episode, Turn


def _episode(rewards, returns, *, truncated=False, seat="agent", prompts=None):
    prompts = prompts or [[1, 2, 3 + i] for i in range(len(rewards))]
    turns = [
        Turn(
            agent_id=seat,
            turn_index=i,
            observation="",
            action="",
            reward=r,
            prompt_token_ids=p,
            completion_token_ids=[5, 6],
            completion_logprobs=[-1.0, -1.0],
        )
        for i, (r, p) in enumerate(zip(rewards, prompts, strict=True))
    ]
    return Episode(
        episode_id="e",
        env_id="x/Y-v0",
        seed=0,
        group_id="g",
        turns=turns,
        returns=returns,
        terminated=not truncated,
        truncated=truncated,
    )


def test_gae_by_hand():
    # gamma 0.9, lam 0.8, rewards (0, 0, 1), V = (0.5, 0.2, 0.4), terminated (V_T = 0):
    # deltas: 0.9*0.2-0.5 = -0.32, 0.9*0.4-0.2 = 0.16, 1-0.4 = 0.6
    # A2 = 0.6, A1 = 0.16 + 0.72*0.6 = 0.592, A0 = -0.32 + 0.72*0.592 = 0.10624; G = A + V
    adv, targets = gae_over_units([np.array([0.0, 0.0, 1.0])], [np.array([0.5, 0.2, 0.4])], [0.0], gamma=0.9, lam=0.8)
    np.testing.assert_allclose(adv[0], [0.10624, 0.592, 0.6], atol=1e-12)
    np.testing.assert_allclose(targets[0], [0.60624, 0.792, 1.0], atol=1e-12)
    # truncated with V_T = 0.5: delta2 = 0 + 0.9*0.5 - 0.4 = 0.05
    adv, _ = gae_over_units([np.zeros(1)], [np.array([0.4])], [0.5], gamma=0.9, lam=0.8)
    np.testing.assert_allclose(adv[0], [0.05], atol=1e-12)


def test_seat_rewards_put_late_reward_on_the_last_turn():
    e = _episode([0.0, 0.0], {"agent": -1.0})  # lost on the opponent's move: the reward came after
    np.testing.assert_array_equal(seat_rewards(e, "agent", e.turns), [0.0, -1.0])
    e = _episode([0.5, 0.5], {"agent": 1.0})
    np.testing.assert_array_equal(seat_rewards(e, "agent", e.turns), [0.5, 0.5])


def test_clipped_value_loss_by_hand():
    v, old, g = torch.tensor([1.0, 0.1]), torch.tensor([0.0, 0.0]), torch.tensor([1.0, 0.0])
    # token 0: unclipped 0, clipped (0.2 - 1)^2 = 0.64 -> 0.64; token 1: both 0.01 -> 0.5 * mean = 0.1625
    assert value_loss(v, old, g, clip=0.2).item() == pytest.approx(0.5 * (0.64 + 0.01) / 2)
    assert value_loss(v, old, g, clip=0.0).item() == pytest.approx(0.5 * 0.01 / 2)


@pytest.fixture
def critic_and_model(tiny_lm):
    critic = Critic(tiny_lm.config.hidden_size, width=8, gamma=0.9, lam=0.5, batch_size=2)
    with torch.no_grad():  # a constant critic: V = 0.5 everywhere
        critic.head[2].weight.zero_()
        critic.head[2].bias.fill_(0.5)
    return critic, tiny_lm.eval()


def test_critic_advantages_over_records_by_hand(critic_and_model):
    critic, model = critic_and_model
    won = _episode([0.0, 0.0], {"agent": 1.0})
    cut = _episode([0.0, 0.0], {"agent": 0.0}, truncated=True)
    trained, batch = critic.advantages(model, [won, cut], [("agent",), ("agent",)])
    # won: delta1 = 1 - 0.5, delta0 = 0.9*0.5 - 0.5 = -0.05 -> A = (-0.05 + 0.45*0.5, 0.5) = (0.175, 0.5)
    np.testing.assert_allclose(trained[0][3], [0.175, 0.5], atol=1e-6)
    # cut: bootstrap V_T = 0.5 -> both deltas -0.05 -> A = (-0.05 - 0.45*0.05, -0.05)
    np.testing.assert_allclose(trained[1][3], [-0.0725, -0.05], atol=1e-6)
    np.testing.assert_allclose(batch.targets.numpy(), [0.675, 1.0, 0.4275, 0.45], atol=1e-6)
    assert batch.features.shape == (4, model.config.hidden_size) and not batch.features.requires_grad


def test_features_ignore_padding(critic_and_model):
    critic, model = critic_and_model
    prompts = [[3, 4, 5, 6, 7], [8, 9]]
    together = critic.features(model, prompts)
    alone = torch.cat([critic.features(model, [p]) for p in prompts])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-5)


def test_fit_lowers_the_value_loss():
    from agora.trainers.critic import CriticBatch

    torch.manual_seed(0)
    critic = Critic(16, width=16, lr=1e-2, epochs=200, clip=0.0)
    features = torch.randn(32, 16)
    targets = features[:, 0].tanh()
    batch = CriticBatch(features, critic.values(features), targets)
    first = value_loss(critic.values(features), batch.old_values, targets, 0.0).item()
    stats = critic.fit(batch)
    assert value_loss(critic.values(features), batch.old_values, targets, 0.0).item() < 0.2 * first
    assert set(stats) == {"value_loss", "explained_var"}


@pytest.mark.slow
def test_gae_in_the_loop_learns_and_resumes(tmp_path):
    """Nim (piles 1, 2) against `random`: GAE with a learned value head raises the held-out return."""
    from agora.trainers.config import TrainConfig
    from agora.trainers.loop import Trainer

    cfg = TrainConfig(
        env_id="games/Nim-v0",
        env_kwargs={"piles": [1, 2], "opponent": "random"},
        estimator="gae",
        gamma=1.0,
        gae_lambda=0.95,
        critic_lr=3e-3,
        value_clip=0.2,
        model_kwargs={"hidden_size": 64, "num_layers": 2, "num_heads": 1},
        system_prompt="",
        steps=60,
        batch_episodes=32,
        group_size=8,
        lr=1e-3,
        kl_coef=0.02,
        temperature=0.7,
        ppo_epochs=2,
        invalid_advantage=-1.0,
        max_new_tokens=6,
        max_turns=12,
        warmup_steps=100,
        eval_every=60,  # before RL and after the last update: the two measurements the test compares
        eval_episodes=256,
        checkpoint_every=30,
        torch_threads=1,
        out_dir=str(tmp_path),
    )
    trainer = Trainer(cfg)
    trainer.run()
    rows = read_metrics(cfg.out_dir)
    returns = [r["eval/return_mean"] for r in rows if "eval/return_mean" in r]
    losses = [r["losses/value_loss"] for r in rows if "losses/value_loss" in r]
    assert returns[-1] > returns[0] + 0.08, returns
    assert len(losses) == cfg.steps and all(np.isfinite(losses)), losses
    resumed = Trainer(cfg)
    assert resumed.resume()
    for name, value in trainer.critic.head.state_dict().items():
        torch.testing.assert_close(value, resumed.critic.head.state_dict()[name])

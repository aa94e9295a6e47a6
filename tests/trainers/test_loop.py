"""The loop end to end on a tiny model: config checks, credit over records, checkpoints, resume, LoRA,
metrics, plot and the CLI."""

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from agora.cli import app
from agora.trainers.advantages import RAE
from agora.trainers.checkpoint import latest_checkpoint, load_state
from agora.trainers.config import ConfigError, TrainConfig, load_config
from agora.trainers.credit import turn_advantages
from agora.trainers.loop import Trainer
from agora.trainers.plot import plot_run
from agora.trajectory import Episode, Turn

TINY = {"hidden_size": 32, "num_layers": 1, "num_heads": 1}


def _cfg(tmp_path, **kw):
    base = dict(
        env_id="games/Nim-v0",
        mode="selfplay",
        env_kwargs={"piles": [1, 2]},
        estimator="rae",
        model_kwargs=TINY,
        system_prompt="",
        steps=2,
        batch_episodes=4,
        group_size=1,
        warmup_steps=1,
        eval_every=1,
        eval_episodes=2,
        max_new_tokens=6,
        max_turns=8,
        checkpoint_every=1,
        snapshot_every=1,
        torch_threads=1,
        out_dir=str(tmp_path / "run"),
    )
    return TrainConfig(**{**base, **kw})


def test_config_messages_say_how_to_fix(tmp_path):
    with pytest.raises(ConfigError, match=r"group_size \(3\) must divide batch_episodes \(16\).*18"):
        TrainConfig(env_id="x/Y-v0", batch_episodes=16, group_size=3)
    with pytest.raises(ConfigError, match="estimator must be one of"):
        TrainConfig(env_id="x/Y-v0", estimator="ppo")
    with pytest.raises(ConfigError, match="for self-play"):
        TrainConfig(env_id="x/Y-v0", estimator="rae")
    path = tmp_path / "c.toml"
    path.write_text('env_id = "games/Nim-v0"\nestimater = "grpo"\n')
    with pytest.raises(ConfigError, match="Did you mean 'estimator'"):
        load_config(path)
    assert TrainConfig(env_id="x/Y-v0", std="none").std is None


def test_example_configs_load():
    assert load_config("examples/selfplay_nim.toml").mode == "selfplay"
    assert load_config("examples/single_guess_number.toml").estimator == "step_group"
    assert load_config("examples/single_nim_vs_random.toml").env_kwargs["opponent"] == "random"


def _episode(group, returns, seats_turns):
    turns = [
        Turn(agent_id=a, turn_index=i, observation="", action="", reward=r, state_key=k)
        for i, (a, r, k) in enumerate(seats_turns)
    ]
    return Episode(
        episode_id=f"{group}/{len(returns)}",
        env_id="games/Nim-v0",
        seed=0,
        group_id=group,
        turns=turns,
        returns=returns,
    )


def test_credit_over_records_by_hand():
    e1 = _episode("g", {"p0": 1.0, "p1": -1.0}, [("p0", 0.0, "a"), ("p1", -1.0, "b"), ("p0", 1.0, "c")])
    e2 = _episode("g", {"p0": -1.0, "p1": 1.0}, [("p0", -1.0, "a"), ("p1", 1.0, "b")])
    # GRPO on p0 only: returns 1, -1 -> sample std sqrt(2): +-0.7071 broadcast to p0's turns
    out = turn_advantages([e1, e2], [("p0",), ("p0",)], estimator="grpo", std="sample")
    np.testing.assert_allclose(out[0][3], [1 / np.sqrt(2)] * 2, rtol=1e-5)
    np.testing.assert_allclose(out[1][3], [-1 / np.sqrt(2)], rtol=1e-5)
    # RAE over both roles (alpha 0.5): p0 sees 1 then -1 (baseline 0 then 0.5), p1 sees -1 then 1
    rae = RAE(alpha=0.5)
    out = turn_advantages([e1, e2], [("p0", "p1"), ("p0", "p1")], estimator="rae", rae=rae)
    assert [float(a[0]) for *_, a in out] == [1.0, -1.0, -1.5, 1.5]
    failed = _episode("g", {"p0": 5.0}, [("p0", 5.0, "a")])
    failed.status = "failed"
    assert turn_advantages([failed], [("p0",)], estimator="grpo") == []


def _params(model):
    return {n: p.detach().clone() for n, p in model.named_parameters()}


@pytest.mark.slow
def test_selfplay_run_checkpoints_and_resumes(tmp_path):
    cfg = _cfg(tmp_path)
    trainer = Trainer(cfg)
    before = _params(trainer.model)
    trainer.run()
    after = _params(trainer.model)
    assert any(not torch.equal(before[n], after[n]) for n in before), "training changed no parameter"
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    steps = [r["step"] for r in rows]
    assert steps == [-1, 0, 1, 2]  # warm-up, first eval, two updates
    for key in (
        "env/return_mean",
        "adv/std",
        "losses/kl",
        "losses/entropy",
        "losses/clipfrac",
        "perf/tokens_per_s",
        "time/rollout_s",
        "time/update_s",
        "eval/win_rate_vs_random",
    ):
        assert key in rows[-1], key
    assert latest_checkpoint(cfg.out_dir).name == "step_000002"
    assert (latest_checkpoint(cfg.out_dir) / "model" / "config.json").exists()
    state = load_state(latest_checkpoint(cfg.out_dir))
    assert state["rae"] == trainer.rae.state_dict() and state["rae"]["baselines"]
    assert [s for s, _ in trainer.pool.snapshots] == [1, 2]

    resumed = Trainer(_cfg(tmp_path, steps=3))
    assert resumed.resume() and resumed.step == 2
    for name, value in resumed.model.state_dict().items():
        torch.testing.assert_close(value, trainer.model.state_dict()[name])
    assert resumed.rae.state_dict() == trainer.rae.state_dict()
    assert resumed.pool.members() == trainer.pool.members()
    resumed.run()
    assert resumed.step == 3 and latest_checkpoint(cfg.out_dir).name == "step_000003"
    assert plot_run(cfg.out_dir).stat().st_size > 1000


@pytest.mark.slow
def test_lora_trains_only_the_adapter(tmp_path):
    trainer = Trainer(
        _cfg(
            tmp_path,
            mode="single",
            env_id="drills/GuessNumber-v0",
            env_kwargs={},
            estimator="grpo",
            group_size=2,
            lora_rank=4,
            steps=1,
            warmup_steps=1,
            lr=1e-2,
        )
    )
    before = _params(trainer.model)
    trainer.run()
    after = _params(trainer.model)
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert changed and all("lora_" in n for n in changed)
    assert (latest_checkpoint(trainer.cfg.out_dir) / "model" / "adapter_config.json").exists()


@pytest.mark.slow
def test_cli_train_then_plot(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(
        'env_id = "drills/GuessNumber-v0"\nmodel_kwargs = { hidden_size = 32, num_layers = 1, '
        'num_heads = 1 }\nsystem_prompt = ""\nsteps = 1\nbatch_episodes = 4\ngroup_size = 2\n'
        "eval_episodes = 2\nmax_new_tokens = 4\nmax_turns = 4\ntorch_threads = 1\n"
        f'out_dir = "{tmp_path / "cli"}"\n'
    )
    result = CliRunner().invoke(app, ["train", str(config)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "checkpoints" / "step_000001").is_dir()
    records = [json.loads(line) for line in (tmp_path / "cli" / "episodes.jsonl").read_text().splitlines()]
    assert [r["meta"]["step"] for r in records] == [1, 1, 1, 1]  # the update's episodes, for `agora view`
    assert all("advantage" in t["info"] and t["completion_token_ids"] for r in records for t in r["turns"])
    result = CliRunner().invoke(app, ["plot", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "curves.png").exists()


def test_invalid_turns_can_get_their_own_advantage():
    from agora.trainers.credit import override_invalid

    e = _episode("g", {"p0": 1.0}, [("p0", 0.0, "a"), ("p0", 1.0, "b")])
    e.turns[0].valid = False
    [(_, _, _, values)] = override_invalid([(e, "p0", e.turns, np.array([0.5, 0.5]))], -1.0)
    assert values.tolist() == [-1.0, 0.5]


def test_metrics_jsonl_and_tensorboard(tmp_path):
    pytest.importorskip("tensorboard")
    from agora.trainers.metrics import MetricsLogger, read_metrics

    logger = MetricsLogger(tmp_path, tensorboard=True)
    logger.log(1, {"env/return_mean": 0.5})
    logger.log(2, {"env/return_mean": 0.75, "eval/win_rate_vs_random": 0.6})
    logger.close()
    assert read_metrics(tmp_path) == [
        {"step": 1, "env/return_mean": 0.5},
        {"step": 2, "env/return_mean": 0.75, "eval/win_rate_vs_random": 0.6},
    ]
    assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))


def test_importing_the_trainer_is_light():
    import subprocess
    import sys

    code = (
        "import sys, agora.trainers.loop, agora.trainers.advantages; "
        "print(any(m in sys.modules for m in ('torch', 'transformers')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_merged_rollouts_sample_from_the_trained_adapter(tmp_path):
    cfg = _cfg(
        tmp_path,
        mode="single",
        env_id="drills/GuessNumber-v0",
        env_kwargs={},
        estimator="grpo",
        group_size=2,
        lora_rank=4,
        steps=1,
        warmup_steps=1,
        lr=1e-2,
        merged_rollouts=True,
    )
    trainer = Trainer(cfg)
    trainer.run()  # warm-up, one update, each followed by the merge into the rollout copy
    engine_model = trainer.engine.model
    assert engine_model is not trainer.model and not hasattr(engine_model, "peft_config")
    assert not any("lora_" in name for name, _ in engine_model.named_parameters())
    ids = torch.tensor([trainer.tokenizer("Guess a number: [4]")["input_ids"]])
    with torch.no_grad():
        expected = trainer.model(ids).logits
        with trainer.model.disable_adapter():
            base = trainer.model(ids).logits
        merged = engine_model(ids).logits
    assert torch.allclose(merged, expected, atol=1e-5)
    assert not torch.allclose(base, expected, atol=1e-4)  # the adapter moved: the merge carries it
    with pytest.raises(ConfigError, match="merged_rollouts"):
        _cfg(tmp_path, lora_rank=4, merged_rollouts=True)  # self-play snapshots need the peft model


def test_history_option_reaches_every_agent_and_bounds_the_prompts(tmp_path):
    with pytest.raises(ConfigError, match="last_k must be >= 1"):
        _cfg(tmp_path, history="last_k", last_k=0)
    with pytest.raises(ConfigError, match="history must be one of"):
        _cfg(tmp_path, history="recent")
    cfg = _cfg(
        tmp_path,
        mode="single",
        env_id="games/TicTacToe-v0",
        env_kwargs={"opponent": "random"},
        estimator="grpo",
        group_size=2,
        history="last_k",
        last_k=1,
    )
    trainer = Trainer(cfg)
    for agent in (trainer._policy_agent(), trainer._teacher()):
        assert (agent.history, agent.last_k) == ("last_k", 1)
    agent = trainer._policy_agent()
    agent.reset(seed=0)
    env = trainer._make_env()
    observation, info = env.reset(seed=0)
    sizes = []
    for _ in range(3):  # the env gets a move it rejects each turn (the third forfeits): observations alike
        sizes.append(len(agent.act(observation, info).prompt_token_ids))
        observation, _, _, _, info = env.step("no move")
    # the task plus the last exchange (a reply of at most max_new_tokens and the rejection): no growth
    assert max(sizes[1:]) - min(sizes[1:]) <= cfg.max_new_tokens and sizes[1] > sizes[0]


def test_wrapping_a_model_in_lora_prints_no_deprecation_warning():
    import warnings

    from agora.trainers.policy import build_model

    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # peft reading transformers' deprecated attribute used to warn
        model, _ = build_model("tiny", {}, lora_rank=4, gradient_checkpointing=True)
    assert any(p.requires_grad for p in model.parameters())

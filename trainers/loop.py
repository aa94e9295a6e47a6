"""The training loop: collect -> credit -> update -> sync weights -> log. One flat loop, CPU or GPU.

`train(cfg)` reads like the paper; the pieces (estimators, loss, batching, pool) are importable
functions tested on their own. Single mode trains one agent in a `gymnasium.Env` (GRPO groups:
`group_size` episodes per task seed); self-play mode puts the same model in every seat of a game
(or the learner against a pool member) with role-conditioned advantages (RAE, or any estimator).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import agora
from agora._optional import require
from agora.hardware import choose_threads
from agora.rollout import EpisodeJob
from agora.trainers import checkpoint as ckpt
from agora.trainers.advantages import RAE
from agora.trainers.collect import collect, learner_seats, training_job
from agora.trainers.config import ConfigError, TrainConfig
from agora.trainers.credit import override_invalid, turn_advantages
from agora.trainers.metrics import MetricsLogger
from agora.trainers.policy import (
    build_model,
    frozen_copy,
    is_lora,
    load_trainable_state,
    resolve_device,
    resolve_precision,
    trainable_state,
)
from agora.trainers.selfplay import OpponentPool
from agora.trainers.sync import (
    add_snapshot_adapter,
    make_rollout_engine,
    remove_snapshot_adapter,
    rollout_agent,
    sleep_engine,
    sync_weights,
)
from agora.trainers.update import build_sequences, ppo_update
from agora.trainers.warmup import RandomMoveTeacher, sft_step
from agora.trajectory import Episode

EVAL_SEED0 = 10**6
WARMUP_STEP0 = 10**5  # warm-up tasks use steps from here (apart from RL steps)


class Trainer:
    """Holds the run's state (model, optimizer, engine, pool, RAE); `run` is the loop."""

    def __init__(self, cfg: TrainConfig, *, progress: Callable[[int, dict[str, float]], None] | None = None):
        torch = require("torch", "train")
        self.cfg = cfg
        torch.manual_seed(cfg.seed)
        torch.set_num_threads(choose_threads(cfg.torch_threads))
        self.rng = np.random.default_rng(cfg.seed)
        self._seat_names: list[str] | None = None
        self.device = resolve_device(cfg.device)
        self.precision = resolve_precision(cfg.precision, self.device)
        if cfg.vllm_sleep and not self.device.startswith("cuda"):
            raise ConfigError("vllm_sleep needs a CUDA device (vLLM's sleep mode is CUDA-only); set it to false.")
        self.model, self.tokenizer = build_model(
            cfg.model,
            cfg.model_kwargs,
            cfg.lora_rank,
            device=self.device,
            precision=self.precision,
            gradient_checkpointing=cfg.gradient_checkpointing,
        )
        self.model.eval()
        self.pad_id = self.tokenizer.pad_token_id or 0
        self.optimizer = torch.optim.AdamW([p for p in self.model.parameters() if p.requires_grad], lr=cfg.lr)
        self.engine = make_rollout_engine(cfg, self.model, self.tokenizer)
        self.rae = RAE(alpha=cfg.rae_alpha, gamma=cfg.gamma)
        self.critic = self._make_critic() if cfg.estimator == "gae" else None
        self.table = getattr(self._make_env(), "scripted_agents", {})
        self.pool = OpponentPool(
            cfg.pool_scripted,
            cfg.pool_size,
            cfg.p_self,
            self._snapshot_agent,
            self.table,
            on_evict=self._evict_snapshot,
        )
        self._snapshot_engines: dict[int, Any] = {}
        self.reference = None
        self.step = 0
        self.metrics = MetricsLogger(
            cfg.out_dir, cfg.tensorboard, config=dataclasses.asdict(cfg), wandb_project=cfg.wandb_project
        )
        self.progress = progress

    def _make_critic(self) -> Any:
        from agora.trainers.critic import Critic

        cfg = self.cfg
        return Critic(
            self.model.config.hidden_size,
            width=cfg.critic_hidden,
            lr=cfg.critic_lr,
            epochs=cfg.critic_epochs,
            clip=cfg.value_clip,
            gamma=cfg.gamma,
            lam=cfg.gae_lambda,
            device=self.device,
            batch_size=cfg.micro_batch_size,
        )

    # ------------------------------------------------------------------ agents and envs
    def _make_env(self) -> Any:
        env = agora.make(self.cfg.env_id, **self.cfg.env_kwargs)
        return env if self.cfg.mode == "single" else getattr(env, "unwrapped", env)

    def _policy_agent(self) -> Any:
        from agora.agents.chat import SamplingParams

        sampling = SamplingParams(temperature=self.cfg.temperature, max_new_tokens=self.cfg.max_new_tokens)
        return rollout_agent(self.engine, sampling=sampling, **self._chat_options())

    def _chat_options(self) -> dict[str, Any]:
        """The chat options of every agent the trainer plays (policy, snapshots): system prompt and history."""
        return {"system_prompt": self.cfg.system_prompt, "history": self.cfg.history, "last_k": self.cfg.last_k}

    def _snapshot_agent(self, step: int, payload: Any) -> Any:
        """An agent playing snapshot `step`: a LoRA adapter in the rollout engine, or a frozen copy's engine."""
        from agora.agents.chat import SamplingParams

        sampling = SamplingParams(temperature=self.cfg.temperature, max_new_tokens=self.cfg.max_new_tokens)
        if is_lora(self.model):
            name = f"snapshot_{step}"
            add_snapshot_adapter(self.engine, self.model, name, payload)
            return rollout_agent(self.engine, adapter=name, sampling=sampling, **self._chat_options())
        from agora.agents.hf import HFAgent, HFEngine

        engine = self._snapshot_engines.get(step)
        if engine is None:
            engine = self._snapshot_engines[step] = HFEngine(payload, self.tokenizer, seed=self.cfg.seed)
        return HFAgent(engine, sampling=sampling, **self._chat_options())

    def _evict_snapshot(self, step: int) -> None:
        """Frees what snapshot `step` held once it left the pool (its adapter, or its engine and copy)."""
        if is_lora(self.model):
            remove_snapshot_adapter(self.engine, self.model, f"snapshot_{step}")
        engine = self._snapshot_engines.pop(step, None)
        if engine is not None:
            engine.close()

    def _teacher(self) -> Any:
        return RandomMoveTeacher(self.tokenizer, **self._chat_options())

    def _seats(self) -> list[str]:
        """The game's seats in self-play (learned once from one env), else none."""
        if self.cfg.mode != "selfplay":
            return []
        if self._seat_names is None:
            self._seat_names = list(self._make_env().possible_agents)
        return self._seat_names

    # ------------------------------------------------------------------ jobs
    def train_jobs(self, step: int, learner: Any) -> list[EpisodeJob]:
        """This step's episodes: `batch_episodes / group_size` task seeds, `group_size` episodes each.

        `learner` is one agent (forked per episode and seat by the rollout engine); pool members
        drawn for this step are built once each.
        """
        cfg, jobs, members = self.cfg, [], {}
        groups = cfg.batch_episodes // cfg.group_size
        for g in range(groups):
            seed = cfg.seed * 100_003 + step * groups + g
            jobs += [self._job(seed, k, learner, members) for k in range(cfg.group_size)]
        return jobs

    def _job(self, seed: int, index: int, learner: Any, members: dict[str, Any]) -> EpisodeJob:
        if self.cfg.mode == "single":
            return training_job(self.cfg.env_id, seed, index, {"agent": learner}, ("agent",))
        seats = self._seats()
        name, factory = self.pool.sample(self.rng)
        if factory is None:
            return training_job(self.cfg.env_id, seed, index, {s: learner for s in seats}, seats)
        if name not in members:
            members[name] = factory(self.cfg.seed)
        mine = seats[int(self.rng.integers(len(seats)))]
        agents = {s: learner if s == mine else members[name] for s in seats}
        return training_job(self.cfg.env_id, seed, index, agents, (mine,))

    def _learner_seats(self, episodes: list[Any]) -> list[tuple[str, ...]]:
        if self.cfg.mode == "selfplay":
            return [learner_seats(e) for e in episodes]
        return [tuple(e.returns) or ("agent",) for e in episodes]

    # ------------------------------------------------------------------ the loop
    def warmup(self) -> None:
        """Supervised format warm-up on random legal moves (`cfg.warmup_steps`)."""
        _set_lr(self.optimizer, self.cfg.warmup_lr)
        for w in range(self.cfg.warmup_steps):
            jobs = self.train_jobs(WARMUP_STEP0 + w, self._teacher())
            episodes = collect(self._make_env, jobs, max_turns=self.cfg.max_turns)
            seats = self._learner_seats(episodes)
            trained = turn_advantages(episodes, seats, estimator="grpo", std=None)
            loss = sft_step(self.model, self.optimizer, trained, self.cfg.micro_batch_size, self.pad_id)
            self.metrics.log(-self.cfg.warmup_steps + w, {"warmup/nll": loss})
        _set_lr(self.optimizer, self.cfg.lr)
        sync_weights(self.engine, self.model)

    def run(self) -> dict[str, float]:
        """Trains up to `cfg.steps` updates (from the current step); returns the last metrics."""
        cfg, last = self.cfg, {}
        if self.step == 0:
            self.warmup()
            if cfg.kl_coef > 0 and not is_lora(self.model):  # LoRA: the reference is the adapter off
                self.reference = frozen_copy(self.model)
            last = self._timed_evaluate()
            self.metrics.log(0, last)
            if self.progress:  # the evaluation before training
                self.progress(0, last)
        while self.step < cfg.steps:
            self.step += 1
            last = self.train_step()
            if self.step % cfg.eval_every == 0 or self.step == cfg.steps:
                last.update(self._timed_evaluate())
            self.metrics.log(self.step, last)
            if cfg.mode == "selfplay" and self.step % cfg.snapshot_every == 0:
                self.pool.add_snapshot(self.step, self.model)
            if self.step % cfg.checkpoint_every == 0 or self.step == cfg.steps:
                self.save()
            if self.progress:
                self.progress(self.step, last)
        return last

    def train_step(self) -> dict[str, float]:
        """Collect -> credit -> update -> sync; returns this step's metrics."""
        cfg = self.cfg
        t0 = time.perf_counter()
        jobs = self.train_jobs(self.step, self._policy_agent())
        episodes = collect(self._make_env, jobs, max_turns=cfg.max_turns)
        t1 = time.perf_counter()
        trained, critic_batch = self._credit(episodes, self._learner_seats(episodes))
        if cfg.invalid_advantage is not None:
            trained = override_invalid(trained, cfg.invalid_advantage)
        sequences = build_sequences(trained, drop_zero=cfg.drop_zero_advantage)
        sleep_engine(self.engine, cfg.vllm_sleep)
        losses = ppo_update(self.model, self.optimizer, sequences, cfg, self.pad_id, self.reference)
        if self.critic is not None:
            losses.update(self.critic.fit(critic_batch))
        sync_weights(self.engine, self.model)
        t2 = time.perf_counter()
        if cfg.record_episodes:
            record_episodes(Path(cfg.out_dir) / EPISODES_NAME, self.step, episodes, trained)
        return _step_metrics(episodes, trained, losses, t1 - t0, t2 - t1)

    def _credit(self, episodes: list[Any], seats: list[tuple[str, ...]]) -> tuple[Any, Any]:
        """Per-turn advantages (and, for GAE, the value head's batch)."""
        cfg = self.cfg
        if self.critic is not None:
            return self.critic.advantages(self.model, episodes, seats, self.pad_id)
        trained = turn_advantages(
            episodes,
            seats,
            estimator=cfg.estimator,
            std=cfg.std,
            gamma=cfg.gamma,
            w=cfg.step_weight,
            beta=cfg.strata_beta,
            rae=self.rae,
        )
        return trained, None

    # ------------------------------------------------------------------ evaluation
    def play(self, seeds: list[int]) -> list[Any]:
        """One episode of the current policy per task seed (single mode; no training): `Episode`s in seed order.

        The policy samples as in training (temperature, history); the episodes carry its token ids.
        """
        if self.cfg.mode != "single":
            raise ConfigError("Trainer.play is for mode = 'single'; self-play evaluates with win_rate.")
        agent = self._policy_agent()
        jobs = [training_job(self.cfg.env_id, s, 0, {"agent": agent}, ("agent",)) for s in seeds]
        return collect(self._make_env, jobs, max_turns=self.cfg.max_turns)

    def eval_seeds(self) -> list[int]:
        """The held-out task seeds of every evaluation (apart from the training seeds)."""
        return [EVAL_SEED0 + self.cfg.seed * 1000 + k for k in range(self.cfg.eval_episodes)]

    def evaluate(self) -> dict[str, float]:
        """Held-out seeds: mean return (single) or win rate vs each fixed opponent (self-play)."""
        cfg = self.cfg
        seeds = self.eval_seeds()
        if cfg.mode == "single":
            episodes = self.play(seeds)
            returns = [sum(e.returns.values()) for e in episodes if e.status == "ok"]
            valid = [t.valid for e in episodes if e.status == "ok" for t in e.turns]
            return {
                "eval/return_mean": float(np.mean(returns)) if returns else 0.0,
                "eval/win_rate": float(np.mean([r > 0 for r in returns])) if returns else 0.0,
                "eval/valid_rate": float(np.mean(valid)) if valid else 0.0,
            }
        out = {}
        for name in cfg.eval_opponents:
            out[f"eval/win_rate_vs_{name}"] = self.win_rate(self.pool.factory(name), seeds)
        return out

    def _timed_evaluate(self) -> dict[str, float]:
        start = time.perf_counter()
        return {**self.evaluate(), "time/eval_s": time.perf_counter() - start}

    def win_rate(self, opponent: Callable[[int], Any], seeds: list[int]) -> float:
        """Fraction of games the current policy wins against `opponent`, seats alternating."""
        seats, learner, other = self._seats(), self._policy_agent(), opponent(self.cfg.seed)
        jobs = []
        for k, seed in enumerate(seeds):
            mine = seats[k % len(seats)]
            agents = {s: learner if s == mine else other for s in seats}
            jobs.append(training_job(self.cfg.env_id, seed, 0, agents, (mine,)))
        episodes = collect(self._make_env, jobs, max_turns=self.cfg.max_turns)
        wins = [e.returns.get(learner_seats(e)[0], 0.0) > 0 for e in episodes]
        return float(np.mean(wins))

    def close(self) -> None:
        """Flushes and closes the metrics logs and stops the rollout engine's batching thread."""
        self.metrics.close()
        close = getattr(self.engine, "close", None)
        if close is not None:
            close()

    # ------------------------------------------------------------------ checkpoints
    def save(self) -> None:
        """Checkpoint of the current step (see `agora.trainers.checkpoint`)."""
        torch = require("torch", "train")
        state = {
            "weights": trainable_state(self.model),
            "optimizer": self.optimizer.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "numpy_rng": self.rng.bit_generator.state,
            "engine_rng": self.engine._rng.bit_generator.state,
            "rae": self.rae.state_dict(),
            "pool": self.pool.state_dict(),
            "critic": self.critic.state_dict() if self.critic else None,
            "reference": trainable_state(self.reference) if self.reference is not None else None,
        }
        ckpt.save_checkpoint(self.cfg.out_dir, self.step, self.model, self.tokenizer, state)

    def resume(self, path: Any = None) -> bool:
        """Loads the newest checkpoint of `cfg.out_dir` (or `path`); False when there is none."""
        torch = require("torch", "train")
        path = path or ckpt.latest_checkpoint(self.cfg.out_dir)
        if path is None:
            return False
        state = ckpt.load_state(path)
        load_trainable_state(self.model, state["weights"])
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        self.rng.bit_generator.state = state["numpy_rng"]
        self.engine._rng.bit_generator.state = state["engine_rng"]
        self.rae.load_state_dict(state["rae"])
        self.pool.load_state_dict(state["pool"], self.model)
        if self.critic is not None and state.get("critic") is not None:
            self.critic.load_state_dict(state["critic"])
        if state["reference"] is not None:
            self.reference = frozen_copy(self.model)
            load_trainable_state(self.reference, state["reference"])
        self.step = int(state["step"])
        sync_weights(self.engine, self.model)
        return True


def _set_lr(optimizer: Any, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def _step_metrics(
    episodes: list[Any], trained: list[Any], losses: dict[str, float], rollout_s: float, update_s: float
) -> dict[str, float]:
    returns = [episode.returns.get(seat, 0.0) for episode, seat, _, _ in trained] or [0.0]
    adv = np.concatenate([a for *_, a in trained]) if trained else np.zeros(1)
    tokens = sum(len(t.completion_token_ids or []) for e in episodes for t in e.turns)
    turns = [t for _, _, ts, _ in trained for t in ts]
    return {
        "env/return_mean": float(np.mean(returns)),
        "env/win_rate": float(np.mean([r > 0 for r in returns])),
        "env/valid_rate": float(np.mean([t.valid for t in turns])) if turns else 0.0,
        "env/failed_episodes": float(sum(e.status != "ok" for e in episodes)),
        "adv/mean": float(adv.mean()),
        "adv/std": float(adv.std()),
        "adv/abs_max": float(np.abs(adv).max()),
        **{f"losses/{k}": v for k, v in losses.items()},
        "perf/tokens_per_s": tokens / max(rollout_s, 1e-9),
        "time/rollout_s": rollout_s,
        "time/update_s": update_s,
    }


def train(
    cfg: TrainConfig, *, resume: bool = True, progress: Callable[[int, dict[str, float]], None] | None = None
) -> Trainer:
    """Builds a `Trainer`, resumes from the newest checkpoint in `cfg.out_dir` if any, and runs it."""
    trainer = Trainer(cfg, progress=progress)
    if resume:
        trainer.resume()
    trainer.run()
    trainer.metrics.close()
    return trainer


EPISODES_NAME = "episodes.jsonl"
"""The training episodes of every update, in ``out_dir`` (`TrainConfig.record_episodes`)."""


def record_episodes(path: Path, step: int, episodes: Sequence[Episode], trained: Sequence[Any]) -> None:
    """Appends one update's episodes to `path`: ``meta["step"]`` and each trained turn's ``info["advantage"]``."""
    for _, _, turns, values in trained:
        for turn, value in zip(turns, values, strict=True):
            turn.info["advantage"] = float(value)
    for episode in episodes:
        episode.meta["step"] = step
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:  # whole lines per update (a reader skips a torn last line)
        f.write("".join(episode.to_json() + "\n" for episode in episodes))

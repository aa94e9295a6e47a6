"""Learning curves on CPU: before/after figures on held-out seeds, wall time and peak RSS of each run.

Each run trains in its own process (so its peak RSS is its own) and prints, for every evaluation
metric, its value on held-out seeds before the first update and after the last:

    python benchmarks/learning.py --only smollm2_tictactoe       # the run of `agora demo`
    python benchmarks/learning.py --only selfplay_nim --steps 40
    python benchmarks/learning.py                                 # every run
    python benchmarks/learning.py --update-memory                 # peak RSS of one SmolLM2 LoRA update only:
                                                                  # fp32 base, bf16 base, + checkpointing,
                                                                  # + shared prefix (`--variant` picks some)

`smollm2_tictactoe`: SmolLM2-135M-Instruct with LoRA r16 against `random` on TicTacToe, the settings of
`agora demo` (`examples/demo.toml`) at micro-batch `--micro-batch` (default 4): legal-move rate,
mean return and win rate on held-out games. The tiny-model runs (no download): `single_nim`, Nim (piles 1, 2)
against `random`, mean return (perfect play about +0.67); `guess_number`, drills/GuessNumber-v0, mean return
(random guessing about 0.13, binary search 0.75); `selfplay_nim`, Nim by self-play, win rate vs `random` and
the perfect `nimsum` player (perfect play wins about 0.83 vs random).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import resource
import time
from pathlib import Path

import _bench

RUNS = {
    "single_nim": "examples/single_nim_vs_random.toml",
    "guess_number": "examples/single_guess_number.toml",
    "selfplay_nim": "examples/selfplay_nim.toml",
    "smollm2_tictactoe": None,
}


MEMORY_VARIANTS = {
    "fp32 (before)": {"precision": "fp32", "share_prefix": False},
    "bf16 base": {"precision": "bf16", "share_prefix": False},
    "bf16 base + checkpointing": {"precision": "bf16", "gradient_checkpointing": True, "share_prefix": False},
    "bf16 base + shared prefix": {"precision": "bf16", "share_prefix": True},
}
"""`--update-memory`: the SmolLM2 LoRA update as the demo ran it first (fp32 base), then with the frozen base in
bf16 (adapter and optimizer state fp32, bf16 autocast), then with activation checkpointing too, then with the
prompt prefix a micro-batch shares run once (`share_prefix`, what the demo runs now). The fused completion-only
loss (`agora.kernels`) is on in all of them. `--variant` picks some (the first one picked is the baseline)."""


def config(name: str, out: Path, steps: int | None, micro_batch: int, seed: int, **extra: object):
    from agora.trainers.config import load_config

    overrides = {"out_dir": str(out / name), "checkpoint_every": 10_000, "seed": seed, **extra}
    if steps:
        overrides["steps"] = steps
    if RUNS[name] is None:
        from agora.agents.local_models import smollm2
        from agora.cli.demo import demo_config

        return demo_config(smollm2(), **{**overrides, "micro_batch_size": micro_batch})
    return load_config(RUNS[name], **overrides)


def run_one(name: str, out: Path, steps: int | None, micro_batch: int, seed: int) -> dict[str, object]:
    """Trains one run in this (child) process; returns its first and last evaluation, time and peak RSS."""
    from agora.trainers.loop import Trainer
    from agora.trainers.metrics import read_metrics
    from agora.trainers.plot import plot_run

    cfg = config(name, out, steps, micro_batch, seed)
    start = time.perf_counter()
    trainer = Trainer(cfg)
    trainer.run()
    trainer.metrics.close()
    wall = time.perf_counter() - start
    evals = [r for r in read_metrics(cfg.out_dir) if any(k.startswith("eval/") for k in r)]
    return {
        "run": name,
        "first": evals[0],
        "last": evals[-1],
        "steps": cfg.steps,
        "wall_s": wall,
        "micro_batch": cfg.micro_batch_size,
        "eval_episodes": cfg.eval_episodes,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "png": str(plot_run(cfg.out_dir)),
    }


def update_memory(out: Path, micro_batch: int, seed: int, variant: str) -> dict[str, object]:
    """Peak RSS of one PPO update of the SmolLM2 LoRA run, on 8 real TicTacToe episodes (token in / token out)
    played by the random-legal-move teacher (full games, so longer than an untrained model's), no generation."""
    from agora.trainers.collect import collect
    from agora.trainers.credit import turn_advantages
    from agora.trainers.loop import Trainer
    from agora.trainers.update import build_sequences, ppo_update

    trainer = Trainer(config("smollm2_tictactoe", out, 1, micro_batch, seed, **MEMORY_VARIANTS[variant]))
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    jobs = trainer.train_jobs(1, trainer._teacher())
    episodes = collect(trainer._make_env, jobs, max_turns=trainer.cfg.max_turns)
    trained = turn_advantages(episodes, trainer._learner_seats(jobs, episodes), estimator="grpo", std=None)
    sequences = build_sequences(trained)
    start, cpu = time.perf_counter(), time.process_time()
    ppo_update(trainer.model, trainer.optimizer, sequences, trainer.cfg, trainer.pad_id)
    return {
        "variant": variant,
        "sequences": len(sequences),
        "tokens": sum(len(q) for q in sequences),
        "micro_batch": micro_batch,
        "update_s": time.perf_counter() - start,
        "update_cpu_s": time.process_time() - cpu,
        "rss_after_load_gb": loaded,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


def print_memory(rows: list[dict[str, object]]) -> None:
    """The `--update-memory` table: one row per variant, the first as the baseline."""
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores, shared)")
    print(
        f"SmolLM2-135M LoRA r16, one update, micro-batch {rows[0]['micro_batch']}, {rows[0]['sequences']} "
        f"sequences, {rows[0]['tokens']} tokens"
    )
    print(f"{'variant':<28} {'after load GB':>13} {'peak RSS GB':>11} {'vs first':>9} {'update s':>8} {'CPU s':>6}")
    for r in rows:
        print(
            f"{r['variant']:<28} {r['rss_after_load_gb']:>13.2f} {r['peak_rss_gb']:>11.2f} "
            f"{r['peak_rss_gb'] / rows[0]['peak_rss_gb']:>8.2f}x {r['update_s']:>8.1f} {r['update_cpu_s']:>6.1f}"
        )


def in_child(function, *args: object) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=None, help="updates per run (default: the config's)")
    parser.add_argument("--micro-batch", type=int, default=4, help="micro-batch of the SmolLM2 run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/benchmark_learning"))
    parser.add_argument("--only", choices=sorted(RUNS), default=None)
    parser.add_argument("--update-memory", action="store_true", help="only the peak RSS of one SmolLM2 update")
    parser.add_argument(
        "--variant",
        action="append",
        choices=list(MEMORY_VARIANTS),
        default=None,
        help="with --update-memory: only these variants (repeatable; default: all)",
    )
    args = parser.parse_args()
    if args.update_memory:
        variants = args.variant or list(MEMORY_VARIANTS)
        memory = [in_child(update_memory, args.out, args.micro_batch, args.seed, v) for v in variants]
        print_memory(memory)
        _bench.record("learning_update_memory", memory, settings=_settings(args))
        return
    rows = [
        in_child(run_one, name, args.out, args.steps, args.micro_batch, args.seed)
        for name in RUNS
        if args.only in (None, name)
    ]
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores, shared)")
    print(
        f"{'run':<18} {'held-out metric':<26} {'before':>7} {'after':>7} {'steps':>5} {'games':>5} "
        f"{'wall s':>7} {'mb':>3} {'peak RSS GB':>11}"
    )
    for r in rows:
        for key in sorted(k for k in r["last"] if k.startswith("eval/")):
            print(
                f"{r['run']:<18} {key:<26} {r['first'][key]:>7.3f} {r['last'][key]:>7.3f} {r['steps']:>5} "
                f"{r['eval_episodes']:>5} {r['wall_s']:>7.0f} {r['micro_batch']:>3} {r['peak_rss_gb']:>11.2f}"
            )
        print(f"{'':<18} curves: {r['png']}")
    _bench.record("learning", rows, settings=_settings(args))


def _settings(args: argparse.Namespace) -> dict[str, object]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


if __name__ == "__main__":
    main()

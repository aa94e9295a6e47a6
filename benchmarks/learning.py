"""Learning curves on CPU: a tiny locally built model trained by `agora.trainers` (no download).

Runs the two example configs longer than the CI tests do, prints a table (start vs end of the
held-out evaluation, wall time) and saves the curves as PNG next to each run:

    python benchmarks/learning.py                    # both runs, examples' settings
    python benchmarks/learning.py --steps 60 --out runs/bench

`single_nim`: Nim (piles 1, 2) against `random`, mean return on held-out seeds (perfect play about
+0.67). `guess_number`: drills/GuessNumber-v0, mean return on held-out seeds (random guessing
about 0.13, binary search 0.75). `selfplay_nim`: Nim (piles 1, 2) by self-play, win rate vs `random` and the
perfect `nimsum` player on held-out seeds (perfect play wins about 0.83 vs random).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from agora.trainers.config import load_config
from agora.trainers.loop import Trainer
from agora.trainers.metrics import read_metrics
from agora.trainers.plot import plot_run

RUNS = {"single_nim": ("examples/single_nim_vs_random.toml", "eval/return_mean"),
        "guess_number": ("examples/single_guess_number.toml", "eval/return_mean"),
        "selfplay_nim": ("examples/selfplay_nim.toml", "eval/win_rate_vs_random")}


def run_one(name: str, config: str, key: str, out: Path, steps: int | None) -> dict[str, object]:
    overrides = {"out_dir": str(out / name), "checkpoint_every": 10_000}
    if steps:
        overrides["steps"] = steps
    cfg = load_config(config, **overrides)
    start = time.perf_counter()
    trainer = Trainer(cfg)
    trainer.run()
    trainer.metrics.close()
    wall = time.perf_counter() - start
    evals = [r for r in read_metrics(cfg.out_dir) if key in r]
    png = plot_run(cfg.out_dir)
    return {"run": name, "metric": key, "start": evals[0][key], "end": evals[-1][key],
            "best": max(r[key] for r in evals), "steps": cfg.steps, "wall_s": wall, "png": str(png)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=None, help="updates per run (default: the config's)")
    parser.add_argument("--out", type=Path, default=Path("runs/benchmark_learning"))
    parser.add_argument("--only", choices=sorted(RUNS), default=None)
    args = parser.parse_args()
    rows = [run_one(name, config, key, args.out, args.steps) for name, (config, key) in RUNS.items()
            if args.only in (None, name)]
    print(f"{'run':<14} {'metric':<26} {'start':>6} {'end':>6} {'best':>6} {'steps':>5} {'wall s':>7}  png")
    for r in rows:
        print(f"{r['run']:<14} {r['metric']:<26} {r['start']:>6.3f} {r['end']:>6.3f} {r['best']:>6.3f} "
              f"{r['steps']:>5} {r['wall_s']:>7.0f}  {r['png']}")


if __name__ == "__main__":
    main()

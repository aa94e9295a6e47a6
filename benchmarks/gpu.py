"""The GPU path, measured: SmolLM2-135M-Instruct trained with vLLM rollouts on TicTacToe against `random`.

Two runs, LoRA (r16) and full fine-tuning, each with ``device="cuda"``, bf16 autocast (fp32 master
weights), vLLM rollouts whose weights are pushed after every update (CUDA IPC for full weights, a LoRA
request reloaded in place for LoRA) and the vLLM engine asleep during updates. Prints the learning curve
(training return and legal-move rate per update, held-out return at each evaluation), rollout tokens/s,
update time and peak GPU memory (the trainer's own allocations, and the whole device's, vLLM included).

    python benchmarks/gpu.py [--steps 20] [--modes lora,full]

On a machine without a CUDA device it says so and exits 0 (nothing is measured).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from typing import Any

import _bench

from agora.trainers.config import TrainConfig

CURVE_KEYS = ("env/return_mean", "env/valid_rate", "eval/return_mean", "perf/tokens_per_s", "time/update_s")


def bench_config(mode: str, out_dir: str, steps: int = 20, seed: int = 0) -> TrainConfig:
    """The run of one mode (``"lora"`` or ``"full"``) as a `TrainConfig`."""
    if mode not in ("lora", "full"):
        raise ValueError(f"mode is 'lora' or 'full', got {mode!r}")
    lora = mode == "lora"
    return TrainConfig(
        env_id="games/TicTacToe-v0",
        env_kwargs={"opponent": "random"},
        model="smollm2",
        lora_rank=16 if lora else 0,
        backend="vllm",
        device="cuda",
        precision="bf16",
        gradient_checkpointing=not lora,
        vllm_sleep=True,
        gpu_memory_utilization=0.3,
        steps=steps,
        batch_episodes=64,
        group_size=8,
        estimator="grpo",
        std=None,
        lr=2e-4 if lora else 1e-5,
        kl_coef=0.0,
        temperature=1.0,
        max_new_tokens=10,
        invalid_advantage=-1.0,
        micro_batch_size=16,
        micro_batch_tokens=16384,
        eval_every=5,
        eval_episodes=64,
        checkpoint_every=10**6,
        seed=seed,
        out_dir=out_dir,
    )


def curve_rows(metrics: list[dict[str, Any]]) -> list[list[str]]:
    """One table row per logged step: the step and each of `CURVE_KEYS` (blank when not logged)."""
    rows = []
    for m in metrics:
        cells = [str(m.get("step", ""))]
        cells += [f"{m[k]:.3f}" if isinstance(m.get(k), float) else "" for k in CURVE_KEYS]
        rows.append(cells)
    return rows


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain aligned text table."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    return "\n".join(lines)


def run_mode(mode: str, steps: int) -> dict[str, Any]:
    """Trains one mode on the GPU; returns its metrics and memory figures."""
    import torch

    from agora.trainers.loop import Trainer
    from agora.trainers.metrics import read_metrics

    device_peak = [0]

    def sample_device(step: int, metrics: dict[str, float]) -> None:
        free, total = torch.cuda.mem_get_info()
        device_peak[0] = max(device_peak[0], total - free)

    with tempfile.TemporaryDirectory() as out:
        torch.cuda.reset_peak_memory_stats()
        trainer = Trainer(bench_config(mode, out, steps), progress=sample_device)
        trainer.run()
        metrics = read_metrics(out)
        trainer.engine.close()
    return {
        "metrics": metrics,
        "trainer_peak_gib": torch.cuda.max_memory_allocated() / 2**30,
        "device_peak_gib": device_peak[0] / 2**30,
    }


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark (or explains why it cannot) and prints the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--modes", default="lora,full")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("benchmarks/gpu.py: torch is not installed (pip install 'agora[train,gpu]'); nothing measured.")
        return 0
    if not torch.cuda.is_available():
        print("benchmarks/gpu.py: no CUDA device on this machine; the GPU benchmark did not run.")
        return 0
    print(f"GPU: {torch.cuda.get_device_name()}")
    for mode in args.modes.split(","):
        result = run_mode(mode, args.steps)
        curve = [dict(zip(["step", *CURVE_KEYS], r, strict=True)) for r in curve_rows(result["metrics"])]
        peaks = {k: result[k] for k in ("trainer_peak_gib", "device_peak_gib")}
        _bench.record("gpu", curve, settings={**vars(args), "mode": mode, "gpu": torch.cuda.get_device_name(), **peaks})
        print(f"\n== SmolLM2-135M, {mode}, vLLM rollouts, TicTacToe vs random ==")
        print(format_table(["step", *CURVE_KEYS], curve_rows(result["metrics"])))
        print(
            f"peak GPU memory: trainer {result['trainer_peak_gib']:.2f} GiB, "
            f"device (vLLM included) {result['device_peak_gib']:.2f} GiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

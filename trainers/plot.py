"""Learning curves of a run (``RUN/metrics.jsonl``) drawn to PNG with matplotlib."""

from __future__ import annotations

from pathlib import Path

from agora._optional import require
from agora.trainers.metrics import read_metrics

DEFAULT_KEYS = (
    "env/return_mean",
    "env/win_rate",
    "env/valid_rate",
    "losses/loss",
    "losses/kl",
    "losses/entropy",
    "adv/std",
    "perf/tokens_per_s",
)


def plot_run(run: str | Path, out: str | Path | None = None, keys: tuple[str, ...] | None = None) -> Path:
    """Draws every ``eval/`` curve plus `keys` (those present) against the step; returns the PNG path."""
    require("matplotlib", "train")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in read_metrics(run) if r["step"] >= 0]
    if not rows:
        raise ValueError(f"{run} has no training steps in metrics.jsonl yet.")
    present = {k for r in rows for k in r}
    wanted = sorted(k for k in present if k.startswith("eval/"))
    wanted += [k for k in (keys or DEFAULT_KEYS) if k in present]
    cols = 3
    nrows = (len(wanted) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(4 * cols, 3 * nrows), squeeze=False)
    for ax, key in zip(axes.flat, wanted, strict=False):
        points = [(r["step"], r[key]) for r in rows if key in r]
        marker = "o" if key.startswith("eval/") else None
        ax.plot([p[0] for p in points], [p[1] for p in points], marker=marker)
        ax.set_title(key)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(wanted) :]:
        ax.axis("off")
    fig.tight_layout()
    out = Path(out) if out else Path(run) / "curves.png"
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out

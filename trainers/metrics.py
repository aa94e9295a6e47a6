"""Metrics per step to ``OUT/metrics.jsonl`` (one JSON object a line), optionally to TensorBoard too.

Keys are namespaced: ``env/`` (rollout returns, win rate), ``adv/`` (advantage stats), ``losses/``
(loss, KL, entropy, clip fraction), ``perf/`` (tokens/s), ``time/`` (rollout vs update),
``eval/`` (against fixed opponents).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agora._optional import require


class MetricsLogger:
    """Appends one line per step; with ``tensorboard=True`` also writes scalars for TensorBoard."""

    def __init__(self, out_dir: str | Path, tensorboard: bool = False):
        self.path = Path(out_dir) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tb = None
        if tensorboard:
            tb = require("torch.utils.tensorboard", "train")
            self._tb = tb.SummaryWriter(str(Path(out_dir) / "tensorboard"))

    def log(self, step: int, metrics: dict[str, Any]) -> None:
        """Writes the metrics of `step`."""
        row = {"step": step, **{k: float(v) for k, v in metrics.items()}}
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        if self._tb is not None:
            for key, value in row.items():
                if key != "step":
                    self._tb.add_scalar(key, value, step)
            self._tb.flush()

    def close(self) -> None:
        """Closes TensorBoard's writer."""
        if self._tb is not None:
            self._tb.close()


def read_metrics(path: str | Path) -> list[dict[str, float]]:
    """The rows of a metrics file (or of ``RUN/metrics.jsonl`` given a run dir)."""
    path = Path(path)
    if path.is_dir():
        path = path / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

"""Metrics per step to ``OUT/metrics.jsonl`` (one JSON object a line), optionally to TensorBoard and W&B.

Given the run's resolved config, the logger also writes it to ``OUT/config.json`` (every field,
defaults and overrides applied), so a run directory says how it was made. Weights & Biases logging
(``wandb_project``, `wandb` extra) sends the same rows and the config; the run id is kept in
``OUT/wandb_id.txt`` so a resumed run continues the same W&B run. ``WANDB_MODE=offline`` logs
to ``OUT/wandb`` without a network.

Keys are namespaced: ``env/`` (rollout returns, win rate), ``adv/`` (advantage stats), ``losses/``
(loss, KL, entropy, clip fraction), ``perf/`` (tokens/s), ``time/`` (rollout vs update),
``eval/`` (against fixed opponents).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from agora._optional import require


class MetricsLogger:
    """Appends one line per step; optionally also writes to TensorBoard and Weights & Biases.

    Args:
        out_dir: the run directory.
        tensorboard: also write scalars for TensorBoard.
        config: the resolved run config, written to ``OUT/config.json`` (and sent to W&B).
        wandb_project: log to this W&B project (None: no W&B).
    """

    def __init__(
        self,
        out_dir: str | Path,
        tensorboard: bool = False,
        *,
        config: dict[str, Any] | None = None,
        wandb_project: str | None = None,
    ):
        out = Path(out_dir)
        self.path = out / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if config is not None:
            (out / "config.json").write_text(json.dumps(config, indent=2, default=repr) + "\n", encoding="utf-8")
        self._tb = None
        if tensorboard:
            tb = require("torch.utils.tensorboard", "train")
            self._tb = tb.SummaryWriter(str(out / "tensorboard"))
        self._wandb = _start_wandb(out, wandb_project, config) if wandb_project else None

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
        if self._wandb is not None:
            self._wandb.log({k: v for k, v in row.items() if k != "step"}, step=step)

    def close(self) -> None:
        """Closes TensorBoard's writer and finishes the W&B run."""
        if self._tb is not None:
            self._tb.close()
        if self._wandb is not None:
            self._wandb.finish()
            self._wandb = None


def _start_wandb(out: Path, project: str, config: dict[str, Any] | None) -> Any:
    """A W&B run for `out`, resuming the one whose id `out/wandb_id.txt` holds."""
    wandb = require("wandb", "wandb")
    id_file = out / "wandb_id.txt"
    run_id = id_file.read_text().strip() if id_file.exists() else uuid.uuid4().hex[:12]
    id_file.write_text(run_id + "\n")
    return wandb.init(project=project, name=out.name, id=run_id, resume="allow", dir=str(out), config=config or {})


def read_metrics(path: str | Path) -> list[dict[str, float]]:
    """The rows of a metrics file (or of ``RUN/metrics.jsonl`` given a run dir)."""
    path = Path(path)
    if path.is_dir():
        path = path / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

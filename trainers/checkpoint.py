"""Checkpoints: model (or LoRA adapter), optimizer, RNG states, RAE baselines and the opponent pool.

Layout: ``OUT/checkpoints/step_000010/`` holds ``model/`` (``save_pretrained``: the full model or
the adapter, with the tokenizer, loadable on its own) and ``trainer_state.pt`` (everything needed
to resume: trainable weights, optimizer, torch/numpy/engine RNG states, RAE, pool, step).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agora._optional import require

_STEP = re.compile(r"step_(\d+)$")


def checkpoint_dir(out_dir: str | Path, step: int) -> Path:
    """Where the checkpoint of `step` lives."""
    return Path(out_dir) / "checkpoints" / f"step_{step:06d}"


def save_checkpoint(out_dir: str | Path, step: int, model: Any, tokenizer: Any, state: dict[str, Any]) -> Path:
    """Writes the checkpoint of `step` (written to a temp dir, then renamed: never half a checkpoint)."""
    torch = require("torch", "train")
    target = checkpoint_dir(out_dir, step)
    tmp = target.with_name(target.name + ".partial")
    adapters = {"selected_adapters": ["default"]} if hasattr(model, "peft_config") else {}  # not snapshots
    model.save_pretrained(tmp / "model", **adapters)
    tokenizer.save_pretrained(tmp / "model")
    torch.save({**state, "step": step}, tmp / "trainer_state.pt")
    if target.exists():
        import shutil

        shutil.rmtree(target)
    tmp.rename(target)
    return target


def latest_checkpoint(out_dir: str | Path) -> Path | None:
    """The newest complete checkpoint under `out_dir`, or None."""
    root = Path(out_dir) / "checkpoints"
    found = [(int(m.group(1)), p) for p in root.glob("step_*") if (m := _STEP.search(p.name))]
    return max(found)[1] if found else None


def load_state(path: str | Path) -> dict[str, Any]:
    """The trainer state saved with a checkpoint."""
    torch = require("torch", "train")
    return torch.load(Path(path) / "trainer_state.pt", weights_only=False)

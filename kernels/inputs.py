"""The input checks shared by every implementation of the logprob/entropy kernel (torch and Triton)."""

from __future__ import annotations

import torch


def check_inputs(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, temperature: float) -> None:
    """Raises `ValueError` unless hidden is [N, H], weight [V, H], targets [N] and temperature > 0."""
    if hidden.dim() != 2 or weight.dim() != 2 or hidden.shape[1] != weight.shape[1]:
        raise ValueError(
            f"Expected hidden [N, H] and weight [V, H], got {tuple(hidden.shape)} and "
            f"{tuple(weight.shape)}; flatten the batch to rows first."
        )
    if targets.shape != hidden.shape[:1]:
        raise ValueError(f"Expected targets [N] = [{hidden.shape[0]}], got {tuple(targets.shape)}.")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}.")

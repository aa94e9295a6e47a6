"""Per-request seeded sampling: each prompt of a batch draws from its own RNG, whatever the batch.

`HFEngine` batches the requests that arrive within a few milliseconds, so which requests share a
``generate`` call depends on thread timing. Seeding torch's global RNG once per batch made a
request's sample depend on its batch (four evaluations with one seed gave four results). Here every
row has its own `torch.Generator`, seeded from the request's seed, and sampling is Gumbel-max:
``argmax(logits / T + Gumbel noise)`` is an exact draw from ``softmax(logits / T)``, so generation runs
greedy over perturbed scores and the raw logits (hence the stored logprobs) are untouched.

`request_seed(episode_seed, turn)` derives a request's seed from the seed an agent was reset with
(the rollout engine and tournaments reset every agent with a per-episode seed) and its turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from agora._optional import require


def request_seed(episode_seed: int, turn: int) -> int:
    """A 63-bit seed for the `turn`-th request of an episode reset with `episode_seed`."""
    state = np.random.SeedSequence([int(episode_seed) & (2**63 - 1), int(turn)]).generate_state(2, np.uint32)
    return (int(state[0]) << 31) ^ int(state[1])


class GumbelSampler:
    """A transformers logits processor: temperature, optional top-p, then per-row seeded Gumbel noise.

    Args:
        seeds: one seed per row of the batch.
        temperature: > 0.
        top_p: nucleus mass in (0, 1]; 1 keeps every token.
    """

    def __init__(self, seeds: Sequence[int], temperature: float, top_p: float = 1.0):
        torch = require("torch", "train")
        if temperature <= 0:
            raise ValueError(f"GumbelSampler samples; temperature must be > 0, got {temperature}")
        self.torch = torch
        self.generators = [torch.Generator().manual_seed(int(s)) for s in seeds]
        self.temperature = temperature
        self.top_p = top_p

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Perturbed scores whose argmax is a sample of each row's distribution."""
        torch = self.torch
        scores = scores.float() / self.temperature
        if self.top_p < 1.0:
            scores = _nucleus(torch, scores, self.top_p)
        width = scores.shape[-1]
        uniform = torch.stack([torch.rand(width, generator=g, dtype=torch.float64) for g in self.generators])
        gumbel = -torch.log(-torch.log(uniform.clamp_min(1e-300)))
        return scores + gumbel.to(device=scores.device, dtype=scores.dtype)


def _nucleus(torch: Any, scores: Any, top_p: float) -> Any:
    """Sets every token outside the smallest set of mass >= `top_p` to -inf (the top token always stays)."""
    ordered, order = torch.sort(scores, descending=True, dim=-1)
    mass = torch.softmax(ordered, dim=-1).cumsum(dim=-1)
    drop = (mass - torch.softmax(ordered, dim=-1)) >= top_p
    drop = drop.scatter(-1, order, drop)
    return scores.masked_fill(drop, float("-inf"))

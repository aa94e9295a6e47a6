"""The policy loss over completion tokens: PPO clipped surrogate, k3 KL to a reference, entropy.

Pure functions of tensors so they can be checked in isolation. ``logprobs`` are those of the
current policy for each target token (from `token_logprobs`), ``old_logprobs`` those stored by
the rollout under the sampling policy; the importance ratio is ``exp(logprobs - old_logprobs)``.
The batch loss is ``sum(per_token_loss * weights)`` where `agora.trainers.batch.loss_weights`
fixed the weights (0 off the completion tokens) for the whole batch, so micro-batches add up.
"""

from __future__ import annotations

from typing import Any

from agora._optional import require


def token_logprobs(model: Any, batch: dict[str, Any], *, temperature: float = 1.0,
                   with_entropy: bool = False) -> tuple[Any, Any | None]:
    """Logprob of each target token under `model` (B, L-1), and its entropy when asked.

    Logits are divided by the sampling `temperature`, so ratios compare the same distribution
    the rollout sampled from.
    """
    torch = require("torch", "train")
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    logits = logits.float() / temperature
    logp_all = torch.log_softmax(logits, dim=-1)
    logp = logp_all.gather(-1, batch["targets"].unsqueeze(-1)).squeeze(-1)
    entropy = None
    if with_entropy:
        entropy = -(logp_all.exp() * logp_all).sum(-1)
    return logp, entropy


def k3_kl(logprobs: Any, ref_logprobs: Any) -> Any:
    """Per-token k3 estimator of KL(policy || reference): ``exp(r) - r - 1`` with ``r = ref - logp``."""
    diff = ref_logprobs - logprobs
    return diff.exp() - diff - 1.0


def ppo_loss(logprobs: Any, batch: dict[str, Any], *, clip_eps: float = 0.2,
             clip_eps_high: float | None = None, ref_logprobs: Any | None = None,
             kl_coef: float = 0.0) -> tuple[Any, dict[str, Any]]:
    """PPO clipped surrogate (+ ``kl_coef`` k3 KL) weighted by ``batch["weights"]``.

    Per token: ``-min(ratio A, clip(ratio, 1 - clip_eps, 1 + clip_eps_high) A) + kl_coef k3``.

    Returns:
        The scalar loss and detached sums for logging (``clipped``, ``kl``, ``ratio``: weighted
        sums over this micro-batch's tokens, which add up to batch means across micro-batches).
    """
    torch = require("torch", "train")
    high = clip_eps if clip_eps_high is None else clip_eps_high
    adv, weights = batch["advantages"], batch["weights"]
    log_ratio = logprobs - batch["old_logprobs"]
    ratio = torch.exp(log_ratio)
    surrogate = torch.minimum(ratio * adv, torch.clamp(ratio, 1.0 - clip_eps, 1.0 + high) * adv)
    per_token = -surrogate
    kl = None
    if ref_logprobs is not None:
        kl = k3_kl(logprobs, ref_logprobs)
        per_token = per_token + kl_coef * kl
    loss = (per_token * weights).sum()
    with torch.no_grad():
        clipped = ((ratio < 1.0 - clip_eps) | (ratio > 1.0 + high)).float()
        stats = {"clipped": (clipped * weights).sum(), "ratio": (ratio * weights).sum(),
                 "kl": (kl * weights).sum() if kl is not None else torch.zeros(())}
    return loss, stats

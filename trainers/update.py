"""One policy update: turn advantages -> sequences -> PPO epochs with gradient accumulation.

Micro-batches go to the model's device, are bounded by `cfg.micro_batch_size` sequences and, when set,
`cfg.micro_batch_tokens` padded tokens, and run under bf16 autocast when the precision is bf16; with
`cfg.share_prefix` the prompt prefix a micro-batch shares runs once (`agora.trainers.loss.body_hidden`). The KL
reference of a LoRA model is the model with its adapter off (`agora.trainers.policy.reference_model`).
"""

from __future__ import annotations

from typing import Any

from agora._optional import require
from agora.trainers.batch import Sequence, micro_batches, sequences_from_turns
from agora.trainers.credit import Trained
from agora.trainers.loss import ppo_loss, token_logprobs
from agora.trainers.policy import autocast, model_device, reference_model, resolve_precision


def build_sequences(trained: Trained, *, drop_zero: bool = False) -> list[Sequence]:
    """Training sequences of every (episode, seat) with their turn advantages."""
    out: list[Sequence] = []
    for _, _, turns, advantages in trained:
        keep = [
            (t, a)
            for t, a in zip(turns, advantages, strict=True)
            if t.completion_token_ids and not (drop_zero and a == 0.0)
        ]
        if keep:
            out += sequences_from_turns([t for t, _ in keep], [float(a) for _, a in keep])
    return out


def ppo_update(
    model: Any, optimizer: Any, sequences: list[Sequence], cfg: Any, pad_id: int, reference: Any = None
) -> dict[str, float]:
    """Runs `cfg.ppo_epochs` passes over the batch (one optimizer step per pass); returns loss stats."""
    torch = require("torch", "train")
    if not sequences:
        return {}
    device = model_device(model)
    batches = micro_batches(
        sequences,
        cfg.aggregation,
        cfg.micro_batch_size,
        pad_id,
        max_tokens=getattr(cfg, "micro_batch_tokens", 0),
        device=device,
    )
    precision = resolve_precision(getattr(cfg, "precision", "fp32"), device.type)
    model.train()
    totals: dict[str, float] = {}
    for _ in range(cfg.ppo_epochs):
        optimizer.zero_grad()
        totals = {"loss": 0.0, "clipfrac": 0.0, "kl": 0.0, "entropy": 0.0, "ratio": 0.0}
        for batch in batches:
            stats = _backward(model, batch, cfg, reference, precision)
            for key, value in stats.items():
                totals[key] += value
        totals["grad_norm"] = float(torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm))
        optimizer.step()
    model.eval()
    return totals


def _backward(model: Any, batch: dict[str, Any], cfg: Any, reference: Any, precision: str) -> dict[str, float]:
    torch = require("torch", "train")
    with autocast(model, precision):
        share = getattr(cfg, "share_prefix", False)
        logp, entropy = token_logprobs(model, batch, temperature=cfg.temperature, with_entropy=True, share_prefix=share)
        ref = None
        if cfg.kl_coef > 0 and (reference is not None or hasattr(model, "peft_config")):
            with torch.no_grad(), reference_model(model, reference) as ref_model:
                ref, _ = token_logprobs(ref_model, batch, temperature=cfg.temperature, share_prefix=share)
    ref = None if ref is None else ref.float()
    loss, stats = ppo_loss(
        logp.float(),
        batch,
        clip_eps=cfg.clip_eps,
        ref_logprobs=ref,
        kl_coef=cfg.kl_coef,
        entropy=entropy.float(),
        entropy_coef=cfg.entropy_coef,
    )
    loss.backward()
    return {
        "loss": float(loss.detach()),
        "clipfrac": float(stats["clipped"]),
        "kl": float(stats["kl"]),
        "ratio": float(stats["ratio"]),
        "entropy": float(stats["entropy"]),
    }

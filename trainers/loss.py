"""The policy loss over completion tokens: PPO clipped surrogate, k3 KL to a reference, entropy.

Pure functions of tensors so they can be checked in isolation. ``logprobs`` are those of the
current policy for each target token (from `token_logprobs`), ``old_logprobs`` those stored by
the rollout under the sampling policy; the importance ratio is ``exp(logprobs - old_logprobs)``.
The batch loss is ``sum(per_token_loss * weights)`` where `agora.trainers.batch.loss_weights`
fixed the weights (0 off the completion tokens) for the whole batch, so micro-batches add up.
Logprobs and entropy are computed at completion tokens only, through the fused kernel of
`agora.kernels` when the model's head is a plain linear layer.
"""

from __future__ import annotations

import inspect
from typing import Any

from agora._optional import require

# Config fields by which a transformers model transforms its head's output before returning logits
# (Gemma's soft-capping, Cohere's and Granite's scaling...): such models take the full path.
_LOGIT_TRANSFORMS = ("final_logit_softcapping", "logit_scale", "logits_scaling", "lm_head_multiplier")


def linear_head(model: Any) -> tuple[Any, Any] | None:
    """``(body, head)`` when `model`'s logits are exactly ``head(body(...).last_hidden_state)``, else None.

    True for transformers causal LMs (Llama, Qwen2, SmolLM2, ...) whose output layer is a plain
    ``nn.Linear`` without bias and whose config applies no logit transform. A peft (LoRA) model is
    unwrapped to its base model, whose LoRA-injected layers still apply (and honour a disabled
    adapter); prompt-learning adapters (which add virtual tokens) and a LoRA-wrapped head are not
    plain, and take the full path.
    """
    torch = require("torch", "train")
    peft_config = getattr(model, "active_peft_config", None)
    if peft_config is not None:
        if getattr(peft_config, "is_prompt_learning", False):
            return None
        model = model.get_base_model()
    get_head = getattr(model, "get_output_embeddings", None)
    head = get_head() if callable(get_head) else None
    body = getattr(model, getattr(model, "base_model_prefix", "") or "", None)
    if type(head) is not torch.nn.Linear or head.bias is not None or not isinstance(body, torch.nn.Module):
        return None
    config = getattr(model, "config", None)
    if any(getattr(config, name, None) not in (None, 1.0) for name in _LOGIT_TRANSFORMS):
        return None
    return body, head


def token_logprobs(
    model: Any,
    batch: dict[str, Any],
    *,
    temperature: float = 1.0,
    with_entropy: bool = False,
    fused: bool = True,
    share_prefix: bool = False,
) -> tuple[Any, Any | None]:
    """Logprob of each target token under `model` (B, L-1), and its entropy when asked.

    Only the positions of ``batch["loss_mask"]`` (the completion tokens) are computed; the others
    hold 0 (they have loss weight 0). When the model's head is a plain linear layer (`linear_head`)
    the model body gives the final hidden states and `agora.kernels.token_logprobs_and_entropy`
    computes logprob and entropy at the selected rows without materialising their logits over the
    vocabulary; otherwise (or with ``fused=False``) `full_vocab_token_logprobs` does. Logits are
    divided by the sampling `temperature`, so ratios compare the distribution the rollout sampled.
    With `share_prefix` the body runs the token prefix every row shares once (`body_hidden`).
    """
    parts = linear_head(model) if fused else None
    if parts is None:
        return full_vocab_token_logprobs(model, batch, temperature=temperature, with_entropy=with_entropy)
    torch = require("torch", "train")
    from agora.kernels import token_logprobs_and_entropy

    body, head = parts
    hidden = body_hidden(body, batch, share_prefix=share_prefix)[:, :-1]
    mask = _completion_mask(batch)
    logp, entropy = token_logprobs_and_entropy(
        hidden[mask], head.weight, batch["targets"][mask], temperature=temperature
    )
    zeros = torch.zeros(mask.shape, dtype=logp.dtype, device=logp.device)
    return zeros.masked_scatter(mask, logp), zeros.masked_scatter(mask, entropy) if with_entropy else None


def shared_prefix_length(batch: dict[str, Any]) -> int:
    """How many leading tokens every row of the batch shares, leaving each row at least one token after them."""
    ids, attention = batch["input_ids"], batch["attention_mask"]
    same = ((ids == ids[:1]) & (attention > 0)).all(dim=0)
    prefix = int(same.long().cumprod(0).sum())
    return min(prefix, int(attention.sum(dim=1).min()) - 1)


def body_hidden(body: Any, batch: dict[str, Any], *, share_prefix: bool = False) -> Any:
    """The final hidden states (B, L, H) of a transformers model body over the (right-padded) batch.

    With `share_prefix`, the tokens every row shares (`shared_prefix_length`: in a PPO batch, the task
    prompt of the turns of one group of episodes) go through the body once, as one row whose keys and
    values every row then attends to; the rest of each row runs on top of that cache. The same
    function of the weights as the plain pass (gradients flow through the shared keys and values into
    the prefix), for about ``(B - 1) x prefix`` fewer tokens of forward and backward work. Off for
    a single row, a prefix under 2 tokens, and a model that recomputes activations (gradient
    checkpointing turns its cache off in training).
    """
    ids, attention = batch["input_ids"], batch["attention_mask"]
    prefix = shared_prefix_length(batch) if share_prefix and ids.shape[0] > 1 else 0
    if prefix < 2 or _checkpointing(body):
        return body(input_ids=ids, attention_mask=attention, use_cache=False)[0]
    torch = require("torch", "train")
    head = body(input_ids=ids[:1, :prefix], attention_mask=attention[:1, :prefix], use_cache=True)
    cache = head[1]  # ``cache`` (transformers >= 5.2x) or ``past_key_values`` (before)
    cache.batch_repeat_interleave(ids.shape[0])
    name = "cache" if "cache" in inspect.signature(body.forward).parameters else "past_key_values"
    tail = body(input_ids=ids[:, prefix:], attention_mask=attention, use_cache=True, **{name: cache})[0]
    return torch.cat([head[0].expand(ids.shape[0], -1, -1), tail], dim=1)


def _checkpointing(body: Any) -> bool:
    """Whether `body` recomputes activations (transformers renamed the flag; the old name warns)."""
    for name in ("is_activation_checkpointing", "is_gradient_checkpointing"):
        if name in dir(type(body)):
            return bool(getattr(body, name))
    return False


def _completion_mask(batch: dict[str, Any]) -> Any:
    """Boolean (B, L-1) mask of the positions to compute: the loss mask, or every target if none."""
    mask = batch.get("loss_mask")
    return batch["targets"].new_ones(batch["targets"].shape, dtype=bool) if mask is None else mask > 0


def full_vocab_token_logprobs(
    model: Any, batch: dict[str, Any], *, temperature: float = 1.0, with_entropy: bool = False
) -> tuple[Any, Any | None]:
    """`token_logprobs` through the model's full logits: an fp32 log-softmax over the vocabulary.

    For heads that are not a plain linear layer. Memory grows as ``B x L x V`` fp32 (several GB
    for a 49k vocabulary at a few thousand tokens); positions off the loss mask hold 0.
    """
    torch = require("torch", "train")
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
    logits = logits.float() / temperature
    logp_all = torch.log_softmax(logits, dim=-1)
    keep = _completion_mask(batch)
    logp = logp_all.gather(-1, batch["targets"].unsqueeze(-1)).squeeze(-1) * keep
    entropy = None
    if with_entropy:
        entropy = -(logp_all.exp() * logp_all).sum(-1) * keep
    return logp, entropy


def k3_kl(logprobs: Any, ref_logprobs: Any) -> Any:
    """Per-token k3 estimator of KL(policy || reference): ``exp(r) - r - 1`` with ``r = ref - logp``."""
    diff = ref_logprobs - logprobs
    return diff.exp() - diff - 1.0


def ppo_loss(
    logprobs: Any,
    batch: dict[str, Any],
    *,
    clip_eps: float = 0.2,
    clip_eps_high: float | None = None,
    ref_logprobs: Any | None = None,
    kl_coef: float = 0.0,
    entropy: Any | None = None,
    entropy_coef: float = 0.0,
) -> tuple[Any, dict[str, Any]]:
    """PPO clipped surrogate (+ ``kl_coef`` k3 KL, - ``entropy_coef`` entropy) weighted by ``batch["weights"]``.

    Per token: ``-min(ratio A, clip(ratio, 1 - clip_eps, 1 + clip_eps_high) A) + kl_coef k3
    - entropy_coef H``, where ``H`` is the policy's entropy at that position (from `token_logprobs`
    with ``with_entropy=True``); a positive `entropy_coef` rewards keeping the policy spread out.

    Returns:
        The scalar loss and detached sums for logging (``clipped``, ``kl``, ``ratio``, and
        ``entropy`` when given: weighted sums over this micro-batch's tokens, which add up to batch
        means across micro-batches).
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
    if entropy is not None and entropy_coef:
        per_token = per_token - entropy_coef * entropy
    loss = (per_token * weights).sum()
    with torch.no_grad():
        clipped = ((ratio < 1.0 - clip_eps) | (ratio > 1.0 + high)).float()
        stats = {
            "clipped": (clipped * weights).sum(),
            "ratio": (ratio * weights).sum(),
            "kl": (kl * weights).sum() if kl is not None else torch.zeros(()),
        }
        if entropy is not None:
            stats["entropy"] = (entropy * weights).sum()
    return loss, stats

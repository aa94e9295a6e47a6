"""Per-token logprob and entropy of a linear LM head: naive reference, chunked torch path, dispatch.

For one row ``z = W h / T`` (``V`` logits), with ``lse = logsumexp(z)`` and ``p = softmax(z)``:
``logp_y = z_y - lse`` and ``entropy = lse - sum_j p_j z_j``. Their gradients with respect to
``z``, given upstream ``g_l`` (of logp) and ``g_e`` (of entropy), are

    dz = g_l onehot(y) - p (g_l + g_e (log p + entropy))

so ``dh = dz W / T`` and ``dW = dz^T h / T``. Both fused paths use these formulas, recomputing a
chunk's logits in backward instead of saving them: they keep only ``lse`` and the entropy (``N``
floats each) between forward and backward.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import torch

from agora.kernels.inputs import check_inputs

# The chunked path holds about two fp32 [chunk, V] buffers at once; this bounds one of them.
CHUNK_BYTES = 128 * 2**20


def naive_token_logprobs_and_entropy(
    hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, *, temperature: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference: full ``[N, V]`` fp32 logits and log-softmax (what the trainer's loss did before).

    Args:
        hidden: final hidden states, ``[N, H]``.
        weight: the LM head's weight, ``[V, H]``.
        targets: the token whose logprob is wanted at each row, ``[N]``, in ``[0, V)``.
        temperature: logits are divided by it.

    Returns:
        ``(logprobs [N], entropy [N])`` in fp32 (fp64 for fp64 inputs).
    """
    logits = (hidden @ weight.T).to(_acc_dtype(hidden)) / temperature
    logp_all = torch.log_softmax(logits, dim=-1)
    logp = logp_all.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    entropy = -(logp_all.exp() * logp_all).sum(-1)
    return logp, entropy


def _acc_dtype(x: torch.Tensor) -> torch.dtype:
    """fp32 for half-precision inputs, the input's own dtype for fp32/fp64."""
    return torch.promote_types(x.dtype, torch.float32)


def _chunk_logits(hidden: torch.Tensor, weight: torch.Tensor, temperature: float) -> torch.Tensor:
    logits = (hidden @ weight.T).to(_acc_dtype(hidden))
    return logits.div_(temperature) if temperature != 1.0 else logits


def _grad_rows(n: int, grad: torch.Tensor | None, like: torch.Tensor) -> torch.Tensor:
    dtype = _acc_dtype(like)
    return torch.zeros(n, dtype=dtype, device=like.device) if grad is None else grad.to(dtype)


class _ChunkedLogprobs(torch.autograd.Function):
    """Rows in chunks; forward keeps ``lse`` and entropy, backward recomputes each chunk's logits."""

    @staticmethod
    def forward(
        ctx: Any, hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, temperature: float, chunk_size: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        n = hidden.shape[0]
        logp = torch.empty(n, dtype=_acc_dtype(hidden), device=hidden.device)
        entropy, lse = torch.empty_like(logp), torch.empty_like(logp)
        for start in range(0, n, chunk_size):
            rows = slice(start, start + chunk_size)
            z = _chunk_logits(hidden[rows], weight, temperature)
            lse[rows] = torch.logsumexp(z, dim=-1)
            z.sub_(lse[rows].unsqueeze(-1))  # z is now log p
            logp[rows] = z.gather(-1, targets[rows].unsqueeze(-1)).squeeze(-1)
            entropy[rows] = -z.exp().mul_(z).sum(-1)
        ctx.save_for_backward(hidden, weight, targets, lse, entropy)
        ctx.temperature, ctx.chunk_size = temperature, chunk_size
        return logp, entropy

    @staticmethod
    def backward(
        ctx: Any, grad_logp: torch.Tensor | None, grad_entropy: torch.Tensor | None
    ) -> tuple[torch.Tensor | None, ...]:
        hidden, weight, targets, lse, entropy = ctx.saved_tensors
        temperature, n = ctx.temperature, hidden.shape[0]
        g_l, g_e = _grad_rows(n, grad_logp, hidden), _grad_rows(n, grad_entropy, hidden)
        grad_hidden = torch.empty_like(hidden) if ctx.needs_input_grad[0] else None
        grad_weight = torch.zeros(weight.shape, dtype=_acc_dtype(weight), device=weight.device)
        for start in range(0, n, ctx.chunk_size):
            rows = slice(start, start + ctx.chunk_size)
            dz = _chunk_dlogits(
                _chunk_logits(hidden[rows], weight, temperature),
                targets[rows],
                lse[rows],
                entropy[rows],
                g_l[rows],
                g_e[rows],
                temperature,
            ).to(hidden.dtype)
            if grad_hidden is not None:
                grad_hidden[rows] = dz @ weight
            if ctx.needs_input_grad[1]:
                grad_weight += (dz.T @ hidden[rows]).to(grad_weight.dtype)
        grad_weight = grad_weight.to(weight.dtype) if ctx.needs_input_grad[1] else None
        return grad_hidden, grad_weight, None, None, None


def _chunk_dlogits(
    z: torch.Tensor,
    targets: torch.Tensor,
    lse: torch.Tensor,
    entropy: torch.Tensor,
    g_l: torch.Tensor,
    g_e: torch.Tensor,
    temperature: float,
) -> torch.Tensor:
    """``dz / T`` for one chunk, in place in `z` (fp32 tempered logits)."""
    logp = z.sub_(lse.unsqueeze(-1))
    p = logp.exp()
    dz = logp.add_(entropy.unsqueeze(-1)).mul_(g_e.unsqueeze(-1)).add_(g_l.unsqueeze(-1)).mul_(p).neg_()
    dz.scatter_add_(-1, targets.unsqueeze(-1), g_l.unsqueeze(-1))
    return dz.div_(temperature) if temperature != 1.0 else dz


def default_chunk_size(vocab_size: int) -> int:
    """Rows per chunk so that one fp32 ``[chunk, V]`` buffer stays under `CHUNK_BYTES` (at least 1)."""
    return max(1, CHUNK_BYTES // (4 * vocab_size))


def chunked_token_logprobs_and_entropy(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    *,
    temperature: float = 1.0,
    chunk_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """`naive_token_logprobs_and_entropy` computed ``chunk_size`` rows at a time, forward and backward.

    Peak extra memory is about two fp32 ``[chunk_size, V]`` buffers plus an fp32 ``[V, H]`` weight
    gradient, instead of several ``[N, V]`` ones. `hidden` and `weight` must share a dtype.
    """
    chunk = chunk_size or default_chunk_size(weight.shape[0])
    if chunk < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}.")
    return _ChunkedLogprobs.apply(hidden, weight, targets, float(temperature), int(chunk))


def triton_available() -> bool:
    """Whether the Triton path can run here: triton installed and a CUDA device present."""
    return torch.cuda.is_available() and importlib.util.find_spec("triton") is not None


def _common_dtype(hidden: torch.Tensor, weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both in the dtype `nn.Linear` would compute in: autocast's when it is on, else the weight's."""
    device = hidden.device.type
    dtype = torch.get_autocast_dtype(device) if torch.is_autocast_enabled(device) else weight.dtype
    return hidden.to(dtype), weight.to(dtype)


def token_logprobs_and_entropy(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    targets: torch.Tensor,
    *,
    temperature: float = 1.0,
    chunk_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logprob of each target token and entropy of each row under ``softmax(hidden @ weight.T / T)``.

    Never materialises the ``[N, V]`` logits. On CUDA with triton installed it runs the fused Triton
    kernel (`chunk_size` is then unused); elsewhere the chunked torch path. Differentiable with
    respect to `hidden` and `weight` through both outputs.

    Args:
        hidden: final hidden states, ``[N, H]`` (select the rows you need first).
        weight: the LM head's weight, ``[V, H]`` (a plain linear head, no bias).
        targets: token ids ``[N]``, each in ``[0, V)``.
        temperature: the sampling temperature; logits are divided by it.
        chunk_size: rows per chunk on the torch path (default: `default_chunk_size`).

    Returns:
        ``(logprobs [N], entropy [N])`` in fp32.
    """
    check_inputs(hidden, weight, targets, temperature)
    hidden, weight = _common_dtype(hidden, weight)
    with torch.autocast(hidden.device.type, enabled=False):
        if hidden.is_cuda and triton_available():
            from agora.kernels.triton_logprobs import triton_token_logprobs_and_entropy

            return triton_token_logprobs_and_entropy(hidden, weight, targets, temperature=temperature)
        return chunked_token_logprobs_and_entropy(
            hidden, weight, targets, temperature=temperature, chunk_size=chunk_size
        )

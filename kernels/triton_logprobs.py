"""Triton kernels for per-token logprob and entropy of a linear LM head, forward and backward.

Forward: one program per block of rows walks the vocabulary in tiles, computing each logits tile
``h W_tile^T / T`` in registers (a K-loop over the hidden size) and keeping an online logsumexp
``(m, s)``, the running ``sum exp(z - m) z`` for the entropy and the target's logit. It writes
``logp``, ``entropy`` and ``lse`` (``N`` floats each); the ``[N, V]`` logits never reach memory.

Backward recomputes the logits tiles (as FlashAttention does) in two kernels without atomics:
``dh`` (one program per row block, walking the vocabulary) and ``dW`` (one program per vocabulary
tile, walking the rows), each accumulating into an fp32 buffer it owns exclusively. With
``TRITON_INTERPRET=1`` (set before this module is imported) the same kernels run on CPU tensors.
"""

from __future__ import annotations

from typing import Any

import torch
import triton
import triton.language as tl

from agora.kernels.inputs import check_inputs


@triton.jit
def _dot(a, b, acc, PRECISION: tl.constexpr, UPCAST: tl.constexpr):
    """``acc + a @ b``; UPCAST feeds fp32 to the dot (Triton 3.9's interpreter multiplies bf16 bit patterns)."""
    if UPCAST:
        return tl.dot(a.to(tl.float32), b.to(tl.float32), acc, input_precision="ieee")
    return tl.dot(a, b, acc, input_precision=PRECISION)


@triton.jit
def _logits_tile(
    h_ptr,
    w_ptr,
    rows,
    cols,
    row_ok,
    col_ok,
    H,
    stride_h,
    stride_w,
    inv_t,
    BLOCK_N: tl.constexpr,
    BLOCK_V: tl.constexpr,
    BLOCK_K: tl.constexpr,
    PRECISION: tl.constexpr,
    UPCAST: tl.constexpr,
):
    """``h[rows] @ w[cols]^T / T`` as an fp32 [BLOCK_N, BLOCK_V] tile (0 where masked)."""
    acc = tl.zeros((BLOCK_N, BLOCK_V), dtype=tl.float32)
    for k0 in range(0, H, BLOCK_K):
        ks = k0 + tl.arange(0, BLOCK_K)
        k_ok = ks < H
        h = tl.load(h_ptr + rows[:, None] * stride_h + ks[None, :], mask=row_ok[:, None] & k_ok[None, :], other=0.0)
        w = tl.load(w_ptr + cols[:, None] * stride_w + ks[None, :], mask=col_ok[:, None] & k_ok[None, :], other=0.0)
        acc = _dot(h, tl.trans(w), acc, PRECISION, UPCAST)
    return acc * inv_t


@triton.jit
def _dlogits_tile(z, cols, row_ok, col_ok, y, lse, ent, g_l, g_e, inv_t):
    """``dz / T`` for a tile: ``g_l onehot(y) - p (g_l + g_e (log p + entropy))``, 0 where masked."""
    logp = z - lse[:, None]
    p = tl.exp(logp)
    dz = -p * (g_l[:, None] + g_e[:, None] * (logp + ent[:, None]))
    dz += tl.where(cols[None, :] == y[:, None], g_l[:, None], 0.0)
    return tl.where(row_ok[:, None] & col_ok[None, :], dz * inv_t, 0.0)


@triton.jit
def _forward_kernel(
    h_ptr,
    w_ptr,
    y_ptr,
    logp_ptr,
    ent_ptr,
    lse_ptr,
    N,
    V,
    H,
    stride_h,
    stride_w,
    inv_t,
    BLOCK_N: tl.constexpr,
    BLOCK_V: tl.constexpr,
    BLOCK_K: tl.constexpr,
    PRECISION: tl.constexpr,
    UPCAST: tl.constexpr,
):
    rows = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    row_ok = rows < N
    y = tl.load(y_ptr + rows, mask=row_ok, other=0)
    m = tl.full((BLOCK_N,), float("-inf"), tl.float32)
    s = tl.zeros((BLOCK_N,), tl.float32)
    t = tl.zeros((BLOCK_N,), tl.float32)
    z_y = tl.zeros((BLOCK_N,), tl.float32)
    for v0 in range(0, V, BLOCK_V):
        cols = v0 + tl.arange(0, BLOCK_V)
        col_ok = cols < V
        z = _logits_tile(
            h_ptr,
            w_ptr,
            rows,
            cols,
            row_ok,
            col_ok,
            H,
            stride_h,
            stride_w,
            inv_t,
            BLOCK_N,
            BLOCK_V,
            BLOCK_K,
            PRECISION,
            UPCAST,
        )
        z = tl.where(col_ok[None, :], z, float("-inf"))
        m_new = tl.maximum(m, tl.max(z, 1))
        alpha = tl.exp(m - m_new)
        e = tl.exp(z - m_new[:, None])
        s = s * alpha + tl.sum(e, 1)
        t = t * alpha + tl.sum(e * tl.where(col_ok[None, :], z, 0.0), 1)
        z_y += tl.sum(tl.where(cols[None, :] == y[:, None], z, 0.0), 1)
        m = m_new
    lse = m + tl.log(s)
    tl.store(logp_ptr + rows, z_y - lse, mask=row_ok)
    tl.store(ent_ptr + rows, lse - t / s, mask=row_ok)
    tl.store(lse_ptr + rows, lse, mask=row_ok)


@triton.jit
def _dlogits_block(
    h_ptr,
    w_ptr,
    y_ptr,
    lse_ptr,
    ent_ptr,
    gl_ptr,
    ge_ptr,
    rows,
    cols,
    row_ok,
    col_ok,
    H,
    stride_h,
    stride_w,
    inv_t,
    BLOCK_N: tl.constexpr,
    BLOCK_V: tl.constexpr,
    BLOCK_K: tl.constexpr,
    PRECISION: tl.constexpr,
    UPCAST: tl.constexpr,
):
    """The recomputed ``dz / T`` tile of rows x cols, from the forward's saved row statistics."""
    y = tl.load(y_ptr + rows, mask=row_ok, other=0)
    lse = tl.load(lse_ptr + rows, mask=row_ok, other=0.0)
    ent = tl.load(ent_ptr + rows, mask=row_ok, other=0.0)
    g_l = tl.load(gl_ptr + rows, mask=row_ok, other=0.0)
    g_e = tl.load(ge_ptr + rows, mask=row_ok, other=0.0)
    z = _logits_tile(
        h_ptr,
        w_ptr,
        rows,
        cols,
        row_ok,
        col_ok,
        H,
        stride_h,
        stride_w,
        inv_t,
        BLOCK_N,
        BLOCK_V,
        BLOCK_K,
        PRECISION,
        UPCAST,
    )
    return _dlogits_tile(z, cols, row_ok, col_ok, y, lse, ent, g_l, g_e, inv_t)


@triton.jit
def _accumulate(
    dz,
    src_ptr,
    src_rows,
    src_ok,
    stride_src,
    out_ptr,
    out_rows,
    out_ok,
    H,
    BLOCK_K: tl.constexpr,
    PRECISION: tl.constexpr,
    UPCAST: tl.constexpr,
):
    """``out[out_rows] += dz @ src[src_rows]`` over every tile of the hidden size (``out`` is fp32, H wide)."""
    for k0 in range(0, H, BLOCK_K):
        ks = k0 + tl.arange(0, BLOCK_K)
        k_ok = ks < H
        src = tl.load(
            src_ptr + src_rows[:, None] * stride_src + ks[None, :], mask=src_ok[:, None] & k_ok[None, :], other=0.0
        )
        out = out_ptr + out_rows[:, None] * H + ks[None, :]
        mask = out_ok[:, None] & k_ok[None, :]
        tl.store(out, _dot(dz, src, tl.load(out, mask=mask, other=0.0), PRECISION, UPCAST), mask=mask)


@triton.jit
def _grad_hidden_kernel(
    h_ptr,
    w_ptr,
    y_ptr,
    lse_ptr,
    ent_ptr,
    gl_ptr,
    ge_ptr,
    dh_ptr,
    N,
    V,
    H,
    stride_h,
    stride_w,
    inv_t,
    BLOCK_N: tl.constexpr,
    BLOCK_V: tl.constexpr,
    BLOCK_K: tl.constexpr,
    PRECISION: tl.constexpr,
    UPCAST: tl.constexpr,
):
    rows = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    row_ok = rows < N
    for v0 in range(0, V, BLOCK_V):
        cols = v0 + tl.arange(0, BLOCK_V)
        col_ok = cols < V
        dz = _dlogits_block(
            h_ptr,
            w_ptr,
            y_ptr,
            lse_ptr,
            ent_ptr,
            gl_ptr,
            ge_ptr,
            rows,
            cols,
            row_ok,
            col_ok,
            H,
            stride_h,
            stride_w,
            inv_t,
            BLOCK_N,
            BLOCK_V,
            BLOCK_K,
            PRECISION,
            UPCAST,
        )
        _accumulate(
            dz.to(w_ptr.dtype.element_ty),
            w_ptr,
            cols,
            col_ok,
            stride_w,
            dh_ptr,
            rows,
            row_ok,
            H,
            BLOCK_K,
            PRECISION,
            UPCAST,
        )


@triton.jit
def _grad_weight_kernel(
    h_ptr,
    w_ptr,
    y_ptr,
    lse_ptr,
    ent_ptr,
    gl_ptr,
    ge_ptr,
    dw_ptr,
    N,
    V,
    H,
    stride_h,
    stride_w,
    inv_t,
    BLOCK_N: tl.constexpr,
    BLOCK_V: tl.constexpr,
    BLOCK_K: tl.constexpr,
    PRECISION: tl.constexpr,
    UPCAST: tl.constexpr,
):
    cols = tl.program_id(0) * BLOCK_V + tl.arange(0, BLOCK_V)
    col_ok = cols < V
    for n0 in range(0, N, BLOCK_N):
        rows = n0 + tl.arange(0, BLOCK_N)
        row_ok = rows < N
        dz = _dlogits_block(
            h_ptr,
            w_ptr,
            y_ptr,
            lse_ptr,
            ent_ptr,
            gl_ptr,
            ge_ptr,
            rows,
            cols,
            row_ok,
            col_ok,
            H,
            stride_h,
            stride_w,
            inv_t,
            BLOCK_N,
            BLOCK_V,
            BLOCK_K,
            PRECISION,
            UPCAST,
        )
        _accumulate(
            tl.trans(dz.to(h_ptr.dtype.element_ty)),
            h_ptr,
            rows,
            row_ok,
            stride_h,
            dw_ptr,
            cols,
            col_ok,
            H,
            BLOCK_K,
            PRECISION,
            UPCAST,
        )


def _config(hidden: torch.Tensor) -> dict[str, Any]:
    """Tile sizes and dot precision: small tiles on the CPU interpreter, larger ones on a GPU."""
    interpreted = hidden.device.type == "cpu"
    blocks = (16, 32, 32) if interpreted else (64, 128, 64)
    precision = "ieee" if hidden.dtype == torch.float32 else "tf32"
    return {
        "BLOCK_N": blocks[0],
        "BLOCK_V": blocks[1],
        "BLOCK_K": blocks[2],
        "PRECISION": precision,
        "UPCAST": interpreted and hidden.dtype != torch.float32,
    }


class _TritonLogprobs(torch.autograd.Function):
    """Fused forward (keeps ``lse`` and entropy) and recomputing backward."""

    @staticmethod
    def forward(
        ctx: Any, hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, temperature: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        (n, h), v = hidden.shape, weight.shape[0]
        logp, entropy, lse = (torch.empty(n, dtype=torch.float32, device=hidden.device) for _ in range(3))
        cfg = _config(hidden)
        if n:
            _forward_kernel[(triton.cdiv(n, cfg["BLOCK_N"]),)](
                hidden,
                weight,
                targets,
                logp,
                entropy,
                lse,
                n,
                v,
                h,
                hidden.stride(0),
                weight.stride(0),
                1.0 / temperature,
                **cfg,
            )
        ctx.save_for_backward(hidden, weight, targets, lse, entropy)
        ctx.temperature = temperature
        return logp, entropy

    @staticmethod
    def backward(
        ctx: Any, grad_logp: torch.Tensor | None, grad_entropy: torch.Tensor | None
    ) -> tuple[torch.Tensor | None, ...]:
        hidden, weight, targets, lse, entropy = ctx.saved_tensors
        (n, h), v = hidden.shape, weight.shape[0]
        zeros = torch.zeros(n, dtype=torch.float32, device=hidden.device)
        g_l = zeros if grad_logp is None else grad_logp.float().contiguous()
        g_e = zeros if grad_entropy is None else grad_entropy.float().contiguous()
        cfg = _config(hidden)
        args = (targets, lse, entropy, g_l, g_e)
        shape = (n, v, h, hidden.stride(0), weight.stride(0), 1.0 / ctx.temperature)
        grad_hidden = grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_hidden = torch.zeros((n, h), dtype=torch.float32, device=hidden.device)
            if n:
                _grad_hidden_kernel[(triton.cdiv(n, cfg["BLOCK_N"]),)](
                    hidden, weight, *args, grad_hidden, *shape, **cfg
                )
            grad_hidden = grad_hidden.to(hidden.dtype)
        if ctx.needs_input_grad[1]:
            grad_weight = torch.zeros((v, h), dtype=torch.float32, device=weight.device)
            if n:
                _grad_weight_kernel[(triton.cdiv(v, cfg["BLOCK_V"]),)](
                    hidden, weight, *args, grad_weight, *shape, **cfg
                )
            grad_weight = grad_weight.to(weight.dtype)
        return grad_hidden, grad_weight, None, None


def triton_token_logprobs_and_entropy(
    hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, *, temperature: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The fused Triton path of `agora.kernels.token_logprobs_and_entropy` (CUDA, or CPU interpreted).

    Args:
        hidden: ``[N, H]``, fp32/bf16/fp16, same dtype as `weight`.
        weight: ``[V, H]``.
        targets: ``[N]`` token ids in ``[0, V)``.
        temperature: logits are divided by it.

    Returns:
        ``(logprobs [N], entropy [N])`` in fp32.
    """
    check_inputs(hidden, weight, targets, temperature)
    if hidden.dtype != weight.dtype or hidden.dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise ValueError(
            f"The Triton path needs hidden and weight in one of fp32/bf16/fp16, got {hidden.dtype} and {weight.dtype}."
        )
    return _TritonLogprobs.apply(hidden.contiguous(), weight.contiguous(), targets.contiguous(), float(temperature))

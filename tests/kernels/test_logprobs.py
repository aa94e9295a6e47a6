"""The chunked and Triton paths equal the naive full-vocabulary reference, forward and backward."""

import math

import pytest
import torch

from agora.kernels import (
    chunked_token_logprobs_and_entropy,
    naive_token_logprobs_and_entropy,
    token_logprobs_and_entropy,
)
from agora.kernels.logprobs import default_chunk_size

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
# (atol, rtol) for outputs and gradients; bf16 compares with the naive path computed in bf16 too
TOL = {torch.float32: (2e-5, 1e-5), torch.bfloat16: (0.1, 0.02)}


def _inputs(n, h, v, dtype, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(n, h, generator=g).to(device, dtype).requires_grad_()
    weight = (torch.randn(v, h, generator=g) / math.sqrt(h) * 3).to(device, dtype).requires_grad_()
    targets = torch.randint(0, v, (n,), generator=g).to(device)
    upstream = torch.randn(n, generator=g).to(device), torch.randn(n, generator=g).to(device)
    return hidden, weight, targets, upstream


def _run(fn, hidden, weight, targets, upstream, **kw):
    """Outputs and gradients of ``sum(g_l * logp + g_e * entropy)`` w.r.t. hidden and weight."""
    logp, entropy = fn(hidden, weight, targets, **kw)
    loss = (logp * upstream[0]).sum() + (entropy * upstream[1]).sum()
    return (logp, entropy, *torch.autograd.grad(loss, (hidden, weight)))


def _assert_match(got, want, dtype):
    atol, rtol = TOL[dtype]
    for name, a, b in zip(("logp", "entropy", "grad_hidden", "grad_weight"), got, want, strict=True):
        assert a.dtype == b.dtype, name
        torch.testing.assert_close(a.float(), b.float(), atol=atol, rtol=rtol, msg=name)


def test_naive_reference_by_hand():
    # two logits (0, log 3) -> p = (1/4, 3/4): logp of token 1 = log 3/4; entropy = -(1/4 log 1/4 + 3/4 log 3/4)
    hidden = torch.tensor([[1.0]])
    weight = torch.tensor([[0.0], [math.log(3)]])
    logp, entropy = naive_token_logprobs_and_entropy(hidden, weight, torch.tensor([1]))
    assert logp.item() == pytest.approx(math.log(0.75))
    assert entropy.item() == pytest.approx(-(0.25 * math.log(0.25) + 0.75 * math.log(0.75)))
    # temperature 2 halves the logits: p = (1, sqrt 3) / (1 + sqrt 3)
    logp, _ = naive_token_logprobs_and_entropy(hidden, weight, torch.tensor([0]), temperature=2.0)
    assert logp.item() == pytest.approx(-math.log(1 + math.sqrt(3)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("chunk_size", [1, 7, 64, None])
def test_chunked_matches_naive(dtype, chunk_size):
    args = _inputs(45, 32, 300, dtype)
    got = _run(chunked_token_logprobs_and_entropy, *args, temperature=0.7, chunk_size=chunk_size)
    want = _run(naive_token_logprobs_and_entropy, *args, temperature=0.7)
    _assert_match(got, want, dtype)


def test_chunked_gradcheck_in_float64():
    hidden, weight, targets, _ = _inputs(9, 5, 13, torch.float64)
    assert torch.autograd.gradcheck(
        lambda h, w: chunked_token_logprobs_and_entropy(h, w, targets, temperature=1.3, chunk_size=4), (hidden, weight)
    )


def test_chunked_only_one_output_used_and_no_rows():
    hidden, weight, targets, _ = _inputs(10, 8, 20, torch.float32)
    logp, _ = chunked_token_logprobs_and_entropy(hidden, weight, targets, chunk_size=3)
    logp.sum().backward()
    ref_h, ref_w = hidden.detach().clone().requires_grad_(), weight.detach().clone().requires_grad_()
    naive_token_logprobs_and_entropy(ref_h, ref_w, targets)[0].sum().backward()
    torch.testing.assert_close(hidden.grad, ref_h.grad)
    torch.testing.assert_close(weight.grad, ref_w.grad)
    empty = chunked_token_logprobs_and_entropy(hidden[:0], weight, targets[:0])
    assert empty[0].shape == (0,)
    (empty[0].sum() + empty[1].sum()).backward()  # no rows: zero gradient, no error


def test_default_chunk_is_bounded():
    assert default_chunk_size(49_152) * 49_152 * 4 <= 128 * 2**20
    assert default_chunk_size(10**12) == 1


def test_dispatch_validates_and_follows_autocast():
    hidden, weight, targets, upstream = _inputs(6, 8, 20, torch.float32)
    with pytest.raises(ValueError, match=r"targets \[N\]"):
        token_logprobs_and_entropy(hidden, weight, targets[:3])
    with pytest.raises(ValueError, match="temperature"):
        token_logprobs_and_entropy(hidden, weight, targets, temperature=0.0)
    # under bf16 autocast the head computes in bf16, as nn.Linear would; gradients reach the fp32 weight
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logp, _ = token_logprobs_and_entropy(hidden, weight, targets)
    logp.sum().backward()
    assert weight.grad.dtype == torch.float32
    want = naive_token_logprobs_and_entropy(hidden.bfloat16(), weight.bfloat16(), targets)[0]
    torch.testing.assert_close(logp, want, atol=1e-2, rtol=0)

"""The Triton kernels (interpreted on CPU tensors without a GPU) equal the naive reference."""

import pytest
import torch

from agora.kernels import naive_token_logprobs_and_entropy, token_logprobs_and_entropy

from .test_logprobs import DEVICE, _assert_match, _inputs, _run

triton_logprobs = pytest.importorskip(
    "agora.kernels.triton_logprobs", reason="triton is not installed (pip install 'agora[kernels]')"
)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize(("n", "h", "v"), [(37, 40, 101), (16, 32, 64)])
def test_triton_matches_naive(dtype, n, h, v):
    args = _inputs(n, h, v, dtype, seed=n, device=DEVICE)
    got = _run(triton_logprobs.triton_token_logprobs_and_entropy, *args, temperature=0.7)
    want = _run(naive_token_logprobs_and_entropy, *args, temperature=0.7)
    _assert_match(got, want, dtype)


def test_triton_one_output_and_no_rows():
    hidden, weight, targets, _ = _inputs(5, 16, 40, torch.float32, device=DEVICE)
    _, entropy = triton_logprobs.triton_token_logprobs_and_entropy(hidden, weight, targets)
    entropy.sum().backward()
    ref_h, ref_w = hidden.detach().clone().requires_grad_(), weight.detach().clone().requires_grad_()
    naive_token_logprobs_and_entropy(ref_h, ref_w, targets)[1].sum().backward()
    torch.testing.assert_close(hidden.grad, ref_h.grad, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weight.grad, ref_w.grad, atol=1e-5, rtol=1e-5)
    logp, _ = triton_logprobs.triton_token_logprobs_and_entropy(hidden[:0], weight, targets[:0])
    assert logp.shape == (0,)
    with pytest.raises(ValueError, match="fp32/bf16/fp16"):
        triton_logprobs.triton_token_logprobs_and_entropy(hidden.double(), weight.double(), targets)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_dispatch_uses_triton_on_cuda_at_smollm2_width():
    args = _inputs(300, 576, 5000, torch.bfloat16, device="cuda")
    got = _run(token_logprobs_and_entropy, *args)
    want = _run(naive_token_logprobs_and_entropy, *args)
    _assert_match(got, want, torch.bfloat16)

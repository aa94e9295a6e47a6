"""Fused GPU kernels (Triton) with torch reference implementations and device dispatch.

`token_logprobs_and_entropy` gives, for final hidden states ``hidden [N, H]`` and an LM head
``weight [V, H]``, the log-probability of each target token and the entropy of each row's
next-token distribution, without ever holding the ``[N, V]`` logits: a Triton kernel on CUDA, a
chunked torch path elsewhere. `naive_token_logprobs_and_entropy` is the reference they are tested
against. Importing this package imports torch (not triton: that loads on first CUDA use).
"""

from agora.kernels.logprobs import (
    chunked_token_logprobs_and_entropy,
    naive_token_logprobs_and_entropy,
    token_logprobs_and_entropy,
    triton_available,
)

__all__ = [
    "chunked_token_logprobs_and_entropy",
    "naive_token_logprobs_and_entropy",
    "token_logprobs_and_entropy",
    "triton_available",
]

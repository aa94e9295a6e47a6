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
from agora.layout import step_aside

step_aside(__name__, __file__)  # under its bare name: the installed distribution, never this folder

__all__ = [
    "chunked_token_logprobs_and_entropy",
    "naive_token_logprobs_and_entropy",
    "token_logprobs_and_entropy",
    "triton_available",
]

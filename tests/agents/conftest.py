"""A tiny local model's HF engine, shared by the agent tests of one module."""

import pytest


@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from agora.agents.hf import HFEngine
    from agora.agents.local_models import tiny_model

    model, tokenizer = tiny_model("llama", seed=0)
    eng = HFEngine(model, tokenizer, seed=0)
    yield eng
    eng.close()

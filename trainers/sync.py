"""Weight sync from the trainer's model to the rollout engine, after every update.

* ``backend="hf"`` (CPU or one GPU; tested): the `HFEngine` generates with the very model object
  the optimizer updates, so a sync only checks that (or copies the state dict into a separate
  engine model) and puts the model in eval mode.
* ``backend="vllm"`` (GPU, ``pip install 'agora[gpu]'``): **untested here** — this project's
  machines have no GPU, so no test runs it and none pretends to. The policy is saved once to a
  temp dir that a `VLLMBackend` (`agora.agents.vllm`) loads; after each update every named tensor
  goes to vLLM's workers in one batched ``load_weights`` call (full fine-tuning only: LoRA on
  vLLM would need per-request adapters in `VLLMBackend`, which it does not take yet, so
  `TrainConfig` rejects ``backend="vllm"`` with ``lora_rank > 0``).
"""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np


def make_rollout_engine(cfg: Any, model: Any, tokenizer: Any) -> Any:
    """The engine rollout agents sample from: an `HFEngine` over `model`, or a `VLLMSync`."""
    if cfg.backend == "vllm":
        return VLLMSync(model, tokenizer, seed=cfg.seed)
    from agora.agents.hf import HFEngine

    return HFEngine(model, tokenizer, seed=cfg.seed)


def rollout_agent(engine: Any, **chat_kwargs: Any) -> Any:
    """A token-in/token-out agent over `engine` (forked per episode by the rollout engine)."""
    if isinstance(engine, VLLMSync):  # pragma: no cover - GPU only
        from agora.agents.vllm import VLLMAgent

        return VLLMAgent(engine.backend, **chat_kwargs)
    from agora.agents.hf import HFAgent

    return HFAgent(engine, **chat_kwargs)


def sync_weights(engine: Any, model: Any) -> None:
    """Makes `engine` sample from `model`'s current weights (see the module docs)."""
    if isinstance(engine, VLLMSync):  # pragma: no cover - GPU only
        engine.push(model)
        return
    if engine.model is not model:
        engine.model.load_state_dict(model.state_dict())
    engine.model.eval()


class VLLMSync:  # pragma: no cover - needs a CUDA GPU and vllm; never run in this project's CI
    """A `VLLMBackend` over a saved copy of the policy, updated in place after each step (untested)."""

    def __init__(self, model: Any, tokenizer: Any, seed: int = 0):
        from agora.agents.vllm import VLLMBackend

        self._dir = tempfile.mkdtemp(prefix="agora-vllm-")
        model.save_pretrained(self._dir)
        tokenizer.save_pretrained(self._dir)
        self.backend = VLLMBackend(self._dir, seed=seed)
        self._rng = np.random.default_rng(seed)  # checkpointed like HFEngine's

    def push(self, model: Any) -> None:
        """All named tensors to every vLLM worker in one batched ``load_weights`` call."""
        weights = [(name, tensor.detach()) for name, tensor in model.state_dict().items()]

        def load(worker: Any) -> None:
            worker.model_runner.model.load_weights(weights)

        self.backend._run(self.backend.engine.collective_rpc(load)).result()

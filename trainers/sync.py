"""Weight sync from the trainer's model to the rollout engine.

* ``backend="hf"`` (CPU, tested): the `HFEngine` generates with the very model object the
  optimizer updates, so a sync only checks that and puts the model in eval mode.
* ``backend="vllm"`` (GPU, ``pip install 'agora[gpu]'``): **not run on this project's CPU CI**.
  After each update every tensor goes to the vLLM engine in one batched ``load_weights`` call
  (full fine-tuning), or the LoRA adapter is saved and reloaded under a new adapter id.
"""

from __future__ import annotations

from typing import Any

from agora._optional import require


def make_rollout_engine(cfg: Any, model: Any, tokenizer: Any) -> Any:
    """The engine the rollout agents sample from (an `HFEngine` over `model`, or a vLLM engine)."""
    if cfg.backend == "vllm":
        return VLLMSync(model, tokenizer, seed=cfg.seed)
    from agora.agents.hf import HFEngine

    return HFEngine(model, tokenizer, seed=cfg.seed)


def sync_weights(engine: Any, model: Any) -> None:
    """Makes `engine` sample from `model`'s current weights (see the module docs)."""
    if isinstance(engine, VLLMSync):
        engine.push(model)
        return
    if engine.model is not model:
        engine.model.load_state_dict(model.state_dict())
    engine.model.eval()


class VLLMSync:  # pragma: no cover - needs a CUDA GPU and vllm; not exercised in CPU CI
    """A vLLM engine that takes the trainer's weights after each update (untested here: no GPU).

    Full fine-tuning: ``load_weights`` with all named tensors in one call on the driver worker's
    model. LoRA: the adapter is saved to a temp dir and requests carry a fresh `LoRARequest`.
    """

    def __init__(self, model: Any, tokenizer: Any, seed: int = 0):
        vllm = require("vllm", "gpu")
        import tempfile

        self._dir = tempfile.mkdtemp(prefix="agora-vllm-")
        base = model.get_base_model() if hasattr(model, "peft_config") else model
        base.save_pretrained(self._dir)
        tokenizer.save_pretrained(self._dir)
        self.lora = hasattr(model, "peft_config")
        self.llm = vllm.LLM(self._dir, seed=seed, enable_lora=self.lora, gpu_memory_utilization=0.3)
        self.tokenizer = tokenizer
        self.version = 0
        self.lora_request = None
        self._rng = __import__("numpy").random.default_rng(seed)

    def push(self, model: Any) -> None:
        """Sends the new weights (all tensors in one batched call) or reloads the adapter."""
        self.version += 1
        if self.lora:
            from vllm.lora.request import LoRARequest

            path = f"{self._dir}/adapter_{self.version}"
            model.save_pretrained(path)
            self.lora_request = LoRARequest(f"policy_{self.version}", self.version, path)
            return
        weights = [(name, tensor.detach()) for name, tensor in model.state_dict().items()]
        self.llm.collective_rpc(lambda worker: worker.model_runner.model.load_weights(weights))

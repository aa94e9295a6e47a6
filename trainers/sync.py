"""The rollout engine of a run and the weight sync from the trainer's model to it, after every update.

* ``backend="hf"``: the `HFEngine` generates with the very model object the optimizer updates, on the
  trainer's device, so a sync only puts the model in eval mode (or copies the state dict into a
  separate engine model). Self-play snapshots of a LoRA run are extra peft adapters of that model,
  served in the same batches (peft's mixed-adapter ``generate``). With `merged_rollouts` (LoRA, single
  mode) it generates with a plain copy of the base whose weights get ``base + scale * B @ A`` after
  every update (`merged_copy`, `merge_into`): no adapter layers in the sampling pass.
* ``backend="vllm"``: a `VLLMSync` owns a `VLLMBackend` (`agora.agents.vllm`) started from a copy of the
  policy saved once. After each update the new weights go through vLLM's own weight-update API
  (`VLLMBackend.push_weights`: full fine-tuning) or as the LoRA adapter reloaded in place through
  vLLM's LoRA requests (`VLLMBackend.set_lora`: LoRA runs); the prefix cache is reset after every
  sync so no cached KV of the old weights is reused. Self-play snapshots of a LoRA run are LoRA
  requests too. Optionally (`vllm_sleep`, CUDA only) the engine sleeps during the update.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from agora.trainers.policy import is_lora, load_trainable_state, resolve_precision, trainable_state


class RolloutEngine(Protocol):
    """What the trainer asks of the engine its rollout agents sample from (`HFSync`, `VLLMSync`)."""

    def agent(self, adapter: str | None = None, **chat_kwargs: Any) -> Any:
        """A token-in/token-out agent sampling from the engine (`adapter`: a snapshot's; None: the policy)."""

    def sync(self, model: Any) -> None:
        """Makes the engine sample from `model`'s current weights."""

    def sleep(self) -> None:
        """Frees the engine's accelerator memory until the next `sync` (a no-op where it cannot)."""

    def add_snapshot(self, name: str, model: Any, weights: dict[str, Any]) -> None:
        """Makes adapter `weights` (of LoRA `model`) playable as `name` (once per name)."""

    def remove_snapshot(self, name: str, model: Any) -> None:
        """Frees snapshot `name`."""


def make_rollout_engine(cfg: Any, model: Any, tokenizer: Any) -> RolloutEngine:
    """The engine rollout agents sample from: an `HFSync` over `model` (on its device), or a `VLLMSync`."""
    if cfg.backend == "vllm":
        return VLLMSync(model, tokenizer, seed=cfg.seed, **vllm_engine_kwargs(cfg, model))
    share = getattr(cfg, "share_prefix", False)
    if getattr(cfg, "merged_rollouts", False):
        return hf_sync(merged_copy(model), tokenizer, seed=cfg.seed, share_prefix=share)
    return hf_sync(model, tokenizer, seed=cfg.seed, share_prefix=share)


def merged_copy(model: Any) -> Any:
    """A plain (non-peft) copy of LoRA `model`'s base, in the base's dtype, with the adapter merged in."""
    import copy

    plain = copy.deepcopy(model.get_base_model())
    if "peft_config" in vars(plain):  # peft marks the model it wraps; the copy is a plain model
        del plain.peft_config
    for name, module in list(plain.named_modules()):
        base_layer = getattr(module, "base_layer", None)
        if base_layer is not None and hasattr(module, "lora_A"):
            parent, _, child = name.rpartition(".")
            setattr(plain.get_submodule(parent) if parent else plain, child, base_layer)
    plain.eval()
    for param in plain.parameters():
        param.requires_grad_(False)
    merge_into(plain, model)
    return plain


def merge_into(plain: Any, model: Any) -> None:
    """Writes ``base + scale * B @ A`` of every LoRA layer of `model` into the same layer of `plain`."""
    from agora._optional import require

    torch = require("torch", "train")
    targets = dict(plain.named_modules())
    with torch.no_grad():
        for name, module in model.get_base_model().named_modules():
            if hasattr(module, "lora_A") and hasattr(module, "base_layer"):
                weight = targets[name].weight
                delta = module.get_delta_weight("default") if "default" in module.lora_A else 0.0
                weight.copy_((module.base_layer.weight.float() + delta).to(weight.dtype))


def vllm_engine_kwargs(cfg: Any, model: Any) -> dict[str, Any]:
    """`VLLMBackend` arguments from a `TrainConfig` (memory share, sleep mode, LoRA rank, length)."""
    kwargs: dict[str, Any] = {"max_model_len": cfg.vllm_max_model_len}
    device = str(next(model.parameters()).device)
    precision = resolve_precision(cfg.precision, device)
    kwargs["dtype"] = "bfloat16" if precision == "bf16" else "float32"  # sample in the trainer's precision
    if device.startswith("cuda"):
        kwargs["gpu_memory_utilization"] = cfg.gpu_memory_utilization
        kwargs["enable_sleep_mode"] = bool(cfg.vllm_sleep)
    if is_lora(model):
        from agora.agents.vllm import lora_rank_slot

        kwargs["max_lora_rank"] = lora_rank_slot(cfg.lora_rank)
    return kwargs


def rollout_agent(engine: RolloutEngine, adapter: str | None = None, **chat_kwargs: Any) -> Any:
    """A token-in/token-out agent over `engine` (forked per episode by the rollout engine).

    `adapter` names a snapshot adapter added with `add_snapshot_adapter` (None: the current policy).
    """
    return engine.agent(adapter, **chat_kwargs)


def sync_weights(engine: RolloutEngine, model: Any) -> None:
    """Makes `engine` sample from `model`'s current weights (see the module docs)."""
    engine.sync(model)


def sleep_engine(engine: RolloutEngine, enabled: bool) -> None:
    """Puts the engine to sleep until the next `sync_weights` when `enabled` (vLLM; a no-op otherwise)."""
    if enabled:
        engine.sleep()


def add_snapshot_adapter(engine: RolloutEngine, model: Any, name: str, weights: dict[str, Any]) -> None:
    """Makes adapter weights `weights` (of LoRA `model`) playable as `name` by `engine` (once per name)."""
    engine.add_snapshot(name, model, weights)


def remove_snapshot_adapter(engine: RolloutEngine, model: Any, name: str) -> None:
    """Frees snapshot adapter `name` (from the peft model, or from vLLM)."""
    engine.remove_snapshot(name, model)


def hf_sync(model: Any, tokenizer: Any, **engine_kwargs: Any) -> RolloutEngine:
    """An `HFSync`: an `HFEngine` over `model` that is also a `RolloutEngine`."""
    return _hf_sync_class()(model, tokenizer, **engine_kwargs)


@functools.cache
def _hf_sync_class() -> type:
    """`HFSync`, defined on first use (`agora.agents.hf` imports transformers)."""
    from agora.agents.hf import HFEngine

    class HFSync(HFEngine):
        """An `HFEngine` the trainer syncs: it generates with the trainer's model object (or a merged copy)."""

        def agent(self, adapter: str | None = None, **chat_kwargs: Any) -> Any:
            """An `HFAgent` over this engine, on snapshot adapter `adapter` or the policy."""
            from agora.agents.hf import HFAgent

            return HFAgent(self, adapter=adapter, **chat_kwargs)

        def sync(self, model: Any) -> None:
            """The model's weights into the engine's model (nothing to copy when they are one object)."""
            if is_lora(model) and not is_lora(self.model):  # a merged copy (`merged_rollouts`)
                merge_into(self.model, model)
            elif self.model is not model:
                self.model.load_state_dict(model.state_dict())
            self.model.eval()

        def sleep(self) -> None:
            """Nothing to free: the engine shares the trainer's model."""

        def add_snapshot(self, name: str, model: Any, weights: dict[str, Any]) -> None:
            """Adds `weights` as peft adapter `name` of `model` (frozen), served in the same batches."""
            if name in model.peft_config:
                return
            model.add_adapter(name, model.peft_config["default"])
            load_trainable_state_as(model, weights, name)
            for param_name, param in model.named_parameters():
                if f".{name}." in param_name:
                    param.requires_grad_(False)

        def remove_snapshot(self, name: str, model: Any) -> None:
            """Deletes peft adapter `name` from `model`."""
            if name in model.peft_config:
                model.delete_adapter(name)

    return HFSync


def load_trainable_state_as(model: Any, weights: dict[str, Any], adapter: str) -> None:
    """Loads adapter `weights` (as saved by `trainable_state`) into `model`'s adapter `adapter`."""
    from agora._optional import require

    peft = require("peft", "train")
    peft.set_peft_model_state_dict(model, weights, adapter_name=adapter)


class VLLMSync:
    """A `VLLMBackend` over a saved copy of the policy, updated through vLLM's APIs after each step.

    Full fine-tuning: `push` sends every parameter to vLLM's workers through its weight-update API
    (`VLLMBackend.push_weights`: CUDA IPC when the model is on a GPU, shared-memory safetensors chunks
    otherwise; no closure, no pickled state dict). LoRA: `push` saves the adapter (megabytes) and
    reloads it in place as the ``policy`` LoRA every policy request names. Both reset the prefix cache.

    Args:
        model: the trainer's policy (a peft model for LoRA).
        tokenizer: its tokenizer.
        seed: the engine's seed (and the checkpointed RNG, like `HFEngine`'s).
        **engine_kwargs: `VLLMBackend` arguments.
    """

    def __init__(self, model: Any, tokenizer: Any, seed: int = 0, **engine_kwargs: Any):
        from agora.agents.vllm import VLLMBackend

        self._dir = Path(tempfile.mkdtemp(prefix="agora-vllm-"))
        self.lora = is_lora(model)
        base = model.get_base_model() if self.lora else model
        state = None
        if self.lora:  # the base weights under their own names (peft wraps each layer as `base_layer`)
            state = {k.replace(".base_layer", ""): v for k, v in base.state_dict().items() if "lora_" not in k}
        base.save_pretrained(self._dir / "base", state_dict=state)
        tokenizer.save_pretrained(self._dir / "base")
        if self.lora:
            engine_kwargs.setdefault("enable_lora", True)
            engine_kwargs.setdefault("max_loras", 8)
        else:
            on_gpu = str(next(model.parameters()).device).startswith("cuda")
            engine_kwargs.setdefault("weight_transfer", "ipc" if on_gpu else "agora_shm")
        self.backend = VLLMBackend(self._dir / "base", seed=seed, **engine_kwargs)
        self._rng = np.random.default_rng(seed)  # checkpointed like HFEngine's
        self.snapshots: dict[str, str] = {}
        if self.lora:
            self.push(model)

    def lora_name(self, adapter: str | None) -> str | None:
        """The vLLM LoRA name a request uses: a snapshot's, the policy's, or None (full fine-tuning)."""
        if adapter is not None:
            return self.snapshots[adapter]
        return "policy" if self.lora else None

    def push(self, model: Any) -> None:
        """The model's current weights into vLLM (see the class docs); wakes a sleeping engine first."""
        self.backend.wake_up()
        if not self.lora:
            self.backend.push_weights(model)
            return
        path = self._dir / "policy"
        model.save_pretrained(path, selected_adapters=["default"])
        self.backend.set_lora("policy", path)

    def add_snapshot(self, name: str, model: Any, weights: dict[str, Any]) -> None:
        """Registers adapter `weights` as LoRA `name` (saved once) for snapshot agents."""
        if name in self.snapshots:
            return
        current = {k: v.detach().cpu().clone() for k, v in trainable_state(model).items()}
        load_trainable_state(model, weights)
        path = self._dir / name
        model.save_pretrained(path, selected_adapters=["default"])
        load_trainable_state(model, current)
        self.snapshots[name] = f"snap-{name}"
        self.backend.set_lora(self.snapshots[name], path)

    def agent(self, adapter: str | None = None, **chat_kwargs: Any) -> Any:
        """A `VLLMAgent` on this backend, naming the snapshot's or the policy's LoRA."""
        from agora.agents.vllm import VLLMAgent

        return VLLMAgent(self.backend, lora=self.lora_name(adapter), **chat_kwargs)

    def sync(self, model: Any) -> None:
        """The model's current weights into vLLM (`push`)."""
        self.push(model)

    def sleep(self) -> None:
        """Puts vLLM to sleep until the next `sync`."""
        self.backend.sleep()

    def remove_snapshot(self, name: str, model: Any = None) -> None:
        """Unloads snapshot `name` from vLLM and deletes its files."""
        lora = self.snapshots.pop(name, None)
        if lora is not None:
            self.backend.remove_lora(lora)
            shutil.rmtree(self._dir / name, ignore_errors=True)

    def close(self) -> None:
        """Shuts vLLM down and deletes the saved weights."""
        self.backend.close()
        shutil.rmtree(self._dir, ignore_errors=True)

"""Building the policy: a tiny local model, SmolLM2 or a transformers checkpoint, optionally with LoRA (peft).

Placement and precision: `resolve_device` picks CUDA when present (``"auto"``), `resolve_precision` follows
`agora.hardware` (bf16 on CUDA and on CPUs with fast bf16, else fp32); with ``precision="bf16"``
full fine-tuning keeps fp32 master weights (the optimizer updates fp32 tensors) and runs the forward
pass under bf16 autocast (`autocast`), while LoRA keeps the frozen base in bf16 and the adapter in fp32.

References without copies: for a LoRA model the KL reference is the same model with its adapter toggled
off (`reference_model`, peft's ``disable_adapter()``), so no second model is ever held; only full
fine-tuning keeps a frozen copy (`frozen_copy`).
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Iterator
from typing import Any

from agora._optional import require
from agora.hardware import choose_precision
from agora.hardware import resolve_device as resolve_device  # the trainer's name for it, re-exported


def resolve_precision(precision: str, device: str) -> str:
    """``"fp32"`` or ``"bf16"`` by `agora.hardware.choose_precision` (``"auto"``: bf16 where it is fast)."""
    return choose_precision(precision, device)


def resolve_model_name(name: str) -> str:
    """``"smollm2"`` -> the local SmolLM2-135M-Instruct checkpoint path; other names pass through."""
    if name == "smollm2":
        from agora.agents.local_models import smollm2

        return str(smollm2())
    return name


def build_model(
    name: str,
    model_kwargs: dict[str, Any],
    lora_rank: int = 0,
    *,
    device: str = "cpu",
    precision: str = "fp32",
    gradient_checkpointing: bool = False,
) -> tuple[Any, Any]:
    """(model, tokenizer) on `device`, trainable weights in fp32 (see the module docs).

    Args:
        name: ``"tiny"`` builds `tiny_model(**model_kwargs)`; ``"smollm2"`` or a checkpoint path loads it.
        model_kwargs: `tiny_model` arguments, or extra ``from_pretrained`` arguments.
        lora_rank: > 0 wraps the model in a LoRA adapter of this rank on every linear layer.
        device: a resolved device name (``"cpu"``, ``"cuda"``, ``"cuda:1"``).
        precision: ``"fp32"`` or ``"bf16"`` (a resolved precision).
        gradient_checkpointing: recompute activations in the backward pass.
    """
    torch = require("torch", "train")
    transformers = require("transformers", "train")
    base_dtype = torch.bfloat16 if precision == "bf16" and lora_rank > 0 else torch.float32
    if name == "tiny":
        from agora.agents.local_models import tiny_model

        model, tokenizer = tiny_model(**model_kwargs)
    else:
        path = resolve_model_name(name)
        tokenizer = transformers.AutoTokenizer.from_pretrained(path)
        model = transformers.AutoModelForCausalLM.from_pretrained(path, **{"dtype": base_dtype, **model_kwargs})
    model = model.to(device=device, dtype=base_dtype)
    if gradient_checkpointing:
        if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.20
            model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if lora_rank > 0:
        peft = require("peft", "train")
        config = peft.LoraConfig(
            r=lora_rank, lora_alpha=2 * lora_rank, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM"
        )
        with warnings.catch_warnings():  # peft reads the attribute transformers deprecated; nothing to act on here
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
            model = peft.get_peft_model(model, config)
        for param in model.parameters():
            if param.requires_grad:
                param.data = param.data.float()  # fp32 adapter over a bf16 base
    return model, tokenizer


def is_lora(model: Any) -> bool:
    """Whether `model` is a peft model (its trainable weights are an adapter)."""
    return hasattr(model, "peft_config")


def model_device(model: Any) -> Any:
    """The device of `model`'s first parameter."""
    return next(model.parameters()).device


def autocast(model: Any, precision: str) -> Any:
    """A bf16 autocast context on `model`'s device when `precision` is ``"bf16"``, else a no-op context."""
    if precision != "bf16":
        return contextlib.nullcontext()
    torch = require("torch", "train")
    return torch.autocast(device_type=model_device(model).type, dtype=torch.bfloat16)


def trainable_state(model: Any) -> dict[str, Any]:
    """The weights training changes: the LoRA adapter for a peft model, else the full state dict."""
    if is_lora(model):
        peft = require("peft", "train")
        return peft.get_peft_model_state_dict(model)
    return model.state_dict()


def load_trainable_state(model: Any, state: dict[str, Any]) -> None:
    """Loads what `trainable_state` returned."""
    if is_lora(model):
        peft = require("peft", "train")
        peft.set_peft_model_state_dict(model, state)
    else:
        model.load_state_dict(state)


def adapter_copy(model: Any) -> dict[str, Any]:
    """A detached CPU copy of a LoRA model's adapter weights (a self-play snapshot without a model copy)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in trainable_state(model).items()}


def frozen_copy(model: Any) -> Any:
    """A detached copy in eval mode with no gradients (full fine-tuning's KL reference and snapshots)."""
    clone = copy.deepcopy(model).eval()
    for p in clone.parameters():
        p.requires_grad_(False)
    return clone


@contextlib.contextmanager
def reference_model(model: Any, reference: Any) -> Iterator[Any]:
    """The model to score the KL reference with: `model` with its LoRA adapter off, else `reference`.

    Args:
        model: the policy.
        reference: the frozen copy of full fine-tuning (ignored for a LoRA model, whose reference is
            its base: the adapter toggled off for the duration of the block).
    """
    if is_lora(model):
        with model.disable_adapter():
            yield model
    else:
        yield reference

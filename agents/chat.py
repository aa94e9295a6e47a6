"""`ChatAgent`: the conversation, the history policy and action extraction shared by LLM backends.

**Conversation.** The first turn is the *task*: a system message (``system_prompt``, else the env's
``info["instructions"]``) and the first observation as a user message. Each later observation is
one more user message; each reply one assistant message.

**History policy.** ``history="full"`` keeps every turn; ``history="last_k"`` keeps the task plus
the last ``last_k`` exchanges (reply + the observation that answered it).

**Token in / token out** (`TokenChatAgent`, used by the transformers and vLLM backends). The
prompt is kept as token ids, never re-tokenised: the task is tokenised once through the chat
template; after each reply, the sampled completion ids are appended as they are, followed by the
tokens of what the template adds after a reply and around the next user message. So the prompt of
turn t+1 starts with the prompt of turn t plus the completion of turn t (in ``"full"`` mode), and
a template that drops earlier reasoning (Qwen3) cannot change what the model saw.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from agora.agent import Agent, AgentReply
from agora.agents.images import observation_content, observation_text
from agora.agents.parsing import extract_action

_MARK = "\u2063AGORA\u2063"


@dataclasses.dataclass
class SamplingParams:
    """How a backend samples: `temperature` 0 is greedy; logprobs are under this distribution."""

    temperature: float = 1.0
    max_new_tokens: int = 64
    top_p: float = 1.0

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")


@dataclasses.dataclass
class Completion:
    """What a backend returns for one prompt."""

    text: str
    token_ids: list[int] | None = None
    logprobs: list[float] | None = None
    finish_reason: str = "stop"
    prompt_token_ids: list[int] | None = None
    tool_calls: list[dict[str, Any]] | None = None


class ChatAgent(Agent):
    """Base of LLM agents: keeps the conversation and turns replies into `AgentReply` actions.

    Args:
        system_prompt: the system message; None uses the env's ``info["instructions"]``.
        history: ``"full"`` or ``"last_k"`` (the task plus the last `last_k` exchanges).
        last_k: exchanges kept in ``"last_k"`` mode.
        action_mode: force ``"move"``, ``"tools"`` or ``"text"``; None picks it from `info`.
        sampling: the `SamplingParams`.
    """

    name = "chat"
    sends_images: bool = False
    """Whether a screenshot in an observation (``{"text", "image"}``) goes to the model as an image part;
    text-only backends send the observation's text."""

    def __init__(
        self,
        *,
        system_prompt: str | None = None,
        history: str = "full",
        last_k: int = 4,
        action_mode: str | None = None,
        sampling: SamplingParams | None = None,
    ):
        if history not in ("full", "last_k"):
            raise ValueError(f"history must be 'full' or 'last_k', got {history!r}")
        if last_k < 0:
            raise ValueError(f"last_k must be >= 0, got {last_k}")
        self.system_prompt = system_prompt
        self.history = history
        self.last_k = last_k
        self.action_mode = action_mode
        self.sampling = sampling or SamplingParams()
        self.messages: list[dict[str, Any]] = []
        self.tools: list[dict[str, Any]] | None = None
        self.reset()

    def reset(self, seed: int | None = None) -> None:
        """Starts a new conversation; a seed fixes the samples of the episode (see `next_request_seed`)."""
        self.messages = []
        self.tools = None
        self.episode_seed = seed
        self._requests = 0

    def next_request_seed(self) -> int | None:
        """The sampling seed of the next request: from the episode seed and the request's index, or None.

        Backends that take a per-request seed (`HFEngine`) then sample the same replies for the same
        seed however requests are batched; None leaves the choice to the backend.
        """
        from agora.agents.sampling import request_seed

        seed = getattr(self, "episode_seed", None)
        if seed is None:
            return None
        self._requests += 1
        return request_seed(seed, self._requests)

    def fork(self) -> ChatAgent:
        """A copy with an empty conversation that shares the model/backend."""
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.reset()
        return new

    def _add_observation(self, observation: str, info: Mapping[str, Any]) -> None:
        if not self.messages:
            system = self.system_prompt if self.system_prompt is not None else info.get("instructions")
            if system:
                self.messages.append({"role": "system", "content": str(system)})
            self.tools = list(info["tools"]) if info.get("tools") else None
        self.messages.append({"role": "user", "content": observation_content(observation, self.sends_images)})

    def visible_messages(self) -> list[dict[str, Any]]:
        """The messages the model sees now, after the history policy."""
        if self.history == "full":
            return list(self.messages)
        head = 2 if self.messages and self.messages[0]["role"] == "system" else 1
        tail = self.messages[head:]
        keep = 2 * self.last_k + 1
        return self.messages[:head] + tail[-keep:] if len(tail) > keep else list(self.messages)

    def _reply(self, completion: Completion, prompt_ids: list[int] | None, info: Mapping[str, Any]) -> AgentReply:
        message: dict[str, Any] = {"role": "assistant", "content": completion.text}
        if completion.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{k}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for k, c in enumerate(completion.tool_calls)
            ]
        self.messages.append(message)
        parsed = extract_action(completion.text, info, mode=self.action_mode, tool_calls=completion.tool_calls)
        meta = {"finish_reason": completion.finish_reason, "temperature": self.sampling.temperature}
        return AgentReply(
            parsed.action,
            text=completion.text,
            prompt_token_ids=prompt_ids,
            completion_token_ids=completion.token_ids,
            completion_logprobs=completion.logprobs,
            valid=parsed.valid,
            error=parsed.error,
            tool_calls=parsed.tool_calls,
            meta=meta,
        )

    def act(self, observation: str, info: Mapping[str, Any]) -> AgentReply:
        """Adds the observation, samples a reply, extracts the action."""
        self._add_observation(observation, info)
        prompt_ids = self._prompt_ids()
        completion = self._complete(prompt_ids)
        return self._after(completion, prompt_ids, info)

    async def aact(self, observation: str, info: Mapping[str, Any]) -> AgentReply:
        """Async `act`: concurrent calls of forks are batched by the backend."""
        self._add_observation(observation, info)
        prompt_ids = self._prompt_ids()
        completion = await self._acomplete(prompt_ids)
        return self._after(completion, prompt_ids, info)

    def _after(self, completion: Completion, prompt_ids: list[int] | None, info: Mapping[str, Any]) -> AgentReply:
        return self._reply(completion, completion.prompt_token_ids or prompt_ids, info)

    # Backend hooks -------------------------------------------------------------------------
    def _prompt_ids(self) -> list[int] | None:
        """Token ids of the prompt (None for backends that send messages)."""
        return None

    def _complete(self, prompt_ids: list[int] | None) -> Completion:
        raise NotImplementedError

    async def _acomplete(self, prompt_ids: list[int] | None) -> Completion:
        return await asyncio.to_thread(self._complete, prompt_ids)


class TokenChatAgent(ChatAgent):
    """A `ChatAgent` whose backend takes token ids: keeps the prompt as token segments (module docs).

    Subclasses set `self.tokenizer` (a transformers tokenizer with a chat template).
    """

    tokenizer: Any

    def reset(self, seed: int | None = None) -> None:
        """Starts a new conversation (and forgets its token segments)."""
        if self.history == "last_k" and self.last_k < 1:
            # The current observation travels in the last exchange's segment: with none kept the model
            # would see the first observation forever.
            raise ValueError("token-level history keeps at least the last exchange: last_k must be >= 1")
        super().reset(seed)
        self._task_ids: list[int] = []
        self._exchanges: list[tuple[list[int], list[int]]] = []
        self._pending: list[int] | None = None

    def _render(self, messages: list[dict[str, Any]], generation_prompt: bool) -> str:
        return self.tokenizer.apply_chat_template(
            messages, tools=self.tools, tokenize=False, add_generation_prompt=generation_prompt
        )

    def _encode(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _next_user_ids(self, content: str, completion_ids: list[int] | None) -> list[int]:
        """Tokens after a reply: the template's closing of the reply, then the new user turn."""
        dummy = [{"role": "user", "content": "u"}, {"role": "assistant", "content": _MARK}]
        base = self._render(dummy, False)
        closing = base[base.rindex(_MARK) + len(_MARK) :]
        full = self._render([*dummy, {"role": "user", "content": content}], True)
        if not full.startswith(base):
            raise ValueError(
                "The chat template renders earlier turns differently once a turn is added; "
                "token-level history cannot be built for it."
            )
        eos = self.tokenizer.eos_token
        sampled_eos = bool(completion_ids) and completion_ids[-1] == self.tokenizer.eos_token_id
        if sampled_eos and eos and closing.startswith(eos):
            closing = closing[len(eos) :]
        return self._encode(closing + full[len(base) :])

    def _add_observation(self, observation: str, info: Mapping[str, Any]) -> None:
        first = not self.messages
        super()._add_observation(observation, info)
        if first:
            self._task_ids = self._encode(self._render(self.messages, True))
        elif self._pending is not None:
            delta = self._next_user_ids(observation_text(observation), self._pending)
            self._exchanges.append((self._pending, delta))
        self._pending = None

    def _prompt_ids(self) -> list[int]:
        kept = self._exchanges if self.history == "full" else self._exchanges[-self.last_k :] if self.last_k else []
        ids = list(self._task_ids)
        for completion, delta in kept:
            ids += completion + delta
        return ids

    def _after(self, completion: Completion, prompt_ids: list[int] | None, info: Mapping[str, Any]) -> AgentReply:
        self._pending = list(completion.token_ids or [])
        return super()._after(completion, prompt_ids, info)

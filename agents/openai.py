"""`OpenAIAgent`: any OpenAI-compatible chat-completions endpoint (vLLM, SGLang, hosted APIs, `serve-model`).

The agent sends the visible messages (after the history policy; a screenshot observation becomes a text
part plus an ``image_url`` part holding a PNG data URL, as vision servers expect) with ``logprobs: true`` and, when
the env offers tools, ``tools`` for native tool calling; the reply's ``tool_calls`` become the action.
Token ids are recorded when the server returns them (``prompt_token_ids`` and
``choices[0].token_ids``, as vLLM does with ``return_token_ids`` and `agora serve-model` always
does); otherwise only the text and logprobs are. Over HTTP the server tokenises the messages
itself, so prompt tokens are the server's, recorded as returned, never re-tokenised here.
Requests go through the standard library (no SDK), from a thread pool shared by an agent's forks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import urllib.error
import urllib.request
from typing import Any

from agora.agents.chat import ChatAgent, Completion
from agora.agents.parsing import from_openai_tool_calls
from agora.errors import AgoraError


class EndpointError(AgoraError):
    """The endpoint answered with an error status or an unreadable body."""


class OpenAIAgent(ChatAgent):
    """An LLM agent over an OpenAI-compatible endpoint.

    Args:
        base_url: the API root, e.g. ``http://127.0.0.1:8000/v1``.
        model: the model name to request (None: the first one ``GET /models`` lists).
        api_key: bearer token (default ``$OPENAI_API_KEY``; none for local servers).
        timeout_s: per-request HTTP timeout.
        seed: sent as the request ``seed`` (servers that support it sample reproducibly).
        images: send the screenshot of a pixel observation (``{"text", "image"}``: ``gui/``, ``desktop/``) as an
            ``image_url`` content part (a PNG data URL) next to its text, for vision models; False sends the text.
        **chat_kwargs: `ChatAgent` options (history, sampling, ...).
    """

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        seed: int | None = None,
        images: bool = True,
        max_workers: int = 64,
        **chat_kwargs: Any,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.timeout_s = timeout_s
        self.seed = seed
        self.sends_images = images
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers, thread_name_prefix="agora-openai")
        self.model = model or self._first_model()
        super().__init__(**chat_kwargs)
        self.name = f"openai:{self.model}"

    def _http(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.base_url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace")[:500]
            raise EndpointError(f"{method} {self.base_url}{path} -> HTTP {e.code}: {detail}") from e
        except (urllib.error.URLError, json.JSONDecodeError) as e:
            raise EndpointError(f"{method} {self.base_url}{path} failed: {e}. Is the server running?") from e

    def _first_model(self) -> str:
        models = self._http("GET", "/models").get("data") or []
        if not models:
            raise EndpointError(f"{self.base_url}/models lists no model; pass model= (openai:URL#MODEL).")
        return str(models[0]["id"])

    def request_body(self) -> dict[str, Any]:
        """The chat-completions request for the current conversation."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": self.visible_messages(),
            "temperature": self.sampling.temperature,
            "top_p": self.sampling.top_p,
            "max_tokens": self.sampling.max_new_tokens,
            "logprobs": True,
            "return_token_ids": True,
        }
        if self.tools:
            body["tools"] = self.tools
        if self.seed is not None:
            body["seed"] = self.seed
        return body

    def _complete(self, prompt_ids: list[int] | None) -> Completion:
        return _completion(self._http("POST", "/chat/completions", self.request_body()))

    async def _acomplete(self, prompt_ids: list[int] | None) -> Completion:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._complete, prompt_ids)


def _completion(response: dict[str, Any]) -> Completion:
    """Reads an OpenAI chat-completions response (with vLLM's token-id extensions when present)."""
    try:
        choice = response["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError) as e:
        raise EndpointError(f"Unexpected chat-completions response: {json.dumps(response)[:300]}") from e
    content = (choice.get("logprobs") or {}).get("content")
    logprobs = [float(entry["logprob"]) for entry in content] if content else None
    calls = from_openai_tool_calls(message["tool_calls"]) if message.get("tool_calls") else None
    return Completion(
        text=message.get("content") or "",
        token_ids=choice.get("token_ids"),
        logprobs=logprobs,
        finish_reason=choice.get("finish_reason") or "stop",
        prompt_token_ids=response.get("prompt_token_ids"),
        tool_calls=calls,
    )

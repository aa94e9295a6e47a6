"""`agora serve-model PATH`: an OpenAI-compatible chat-completions server over an `HFEngine`.

Serves ``POST /v1/chat/completions`` and ``GET /v1/models`` on loopback by default, with the
standard library's threading HTTP server: each request runs in its own thread and the engine
batches requests that arrive together into one ``generate``. Request fields, as OpenAI defines them:

* ``messages``, ``model`` (a name the server does not serve gets a 404 that lists the served ones),
  ``temperature``, ``top_p``, ``max_tokens`` / ``max_completion_tokens``.
* ``n``: a group of ``n`` completions sampled from one prompt (one batched ``generate``), as GRPO needs.
* ``stop``: up to 4 strings; the text is cut before the first one (``finish_reason`` ``"stop"``). The
  engine stops at EOS or the token limit, so the cut happens after generation; the token ids and
  logprobs keep the tokens sampled up to the one that completed the stop string.
* ``tools`` / ``tool_choice``: tools go to the chat template; ``<tool_call>`` blocks (or a bare JSON
  call) in the reply are parsed by `agora.agents.parsing` and returned as OpenAI ``tool_calls``
  (``finish_reason`` ``"tool_calls"``). ``tool_choice="none"`` returns the text unparsed; a named
  function keeps only calls to it. Generation is not constrained: ``"required"`` cannot force a call.
* ``logprobs`` / ``top_logprobs`` (0..20): the sampled tokens' logprobs come from the engine (raw
  logits / temperature); the top alternatives from one teacher-forced forward pass over the prompt
  and completion under the same temperature.
* ``stream``: server-sent events in OpenAI's chunk format, one content chunk per token, then the
  finish chunk, ``usage`` when ``stream_options.include_usage``, and ``data: [DONE]``. The engine
  generates whole completions, so the chunks are sent once generation has finished.

Other OpenAI fields (``seed``, ``user``, ...) are accepted and ignored. Like vLLM, replies also carry
``prompt_token_ids`` and ``choices[i].token_ids`` so `OpenAIAgent` can record tokens exactly.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pydantic

from agora.agents.chat import Completion, SamplingParams
from agora.agents.hf import HFEngine
from agora.agents.parsing import parse_tool_calls, strip_reasoning
from agora.errors import AgoraError

MAX_N = 64
MAX_STOP_LENGTH = 256


class UnknownModelError(AgoraError):
    """The request names a model this server does not serve (answered with HTTP 404)."""


class ChatRequest(pydantic.BaseModel):
    """The fields of an OpenAI chat-completions request that the server uses (others are ignored)."""

    model_config = pydantic.ConfigDict(extra="ignore")
    messages: list[dict[str, Any]] = pydantic.Field(min_length=1)
    model: str | None = None
    temperature: float = pydantic.Field(1.0, ge=0, le=10)
    top_p: float = pydantic.Field(1.0, gt=0, le=1)
    max_tokens: int | None = pydantic.Field(None, ge=1)
    max_completion_tokens: int | None = pydantic.Field(None, ge=1)
    tools: list[dict[str, Any]] | None = None
    tool_choice: Literal["none", "auto", "required"] | dict[str, Any] | None = None
    logprobs: bool = False
    top_logprobs: int | None = pydantic.Field(None, ge=0, le=20)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    n: int = pydantic.Field(1, ge=1, le=MAX_N)
    stop: str | list[str] | None = None

    @pydantic.field_validator("stop")
    @classmethod
    def _check_stop(cls, stop: str | list[str] | None) -> list[str] | None:
        stops = [stop] if isinstance(stop, str) else stop
        if stops is None:
            return None
        if len(stops) > 4 or any(not s or len(s) > MAX_STOP_LENGTH for s in stops):
            raise ValueError(f"stop takes up to 4 non-empty strings of at most {MAX_STOP_LENGTH} characters")
        return stops

    @pydantic.model_validator(mode="after")
    def _check_logprobs(self) -> ChatRequest:
        if self.top_logprobs and not self.logprobs:
            raise ValueError("top_logprobs needs logprobs=true")
        return self

    def forced_function(self) -> str | None:
        """The function named by ``tool_choice={"type": "function", "function": {"name": ...}}``, if any."""
        if isinstance(self.tool_choice, dict):
            name = (self.tool_choice.get("function") or {}).get("name")
            return name if isinstance(name, str) else None
        return None


@dataclasses.dataclass
class Choice:
    """One finished completion of a request, ready to be written as JSON or as stream chunks."""

    index: int
    completion: Completion
    content: str | None
    tool_calls: list[dict[str, Any]]
    finish_reason: str
    logprobs: list[dict[str, Any]] | None = None


class ModelServer:
    """Owns the engine and answers parsed requests; `serve` runs the HTTP server.

    Args:
        engine: the batched transformers engine.
        model_name: the name ``GET /v1/models`` lists; requests must name it (or no model).
        default_max_tokens: the completion limit when a request sets none.
    """

    def __init__(self, engine: HFEngine, model_name: str, default_max_tokens: int = 256):
        self.engine = engine
        self.model_name = model_name
        self.default_max_tokens = default_max_tokens

    def check_model(self, request: ChatRequest) -> None:
        """Raises `UnknownModelError` (listing the served models) for a model this server lacks."""
        if request.model is not None and request.model != self.model_name:
            raise UnknownModelError(
                f"The model {request.model!r} does not exist on this server; served models: {[self.model_name]}"
            )

    def prompt_ids(self, request: ChatRequest) -> list[int]:
        """The request's messages (and tools) through the chat template, as token ids."""
        tokenizer = self.engine.tokenizer
        text = tokenizer.apply_chat_template(
            _template_messages(request.messages), tools=request.tools, tokenize=False, add_generation_prompt=True
        )
        return list(tokenizer(text, add_special_tokens=False)["input_ids"])

    def generate(self, request: ChatRequest) -> tuple[list[int], list[Choice]]:
        """Samples the request's ``n`` completions from one prompt; returns the prompt ids and the choices."""
        self.check_model(request)
        prompt = self.prompt_ids(request)
        limit = request.max_completion_tokens or request.max_tokens or self.default_max_tokens
        sampling = SamplingParams(temperature=request.temperature, top_p=request.top_p, max_new_tokens=limit)
        futures = [self.engine.submit(prompt, sampling) for _ in range(request.n)]
        return prompt, [self.choice(request, i, prompt, f.result()) for i, f in enumerate(futures)]

    def choice(self, request: ChatRequest, index: int, prompt: list[int], completion: Completion) -> Choice:
        """Applies ``stop``, parses tool calls and gathers logprobs for one completion."""
        if request.stop:
            completion = self._apply_stop(completion, request.stop)
        content: str | None = completion.text
        calls = self._tool_calls(request, completion.text)
        if calls:
            before = completion.text.partition("<tool_call>")[0].strip() if "<tool_call>" in completion.text else ""
            content = before or None
        finish = "tool_calls" if calls else completion.finish_reason
        logprobs = self._logprob_entries(request, prompt, completion) if request.logprobs else None
        return Choice(index, completion, content, calls, finish, logprobs)

    def complete(self, request: ChatRequest) -> dict[str, Any]:
        """Runs one chat-completions request (not streamed) and builds the OpenAI response body."""
        prompt, choices = self.generate(request)
        return self.body(request, prompt, choices)

    def body(self, request: ChatRequest, prompt: list[int], choices: list[Choice]) -> dict[str, Any]:
        """The ``chat.completion`` response body for finished choices."""
        out = []
        for c in choices:
            message: dict[str, Any] = {"role": "assistant", "content": c.content}
            if c.tool_calls:
                message["tool_calls"] = c.tool_calls
            choice: dict[str, Any] = {
                "index": c.index,
                "message": message,
                "token_ids": c.completion.token_ids,
                "finish_reason": c.finish_reason,
                "logprobs": {"content": c.logprobs} if c.logprobs is not None else None,
            }
            out.append(choice)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model_name,
            "choices": out,
            "prompt_token_ids": prompt,
            "usage": _usage(prompt, choices),
        }

    def stream(self, request: ChatRequest, prompt: list[int], choices: list[Choice]) -> Iterator[dict[str, Any]]:
        """The ``chat.completion.chunk`` objects of a streamed reply (see the module docs)."""
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model_name,
        }
        for c in choices:
            yield {
                **base,
                "choices": [_chunk(c.index, {"role": "assistant", "content": ""})],
                "prompt_token_ids": prompt,
            }
            for piece, token_id, entry in self._pieces(c):
                chunk = _chunk(c.index, {"content": piece}, token_ids=[token_id])
                if entry is not None:
                    chunk["logprobs"] = {"content": [entry]}
                yield {**base, "choices": [chunk]}
            if c.tool_calls:
                calls = [{"index": i, **call} for i, call in enumerate(c.tool_calls)]
                yield {**base, "choices": [_chunk(c.index, {"tool_calls": calls})]}
            yield {**base, "choices": [_chunk(c.index, {}, finish_reason=c.finish_reason)]}
        if (request.stream_options or {}).get("include_usage"):
            yield {**base, "choices": [], "usage": _usage(prompt, choices)}

    def _pieces(self, c: Choice) -> Iterator[tuple[str, int, dict[str, Any] | None]]:
        """(text piece, token id, logprob entry) per completion token; the pieces join to the content."""
        ids = c.completion.token_ids or []
        content = c.content or ""
        decode = self.engine.tokenizer.decode
        previous = ""
        for k, token_id in enumerate(ids):
            current = decode(ids[: k + 1], skip_special_tokens=True)[: len(content)]
            piece = current[len(previous) :] if current.startswith(previous) else ""
            previous += piece
            if k == len(ids) - 1:
                piece += content[len(previous) :]
            yield piece, token_id, c.logprobs[k] if c.logprobs is not None else None

    def _apply_stop(self, completion: Completion, stops: list[str]) -> Completion:
        hits = [i for i in (completion.text.find(s) for s in stops) if i >= 0]
        if not hits:
            return completion
        cut = min(hits)
        ids = completion.token_ids or []
        keep = len(ids)
        for k in range(1, len(ids) + 1):  # the first prefix whose text reaches past the stop string's start
            if len(self.engine.tokenizer.decode(ids[:k], skip_special_tokens=True)) > cut:
                keep = k
                break
        logprobs = completion.logprobs[:keep] if completion.logprobs is not None else None
        return dataclasses.replace(
            completion, text=completion.text[:cut], token_ids=ids[:keep], logprobs=logprobs, finish_reason="stop"
        )

    def _tool_calls(self, request: ChatRequest, text: str) -> list[dict[str, Any]]:
        if not request.tools or request.tool_choice == "none":
            return []
        try:
            calls = parse_tool_calls(strip_reasoning(text)[1])
        except ValueError:  # a malformed call stays in the content, as text
            return []
        forced = request.forced_function()
        return [
            {
                "id": f"call_{uuid.uuid4().hex[:24]}",
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
            }
            for c in calls
            if forced is None or c["name"] == forced
        ]

    def _logprob_entries(self, request: ChatRequest, prompt: list[int], completion: Completion) -> list[dict]:
        ids = completion.token_ids or []
        top = self._top_logprobs(prompt, ids, request.temperature, request.top_logprobs or 0)
        entries = []
        for k, (token_id, logprob) in enumerate(zip(ids, completion.logprobs or [], strict=True)):
            entry = _token_entry(self._token(token_id), logprob)
            entry["top_logprobs"] = [_token_entry(self._token(t), lp) for t, lp in top[k]] if top else []
            entries.append(entry)
        return entries

    def _token(self, token_id: int) -> str:
        return self.engine.tokenizer.decode([token_id])

    def _top_logprobs(self, prompt: list[int], ids: list[int], temperature: float, k: int) -> list[list]:
        """Per completion position, the `k` most likely (token id, logprob) under the sampling temperature."""
        if k == 0 or not ids:
            return []
        torch = self.engine.torch
        with torch.no_grad():
            tokens = torch.tensor([prompt + ids], device=self.engine.device)
            logits = self.engine.model(input_ids=tokens).logits[0, len(prompt) - 1 : len(prompt) - 1 + len(ids)]
            logp = torch.log_softmax(logits.float() / (temperature if temperature > 0 else 1.0), dim=-1)
            values, indices = logp.topk(k, dim=-1)
        return [list(zip(i.tolist(), v.tolist(), strict=True)) for i, v in zip(indices, values, strict=True)]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """A request handler class bound to this server."""
        return _make_handler(self)

    def serve(self, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
        """Binds the HTTP server (port 0 picks a free one); call `serve_forever` on the result."""
        httpd = ThreadingHTTPServer((host, port), self.handler())
        httpd.daemon_threads = True
        return httpd

    def serve_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
        """Starts serving in a daemon thread; returns the server and its base URL (``.../v1``)."""
        httpd = self.serve(host, port)
        threading.Thread(target=httpd.serve_forever, daemon=True, name="agora-serve-model").start()
        return httpd, f"http://{host}:{httpd.server_address[1]}/v1"


def _template_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI messages as chat templates expect them: text parts joined, tool-call arguments as dicts."""
    out = []
    for message in messages:
        message = dict(message)
        if isinstance(message.get("content"), list):
            message["content"] = "".join(
                p.get("text", "") for p in message["content"] if isinstance(p, dict) and p.get("type") == "text"
            )
        if message.get("tool_calls"):
            message["tool_calls"] = [_dict_arguments(c) for c in message["tool_calls"]]
        out.append(message)
    return out


def _dict_arguments(call: dict[str, Any]) -> dict[str, Any]:
    function = dict(call.get("function") or {})
    if isinstance(function.get("arguments"), str):
        try:
            function["arguments"] = json.loads(function["arguments"])
        except json.JSONDecodeError:
            pass  # the template renders the string as it is
    return {**call, "function": function}


def _token_entry(token: str, logprob: float) -> dict[str, Any]:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode("utf-8"))}


def _chunk(index: int, delta: dict[str, Any], *, finish_reason: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason, **extra}


def _usage(prompt: list[int], choices: list[Choice]) -> dict[str, int]:
    n_out = sum(len(c.completion.token_ids or []) for c in choices)
    return {"prompt_tokens": len(prompt), "completion_tokens": n_out, "total_tokens": len(prompt) + n_out}


def _error(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _make_handler(server: ModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_events(self, events: Iterator[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def do_GET(self) -> None:  # noqa: N802 (stdlib name)
            if self.path.rstrip("/") == "/v1/models":
                model = {"id": server.model_name, "object": "model", "created": 0, "owned_by": "agora"}
                self._send(200, {"object": "list", "data": [model]})
            else:
                self._send(404, _error(f"no route {self.path}", "not_found"))

        def do_POST(self) -> None:  # noqa: N802 (stdlib name)
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, _error(f"no route {self.path}", "not_found"))
                return
            try:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = ChatRequest.model_validate_json(raw)
                prompt, choices = server.generate(request)
            except UnknownModelError as e:
                self._send(404, _error(str(e), "invalid_request_error", "model_not_found"))
                return
            except (pydantic.ValidationError, ValueError) as e:
                self._send(400, _error(str(e), "invalid_request_error"))
                return
            except Exception as e:  # the engine failed: report it, keep serving
                self._send(500, _error(f"{type(e).__name__}: {e}", "server_error"))
                return
            if request.stream:
                self._send_events(server.stream(request, prompt, choices))
            else:
                self._send(200, server.body(request, prompt, choices))

    return Handler

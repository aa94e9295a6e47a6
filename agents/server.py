"""`agora serve-model PATH`: an OpenAI-compatible chat-completions server over an `HFEngine`.

Serves ``POST /v1/chat/completions`` and ``GET /v1/models`` on loopback by default, with the
standard library's threading HTTP server: each request runs in its own thread and the engine
batches requests that arrive together into one ``generate``. Supported request fields:
``messages``, ``model``, ``temperature``, ``top_p``, ``max_tokens`` / ``max_completion_tokens``,
``tools`` (passed to the chat template; ``<tool_call>`` blocks in the reply come back as
OpenAI ``tool_calls``), ``logprobs``. Other OpenAI fields are accepted and ignored; ``stream``
and ``n > 1`` are refused with a 400. Like vLLM, replies also carry ``prompt_token_ids`` and
``choices[0].token_ids`` so `OpenAIAgent` can record tokens exactly.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pydantic

from agora.agents.chat import Completion, SamplingParams
from agora.agents.hf import HFEngine
from agora.agents.parsing import parse_tool_calls, strip_reasoning


class ChatRequest(pydantic.BaseModel):
    """The fields of an OpenAI chat-completions request that the server uses (others are ignored)."""

    model_config = pydantic.ConfigDict(extra="ignore")
    messages: list[dict[str, Any]]
    model: str | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    tools: list[dict[str, Any]] | None = None
    logprobs: bool = False
    stream: bool = False
    n: int = 1


class ModelServer:
    """Owns the engine and answers parsed requests; `serve` runs the HTTP server."""

    def __init__(self, engine: HFEngine, model_name: str, default_max_tokens: int = 256):
        self.engine = engine
        self.model_name = model_name
        self.default_max_tokens = default_max_tokens

    def complete(self, request: ChatRequest) -> dict[str, Any]:
        """Runs one chat completion and builds the OpenAI response body."""
        if request.stream or request.n != 1:
            raise ValueError("this server supports neither stream=true nor n > 1")
        tokenizer = self.engine.tokenizer
        prompt_text = tokenizer.apply_chat_template(
            request.messages, tools=request.tools, tokenize=False, add_generation_prompt=True
        )
        prompt = list(tokenizer(prompt_text, add_special_tokens=False)["input_ids"])
        limit = request.max_completion_tokens or request.max_tokens or self.default_max_tokens
        sampling = SamplingParams(temperature=request.temperature, top_p=request.top_p, max_new_tokens=limit)
        completion = self.engine.submit(prompt, sampling).result()
        return self._body(request, prompt, completion)

    def _body(self, request: ChatRequest, prompt: list[int], completion: Completion) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": completion.text}
        if request.tools:
            try:
                calls = parse_tool_calls(strip_reasoning(completion.text)[1])
            except ValueError:
                calls = []
            if calls:
                message["tool_calls"] = [
                    {
                        "id": f"call_{uuid.uuid4().hex[:12]}",
                        "type": "function",
                        "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                    }
                    for c in calls
                ]
        choice: dict[str, Any] = {
            "index": 0,
            "message": message,
            "token_ids": completion.token_ids,
            "finish_reason": "tool_calls" if "tool_calls" in message else completion.finish_reason,
        }
        if request.logprobs:
            choice["logprobs"] = {"content": self._logprob_entries(completion)}
        n_out = len(completion.token_ids or [])
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.model or self.model_name,
            "choices": [choice],
            "prompt_token_ids": prompt,
            "usage": {
                "prompt_tokens": len(prompt),
                "completion_tokens": n_out,
                "total_tokens": len(prompt) + n_out,
            },
        }

    def _logprob_entries(self, completion: Completion) -> list[dict[str, Any]]:
        tokenizer = self.engine.tokenizer
        entries = []
        for token_id, logprob in zip(completion.token_ids or [], completion.logprobs or [], strict=True):
            token = tokenizer.decode([token_id])
            entries.append(
                {"token": token, "logprob": logprob, "bytes": list(token.encode("utf-8")), "top_logprobs": []}
            )
        return entries

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

        def do_GET(self) -> None:  # noqa: N802 (stdlib name)
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": server.model_name, "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:  # noqa: N802 (stdlib name)
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            try:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = ChatRequest.model_validate_json(raw)
                self._send(200, server.complete(request))
            except (pydantic.ValidationError, ValueError) as e:
                self._send(400, {"error": {"message": str(e), "type": "invalid_request_error"}})
            except Exception as e:  # the engine failed: report it, keep serving
                self._send(500, {"error": {"message": f"{type(e).__name__}: {e}", "type": "server_error"}})

    return Handler

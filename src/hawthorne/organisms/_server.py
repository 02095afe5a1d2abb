"""A small OpenAI-compatible HTTP server for Hawthorne's own targets, on loopback.

It speaks ``POST /v1/chat/completions`` and ``GET /v1/models`` well enough for the official
``openai`` client and Inspect's ``openai-api`` provider, so the real HTTP path can be tested and
benchmarked offline.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Message = dict[str, str]
AnswerFn = Callable[[str, Sequence[Message]], str]
"""Maps (model name, messages as ``{"role", "content"}``) to an answer text."""

ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})

GENERATION_KEYS = ("temperature", "top_p", "max_tokens", "max_completion_tokens", "seed")
"""Request fields the server records per completion (:attr:`ChatServer.generation`)."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Keep the console quiet; requests are counted instead."""

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away; nothing to answer

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        """List the served models."""
        if self.path.rstrip("/") != "/v1/models":
            return self._error(404, f"no route {self.path}")
        models = [{"id": m, "object": "model", "owned_by": "hawthorne"} for m in self.server.models]
        self._send(200, {"object": "list", "data": models})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        """Answer one chat completion."""
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"no route {self.path}")
        try:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"null")
            model = request["model"]
            messages = [
                {"role": str(m.get("role", "user")), "content": _text(m.get("content"))}
                for m in request["messages"]
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            return self._error(400, "body must be JSON with 'model' and 'messages'")
        if not isinstance(model, str) or not messages:
            return self._error(400, "'model' must be a string and 'messages' a non-empty list")
        unknown = sorted({m["role"] for m in messages} - ROLES)
        if unknown:
            return self._error(400, f"unknown message role(s): {', '.join(unknown)}")
        if model not in self.server.models:
            return self._error(
                404, f"model {model!r} not served; try {', '.join(self.server.models)}"
            )
        if self.server.latency:
            time.sleep(self.server.latency)
        try:
            answer = self.server.answer(model, messages)
        except Exception as err:  # the server must outlive a failing target
            return self._error(500, f"target failed: {err}")
        self.server.count({k: request[k] for k in GENERATION_KEYS if k in request})
        prompt_tokens = sum(len(m["content"].split()) for m in messages)
        completion_tokens = len(answer.split())
        self._send(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, models: Sequence[str], answer: AnswerFn, latency: float) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.models = list(models)
        self.answer = answer
        self.latency = latency
        self.requests = 0
        self.generation: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def count(self, generation: dict[str, Any]) -> None:
        with self._lock:
            self.requests += 1
            self.generation.append(generation)


class ChatServer:
    """An OpenAI-compatible server on 127.0.0.1, run in a background thread.

    Use as a context manager; ``base_url`` is what ``<NAME>_BASE_URL`` should be set to.

    Args:
        models: Model names served.
        answer: Produces an answer from (model, messages).
        port: Port (0 picks a free one).
        latency: Seconds each completion waits before answering (to mimic a remote model).
    """

    def __init__(
        self, models: Sequence[str], answer: AnswerFn, port: int = 0, latency: float = 0.0
    ) -> None:
        self._server = _Server(port, models, answer, latency)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The server's ``/v1`` base URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def requests(self) -> int:
        """Completions answered so far."""
        return self._server.requests

    @property
    def generation(self) -> list[dict[str, Any]]:
        """Per answered completion, the generation settings its request carried.

        The :data:`GENERATION_KEYS` present in each request's body, in answering order.
        """
        return list(self._server.generation)

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

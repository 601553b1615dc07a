"""The sandbox as an ASGI application (Starlette), and ``serve`` under uvicorn."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._http import SandboxRequest

if TYPE_CHECKING:
    from ._core import Sandbox

__all__ = [
    "DroppedConnection",
    "RequestLog",
    "build_app",
    "serve",
    "stderr_request_log",
]

MAX_BODY = 64 * 1024 * 1024


class DroppedConnection(Exception):
    """Raised inside the ASGI app to make the server cut the connection (fault injection)."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


RequestLog = Callable[[str, str, int, float], None]
"""Called once per answered request with (method, path, status, milliseconds)."""


def stderr_request_log(method: str, path: str, status: int, ms: float) -> None:
    """One line per request on stderr: ``GET /v1/health 200 0.4ms`` (no query, no header)."""
    sys.stderr.write(f"{method} {path} {status} {ms:.1f}ms\n")


class _SandboxASGI:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # pragma: no cover - lifespan is off
            return
        await self._answer(scope, receive, send)

    async def _answer(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if _declared_length(scope) > MAX_BODY:  # refused before a byte of it is read
            await _send_plain(send, 413, _too_large_body())
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                await _send_plain(send, 413, _too_large_body())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        sreq = SandboxRequest(
            scope["method"],
            scope.get("root_path", "") + scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            b"".join(chunks),
        )
        decision = self.sandbox.fault_for(sreq)
        if decision.delay_s:
            await asyncio.sleep(decision.delay_s)
        if decision.kind in ("error", "throttle"):
            response = self.sandbox.fault_response(decision, sreq)
        elif decision.kind == "drop" and decision.drop_phase == "before":
            await _drop(send)
            return
        else:
            response = await self.sandbox.handle_async(sreq)
            if decision.kind == "drop":
                await _drop(send)
                return
        raw_headers = [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()
        ]
        raw_headers.append((b"content-length", str(len(response.body)).encode()))
        await send(
            {"type": "http.response.start", "status": response.status, "headers": raw_headers}
        )
        await send({"type": "http.response.body", "body": response.body})


def _declared_length(scope: dict[str, Any]) -> int:
    """The request's Content-Length (0 when absent or unreadable: the count decides then)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) < 20 else 0
    return 0


def _too_large_body() -> bytes:
    """The error envelope for a body beyond :data:`MAX_BODY`, refused before it is read."""
    import secrets

    from ._json import dumps

    mib = MAX_BODY // (1024 * 1024)
    return dumps(
        {
            "code": "payload_too_large",
            "message_fr": f"Le corps de la requête dépasse {mib} Mio.",
            "message_ar": f"حجم محتوى الطلب يتجاوز {mib} ميغابايت.",
            "request_id": "req_" + secrets.token_hex(8),
            "details": {
                "limit_bytes": MAX_BODY,
                "hint": f"no request body may exceed {mib} MiB (pieces included); "
                "JSON bodies are limited to 1 MiB",
            },
        }
    )


async def _send_plain(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(send: Any) -> None:
    # Start an answer that promises a body, then fail: the server closes the socket and
    # the client sees the connection cut mid-response.
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]}
    )
    raise DroppedConnection("connection dropped by fault injection")


_PING_BODY = b'{"ok":true}'
_PING_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"11")]


def _ping_not_allowed_body() -> bytes:
    """The error envelope of the ping answered with another method than GET or HEAD."""
    import secrets

    from ._json import dumps

    return dumps(
        {
            "code": "method_not_allowed",
            "message_fr": "Méthode non autorisée : /_sandbox/ping se lit avec GET.",
            "message_ar": "الطريقة غير مسموح بها: يُقرأ /_sandbox/ping بطريقة GET.",
            "request_id": "req_" + secrets.token_hex(8),
            "details": {"allowed": ["GET", "HEAD"]},
        }
    )


class _App:
    """The HTTP face: ``GET /_sandbox/ping`` answered here, everything else by the sandbox.

    A plain ASGI callable rather than a framework router: the sandbox has its own router
    (:class:`~rokhas_sdk.sandbox._http.Router`), so a second routing layer only cost CPU on
    every request (about a tenth of a millisecond under Starlette's Mount and middleware).
    """

    def __init__(self, sandbox: Sandbox, request_log: RequestLog | None = None) -> None:
        self._sandbox = _SandboxASGI(sandbox)
        self.request_log = request_log

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.request_log is None or scope["type"] != "http":
            await self._answer(scope, receive, send)
            return
        started = time.perf_counter()
        status = [0]

        async def send_noting_status(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self._answer(scope, receive, send_noting_status)
        finally:
            # 0: no answer was started (the client left); a dropped connection keeps the
            # status its cut answer announced.
            self.request_log(
                scope["method"], scope["path"], status[0], (time.perf_counter() - started) * 1e3
            )

    async def _answer(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/_sandbox/ping":
            if scope["method"] not in ("GET", "HEAD"):
                await _send_plain(send, 405, _ping_not_allowed_body())
                return
            await send({"type": "http.response.start", "status": 200, "headers": _PING_HEADERS})
            await send({"type": "http.response.body", "body": _PING_BODY})
            return
        await self._sandbox(scope, receive, send)


def build_app(sandbox: Sandbox, request_log: RequestLog | None = None) -> Any:
    """An ASGI app: ``/_sandbox/ping`` (the bench's baseline) and the sandbox for the rest;
    ``request_log`` is called once per request (see :func:`stderr_request_log`)."""
    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    return _App(sandbox, request_log)


def _uvicorn_speedups() -> dict[str, Any]:
    """httptools for HTTP/1.1 parsing and uvloop for the event loop, when installed."""
    import importlib.util

    return {
        "http": "httptools" if importlib.util.find_spec("httptools") else "h11",
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
    }


def serve(
    sandbox: Sandbox,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    log_level: str = "warning",
    request_log: RequestLog | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve the sandbox over HTTP until interrupted (uvicorn, one process).

    ``sock``: an already bound socket to serve on (``rokhas sandbox serve`` binds it first,
    so a busy port is reported before anything starts); ``host`` and ``port`` then only
    name it in URLs.
    """
    import uvicorn

    sandbox.base_url = f"http://{host}:{port}"
    sandbox.start_workers()
    config = uvicorn.Config(
        build_app(sandbox, request_log),
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        **_uvicorn_speedups(),
    )
    uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)

"""httpx transports that answer from a :class:`Sandbox` in the same process.

No socket is opened; faults are applied as a real network would show them: latency,
5xx and 429 answers, and dropped connections raised as ``httpx.RemoteProtocolError``
(after the write was committed, when ``drop_phase="after"``).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from ._http import SandboxRequest, SandboxResponse

if TYPE_CHECKING:
    from ._core import Sandbox

__all__ = ["AsyncSandboxTransport", "SandboxTransport"]


def _to_sandbox(request: httpx.Request, body: bytes) -> SandboxRequest:
    return SandboxRequest(
        method=request.method,
        path=request.url.path,
        query_string=request.url.query.decode("ascii", "replace"),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )


def _to_httpx(response: SandboxResponse, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        response.status, headers=response.headers, content=response.body, request=request
    )


def _dropped(request: httpx.Request) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(
        "Server disconnected without sending a response (injected by the sandbox)", request=request
    )


class SandboxTransport(httpx.BaseTransport):
    """Synchronous in-process transport: ``httpx.Client(transport=sandbox.transport())``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request from the sandbox."""
        sreq = _to_sandbox(request, request.read())
        decision = self.sandbox.fault_for(sreq)
        if decision.delay_s:
            time.sleep(decision.delay_s)
        if decision.kind in ("error", "throttle"):
            return _to_httpx(self.sandbox.fault_response(decision, sreq), request)
        if decision.kind == "drop" and decision.drop_phase == "before":
            raise _dropped(request)
        response = self.sandbox.handle(sreq)
        if decision.kind == "drop":
            raise _dropped(request)
        return _to_httpx(response, request)


class AsyncSandboxTransport(httpx.AsyncBaseTransport):
    """Async in-process transport: ``httpx.AsyncClient(transport=sandbox.async_transport())``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request from the sandbox (the work itself is short and synchronous)."""
        sreq = _to_sandbox(request, await request.aread())
        decision = self.sandbox.fault_for(sreq)
        if decision.delay_s:
            await asyncio.sleep(decision.delay_s)
        if decision.kind in ("error", "throttle"):
            return _to_httpx(self.sandbox.fault_response(decision, sreq), request)
        if decision.kind == "drop" and decision.drop_phase == "before":
            raise _dropped(request)
        response = self.sandbox.handle(sreq)
        if decision.kind == "drop":
            raise _dropped(request)
        return _to_httpx(response, request)

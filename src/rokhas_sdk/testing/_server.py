"""The sandbox over real HTTP on 127.0.0.1, served by uvicorn in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from .._errors import ConfigurationError

__all__ = ["SandboxServer"]


class SandboxServer:
    """Serve a :class:`~rokhas_sdk.sandbox.Sandbox` on ``127.0.0.1`` until :meth:`stop`.

    >>> from rokhas_sdk.sandbox import Sandbox            # doctest: +SKIP
    >>> with SandboxServer(Sandbox()) as server:          # doctest: +SKIP
    ...     httpx.get(server.url + "/v1/health").json()["status"]
    'ok'

    The sandbox object stays in the test's hands (advance its clock, read its store),
    while every request goes through sockets, uvicorn and the ASGI app.
    """

    def __init__(self, sandbox: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.host = host
        self.port = port or _free_port(host)
        self.url = f"http://{host}:{self.port}"
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self, timeout_s: float = 10.0) -> SandboxServer:
        """Start serving; returns when the server accepts connections."""
        import uvicorn

        from ..sandbox import build_app

        self.sandbox.base_url = self.url
        config = uvicorn.Config(
            build_app(self.sandbox),
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, name="rokhas-sandbox-http", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            time.sleep(0.02)
        raise ConfigurationError(
            f"the sandbox server did not start on {self.url} within {timeout_s} s"
        )

    def stop(self) -> None:
        """Stop serving (waits for the thread)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])

"""A lean HTTP/1.1 keep-alive client for the sandbox benchmark's load generator.

The national-day replay measures the *server*. With httpx as the load generator, the
six portal threads spent more CPU than the server did (about 2 ms per request against
1.2 ms), and on a two-core machine the client's CPU is taken from the server's. This
client does what a load generator does (``wrk``, ``ab``) with the standard library:
one persistent ``http.client`` connection per portal user, no pools, no middleware.

It exposes the small part of the httpx surface that
:class:`~rokhas_sdk.testing.PlatformWalker` uses (``get``/``post`` with ``json``,
``data``, ``content``, ``params`` and ``headers``; ``status_code``, ``json()``, ``text``,
``content`` and ``request.method`` / ``request.url.path`` on the answer), so the walk is
the same code whichever client drives it. Nothing in the SDK depends on it.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = ["WireClient"]


@dataclass(frozen=True, slots=True)
class _URL:
    path: str


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    url: _URL


class WireResponse:
    """The answer: status, headers (lower-case names) and body."""

    __slots__ = ("content", "headers", "request", "status_code")

    def __init__(
        self, request: _Request, status: int, headers: dict[str, str], content: bytes
    ) -> None:
        self.request = request
        self.status_code = status
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class WireClient:
    """One keep-alive connection to ``base_url``; absolute URLs must name the same server.

    Not thread-safe: the benchmark gives each portal thread its own clients, as a portal
    gives each user session its own connection.
    """

    def __init__(
        self, base_url: str, *, headers: dict[str, str] | None = None, timeout: float = 60
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"WireClient speaks plain http to one host, not {base_url!r}")
        self._netloc = parts.netloc
        self._host = parts.hostname
        self._port = parts.port or 80
        self._timeout = timeout
        self._headers = {"accept": "application/json", **(headers or {})}
        self._conn: http.client.HTTPConnection | None = None

    def _path(self, url: str) -> str:
        if url.startswith("/"):
            return url
        parts = urlsplit(url)
        if parts.netloc != self._netloc:
            raise ValueError(f"{url!r} is not on {self._netloc}")
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> WireResponse:
        path = self._path(url)
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params)
        send = dict(self._headers)
        body: bytes | None = content
        if json is not None:
            body = _dumps(json)
            send["content-type"] = "application/json"
        elif data is not None:
            body = urlencode(data).encode()
            send["content-type"] = "application/x-www-form-urlencoded"
        if headers:
            send.update(headers)
        if body is not None or method in ("POST", "PUT", "PATCH"):
            send["content-length"] = str(len(body or b""))
        # One retry on a connection the server closed while it sat idle in keep-alive.
        for attempt in (1, 2):
            conn = self._conn
            if conn is None:
                conn = self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
            try:
                conn.request(method, path, body=body, headers=send)
                answer = conn.getresponse()
                payload = answer.read()
            except (ConnectionError, http.client.BadStatusLine):
                conn.close()
                self._conn = None
                if attempt == 2:
                    raise
                continue
            head = {k.lower(): v for k, v in answer.getheaders()}
            if answer.will_close:
                conn.close()
                self._conn = None
            return WireResponse(
                _Request(method, _URL(path.split("?", 1)[0])), answer.status, head, payload
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, url: str, **kwargs: Any) -> WireResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> WireResponse:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

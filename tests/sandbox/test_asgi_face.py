"""The HTTP face under uvicorn: the ping baseline, the sandbox behind it, the server options."""

from __future__ import annotations

import importlib.util

import httpx

from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.sandbox._asgi import _uvicorn_speedups
from rokhas_sdk.testing import SandboxServer


def test_ping_answers_and_refuses_other_methods(server: SandboxServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        ok = c.get("/_sandbox/ping")
        assert ok.status_code == 200
        assert ok.json() == {"ok": True}
        assert ok.headers["content-type"] == "application/json"
        assert c.post("/_sandbox/ping").status_code == 405


def test_everything_else_reaches_the_sandbox_with_its_rules(
    sb: Sandbox, server: SandboxServer
) -> None:
    with httpx.Client(base_url=server.url) as c:
        health = c.get("/v1/health")
        assert health.status_code == 200
        assert health.headers["x-request-id"].startswith("req_")
        anon = c.get("/v1/dossiers")
        assert anon.status_code == 401
        assert anon.json()["code"] == "unauthenticated"
        token = sb.token_for("PETITIONNAIRE")
        mine = c.get("/v1/dossiers", headers={"authorization": f"Bearer {token}"})
        assert mine.status_code == 200
        assert mine.json()["items"] == []


def test_server_options_pick_the_fast_parsers_when_installed() -> None:
    opts = _uvicorn_speedups()
    has_httptools = importlib.util.find_spec("httptools") is not None
    has_uvloop = importlib.util.find_spec("uvloop") is not None
    assert opts["http"] == ("httptools" if has_httptools else "h11")
    assert opts["loop"] == ("uvloop" if has_uvloop else "asyncio")


def test_deferred_posts_share_one_client_closed_with_the_sandbox(
    sb: Sandbox, server: SandboxServer
) -> None:
    first = sb._http_client()
    assert sb._http_client() is first
    # A deferred post really goes over HTTP: an unsigned CMI callback is refused by the server.
    sb._post_http(f"{server.url}/cmi/callback", {"oid": "nope"})
    assert sb._http_client() is first
    sb.close()
    assert first.is_closed

"""``rokhas sandbox serve``: ports checked, secrets random unless seeded, tokens that
expire, one log line per request. The servers are real processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from rokhas_sdk.cli._main import main
from rokhas_sdk.procedure import CASABLANCA
from rokhas_sdk.sandbox import Sandbox, SandboxClock, SandboxConfigurationError
from rokhas_sdk.sandbox._users import DEFAULT_TOKEN_TTL, seed_users

SRC = str(Path(__file__).resolve().parents[2] / "src")
LOG_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*) (\d{3}) (\d+\.\d)ms$")


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http", "80.5"])
def test_a_port_out_of_range_is_one_line_and_exit_2(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "serve", "--no-pki", "--port", port]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    assert f"--port {port}" in lines[0] or repr(port) in lines[0]
    assert "1 to 65535" in lines[0]


def test_a_busy_port_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["sandbox", "serve", "--no-pki", "--port", str(port)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert f"127.0.0.1:{port}" in line
    assert "--port" in line


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--token-ttl", "0"),
        ("--token-ttl", "forever"),
        ("--clock", "garbage"),
        ("--clock", "2026-03-02T09:00:00"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "serve", "--no-pki", option, value]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert option in line


def test_a_token_lifetime_beyond_the_calendar_is_a_typed_error() -> None:
    users = seed_users("calendar")
    now = datetime(2026, 3, 2, 9, 0, tzinfo=CASABLANCA)
    with pytest.raises(SandboxConfigurationError, match="shorter"):
        users.issue(now, timedelta(days=999_999_999))
    with pytest.raises(SandboxConfigurationError, match="positive"):
        users.issue(now, timedelta(0))
    assert users.issue(now, timedelta(days=1)) == now + timedelta(days=1)


@contextmanager
def _server(
    tmp_path: Path, *options: str
) -> Iterator[tuple[dict[str, Any], subprocess.Popen[str]]]:
    err = tmp_path / f"stderr-{len(list(tmp_path.iterdir()))}.txt"
    with open(err, "w") as err_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rokhas_sdk",
                "sandbox",
                "serve",
                "--no-pki",
                "--port",
                "0",
                *options,
            ],
            env={**os.environ, "PYTHONPATH": SRC},
            stdout=subprocess.PIPE,
            stderr=err_file,
            text=True,
        )
    try:
        assert proc.stdout is not None
        started = json.loads(proc.stdout.readline())
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(started["url"] + "/_sandbox/health", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, err.read_text()
                time.sleep(0.1)
        started["stderr_path"] = err
        yield started, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def _tokens(started: dict[str, Any]) -> dict[str, str]:
    doc = json.loads(Path(started["tokens_file"]).read_text())
    return {u["role"]: u["token"] for u in reversed(doc["users"])}  # first user of a role


def test_serve_without_seed_has_secrets_nobody_else_knows(tmp_path: Path) -> None:
    with _server(tmp_path) as (started, _):
        assert started["seed"] == "random"
        mode = stat.S_IMODE(Path(started["tokens_file"]).stat().st_mode)
        assert mode == 0o600
        tokens = _tokens(started)
        url = started["url"]
        mine = httpx.get(url + "/v1/me", headers={"authorization": f"Bearer {tokens['DGCT']}"})
        assert mine.status_code == 200
        # The public default seed opens nothing, the admin routes least of all.
        public = Sandbox(deliver_webhooks=False)
        try:
            guessed = public.admin_token
        finally:
            public.close()
        r = httpx.post(
            url + "/_sandbox/clock/advance",
            json={"days": 1},
            headers={"authorization": f"Bearer {guessed}"},
        )
        assert r.status_code == 401
        with _server(tmp_path) as (other, _):
            assert _tokens(other)["SANDBOX_ADMIN"] != tokens["SANDBOX_ADMIN"]


def test_serve_with_a_seed_keeps_its_tokens(tmp_path: Path) -> None:
    with _server(tmp_path, "--seed", "portal-ci", "--quiet") as (started, _):
        assert started["seed"] == "given"
        expected = seed_users("portal-ci").find("SANDBOX_ADMIN").token.get_secret_value()
        assert _tokens(started)["SANDBOX_ADMIN"] == expected


def test_one_log_line_per_request_and_none_when_quiet(tmp_path: Path) -> None:
    with _server(tmp_path) as (started, _):
        url = started["url"]
        httpx.get(url + "/v1/health")
        httpx.get(url + "/v1/me")  # 401: logged too
        httpx.post(url + "/v1/dossiers", content=b"[" * 1000)
        httpx.get(url + "/_sandbox/ping?secret=not-logged")
        time.sleep(0.3)
        lines = started["stderr_path"].read_text().splitlines()
    requests = [m.groups() for m in map(LOG_LINE.match, lines) if m]
    assert (
        [(m, p, s) for m, p, s, _ in requests]
        == [
            ("GET", "/_sandbox/health", "200"),  # the fixture's readiness probe
            ("GET", "/v1/health", "200"),
            ("GET", "/v1/me", "401"),
            ("POST", "/v1/dossiers", "401"),
            ("GET", "/_sandbox/ping", "200"),
        ][-len(requests) :]
    )
    assert len(requests) >= 4
    assert not any("secret" in line for line in lines)
    with _server(tmp_path, "--quiet") as (quiet, _):
        httpx.get(quiet["url"] + "/v1/health")
        time.sleep(0.3)
        assert not [
            ln for ln in quiet["stderr_path"].read_text().splitlines() if LOG_LINE.match(ln)
        ]


def test_tokens_expire_on_the_sandbox_clock(tmp_path: Path) -> None:
    with _server(
        tmp_path, "--token-ttl", "2", "--frozen-clock", "--clock", "2026-03-02T09:00:00+01:00"
    ) as (started, _):
        expiry = datetime.fromisoformat("2026-03-04T09:00:00+01:00")
        assert datetime.fromisoformat(started["tokens_expire_at"]) == expiry
        tokens = _tokens(started)
        url = started["url"]
        admin = {"authorization": f"Bearer {tokens['SANDBOX_ADMIN']}"}
        app = {"authorization": f"Bearer {tokens['PETITIONNAIRE']}"}
        assert httpx.get(url + "/v1/me", headers=app).status_code == 200
        moved = httpx.post(url + "/_sandbox/clock/advance", json={"days": 2}, headers=admin)
        assert moved.status_code == 200
        expired = httpx.get(url + "/v1/me", headers=app)
        assert expired.status_code == 401
        problem = expired.json()
        assert problem["code"] == "unauthenticated"
        assert "expiré" in problem["message_fr"]
        assert problem["message_ar"]
        assert datetime.fromisoformat(problem["details"]["expired_at"]) == expiry
        assert "--token-ttl" in problem["details"]["hint"]
        # Public routes need no token and still answer.
        assert httpx.get(url + "/v1/health").status_code == 200


def test_in_code_tokens_live_ten_years_by_default_and_can_be_shorter() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=CASABLANCA)
    sb = Sandbox(clock=SandboxClock(start, frozen=True), deliver_webhooks=False)
    try:
        assert sb.users.tokens_expire_at == start + DEFAULT_TOKEN_TTL
    finally:
        sb.close()
    short = Sandbox(
        clock=SandboxClock(start, frozen=True),
        deliver_webhooks=False,
        token_ttl=timedelta(hours=1),
    )
    try:
        with httpx.Client(
            transport=short.transport(),
            base_url=short.base_url,
            headers={"authorization": f"Bearer {short.token_for('PETITIONNAIRE')}"},
        ) as http:
            assert http.get("/v1/me").status_code == 200
            short.advance(minutes=59)
            assert http.get("/v1/me").status_code == 200
            short.advance(minutes=1)
            assert http.get("/v1/me").status_code == 401
    finally:
        short.close()

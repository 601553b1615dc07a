"""Retry policy, configuration, injection seams, logging and secrets (no server needed:
httpx.MockTransport is the seam a user would use too)."""

from __future__ import annotations

import email.utils
import json
import logging
import os
import random
import subprocess
import sys
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import ConfigurationError, InvalidInputError
from rokhas_sdk.api import IDEMPOTENCY_HEADER, RETRY_COUNT_HEADER, ErrorCode, ErrorEnvelope
from rokhas_sdk.client import (
    APIResponseValidationError,
    APIStatusError,
    AsyncRokhasClient,
    BadRequestError,
    ConflictError,
    PermissionDeniedError,
    RokhasClient,
)
from rokhas_sdk.client._base import (
    is_retryable_status,
    make_config,
    retry_after_seconds,
    retry_delay,
)

from ._data import dossier

CANARY = "canary-T0KEN-4242"
HEALTH = {
    "status": "ok",
    "api_version": "v1",
    "contract_version": "1.0.0",
    "server_time": "2026-11-29T10:00:00Z",
}


def _config(**kw: Any) -> Any:
    base: dict[str, Any] = {
        "base_url": "http://127.0.0.1:1",
        "token": None,
        "token_refresher": None,
        "timeout": None,
        "max_retries": 2,
        "default_headers": None,
    }
    base.update(kw)
    return make_config(**base)


@given(st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=2**32))
def test_backoff_grows_is_capped_and_jitters_down_at_most_25_percent(retry: int, seed: int) -> None:
    cfg = _config()
    delay = retry_delay(cfg, retry, None, random.Random(seed))
    nominal = min(cfg.backoff_initial * 2**retry, cfg.backoff_max)
    assert nominal * 0.75 <= delay <= nominal


@given(st.floats(min_value=0, max_value=60, allow_nan=False))
def test_retry_after_seconds_wins_within_the_cap(seconds: float) -> None:
    headers = httpx.Headers({"retry-after": f"{seconds:.3f}"})
    assert retry_delay(_config(), 0, headers) == pytest.approx(round(seconds, 3))


def test_retry_after_forms() -> None:
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_seconds(httpx.Headers({"retry-after": "3"})) == 3.0
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 10, usegmt=True)
    assert retry_after_seconds(httpx.Headers({"retry-after": date}), now=now) == pytest.approx(
        10, abs=1
    )
    assert retry_after_seconds(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_seconds(httpx.Headers({"retry-after": "-5"})) == 0.0
    assert retry_after_seconds(httpx.Headers({})) is None
    # A Retry-After beyond the cap is ignored in favour of backoff.
    assert (
        retry_delay(_config(), 0, httpx.Headers({"retry-after": "3600"}), random.Random(1)) <= 0.5
    )


@given(st.text(max_size=40))
def test_retry_after_parser_never_raises(value: str) -> None:
    try:
        headers = httpx.Headers({"retry-after": value})
    except (UnicodeEncodeError, ValueError):
        return
    result = retry_after_seconds(headers)
    assert result is None or result >= 0


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (408, True),
        (409, True),
        (422, False),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (599, True),
    ],
)
def test_retryable_statuses(status: int, retry: bool) -> None:
    assert is_retryable_status(status) is retry


def test_configuration_from_arguments_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROKHAS_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="ROKHAS_BASE_URL"):
        RokhasClient()
    with pytest.raises(ConfigurationError, match="absolute"):
        RokhasClient(base_url="127.0.0.1:8750")
    monkeypatch.setenv("ROKHAS_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("ROKHAS_API_TOKEN", CANARY)
    with RokhasClient() as c:
        assert c.base_url == "http://127.0.0.1:9"
        assert CANARY not in repr(c)
        assert CANARY not in repr(c._token)
    with pytest.raises(InvalidInputError):
        RokhasClient(max_retries=-1)
    with pytest.raises(InvalidInputError):
        RokhasClient(timeout=0)
    with pytest.raises(ConfigurationError):
        RokhasClient(
            http_client=httpx.Client(), transport=httpx.MockTransport(lambda r: httpx.Response(200))
        )
    with pytest.raises(ConfigurationError):
        AsyncRokhasClient(http_client=httpx.Client())  # type: ignore[arg-type]


def _recorder(responses: list[httpx.Response]) -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses.pop(0)

    return seen, httpx.MockTransport(handler)


def _envelope(code: ErrorCode, rid: str = "req_x") -> httpx.Response:
    body = ErrorEnvelope.for_code(code, rid).model_dump_json()
    return httpx.Response(
        code.status, content=body, headers={"X-Request-Id": rid, "content-type": "application/json"}
    )


def test_injected_transport_sees_headers_retries_and_one_key() -> None:
    created = {
        "id": "dos_1",
        "state": "DRAFT",
        "version": 1,
        "dossier": json.loads(dossier().model_dump_json()),
        "created_at": "2026-11-29T10:00:00Z",
        "updated_at": "2026-11-29T10:00:00Z",
    }
    seen, transport = _recorder(
        [
            _envelope(ErrorCode.IDEMPOTENCY_IN_PROGRESS),
            _envelope(ErrorCode.SERVICE_UNAVAILABLE),
            httpx.Response(201, json=created),
        ]
    )
    sleeps: list[float] = []
    with RokhasClient(
        base_url="http://platform.test",
        token=CANARY,
        transport=transport,
        default_headers={"X-Portal": "p1"},
    ) as c:
        c._sleep = sleeps.append
        assert c.dossiers.create(dossier()).id == "dos_1"
    assert [r.headers[RETRY_COUNT_HEADER] for r in seen] == ["0", "1", "2"]
    assert len({r.headers[IDEMPOTENCY_HEADER] for r in seen}) == 1
    assert all(
        r.headers["authorization"] == f"Bearer {CANARY}" and r.headers["x-portal"] == "p1"
        for r in seen
    )
    assert seen[0].headers["user-agent"].startswith("rokhas-sdk/")
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (ErrorCode.BAD_REQUEST, BadRequestError),
        (ErrorCode.FORBIDDEN, PermissionDeniedError),
        (ErrorCode.CONFLICT, ConflictError),
    ],
)
def test_errors_are_typed_by_status_and_keep_the_envelope(
    code: ErrorCode, cls: type[APIStatusError]
) -> None:
    _seen, transport = _recorder([_envelope(code, "req_42")])
    with (
        RokhasClient(base_url="http://platform.test", transport=transport, max_retries=0) as c,
        pytest.raises(cls) as info,
    ):
        c.health()
    err = info.value
    assert (err.status_code, err.code, err.request_id, err.message_fr) == (
        code.status,
        code.value,
        "req_42",
        code.label_fr,
    )
    assert "req_42" in str(err)


def test_non_envelope_error_and_invalid_success_body() -> None:
    _, transport = _recorder([httpx.Response(418, text="teapot", headers={"X-Request-Id": "r1"})])
    with (
        RokhasClient(base_url="http://platform.test", transport=transport) as c,
        pytest.raises(APIStatusError) as info,
    ):
        c.health()
    assert info.value.status_code == 418
    assert info.value.code == "api_status_error"
    assert info.value.request_id == "r1"
    _, transport = _recorder([httpx.Response(200, json={"status": "maybe"})])
    with (
        RokhasClient(base_url="http://platform.test", transport=transport) as c,
        pytest.raises(APIResponseValidationError),
    ):
        c.health()


def test_pager_refuses_a_cursor_loop() -> None:
    page = {"items": [], "next_cursor": "same"}
    _, transport = _recorder([httpx.Response(200, json=page) for _ in range(3)])
    with (
        RokhasClient(base_url="http://platform.test", transport=transport) as c,
        pytest.raises(APIResponseValidationError, match="twice"),
    ):
        list(c.webhook_endpoints.list())


async def test_async_client_accepts_an_injected_httpx_client() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=HEALTH)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncRokhasClient(base_url="http://platform.test", http_client=http) as c:
        assert (await c.health()).status == "ok"
        derived = c.with_options(timeout=3.0, max_retries=0)
        assert derived.max_retries == 0
        assert derived.timeout.read == 3.0
        assert (await derived.health()).status == "ok"
        await derived.close()  # a derived client never closes shared connections
        assert (await c.health()).status == "ok"
    assert not http.is_closed  # not ours to close
    await http.aclose()
    assert len(seen) == 3


def test_with_options_refuses_unknown_options() -> None:
    with (
        RokhasClient(base_url="http://127.0.0.1:1") as c,
        pytest.raises(ConfigurationError, match="bogus"),
    ):
        c.with_options(bogus=1)


def test_logging_switched_on_by_environment_never_shows_the_token() -> None:
    code = (
        "import httpx\n"
        "from rokhas_sdk.client import RokhasClient\n"
        f"h = {HEALTH!r}\n"
        "t = httpx.MockTransport(lambda r: httpx.Response(200, json=h, "
        "headers={'X-Request-Id': 'req_log'}))\n"
        f"c = RokhasClient(base_url='http://platform.test', token={CANARY!r}, transport=t)\n"
        "c.health()\n"
    )
    env = {**os.environ, "ROKHAS_LOG": "info"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert "GET /v1/health attempt=0 status=200" in out.stderr
    assert "req_log" in out.stderr
    assert CANARY not in out.stderr
    env.pop("ROKHAS_LOG")
    quiet = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert quiet.stderr == ""


def test_log_records_go_through_the_logging_module(caplog: pytest.LogCaptureFixture) -> None:
    _, transport = _recorder(
        [_envelope(ErrorCode.SERVICE_UNAVAILABLE), httpx.Response(200, json=HEALTH)]
    )
    with (
        caplog.at_level(logging.INFO, logger="rokhas_sdk.client"),
        RokhasClient(base_url="http://platform.test", token=CANARY, transport=transport) as c,
    ):
        c._sleep = lambda s: None
        c.health()
    text = caplog.text
    assert "retrying" in text
    assert "status 503" in text
    assert CANARY not in text


def test_a_transport_failure_keeps_its_cause() -> None:
    # Nothing listens on port 1: the connection error is the cause of the SDK's error.
    import httpx

    from rokhas_sdk.client import APIConnectionError

    with (
        RokhasClient(base_url="http://127.0.0.1:1", max_retries=0) as c,
        pytest.raises(APIConnectionError) as info,
    ):
        c.health()
    assert isinstance(info.value.__cause__, httpx.TransportError)

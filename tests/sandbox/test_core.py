"""The sandbox's machinery: authentication, request ids, idempotency, faults, the clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from rokhas_sdk.models import get_commune
from rokhas_sdk.sandbox import FaultSettings, Sandbox, SandboxClock, SandboxConfigurationError
from rokhas_sdk.testing import dossier_data


def test_health_needs_no_token_and_names_the_contract(
    http_for: Callable[..., httpx.Client],
) -> None:
    r = http_for().get("/v1/health")
    assert r.status_code == 200
    assert r.json()["api_version"] == "v1"
    assert r.headers["x-request-id"].startswith("req_")


def test_unknown_or_missing_token_is_401_with_the_envelope(
    http_for: Callable[..., httpx.Client],
) -> None:
    anon = http_for()
    r = anon.get("/v1/me")
    assert r.status_code == 401
    body = r.json()
    assert body["code"] == "unauthenticated"
    assert body["message_ar"]
    assert body["request_id"] == r.headers["x-request-id"]
    r = anon.get("/v1/me", headers={"authorization": "Bearer rks_test_not_a_token"})
    assert r.status_code == 401


def test_me_names_the_seeded_user(sb: Sandbox, http_for: Callable[..., httpx.Client]) -> None:
    me = http_for("COMMISSION_MEMBER", body="AGENCE_URBAINE").get("/v1/me").json()
    assert me["role"] == "COMMISSION_MEMBER"
    assert me["scopes"] == ["AGENCE_URBAINE"]
    assert me["commune"] == get_commune("141.01.01").code  # the current code of Casablanca


def test_tokens_are_stable_per_seed_and_differ_between_seeds() -> None:
    a, b, c = Sandbox(seed="s1"), Sandbox(seed="s1"), Sandbox(seed="s2")
    try:
        assert (
            a.token_for("PETITIONNAIRE")
            == b.token_for("PETITIONNAIRE")
            != c.token_for("PETITIONNAIRE")
        )
        assert a.token_for("PETITIONNAIRE") not in repr(a.user_for("PETITIONNAIRE"))
    finally:
        for s in (a, b, c):
            s.close()


def test_client_request_id_is_echoed(http_for: Callable[..., httpx.Client]) -> None:
    r = http_for().get("/v1/health", headers={"x-request-id": "portal-42"})
    assert r.headers["x-request-id"] == "portal-42"


def test_idempotent_create_replays_the_same_answer(
    sb: Sandbox, http_for: Callable[..., httpx.Client]
) -> None:
    app = http_for("PETITIONNAIRE")
    body = dossier_data("URB_PERMIS_CONSTRUIRE_PETIT_PROJET")
    first = app.post("/v1/dossiers", json=body, headers={"idempotency-key": "k-1"})
    again = app.post("/v1/dossiers", json=body, headers={"idempotency-key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    assert sb.store.count("dossier") == 1
    other = app.post(
        "/v1/dossiers", json={**body, "reference": "OTHER-1"}, headers={"idempotency-key": "k-1"}
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    # Keys are per user: another applicant's identical key is a new request.
    app2 = http_for("PETITIONNAIRE", index=1)
    assert (
        app2.post("/v1/dossiers", json=body, headers={"idempotency-key": "k-1"}).status_code == 201
    )
    assert sb.store.count("dossier") == 2


def test_a_failed_write_leaves_nothing_behind(
    sb: Sandbox, http_for: Callable[..., httpx.Client]
) -> None:
    app = http_for("PETITIONNAIRE")
    bad = dossier_data("URB_PERMIS_CONSTRUIRE_PETIT_PROJET", commune="421.01.01")
    bad["parcel"]["commune"] = "141.01.01"  # parcel in another commune: the law refuses it
    r = app.post("/v1/dossiers", json=bad)
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert sb.store.count("dossier") == 0
    assert r.json()["details"]["problems"]


def test_faults_errors_throttles_and_drops(
    sb: Sandbox, http_for: Callable[..., httpx.Client]
) -> None:
    app = http_for("PETITIONNAIRE")
    sb.faults.configure(FaultSettings(burst_429_every=3, burst_429_length=2, retry_after_s=2))
    statuses = [app.get("/v1/me").status_code for _ in range(9)]
    assert statuses == [200, 200, 429, 429, 200, 429, 429, 200, 429]
    r = app.get("/v1/me")
    sb.faults.configure(FaultSettings(error_rate=1.0, error_statuses=(503,), seed=1))
    r = app.get("/v1/me")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "1"
    assert r.json()["code"] == "service_unavailable"
    # The sandbox's own routes are never faulted.
    assert http_for().get("/_sandbox/health").status_code == 200
    sb.faults.configure(FaultSettings(drop_rate=1.0, drop_phase="after"))
    with pytest.raises(httpx.RemoteProtocolError):
        app.post("/v1/dossiers", json=dossier_data("ECO_ACTIVITE_COURANTE"))
    # The answer was lost, but the write was committed (what idempotency keys are for).
    assert sb.store.count("dossier") == 1
    sb.faults.configure(FaultSettings(drop_rate=1.0, drop_phase="before"))
    with pytest.raises(httpx.RemoteProtocolError):
        app.post("/v1/dossiers", json=dossier_data("ECO_ACTIVITE_COURANTE"))
    assert sb.store.count("dossier") == 1
    sb.faults.reset()
    assert app.get("/v1/me").status_code == 200


def test_fault_settings_are_validated() -> None:
    with pytest.raises(Exception, match="5xx"):
        FaultSettings(error_rate=0.5, error_statuses=(404,))
    with pytest.raises(Exception, match="exceed 1"):
        FaultSettings(error_rate=0.7, drop_rate=0.7)


def test_fault_latency_is_applied(sb: Sandbox, http_for: Callable[..., httpx.Client]) -> None:
    import time

    sb.faults.configure(FaultSettings(latency_ms=120))
    t = time.perf_counter()
    http_for("PETITIONNAIRE").get("/v1/me")
    assert time.perf_counter() - t >= 0.12


def test_clock_advances_only_forward_and_only_for_the_admin(
    sb: Sandbox, http_for: Callable[..., httpx.Client]
) -> None:
    before = sb.clock.now()
    assert (
        http_for("PETITIONNAIRE").post("/_sandbox/clock/advance", json={"days": 1}).status_code
        == 403
    )
    admin = http_for("SANDBOX_ADMIN")
    r = admin.post("/_sandbox/clock/advance", json={"days": 3})
    assert r.status_code == 200
    assert sb.clock.now() == before + timedelta(days=3)
    assert admin.post("/_sandbox/clock/advance", json={"days": -1}).status_code == 422
    with pytest.raises(SandboxConfigurationError):
        sb.clock.advance(days=-1)


def test_faults_can_be_set_over_http_by_the_admin(
    sb: Sandbox, http_for: Callable[..., httpx.Client]
) -> None:
    admin = http_for("SANDBOX_ADMIN")
    assert (
        http_for("GUICHET_AGENT").put("/_sandbox/faults", json={"latency_ms": 1}).status_code == 403
    )
    r = admin.put("/_sandbox/faults", content=json.dumps({"error_rate": 0.25, "seed": 7}))
    assert r.status_code == 200
    assert sb.faults.settings.error_rate == 0.25
    assert admin.put("/_sandbox/faults", json={"error_rate": 2}).status_code == 422


def test_clock_needs_an_aware_start() -> None:
    from datetime import datetime

    with pytest.raises(SandboxConfigurationError):
        SandboxClock(datetime(2026, 1, 1))


def test_persistent_store_keeps_state_and_clock(tmp_path: object) -> None:
    from pathlib import Path

    db = Path(str(tmp_path)) / "sb.sqlite"
    a = Sandbox(db=db, seed="p")
    t = httpx.Client(
        transport=a.transport(),
        base_url=a.base_url,
        headers={"authorization": f"Bearer {a.token_for('PETITIONNAIRE')}"},
    )
    did = t.post("/v1/dossiers", json=dossier_data("ECO_ACTIVITE_COURANTE")).json()["id"]
    later = a.advance(days=10)
    t.close()
    a.close()
    b = Sandbox(db=db, seed="p")
    try:
        t = httpx.Client(
            transport=b.transport(),
            base_url=b.base_url,
            headers={"authorization": f"Bearer {b.token_for('PETITIONNAIRE')}"},
        )
        assert t.get(f"/v1/dossiers/{did}").json()["state"] == "DRAFT"
        assert b.clock.now() >= later
        t.close()
    finally:
        b.close()

"""Every route of the sandbox, sent hostile bodies, never answers 500.

The routes are enumerated from the sandbox's own router (a route added later is covered
without editing this file). Each is called by up to three of the roles allowed to call
it, with path parameters naming real objects (a draft and a filed dossier, a piece, an
order, a card payment, a webhook endpoint), so the handler gets past authorisation and
actually reads the body: nested a hundred thousand levels deep, larger than the limit,
empty, of the wrong JSON type, in UTF-16 or binary, with NaN, 1e999 or a lone surrogate.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest

from rokhas_sdk.sandbox import Sandbox, SandboxConfigurationError
from rokhas_sdk.sandbox._authz import authorization_matrix
from rokhas_sdk.sandbox._clock import CASABLANCA
from rokhas_sdk.sandbox._http import SandboxRequest
from rokhas_sdk.sandbox._json import MAX_JSON_BYTES, MAX_JSON_DEPTH
from rokhas_sdk.testing import SandboxServer
from rokhas_sdk.testing._factories import dossier_data, piece_files
from rokhas_sdk.testing._walk import PlatformWalker

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"
DEEP = 100_000

HOSTILE: dict[str, bytes] = {
    "nested_array": b"[" * DEEP + b"]" * DEEP,
    "nested_in_object": b'{"dossier":' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
    "just_too_deep": b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    "huge": b'{"name":"' + b"a" * (MAX_JSON_BYTES + 1) + b'"}',
    "empty": b"",
    "empty_object": b"{}",
    "array": b"[]",
    "string": b'"texte"',
    "number": b"123",
    "null": b"null",
    "wrong_types": json.dumps(
        {
            "days": "soon",
            "to": 5,
            "order_id": 5,
            "kind": [],
            "method": {},
            "event": 1,
            "url": False,
            "commune": None,
            "codes": "all",
            "error_rate": "high",
        }
    ).encode(),
    "utf16": json.dumps({"event": "submit", "name": "é"}).encode("utf-16"),
    "utf16_no_bom": json.dumps({"days": 1}).encode("utf-16-le"),
    "binary": bytes(range(256)) * 4,
    "nan": b'{"days": NaN, "error_rate": NaN}',
    "infinity": b'{"days": 1e999, "seconds": 1e999}',
    "long_integer": b'{"days": ' + b"9" * 5000 + b"}",
    "lone_surrogate": b'{"name": "\\ud800", "event": "\\udfff"}',
    "unterminated": b'{"a": "',
    "form_garbage": b"oid=%ff%fe&HASH=%00&paymentid=",
}

# Callers tried per route, in this order, among the roles the route allows.
PREFERRED = (
    "PETITIONNAIRE",
    "SANDBOX_ADMIN",
    "REGISSEUR",
    "GUICHET_AGENT",
    "PRESIDENT_COMMUNE",
    "ARCHITECTE",
    "DGCT",
)


@dataclass
class Objects:
    draft: str
    filed: str
    piece: str
    order: str
    payment: str
    endpoint: str


@pytest.fixture(scope="module")
def arena() -> Iterator[tuple[Sandbox, Objects]]:
    sb = Sandbox(deliver_webhooks=False)

    def factory(token: str | None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(transport=sb.transport(), base_url=sb.base_url, headers=headers)

    walker = PlatformWalker(factory, sb.token_for)
    filed = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    app = walker.client("PETITIONNAIRE")
    draft = app.post("/v1/dossiers", json=dossier_data(KIND, commune="141.01.01")).json()["id"]
    piece_type, file_name, data = piece_files(KIND, salt=draft)[0]
    piece = app.post(
        f"/v1/dossiers/{draft}/pieces",
        params={"type": piece_type.value, "file_name": file_name},
        content=data,
        headers={"content-type": "application/pdf"},
    )
    assert piece.status_code == 201, piece.text
    order = app.post(f"/v1/dossiers/{filed}/fee-orders", json={}).json()
    payment = app.post("/v1/payments", json={"order_id": order["id"]}).json()
    endpoint = app.post(
        "/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/hook", "event_types": ["payment.succeeded"]},
    )
    assert endpoint.status_code == 201, endpoint.text
    objects = Objects(
        draft=draft,
        filed=filed,
        piece=piece.json()["id"],
        order=order["id"],
        payment=payment["id"],
        endpoint=endpoint.json()["id"],
    )
    walker.close()
    yield sb, objects
    sb.close()


def _paths(template: str, o: Objects) -> list[str]:
    values = {
        "{piece_id}": o.piece,
        "{order_id}": o.order,
        "{payment_id}": o.payment,
        "{endpoint_id}": o.endpoint,
        "{commune_code}": "141.01.01",
    }
    out = []
    for dossier in (o.draft, o.filed) if "{dossier_id}" in template else (None,):
        path = template.replace("{dossier_id}", dossier or "")
        for name, value in values.items():
            path = path.replace(name, value)
        out.append(path)
    return out


def _callers(sb: Sandbox, operation_id: str) -> list[str | None]:
    rule = authorization_matrix()[operation_id]
    if rule.scope == "public":
        return [None]
    roles = [r for r in PREFERRED if r in rule.roles] or sorted(rule.roles)
    return [sb.token_for(r) for r in roles[:3]]


def test_no_route_answers_500_to_a_hostile_body(arena: tuple[Sandbox, Objects]) -> None:
    sb, objects = arena
    # Deletions last, so the other routes still find the objects.
    routes = sorted(sb.router.routes, key=lambda r: r.method == "DELETE")
    seen: dict[int, int] = {}
    failures = []
    for route in routes:
        for path in _paths(route.template, objects):
            for token in _callers(sb, route.operation_id):
                for n, (name, body) in enumerate(HOSTILE.items()):
                    headers = {"content-type": "application/json"}
                    if token:
                        headers["authorization"] = f"Bearer {token}"
                    if route.method != "GET":  # the fingerprint reads the body first
                        headers["idempotency-key"] = f"hostile-{len(seen)}-{n}-{sum(seen.values())}"
                        if n % 3 == 0:
                            headers["x-content-sha256"] = "é\x00 not a digest"
                    answer = sb.handle(SandboxRequest(route.method, path, "", headers, body))
                    seen[answer.status] = seen.get(answer.status, 0) + 1
                    if answer.status >= 500:
                        failures.append((route.method, path, name, answer.body[:200]))
    assert not failures, (len(failures), failures[:20])
    assert sum(seen.values()) > 1500  # every route, several callers, every body
    assert {400, 413, 422} <= set(seen)


def _post(sb: Sandbox, path: str, body: bytes) -> tuple[int, dict[str, object]]:
    headers = {
        "content-type": "application/json",
        "authorization": f"Bearer {sb.token_for('PETITIONNAIRE')}",
    }
    answer = sb.handle(SandboxRequest("POST", path, "", headers, body))
    return answer.status, json.loads(answer.body)


def test_the_refusals_say_what_is_wrong(arena: tuple[Sandbox, Objects]) -> None:
    sb, _ = arena
    status, deep = _post(sb, "/v1/dossiers", HOSTILE["nested_array"])
    assert (status, deep["code"]) == (422, "invalid_input")
    assert "32" in str(deep["message_fr"])
    assert deep["message_ar"]
    assert deep["details"]["max_depth"] == MAX_JSON_DEPTH  # type: ignore[index]
    assert "hint" in deep["details"]  # type: ignore[operator]
    status, big = _post(sb, "/v1/dossiers", HOSTILE["huge"])
    assert (status, big["code"]) == (413, "payload_too_large")
    assert big["details"]["limit_bytes"] == MAX_JSON_BYTES  # type: ignore[index]
    status, utf16 = _post(sb, "/v1/dossiers", HOSTILE["utf16"])
    assert (status, utf16["code"]) == (400, "bad_request")
    assert "UTF-8" in str(utf16["message_fr"])
    # Exactly at the limit is accepted as JSON (and then judged as a dossier: 422).
    at_limit = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    status, body = _post(sb, "/v1/dossiers", at_limit)
    assert status == 422
    assert "max_depth" not in body["details"]  # type: ignore[operator]


def test_brackets_inside_strings_are_not_nesting(arena: tuple[Sandbox, Objects]) -> None:
    sb, _ = arena
    text = json.dumps({"title": "[" * 5000 + "{" * 5000, "n": 1}).encode()
    status, body = _post(sb, "/v1/dossiers", text)
    assert status == 422
    assert "max_depth" not in body["details"]  # type: ignore[operator]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"days": 0},
        {"seconds": 1e-6},
        {"days": 1e9},
        {"days": 36_526},
        {"to": "9999-12-31T23:59:59+00:00"},
        {"to": "0001-01-01T00:00:00+01:00"},
        {"to": "2026-05-01T09:00:00"},
        {"to": 5},
        {"days": True},
        {"days": "61"},
        {"days": 1, "to": "2030-01-01T00:00:00+01:00"},
        {"weeks": 1},
        {"days": -1},
        [],
    ],
)
def test_clock_moves_the_sandbox_cannot_make_are_422(
    arena: tuple[Sandbox, Objects], body: object
) -> None:
    sb, _ = arena
    before = sb.clock.now()
    headers = {"content-type": "application/json", "authorization": f"Bearer {sb.admin_token}"}
    answer = sb.handle(
        SandboxRequest("POST", "/_sandbox/clock/advance", "", headers, json.dumps(body).encode())
    )
    assert answer.status == 422, answer.body
    problem = json.loads(answer.body)
    assert problem["code"] == "invalid_input"
    assert problem["message_ar"]
    assert problem["details"]["hint"]
    assert problem["details"]["problems"]
    assert sb.clock.now() - before < timedelta(seconds=60)  # not moved (a running clock)


@pytest.mark.parametrize("days", [1e9, 1e6])
def test_the_python_clock_refuses_moves_past_its_ceiling_with_a_typed_error(days: float) -> None:
    sb = Sandbox(deliver_webhooks=False)
    try:
        with pytest.raises(SandboxConfigurationError, match="stops before 3000"):
            sb.advance(days=days)
        with pytest.raises(SandboxConfigurationError, match="stops before 3000"):
            sb.clock.set(datetime(9999, 12, 31, tzinfo=CASABLANCA))
    finally:
        sb.close()


def test_a_clock_move_of_a_second_on_a_running_clock_succeeds(
    arena: tuple[Sandbox, Objects],
) -> None:
    sb, _ = arena
    headers = {"content-type": "application/json", "authorization": f"Bearer {sb.admin_token}"}
    before = sb.clock.now()
    answer = sb.handle(
        SandboxRequest("POST", "/_sandbox/clock/advance", "", headers, b'{"seconds": 1}')
    )
    assert answer.status == 200, answer.body
    assert (sb.clock.now() - before).total_seconds() >= 1


def test_over_http_the_limits_hold_on_the_wire(arena: tuple[Sandbox, Objects]) -> None:
    sb, _ = arena
    with SandboxServer(sb) as server, httpx.Client(base_url=server.url) as http:
        headers = {
            "content-type": "application/json",
            "authorization": f"Bearer {sb.token_for('PETITIONNAIRE')}",
        }
        for name, expected in (("nested_array", 422), ("huge", 413), ("utf16", 400)):
            r = http.post("/v1/dossiers", content=HOSTILE[name], headers=headers)
            assert r.status_code == expected, (name, r.text[:300])
            assert r.json()["request_id"] == r.headers["x-request-id"]


HOSTILE_QUERIES = (
    "limit=-1&cursor=%ff%fe",
    "limit=1e999&cursor=!!!",
    "limit=99999999999999999999999&state=NOT_A_STATE",
    "cursor=" + "A" * 5000,
    "commune=%00&kind=%ff&since=9999-99-99&type=x&file_name=../../etc/passwd",
    "&".join(f"k{i}=v" for i in range(2000)),
)


def test_no_route_answers_500_to_a_hostile_query_or_header(
    arena: tuple[Sandbox, Objects],
) -> None:
    sb, objects = arena
    failures = []
    for route in sorted(sb.router.routes, key=lambda r: r.method == "DELETE"):
        for path in _paths(route.template, objects):
            for token in _callers(sb, route.operation_id):
                for query in HOSTILE_QUERIES:
                    headers = {
                        "x-request-id": "é" * 300,
                        "x-content-sha256": "\x00",
                        "content-type": "application/json; charset=utf-16",
                    }
                    if token:
                        headers["authorization"] = f"Bearer {token}"
                    answer = sb.handle(SandboxRequest(route.method, path, query, headers, b"{}"))
                    if answer.status >= 500:
                        failures.append((route.method, path, query[:40], answer.body[:200]))
    assert not failures, (len(failures), failures[:20])
    odd_auth = ("Bearer", "Bearer  ", "Basic abc", "Bearer é\x00", "bearer " + "x" * 10_000)
    for auth in odd_auth:
        answer = sb.handle(SandboxRequest("GET", "/v1/me", "", {"authorization": auth}))
        assert answer.status == 401, (auth[:20], answer.body)


def test_a_body_declared_beyond_64_mib_is_refused_before_it_is_read(
    arena: tuple[Sandbox, Objects],
) -> None:
    sb, _ = arena
    with SandboxServer(sb) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(
                b"POST /v1/dossiers HTTP/1.1\r\nHost: sandbox\r\n"
                b"Content-Type: application/json\r\nContent-Length: 67108865\r\n\r\n{"
            )
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                answer += chunk
        ping = httpx.post(server.url + "/_sandbox/ping", content=b"[" * 100)
        assert (ping.status_code, ping.json()["code"]) == (405, "method_not_allowed")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    problem = json.loads(body)
    assert problem["code"] == "payload_too_large"
    assert problem["message_ar"]
    assert problem["details"]["limit_bytes"] == 64 * 1024 * 1024

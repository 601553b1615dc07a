"""The CMI-like payment page and callback, and signed webhook deliveries."""

from __future__ import annotations

import html
import http.server
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import httpx
import pytest

from rokhas_sdk.api import verify_webhook
from rokhas_sdk.payments.cmi import hash_fields
from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.sandbox._cmi import luhn_ok
from rokhas_sdk.testing._walk import PlatformWalker, pay_with_cmi_simulator

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"


def _payment(walker: PlatformWalker) -> tuple[str, dict[str, Any], dict[str, Any]]:
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    app = walker.client("PETITIONNAIRE")
    order = app.post(f"/v1/dossiers/{did}/fee-orders", json={}).json()
    payment = app.post("/v1/payments", json={"order_id": order["id"]}).json()
    return did, order, payment


def _browser(sb: Sandbox) -> httpx.Client:
    return httpx.Client(transport=sb.transport(), base_url=sb.base_url)


def test_a_declined_card_leaves_the_order_open_and_a_new_attempt_pays(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    _, order, payment = _payment(walker)
    app = walker.client("PETITIONNAIRE")
    with _browser(sb) as b:
        _, title = pay_with_cmi_simulator(b, payment["redirect_url"], pan="4000000000000002")
    assert "refusé" in title
    assert app.get(f"/v1/payments/{payment['id']}").json()["status"] == "failed"
    assert app.get(f"/v1/fee-orders/{order['id']}").json()["status"] == "open"
    retry = app.post("/v1/payments", json={"order_id": order["id"]}).json()
    with _browser(sb) as b:
        _, title = pay_with_cmi_simulator(b, retry["redirect_url"])
    assert "accepté" in title
    assert app.get(f"/v1/fee-orders/{order['id']}").json()["status"] == "paid"
    # A paid order cannot be paid again.
    again = app.post("/v1/payments", json={"order_id": order["id"]})
    assert again.status_code == 422
    assert again.json()["code"] == "payment_not_allowed"


def test_the_gateway_refuses_a_form_with_a_forged_hash(sb: Sandbox, walker: PlatformWalker) -> None:
    _, _, payment = _payment(walker)
    with _browser(sb) as b:
        page = b.get(payment["redirect_url"]).text
        fields = {
            k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)
        }
        fields["amount"] = "1.00"  # the payer tampers with the amount; the HASH no longer matches
        r = b.post("/cmi/fim/est3Dgate", data=fields)
    assert r.status_code == 400
    assert "HASH" in r.text


def test_callbacks_forged_replayed_and_wrong_amount(sb: Sandbox, walker: PlatformWalker) -> None:
    _, order, payment = _payment(walker)
    with _browser(sb) as b:
        page = b.get(payment["redirect_url"]).text
    fields = {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    fields.pop("HASH")
    fields.update(
        {"ProcReturnCode": "00", "Response": "Approved", "TransId": "T1", "AuthCode": "123456"}
    )
    forged = {**fields, "HASH": hash_fields(fields, "not-the-store-key")}
    with _browser(sb) as b:
        assert b.post("/cmi/callback", data=forged).text == "FAILURE"
        wrong_amount = {**fields, "amount": "1.00"}
        wrong_amount["HASH"] = hash_fields(wrong_amount, sb.cmi_store_key)
        assert b.post("/cmi/callback", data=wrong_amount).text == "FAILURE"
        genuine = {**fields, "HASH": hash_fields(fields, sb.cmi_store_key)}
        assert b.post("/cmi/callback", data=genuine).text == "ACTION=POSTAUTH"
        assert (
            b.post("/cmi/callback", data=genuine).text == "ACTION=POSTAUTH"
        )  # replay: same answer, paid once
    app = walker.client("PETITIONNAIRE")
    assert app.get(f"/v1/fee-orders/{order['id']}").json()["status"] == "paid"
    assert app.get(f"/v1/payments/{payment['id']}").json()["status"] == "succeeded"
    paid_events = [e for _, e in sb.store.outbox() if e["type"] == "payment.succeeded"]
    assert len(paid_events) == 1


def test_cancel_on_the_payment_page(sb: Sandbox, walker: PlatformWalker) -> None:
    _, order, payment = _payment(walker)
    with _browser(sb) as b:
        page = b.get(payment["redirect_url"]).text
        fields = {
            k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)
        }
        card = b.post("/cmi/fim/est3Dgate", data=fields).text
        session = re.search(r'name="session" value="([^"]+)"', card)
        assert session is not None
        r = b.post("/cmi/fim/confirm", data={"session": session.group(1), "action": "cancel"})
        assert "annulé" in r.text
        # A used session cannot be replayed.
        assert (
            b.post(
                "/cmi/fim/confirm",
                data={
                    "session": session.group(1),
                    "pan": "4111111111111111",
                    "expiry": "12/30",
                    "cvv": "123",
                },
            ).status_code
            == 400
        )
    assert (
        walker.client("PETITIONNAIRE").get(f"/v1/fee-orders/{order['id']}").json()["status"]
        == "open"
    )


@pytest.mark.parametrize(
    ("pan", "ok"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("79927398713", False),
        ("5555555555554444", True),
    ],
)
def test_luhn(pan: str, ok: bool) -> None:
    assert luhn_ok(pan) is ok


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bytes, dict[str, str]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append((body, dict(self.headers.items())))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[bytes, dict[str, str]]]]]:
    _Receiver.received = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/hook", _Receiver.received
    srv.shutdown()
    srv.server_close()


def test_signed_webhooks_reach_the_owner_and_verify(
    sb: Sandbox,
    walker: PlatformWalker,
    receiver: tuple[str, list[Any]],
    http_for: Callable[..., httpx.Client],
) -> None:
    url, received = receiver
    sb.deliver_webhooks = True
    app = http_for("PETITIONNAIRE")
    ep = app.post(
        "/v1/webhook-endpoints",
        json={
            "url": url,
            "event_types": ["dossier.submitted", "permit.issued", "payment.succeeded"],
        },
    ).json()
    secret = ep["secret"]
    assert secret.startswith("whsec_")
    # Another applicant's endpoint must not receive events of this applicant's dossier.
    other = http_for("PETITIONNAIRE", index=1).post(
        "/v1/webhook-endpoints", json={"url": url + "-other", "event_types": ["dossier.submitted"]}
    )
    assert other.status_code == 201
    walk = walker.walk(KIND, download=False)
    assert sb.webhooks.flush(timeout_s=10)
    types = []
    for body, headers in received:
        event = verify_webhook(body, headers, secret)
        assert event.dossier_id == walk.dossier_id
        types.append(event.type.value)
    assert sorted(types) == ["dossier.submitted", "payment.succeeded", "permit.issued"]
    # A rotated secret: both the new and the previous one verify during the overlap.
    rotated = app.post(f"/v1/webhook-endpoints/{ep['id']}/rotate-secret").json()
    test_event = app.post(f"/v1/webhook-endpoints/{ep['id']}/test").json()
    assert sb.webhooks.flush(timeout_s=10)
    body, headers = received[-1]
    assert verify_webhook(body, headers, rotated["secret"]).id == test_event["id"]
    assert verify_webhook(body, headers, secret).id == test_event["id"]
    # The changes feed lists the same events for whoever may see the dossier.
    feed = app.get("/v1/events", params={"dossier_id": walk.dossier_id, "limit": 200}).json()[
        "items"
    ]
    assert {"dossier.created", "dossier.submitted", "permit.issued"} <= {e["type"] for e in feed}
    assert (
        http_for("PETITIONNAIRE", index=1)
        .get("/v1/events", params={"dossier_id": walk.dossier_id})
        .json()["items"]
        == []
    )

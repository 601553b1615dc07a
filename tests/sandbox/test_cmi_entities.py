"""The payment-page simulator and the platform agree on the callback's HASH for any value.

CMI's callback HASH is checked with the values HTML-unescaped (docs/payments.md, "CMI
hash"); a simulator that signed its callback with the request rule disagreed with the
platform as soon as a value held an HTML entity (``Dupont &amp; Fils``), and the payment
stayed pending. Values here travel the whole way: the merchant's signed form, the
gateway, the card page, the callback over the sandbox's transport, the platform's check.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rokhas_sdk.payments.cmi import hash_fields
from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.testing._walk import PlatformWalker

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"
DECLINED = "4000000000000002"  # insufficient funds: the order stays open for the next try
APPROVED = "4111111111111111"

# HTML references (complete, incomplete, unknown), the hash's own escapes, Arabic.
_PIECES = st.sampled_from(
    [
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&#39;",
        "&#124;",
        "&#x41;",
        "&copy;",
        "&nbsp;",
        "&amp",
        "&bogus;",
        "&#;",
        "&",
        ";",
        "|",
        "\\",
        "<b>",
        '"',
        "'",
        " ",
        "Dupont",
        "فاطمة",
        "\n",
    ]
)
values = st.lists(_PIECES, min_size=1, max_size=8).map("".join)


def _form_fields(b: httpx.Client, redirect_url: str) -> dict[str, str]:
    page = b.get(redirect_url).text
    return {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}


def _pay(
    sb: Sandbox, walker: PlatformWalker, order: dict[str, Any], pan: str, **values: str
) -> dict[str, Any]:
    """One payment attempt whose form carries ``values``; the payment afterwards."""
    app = walker.client("PETITIONNAIRE")
    payment = app.post("/v1/payments", json={"order_id": order["id"]}).json()
    with httpx.Client(transport=sb.transport(), base_url=sb.base_url) as b:
        fields = _form_fields(b, payment["redirect_url"])
        fields.pop("HASH")
        fields.update(values)
        # the merchant signs its form by the request rule (build_payment_form does)
        fields["HASH"] = hash_fields(fields, sb.cmi_store_key)
        card = b.post("/cmi/fim/est3Dgate", data=fields)
        assert card.status_code == 200, card.text
        session = re.search(r'name="session" value="([^"]+)"', card.text)
        assert session is not None
        b.post(
            "/cmi/fim/confirm",
            data={
                "session": session.group(1),
                "pan": pan,
                "expiry": "12/30",
                "cvv": "123",
                "action": "pay",
            },
        )
    result: dict[str, Any] = app.get(f"/v1/payments/{payment['id']}").json()
    return result


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=values, city=values)
def test_the_simulator_callback_passes_the_platform_check_whatever_the_values(
    sb: Sandbox, walker: PlatformWalker, name: str, city: str
) -> None:
    # One open order for every example: a declined card leaves it open. A callback the
    # platform accepts makes the payment "failed" with the card's reason; a callback whose
    # HASH it refuses changes nothing, and the payment would stay "pending".
    order = _open_order(sb, walker)
    payment = _pay(sb, walker, order, DECLINED, BillToName=name, BillToCity=city)
    assert payment["status"] == "failed", (name, city, payment)


def test_a_name_with_an_html_entity_pays_the_order(sb: Sandbox, walker: PlatformWalker) -> None:
    order = _open_order(sb, walker)
    payment = _pay(sb, walker, order, APPROVED, BillToName="Dupont &amp; Fils | &#124; \\ <b>")
    assert payment["status"] == "succeeded"
    app = walker.client("PETITIONNAIRE")
    assert app.get(f"/v1/fee-orders/{order['id']}").json()["status"] == "paid"


_last: list[tuple[Sandbox, dict[str, Any]]] = []


def _open_order(sb: Sandbox, walker: PlatformWalker) -> dict[str, Any]:
    """The fee order of a dossier awaiting signature, made once per sandbox (hypothesis
    runs every example of a test with the same fixtures)."""
    if not _last or _last[0][0] is not sb:
        did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
        app = walker.client("PETITIONNAIRE")
        order = app.post(f"/v1/dossiers/{did}/fee-orders", json={}).json()
        _last[:] = [(sb, order)]
    return _last[0][1]

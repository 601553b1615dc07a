"""The CMI payment page as a person uses it: headless Chromium, real HTTP on 127.0.0.1.

Chromium opens the platform's redirect URL; the auto-submitted form reaches the
simulated gateway, which checks the ver3 HASH and shows the card form; the test types a
card number and clicks "Payer" like a payer would; the gateway posts its signed callback
to the platform and sends the browser back to the result page. The order is paid.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from conftest import require_tool
from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.testing import SandboxServer
from rokhas_sdk.testing._walk import PlatformWalker

from ._cdp import Chromium


def test_payer_pays_on_the_simulated_cmi_page_in_chromium(
    sb: Sandbox, server: SandboxServer, tmp_path: Path
) -> None:
    exe = require_tool("chromium")

    def factory(token: str | None) -> httpx.Client:
        return httpx.Client(
            base_url=server.url, headers={"authorization": f"Bearer {token}"} if token else {}
        )

    walker = PlatformWalker(factory, sb.token_for)
    try:
        did = walker.walk(
            "URB_PERMIS_CONSTRUIRE_PETIT_PROJET", until="PENDING_SIGNATURE"
        ).dossier_id
        app = walker.client("PETITIONNAIRE")
        order = app.post(f"/v1/dossiers/{did}/fee-orders", json={}).json()
        payment = app.post("/v1/payments", json={"order_id": order["id"]}).json()
        assert payment["redirect_url"].startswith(server.url)

        browser = Chromium(exe, tmp_path / "profile")
        try:
            browser.open(payment["redirect_url"])
            # The auto-posted form lands on the gateway's card form, showing the amount.
            browser.wait_for("document.getElementById('card-form') !== null")
            assert (
                browser.evaluate("document.getElementById('amount').textContent") == order["total"]
            )
            browser.evaluate(
                "document.getElementById('pan').value = '4111 1111 1111 1111';"
                "document.getElementById('expiry').value = '12/30';"
                "document.getElementById('cvv').value = '123';"
                "document.getElementById('pay').click(); true"
            )
            # The gateway's result page posts back to the platform's return page.
            status = browser.wait_for(
                "document.getElementById('status') && document.getElementById('status').textContent"
            )
            assert status == "succeeded"
            title = browser.evaluate("document.title")
            assert title.startswith("Paiement accepté")
            assert "تم قبول الأداء" in title
        finally:
            browser.close()
        assert app.get(f"/v1/payments/{payment['id']}").json()["status"] == "succeeded"
        assert app.get(f"/v1/fee-orders/{order['id']}").json()["status"] == "paid"
    finally:
        walker.close()

"""Fee codes on the wire are the library's; the old underscore spelling still selects."""

from __future__ import annotations

from rokhas_sdk.payments import quote
from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.testing._walk import PlatformWalker

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"


def test_quote_and_orders_carry_the_library_codes_and_accept_the_old_ones(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    app = walker.client("PETITIONNAIRE")
    wire = app.get(f"/v1/dossiers/{did}/fees/quote").json()
    record = sb.records.get(did)
    assert record is not None
    library = quote(record.dossier, on=sb.clock.now().date())
    assert [ln["code"] for ln in wire["lines"]] == [ln.code for ln in library.lines]
    assert [ln["label_fr"] for ln in wire["lines"]] == [ln.label_fr for ln in library.lines]
    code = wire["lines"][0]["code"]
    assert "." in code  # e.g. TOC.INDIVIDUEL
    # The spelling the API used before (TOC_INDIVIDUEL) selects the same line.
    old = app.post(f"/v1/dossiers/{did}/fee-orders", json={"codes": [code.replace(".", "_")]})
    assert old.status_code in (200, 201), old.text
    assert [ln["code"] for ln in old.json()["lines"]] == [code]
    unknown = app.post(f"/v1/dossiers/{did}/fee-orders", json={"codes": ["TOC.CASTLE"]})
    assert unknown.status_code == 422
    assert "TOC.CASTLE" in unknown.json()["message_fr"]

"""End to end over real HTTP on 127.0.0.1, through the SDK's RokhasClient.

One scripted scenario per procedure family: draft, pieces, plan signatures, filing,
receipt, commission opinions, fees paid through the CMI simulator's pages, the
president's decision, the permit signed with the test PKI's president key, downloaded
and verified TOTAL_PASSED against the test trust root. Another reaches tacit approval
by advancing the sandbox's clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rokhas_sdk.client import RokhasClient, UnprocessableEntityError
from rokhas_sdk.models import ProcedureFamily, permit_visas, procedure_kind_info
from rokhas_sdk.procedure import definition, kind_info, validity_end
from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.signing import verify_pdf
from rokhas_sdk.testing import FAMILY_KINDS, SandboxServer, dossier_data, piece_files
from rokhas_sdk.testing._walk import pay_with_cmi_simulator

from .conftest import trust_store


class Clients:
    def __init__(self, sb: Sandbox, url: str) -> None:
        self.sb, self.url = sb, url
        self._made: dict[tuple[str, str | None], RokhasClient] = {}

    def __call__(self, role: str, body: str | None = None) -> RokhasClient:
        key = (role, body)
        if key not in self._made:
            token = self.sb.token_for(role, body=body) if body else self.sb.token_for(role)
            self._made[key] = RokhasClient(base_url=self.url, token=token, max_retries=0)
        return self._made[key]

    def close(self) -> None:
        for c in self._made.values():
            c.close()


@pytest.fixture
def clients(signed_sb: Sandbox, signed_server: SandboxServer) -> Iterator[Clients]:
    c = Clients(signed_sb, signed_server.url)
    yield c
    c.close()


def _permit_data(sb: Sandbox, dossier: Any, number: str) -> dict[str, Any]:
    from rokhas_sdk.models import get_commune

    commune = get_commune(dossier.commune)
    applicant = dossier.applicant
    name = applicant.display_name
    ident = getattr(applicant, "cin", None) or getattr(applicant, "ice", None)
    return {
        "number": number,
        "dossier_reference": dossier.reference,
        "kind": dossier.kind.value,
        "commune": dossier.commune,
        "commune_name_fr": commune.name_fr,
        "commune_name_ar": commune.name_ar,
        "beneficiary_name": name,
        "beneficiary_id": ident,
        "object_fr": dossier.kind.label_fr,
        "object_ar": dossier.kind.label_ar,
        "address": dossier.parcel.address if dossier.parcel else dossier.activity.premises_address,
        "issued_on": sb.clock.now().date().isoformat(),
        "signatory": {
            "name": "Karim Bennani",
            "title_fr": "Président du conseil communal",
            "title_ar": "رئيس المجلس الجماعي",
        },
    }


@pytest.mark.parametrize("family", list(ProcedureFamily), ids=lambda f: f.value)
def test_family_scenario_end_to_end(
    family: ProcedureFamily, clients: Clients, signed_sb: Sandbox, signing: tuple[Any, bytes]
) -> None:
    kind = FAMILY_KINDS[family]
    info = procedure_kind_info(kind)
    graph_events = set(definition(kind).events)
    app = clients("PETITIONNAIRE")

    # Draft and pieces.
    res = app.dossiers.create(dossier_data(kind))
    did = res.id
    assert res.state.value == "DRAFT"
    assert res.missing
    for piece_type, name, data in piece_files(kind):
        app.pieces.upload(did, data, type=piece_type, file_name=name, media_type="application/pdf")
    # Plans signed by the designers the law names (where the procedure has that step).
    if "sign_plans" in graph_events:
        for role in info.plans_signed_by:
            clients(role.value).dossiers.record_event(did, {"event": "sign_plans"})
    assert app.dossiers.get(did).missing == []

    # Filing and receipt.
    assert app.dossiers.submit(did).state.value == "SUBMITTED"
    guichet = clients("GUICHET_AGENT")
    guichet.dossiers.record_event(did, {"event": "issue_receipt"})
    current = guichet.dossiers.get(did)
    assert current.state.value == "RECEIPT_ISSUED"
    assert current.due_at is not None

    # Commission, where the procedure has one, with every required opinion.
    allowed = [e.value for e in current.allowed_events]
    if "dispatch_to_commission" in allowed:
        guichet.dossiers.record_event(did, {"event": "dispatch_to_commission"})
    if "schedule_commission" in [e.value for e in guichet.dossiers.get(did).allowed_events]:
        guichet.dossiers.record_event(
            did, {"event": "schedule_commission", "session_at": signed_sb.clock.now().isoformat()}
        )
        for i, body in enumerate(kind_info(kind).required_opinions):
            member = clients("COMMISSION_MEMBER", body)
            # the first member's reserves, in both languages, become the permit's conditions
            reserves = (
                {
                    "opinion": "FAVORABLE_WITH_RESERVES",
                    "reasons_fr": ["Respecter l'alignement."],
                    "reasons_ar": ["احترام التصفيف."],
                }
                if i == 0
                else {"opinion": "FAVORABLE"}
            )
            member.dossiers.record_event(
                did,
                {"event": "record_opinion", "body": body, "member_name": "Membre", **reserves},
            )
        guichet.dossiers.record_event(did, {"event": "conclude_commission", "opinion": "FAVORABLE"})
    guichet.dossiers.record_event(did, {"event": "send_for_signature"})
    assert guichet.dossiers.get(did).state.value == "PENDING_SIGNATURE"

    # Fees, paid through the CMI simulator's pages; the president cannot deliver before.
    quote = app.fees.quote(did)
    president = clients("PRESIDENT_COMMUNE")
    number = f"P-{family.value[:4].upper()}-{did[4:]}"
    dossier = app.dossiers.get(did).dossier
    permit = _permit_data(signed_sb, dossier, number)
    if quote.total.amount > 0:
        with pytest.raises(UnprocessableEntityError) as refused:
            president.dossiers.record_event(
                did, {"event": "issue_decision", "decision": "granted", "permit": permit}
            )
        assert "fees_unpaid" in str(refused.value.body) or "fees" in str(refused.value).lower()
        order = app.fees.create_order(did)
        assert order.total == quote.total
        payment = app.payments.create(order.id)
        with httpx.Client(base_url=clients.url) as browser:
            _, title = pay_with_cmi_simulator(browser, payment.redirect_url or "")
        assert "accepté" in title
        assert app.payments.get(payment.id).status.value == "succeeded"
        assert app.fees.get_order(order.id).status.value == "paid"

    # Decision, permit signed, downloaded, verified.
    president.dossiers.record_event(
        did, {"event": "issue_decision", "decision": "granted", "permit": permit}
    )
    assert app.dossiers.get(did).state.value == "ISSUED"
    pdf = app.permits.read_pdf(did)
    resource = app.permits.get(did)
    assert resource.permit.number == number
    assert resource.pdf_sha256
    # the platform completed what the issuer left out: the kind's visas, its validity,
    # and the commission's concluding opinion where there was a commission
    assert resource.permit.visas == permit_visas(kind)
    assert resource.permit.valid_until == validity_end(kind, resource.permit.issued_on)
    concluded = "conclude_commission" in graph_events and kind_info(kind).required_opinions
    assert (resource.permit.commission is not None) == bool(concluded), family
    if concluded:
        assert resource.permit.conditions_fr == ("Respecter l'alignement.",)
        assert resource.permit.conditions_ar == ("احترام التصفيف.",)
    report = verify_pdf(pdf, trust=trust_store(signing[1]))
    assert report.document.indication.value == "TOTAL_PASSED", report.document.errors
    assert report.permit is not None
    assert report.permit.permit == resource.permit
    assert report.permit.covered
    check = app.permits.verify(pdf)
    assert check.valid
    assert check.matches_platform_record
    assert check.dossier_id == did
    # A byte flipped inside the signed file is caught.
    tampered = bytearray(pdf)
    at = pdf.index(b"/Contents", len(pdf) // 3)
    tampered[at - 40] ^= 0x01
    assert not app.permits.verify(bytes(tampered)).valid


def test_tacit_approval_by_advancing_the_clock(
    clients: Clients, signed_sb: Sandbox, signing: tuple[Any, bytes]
) -> None:
    kind = FAMILY_KINDS[ProcedureFamily.BUILDING]
    app = clients("PETITIONNAIRE")
    did = app.dossiers.create(dossier_data(kind)).id
    for piece_type, name, data in piece_files(kind):
        app.pieces.upload(did, data, type=piece_type, file_name=name, media_type="application/pdf")
    clients("ARCHITECTE").dossiers.record_event(did, {"event": "sign_plans"})
    app.dossiers.submit(did)
    clients("GUICHET_AGENT").dossiers.record_event(did, {"event": "issue_receipt"})
    # Nobody decides. One day before the legal deadline, still nothing...
    admin = httpx.Client(
        base_url=clients.url, headers={"authorization": f"Bearer {signed_sb.admin_token}"}
    )
    rec = signed_sb.records.get(did)
    assert rec is not None
    _, tacit_at = signed_sb.deadlines.due_and_tacit(rec, signed_sb.clock.now())
    assert tacit_at is not None
    step = (tacit_at - signed_sb.clock.now()).total_seconds() / 86400 - 1
    assert admin.post("/_sandbox/clock/advance", json={"days": step}).status_code == 200
    assert app.dossiers.get(did).state.value == "RECEIPT_ISSUED"
    # ...then silence becomes consent.
    assert admin.post("/_sandbox/clock/advance", json={"days": 2}).status_code == 200
    res = app.dossiers.get(did)
    assert res.state.value == "TACITLY_APPROVED"
    assert res.permit_number
    # A decision after tacit approval is refused by the procedure engine.
    with pytest.raises(UnprocessableEntityError):
        clients("PRESIDENT_COMMUNE").dossiers.record_event(
            did, {"event": "issue_decision", "decision": "refused", "reasons_fr": ["trop tard"]}
        )
    pdf = app.permits.read_pdf(did)
    report = verify_pdf(pdf, trust=trust_store(signing[1]))
    assert report.document.indication.value == "TOTAL_PASSED"
    assert report.permit is not None
    assert report.permit.permit is not None
    assert report.permit.permit.decision == "tacit"
    journal = [e.event for e in app.dossiers.journal(did)]
    assert journal[-1] == "declare_tacit_approval"
    admin.close()

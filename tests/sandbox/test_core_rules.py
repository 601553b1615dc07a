"""The sandbox's core: states from the graphs, history in the procedure journal, and the
business rules of issue 14 (drafts by their filer, permit numbers unique per commune,
stored 4xx idempotent answers, permits composed from the dossier, refusals that name
their field or rule with bilingual texts and the developer hint apart)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from rokhas_sdk.api import DossierState
from rokhas_sdk.models import ProcedureKind, permit_number
from rokhas_sdk.procedure import Journal, definition, verify
from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.sandbox._rules import wire_state
from rokhas_sdk.testing import dossier_data, pay_with_cmi_simulator, piece_files
from rokhas_sdk.testing._walk import PlatformWalker

KIND = ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET


@pytest.mark.parametrize("kind", list(ProcedureKind), ids=lambda k: k.value)
def test_every_graph_state_of_every_kind_round_trips_on_the_wire(kind: ProcedureKind) -> None:
    states = definition(kind).states
    assert "WITHDRAWN" in states  # withdrawal is a transition of every dossier graph
    for state in states:
        wire = wire_state(state)
        assert wire == state
        assert DossierState(wire).value == state


def test_a_state_the_contract_does_not_know_is_an_error_not_in_commission() -> None:
    with pytest.raises(ValueError, match="SOMETHING_NEW"):
        wire_state("SOMETHING_NEW")


def _dossier(sb: Sandbox, did: str) -> dict[str, Any]:
    record = sb.records.get(did)
    assert record is not None
    return {"state": record.state, "journal": record.journal}


def test_an_economic_dossier_under_public_inquiry_reads_public_inquiry(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    kind = ProcedureKind.ECO_ETABLISSEMENT_CLASSE_2E
    did = walker.walk(kind, until="RECEIPT_ISSUED").dossier_id
    guichet = walker.client("GUICHET_AGENT")
    assert "open_public_inquiry" in guichet.get(f"/v1/dossiers/{did}").json()["allowed_events"]
    line = guichet.post(f"/v1/dossiers/{did}/events", json={"event": "open_public_inquiry"})
    assert line.status_code == 201, line.text
    assert line.json()["state_after"] == "PUBLIC_INQUIRY"
    assert guichet.get(f"/v1/dossiers/{did}").json()["state"] == "PUBLIC_INQUIRY"
    assert _dossier(sb, did)["journal"].state.state == "PUBLIC_INQUIRY"


def test_withdrawal_is_in_the_journal_and_replays_withdrawn(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    did = walker.walk(KIND, until="RECEIPT_ISSUED").dossier_id
    app = walker.client("PETITIONNAIRE")
    r = app.post(f"/v1/dossiers/{did}/withdraw", json={"reason": "projet abandonné"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "WITHDRAWN"
    assert r.json()["due_at"] is None  # withdrawal stops every clock
    # The stored journal, read back line by line, verifies and replays to WITHDRAWN.
    lines = sb.store.procedure_lines(did)
    assert verify(lines) is None
    replayed = Journal.from_lines(lines)
    assert replayed.state.state == "WITHDRAWN"
    assert [e.event for e in replayed.entries()][-1] == "withdraw"
    # A second withdrawal is the graph's refusal, naming its rule.
    again = app.post(f"/v1/dossiers/{did}/withdraw", json={})
    assert again.status_code == 422
    assert again.json()["details"]["rule"] == "terminal_state"


def test_a_decided_dossier_cannot_be_withdrawn(sb: Sandbox, walker: PlatformWalker) -> None:
    did = walker.walk(KIND, decide="refused").dossier_id
    r = walker.client("PETITIONNAIRE").post(f"/v1/dossiers/{did}/withdraw", json={})
    assert r.status_code == 422
    assert r.json()["code"] == "transition_not_allowed"
    assert _dossier(sb, did)["state"] == "REFUSED"


def test_each_procedure_line_on_the_wire_carries_the_journal_hashes(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    did = walker.walk(KIND, until="RECEIPT_ISSUED").dossier_id
    lines = walker.client("PETITIONNAIRE").get(f"/v1/dossiers/{did}/events").json()["items"]
    journal = Journal.from_lines(sb.store.procedure_lines(did))
    hashes = [e.hash for e in journal.entries()]
    proofs = [ln["data"] for ln in lines if "hash" in ln["data"]]
    assert [p["hash"] for p in proofs] == hashes[1:]  # line 0 opens the procedure
    assert [p["prev_hash"] for p in proofs] == hashes[:-1]


def _draft(walker: PlatformWalker) -> str:
    app = walker.client("PETITIONNAIRE")
    r = app.post("/v1/dossiers", json=dossier_data(KIND))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_named_architect_cannot_edit_the_applicants_draft(walker: PlatformWalker) -> None:
    did = _draft(walker)
    architect = walker.client("ARCHITECTE")
    # The architect named in the draft sees it...
    seen = architect.get(f"/v1/dossiers/{did}")
    assert seen.status_code == 200
    # ...but may not rewrite the applicant's identity on it.
    applicant = seen.json()["dossier"]["applicant"]
    r = architect.patch(
        f"/v1/dossiers/{did}", json={"applicant": {**applicant, "last_name": "Autre"}}
    )
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["details"]["rule"] == "draft_edited_by_filer"
    assert body["message_fr"]
    assert body["message_ar"]
    assert body["hint"]
    # Nothing changed; the filer may edit it.
    app = walker.client("PETITIONNAIRE")
    assert app.get(f"/v1/dossiers/{did}").json()["dossier"]["applicant"] == applicant
    ok = app.patch(f"/v1/dossiers/{did}", json={"reference": "REF-EDITED-1"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["dossier"]["reference"] == "REF-EDITED-1"


def _counter_paid(walker: PlatformWalker, did: str) -> None:
    regisseur = walker.client("REGISSEUR")
    order = regisseur.post(f"/v1/dossiers/{did}/fee-orders", json={})
    assert order.status_code == 201, order.text
    pay = regisseur.post("/v1/payments", json={"order_id": order.json()["id"], "method": "counter"})
    assert pay.status_code == 201, pay.text
    assert pay.json()["status"] == "succeeded"


def test_a_grant_without_permit_data_gets_a_permit_composed_from_the_dossier(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    _counter_paid(walker, did)
    president = walker.client("PRESIDENT_COMMUNE")
    r = president.post(
        f"/v1/dossiers/{did}/events",
        json={
            "event": "issue_decision",
            "decision": "granted",
            "overrides": {
                "valid_until": "2029-03-02",
                "conditions_fr": ["Respect du plan d'aménagement"],
                "conditions_ar": ["احترام تصميم التهيئة"],
            },
        },
    )
    assert r.status_code == 201, r.text
    permit = president.get(f"/v1/dossiers/{did}/permit").json()["permit"]
    data = president.get(f"/v1/dossiers/{did}").json()["dossier"]
    applicant = data["applicant"]
    assert permit["beneficiary_name"] == f"{applicant['first_name']} {applicant['last_name']}"
    assert permit["dossier_reference"] == data["reference"]
    assert permit["address"] == data["parcel"]["address"]
    assert permit["kind"] == KIND.value
    assert permit["valid_until"] == "2029-03-02"
    assert permit["conditions_ar"] == ["احترام تصميم التهيئة"]
    commune = sb.communes[0]
    assert permit["number"] == permit_number(commune, 2026, 1)  # the commune's first
    assert sb.store.permit_number_holder(commune, permit["number"]) == did


def test_overrides_are_validated(walker: PlatformWalker) -> None:
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    _counter_paid(walker, did)
    r = walker.client("PRESIDENT_COMMUNE").post(
        f"/v1/dossiers/{did}/events",
        json={
            "event": "issue_decision",
            "decision": "granted",
            # A condition in French without its Arabic text: the Permit refuses it.
            "overrides": {"conditions_fr": ["Clôture"], "conditions_ar": []},
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "overrides"
    assert walker.client("PRESIDENT_COMMUNE").get(f"/v1/dossiers/{did}").json()["state"] == (
        "PENDING_SIGNATURE"
    )


def test_a_permit_number_is_issued_once_per_commune(sb: Sandbox, walker: PlatformWalker) -> None:
    first = walker.walk(KIND, download=False).permit_number
    assert first is not None
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    _counter_paid(walker, did)
    president = walker.client("PRESIDENT_COMMUNE")
    r = president.post(
        f"/v1/dossiers/{did}/events",
        json={"event": "issue_decision", "decision": "granted", "overrides": {"number": first}},
    )
    assert r.status_code == 422, r.text
    details = r.json()["details"]
    assert details["rule"] == "permit_number_unique_per_commune"
    assert details["field"] == "permit.number"
    assert r.json()["hint"]
    # Refused, nothing moved: the dossier still waits for its signature.
    assert president.get(f"/v1/dossiers/{did}").json()["state"] == "PENDING_SIGNATURE"
    again = president.post(
        f"/v1/dossiers/{did}/events",
        json={"event": "issue_decision", "decision": "granted"},
    )
    assert again.status_code == 201, again.text


def test_a_4xx_first_answer_is_stored_and_replayed_for_its_key(walker: PlatformWalker) -> None:
    app = walker.client("PETITIONNAIRE")
    did = _draft(walker)
    key = {"idempotency-key": str(uuid.uuid4())}
    first = app.post(f"/v1/dossiers/{did}/submit", headers=key)
    assert first.status_code == 422
    assert first.json()["code"] == "dossier_incomplete"
    # The dossier is fixed: pieces uploaded and plans signed...
    for t, name, data in piece_files(KIND):
        up = app.post(
            f"/v1/dossiers/{did}/pieces",
            params={"type": t.value, "file_name": name},
            content=data,
            headers={"content-type": "application/pdf"},
        )
        assert up.status_code == 201, up.text
    signed = walker.client("ARCHITECTE").post(
        f"/v1/dossiers/{did}/events", json={"event": "sign_plans"}
    )
    assert signed.status_code == 201, signed.text
    # ...yet a retry with the same key gets the stored answer and does nothing.
    retry = app.post(f"/v1/dossiers/{did}/submit", headers=key)
    assert retry.status_code == 422
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert app.get(f"/v1/dossiers/{did}").json()["state"] == "PLANS_SIGNED"
    # A new key acts.
    fresh = app.post(f"/v1/dossiers/{did}/submit", headers={"idempotency-key": "k-2"})
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["state"] == "SUBMITTED"


def test_a_refusal_keeps_the_developer_hint_out_of_the_messages(walker: PlatformWalker) -> None:
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    r = walker.client("PRESIDENT_COMMUNE").post(
        f"/v1/dossiers/{did}/events", json={"event": "issue_decision", "decision": "granted"}
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["details"]["rule"] == "fees_unpaid"
    assert "record_payment" in body["hint"]
    for message in (body["message_fr"], body["message_ar"]):
        assert "record_payment" not in message
        assert "context." not in message
    assert "droits" in body["message_fr"]
    assert "الرسوم" in body["message_ar"]


REFUSALS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("PETITIONNAIRE", "POST", "/v1/dossiers", {"kind": "NOPE"}),
    ("PETITIONNAIRE", "POST", "/v1/dossiers/{did}/submit", None),
    ("PETITIONNAIRE", "POST", "/v1/dossiers/{did}/events", {"event": "issue_receipt"}),
    ("PETITIONNAIRE", "GET", "/v1/dossiers/dos_0000000000000000", None),
    ("ARCHITECTE", "PATCH", "/v1/dossiers/{did}", {"reference": "X-1"}),
    ("PETITIONNAIRE", "GET", "/v1/dossiers?cursor=%%%", None),
    ("GUICHET_AGENT", "POST", "/v1/dossiers", {}),
    ("PETITIONNAIRE", "POST", "/v1/dossiers/{did}/fee-orders", {}),
    ("PETITIONNAIRE", "GET", "/v1/dossiers/{did}/permit", None),
]


@pytest.mark.parametrize(("role", "method", "path", "body"), REFUSALS)
def test_every_refusal_names_its_field_or_rule_in_both_languages(
    walker: PlatformWalker, role: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    did = _draft(walker)
    client: httpx.Client = walker.client(role)
    r = client.request(method, path.format(did=did), json=body)
    assert 400 <= r.status_code < 500, r.text
    envelope = r.json()
    assert envelope["message_fr"]
    assert envelope["message_ar"]
    assert envelope["message_fr"] != envelope["message_ar"]
    details = envelope["details"]
    assert details, f"{method} {path}: a refusal without details: {envelope}"
    assert {"field", "rule", "problems", "operation", "missing"} & set(details), details


def test_the_card_payment_helper_pays_over_the_simulator(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    app = walker.client("PETITIONNAIRE")
    order = app.post(f"/v1/dossiers/{did}/fee-orders", json={}).json()
    payment = app.post("/v1/payments", json={"order_id": order["id"]}).json()
    browser = httpx.Client(transport=sb.transport(), base_url=sb.base_url)
    with browser:
        _, title = pay_with_cmi_simulator(browser, payment["redirect_url"])
    assert "accepté" in title
    assert app.get(f"/v1/payments/{payment['id']}").json()["status"] == "succeeded"
    assert app.get(f"/v1/fee-orders/{order['id']}").json()["status"] == "paid"


def test_a_database_of_an_older_schema_is_refused_with_what_to_do(tmp_path: Any) -> None:
    import sqlite3

    from rokhas_sdk.sandbox import SandboxConfigurationError

    db = tmp_path / "old.sqlite"
    with Sandbox(db=db) as first:
        assert first.store.meta_get("schema_version") == "2"
    # A file written by an older sandbox: a dossier, and no schema version.
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM meta WHERE key='schema_version'")
    conn.execute(
        "INSERT INTO docs(kind, id, updated_seq, body) VALUES('dossier', 'dos_1', 1, '{}')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(SandboxConfigurationError, match="new --db file"):
        Sandbox(db=db)


def test_role_groups_are_named_once_in_the_data_file() -> None:
    # No module of the sandbox spells out a group of roles (two or more role names in
    # one literal): groups come from data/authorization.json through _roles.
    import ast
    from pathlib import Path

    from rokhas_sdk.models import Role
    from rokhas_sdk.sandbox import _authz, _roles

    names = {r.value for r in Role} | {"SANDBOX_ADMIN"}
    room = Path(_roles.__file__).parent
    spelled = []
    for path in sorted(room.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Set | ast.Tuple | ast.List):
                found = [
                    e.value if isinstance(e, ast.Constant) else e.attr
                    for e in node.elts
                    if (isinstance(e, ast.Constant) and e.value in names)
                    or (isinstance(e, ast.Attribute) and e.attr in names)
                ]
                if len(found) >= 2:
                    spelled.append(f"{path.name}:{node.lineno} {found}")
    assert not spelled, spelled
    groups = _roles.authorization_data()["groups"]
    assert set(groups["applicants"]) == _authz.APPLICANT_ROLES
    assert set(groups["designers"]) == _authz.DESIGNER_ROLES
    assert set(groups["commune"]) == _authz.COMMUNE_ROLES


def test_a_tampered_journal_is_never_read_as_a_valid_history(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    from rokhas_sdk.sandbox import SandboxConfigurationError

    did = walker.walk(KIND, until="RECEIPT_ISSUED").dossier_id
    # Someone edits a stored line of the chain (the actor of the filing).
    line = sb.store._db.execute(
        "SELECT line FROM procedure_lines WHERE dossier_id=? AND seq=2", (did,)
    ).fetchone()[0]
    sb.store._db.execute(
        "UPDATE procedure_lines SET line=? WHERE dossier_id=? AND seq=2",
        (line.replace('"actor":"', '"actor":"x'), did),
    )
    sb.records.forget(did)
    with pytest.raises(SandboxConfigurationError, match="does not verify"):
        sb.records.get(did)


def test_the_typed_client_carries_the_rule_and_the_hint(sb: Sandbox) -> None:
    from rokhas_sdk.client import PermissionDeniedError, RokhasClient

    app = RokhasClient(
        base_url=sb.base_url, token=sb.token_for("PETITIONNAIRE"), transport=sb.transport()
    )
    architect = RokhasClient(
        base_url=sb.base_url, token=sb.token_for("ARCHITECTE"), transport=sb.transport()
    )
    with app, architect:
        did = app.dossiers.create(dossier_data(KIND)).id
        with pytest.raises(PermissionDeniedError) as refused:
            architect.dossiers.update(did, {"reference": "AUTRE-2"})
    assert refused.value.details["rule"] == "draft_edited_by_filer"
    assert refused.value.hint == "edit the draft with the token of the user who created it"
    assert refused.value.message_ar

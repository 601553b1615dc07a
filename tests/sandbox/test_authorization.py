"""Authorisation: every operation by every role, and every procedure event by every role.

Two matrices. The first covers every operation of the contract (and the sandbox's own
routes) for every seeded role and for an anonymous caller: a role outside the
operation's row of ``data/authorization.json`` gets 403, a role inside never does.
The second walks a building permit through its states and, in each, posts every event
of the contract as every role: the sandbox accepts exactly the (state, event, role)
triples that the procedure room's transition table allows, and the state never moves
on a refusal. Then the rules the issue names, one by one.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from rokhas_sdk.api import OPERATIONS
from rokhas_sdk.models import CommissionBody, Role
from rokhas_sdk.procedure import definition
from rokhas_sdk.sandbox import Sandbox, authorization_matrix
from rokhas_sdk.testing import dossier_data, piece_files
from rokhas_sdk.testing._walk import PlatformWalker

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"
ROLES = [r.value for r in Role if r is not Role.SYSTEM] + ["SANDBOX_ADMIN"]


def _caller(sb: Sandbox, role: str | None) -> httpx.Client:
    headers = {}
    if role is not None:
        body = CommissionBody.AGENCE_URBAINE if role == "COMMISSION_MEMBER" else None
        token = sb.admin_token if role == "SANDBOX_ADMIN" else sb.token_for(role, body=body)
        headers["authorization"] = f"Bearer {token}"
    return httpx.Client(transport=sb.transport(), base_url=sb.base_url, headers=headers)


def _world(sb: Sandbox, walker: PlatformWalker) -> dict[str, str]:
    """A granted dossier (with its order, payment and permit) and a fresh draft with a piece."""
    issued = walker.walk(KIND, download=False)
    app = walker.client("PETITIONNAIRE")
    order = app.get(f"/v1/dossiers/{issued.dossier_id}/fee-orders").json()["items"][0]
    payment = next(iter(sb.store.scan("payment")))[1]
    draft = app.post("/v1/dossiers", json=dossier_data(KIND)).json()["id"]
    t, name, data = piece_files(KIND)[0]
    piece = app.post(
        f"/v1/dossiers/{draft}/pieces",
        params={"type": t.value, "file_name": name},
        content=data,
        headers={"content-type": "application/pdf"},
    ).json()["id"]
    endpoint = app.post(
        "/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/hook", "event_types": ["dossier.created"]},
    ).json()["id"]
    return {
        "issued": issued.dossier_id,
        "draft": draft,
        "piece": piece,
        "order": order["id"],
        "payment": payment["id"],
        "endpoint": endpoint,
    }


def _request(op_id: str, method: str, path: str, w: dict[str, str]) -> dict[str, Any]:
    dossier = (
        w["draft"]
        if op_id
        in {
            "updateDossier",
            "submitDossier",
            "withdrawDossier",
            "uploadPiece",
            "listPieces",
            "getPiece",
            "downloadPiece",
            "deletePiece",
        }
        else w["issued"]
    )
    params = {
        "dossier_id": dossier,
        "piece_id": w["piece"],
        "order_id": w["order"],
        "payment_id": w["payment"],
        "endpoint_id": w["endpoint"],
        "commune_code": "141.01.01",
    }
    url = path.format(**params) if "{" in path else path
    kw: dict[str, Any] = {}
    if op_id == "uploadPiece":
        kw = {
            "params": {"type": "PHOTOS", "file_name": "photo.pdf"},
            "content": b"%PDF-1.4 test",
            "headers": {"content-type": "application/pdf"},
        }
    elif op_id == "verifyPermit":
        kw = {"content": b"%PDF-1.4 not signed", "headers": {"content-type": "application/pdf"}}
    elif op_id in ("getCommuneIndicators", "listIndicators"):
        kw = {"params": {"period": "2024-Q2"}}
    elif op_id == "createDossier":
        kw = {"json": dossier_data(KIND)}
    elif op_id == "updateDossier":
        kw = {"json": {"reference": "RENAMED-1"}}
    elif op_id == "postDossierEvent":
        kw = {"json": {"event": "declare_works_opening", "works_start_on": "2024-06-10"}}
    elif op_id == "createPayment":
        kw = {"json": {"order_id": w["order"]}}
    elif op_id == "createWebhookEndpoint":
        kw = {"json": {"url": "http://127.0.0.1:9/hook", "event_types": ["permit.issued"]}}
    elif op_id == "sandboxAdvanceClock":
        kw = {"json": {"seconds": 1}}
    elif op_id == "sandboxSetFaults" or method in ("POST", "PUT", "PATCH"):
        kw = {"json": {}}
    return {"method": method, "url": url, **kw}


def _routes(sb: Sandbox) -> list[tuple[str, str, str]]:
    seen = set()
    out = []
    for r in sb.router.routes:
        if r.operation_id.startswith("cmi") or r.operation_id in seen:
            continue
        seen.add(r.operation_id)
        out.append((r.operation_id, r.method, r.template))
    return out


def test_every_contract_operation_is_in_the_matrix_and_served(sb: Sandbox) -> None:
    matrix = authorization_matrix()
    served = {r.operation_id for r in sb.router.routes}
    for op in OPERATIONS:
        assert op.id in matrix, f"{op.id} has no row in authorization.json"
        assert op.id in served


@pytest.mark.parametrize("op_index", range(len(OPERATIONS) + 8))
def test_operation_by_role_matrix(op_index: int, sb: Sandbox, walker: PlatformWalker) -> None:
    routes = _routes(sb)
    if op_index >= len(routes):
        pytest.skip("fewer routes than slots")
    op_id, method, template = routes[op_index]
    rule = authorization_matrix()[op_id]
    w = _world(sb, walker)
    outcomes: dict[str, int] = {}
    for role in [None, *ROLES]:
        with _caller(sb, role) as c:
            req = _request(op_id, method, template, w)
            r = c.request(req.pop("method"), req.pop("url"), **req)
        outcomes[str(role)] = r.status_code
        if rule.scope == "public":
            assert r.status_code not in (401, 403), (
                f"{op_id} is public but {role} got {r.status_code}: {r.text[:200]}"
            )
        elif role is None:
            assert r.status_code == 401, f"{op_id} without a token answered {r.status_code}"
        elif role in rule.roles:
            assert r.status_code != 401, f"{op_id} as {role} (allowed) got 401: {r.text[:300]}"
            if r.status_code == 403:
                # Allowed at the operation level; a rule of the dossier may still refuse
                # (a draft is edited only by its filer), and names itself.
                assert r.json()["details"].get("rule") == "draft_edited_by_filer", (
                    f"{op_id} as {role} (allowed) got 403: {r.text[:300]}"
                )
        else:
            assert r.status_code == 403, (
                f"{op_id} as {role} (not allowed) got {r.status_code}: {r.text[:300]}"
            )
            assert r.json()["code"] == "forbidden"
    assert outcomes  # every role was tried


WIRE: dict[str, dict[str, Any]] = {
    "sign_plans": {"event": "sign_plans"},
    "issue_receipt": {"event": "issue_receipt"},
    "request_complement": {
        "event": "request_complement",
        "reasons_fr": ["Plan de masse illisible"],
    },
    "provide_complement": {"event": "provide_complement"},
    "dispatch_to_commission": {"event": "dispatch_to_commission"},
    "schedule_commission": {
        "event": "schedule_commission",
        "session_at": "2026-03-03T10:00:00+01:00",
    },
    "record_opinion": {
        "event": "record_opinion",
        "body": "AGENCE_URBAINE",
        "member_name": "M",
        "opinion": "FAVORABLE",
    },
    "conclude_commission": {"event": "conclude_commission", "opinion": "FAVORABLE"},
    "send_for_signature": {"event": "send_for_signature"},
    "issue_decision": {
        "event": "issue_decision",
        "decision": "refused",
        "reasons_fr": ["Non conforme"],
    },
    "declare_tacit_approval": {"event": "declare_tacit_approval"},
    "appeal_decision": {"event": "appeal_decision", "grounds_fr": ["Erreur d'appréciation"]},
    "declare_works_opening": {"event": "declare_works_opening", "works_start_on": "2026-03-10"},
    "declare_works_completion": {"event": "declare_works_completion", "completed_on": "2026-09-10"},
    "mark_lapsed": {"event": "mark_lapsed"},
}


def _procedure_allows(state: str, proc_event: str, role: str) -> bool:
    t = definition(KIND).transitions.get((state, proc_event))
    return t is not None and Role(role) in t.roles


def test_event_by_role_matrix_follows_the_procedure_table(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    from rokhas_sdk.sandbox._rules import procedure_event

    # States along a building permit's path, each reached by the walker.
    stops = [
        "DRAFT",
        "SUBMITTED",
        "RECEIPT_ISSUED",
        "DISPATCHED",
        "IN_COMMISSION",
        "COMMISSION_CONCLUDED",
        "PENDING_SIGNATURE",
        "REFUSED",
    ]
    checked = 0
    for stop in stops:
        if stop == "DRAFT":
            app = walker.client("PETITIONNAIRE")
            did = app.post("/v1/dossiers", json=dossier_data(KIND)).json()["id"]
            for t, name, data in piece_files(KIND):
                app.post(
                    f"/v1/dossiers/{did}/pieces",
                    params={"type": t.value, "file_name": name},
                    content=data,
                    headers={"content-type": "application/pdf"},
                )
        elif stop == "REFUSED":
            did = walker.walk(KIND, decide="refused").dossier_id
        else:
            did = walker.walk(KIND, until=stop).dossier_id
        snapshot = copy.deepcopy(sb.store.get("dossier", did))
        assert snapshot is not None
        assert snapshot["state"] == stop
        for wire, body in WIRE.items():
            proc_event = procedure_event(wire, body)
            for role in ROLES:
                if role == "SANDBOX_ADMIN":
                    continue
                commission_body = (
                    CommissionBody.AGENCE_URBAINE if role == "COMMISSION_MEMBER" else None
                )
                with httpx.Client(
                    transport=sb.transport(),
                    base_url=sb.base_url,
                    headers={"authorization": f"Bearer {sb.token_for(role, body=commission_body)}"},
                ) as c:
                    r = c.post(f"/v1/dossiers/{did}/events", json=body)
                allowed = _procedure_allows(stop, proc_event, role)
                checked += 1
                if r.status_code in (200, 201):
                    assert allowed, (
                        f"{stop} --{wire}--> as {role} was accepted but the table does not allow it"
                    )
                    # Put the dossier back for the next triple.
                    restored = copy.deepcopy(snapshot)
                    sb.store.put(
                        "dossier",
                        did,
                        restored,
                        owner=restored["created_by"],
                        scope=restored["commune"],
                        state=restored["state"],
                    )
                    sb.store._db.execute(
                        "DELETE FROM journal WHERE dossier_id=? AND seq>?",
                        (did, restored["activity_lines"]),
                    )
                    sb.store._db.execute(
                        "DELETE FROM procedure_lines WHERE dossier_id=? AND seq>=?",
                        (did, restored["journal_len"]),
                    )
                    sb.records.forget(did)
                    continue
                assert r.status_code in (403, 404, 422), r.text
                current = sb.store.get("dossier", did)
                assert current is not None
                assert current["state"] == stop, "a refused event moved the dossier"
                if (
                    r.status_code == 422
                    and r.json()["code"] == "transition_not_allowed"
                    and "refusal" in r.json()["details"]
                ):
                    reason = r.json()["details"]["refusal"]["code"]
                    if reason in (
                        "role_not_permitted",
                        "event_not_allowed",
                        "unknown_event",
                        "terminal_state",
                    ):
                        assert not allowed, (
                            f"{stop} --{wire}--> as {role}: the table allows it, the sandbox "
                            f"said {reason}"
                        )
                elif allowed and r.status_code in (403, 404):
                    # Only visibility may stop an allowed role: a dossier outside their reach.
                    assert r.status_code == 404 or r.json()["code"] == "forbidden"
    assert checked == len(stops) * len(WIRE) * (len(ROLES) - 1)


def test_an_architect_cannot_decide(sb: Sandbox, walker: PlatformWalker) -> None:
    did = walker.walk(KIND, until="PENDING_SIGNATURE").dossier_id
    r = walker.client("ARCHITECTE").post(f"/v1/dossiers/{did}/events", json=WIRE["issue_decision"])
    assert r.status_code == 422
    assert r.json()["details"]["refusal"]["code"] == "role_not_permitted"
    assert sb.store.get("dossier", did)["state"] == "PENDING_SIGNATURE"  # type: ignore[index]


def test_a_commission_member_enters_only_their_own_bodys_opinion(
    sb: Sandbox, walker: PlatformWalker
) -> None:
    did = walker.walk(KIND, until="RECEIPT_ISSUED").dossier_id
    g = walker.client("GUICHET_AGENT")
    g.post(f"/v1/dossiers/{did}/events", json={"event": "dispatch_to_commission"})
    g.post(f"/v1/dossiers/{did}/events", json=WIRE["schedule_commission"])
    agency = walker.client("COMMISSION_MEMBER", "AGENCE_URBAINE")
    other = {**WIRE["record_opinion"], "body": "COMMUNE"}
    r = agency.post(f"/v1/dossiers/{did}/events", json=other)
    assert r.status_code == 403
    assert r.json()["details"]["your_body"] == "AGENCE_URBAINE"
    assert agency.post(f"/v1/dossiers/{did}/events", json=WIRE["record_opinion"]).status_code == 201
    # A member of another commune's commission does not even see the dossier.
    rabat_token = sb.token_for("COMMISSION_MEMBER", commune="421.01.01", body="AGENCE_URBAINE")
    with httpx.Client(
        transport=sb.transport(),
        base_url=sb.base_url,
        headers={"authorization": f"Bearer {rabat_token}"},
    ) as rabat:
        assert (
            rabat.post(f"/v1/dossiers/{did}/events", json=WIRE["record_opinion"]).status_code == 404
        )


def test_no_applicant_reads_another_applicants_dossier(
    sb: Sandbox, http_for: Callable[..., httpx.Client]
) -> None:
    mine, theirs = http_for("PETITIONNAIRE"), http_for("PETITIONNAIRE", index=1)
    did = mine.post("/v1/dossiers", json=dossier_data(KIND)).json()["id"]
    assert mine.get(f"/v1/dossiers/{did}").status_code == 200
    for path in (
        f"/v1/dossiers/{did}",
        f"/v1/dossiers/{did}/pieces",
        f"/v1/dossiers/{did}/events",
        f"/v1/dossiers/{did}/fees/quote",
    ):
        assert theirs.get(path).status_code == 404, path
    assert theirs.post(f"/v1/dossiers/{did}/submit").status_code == 404
    assert [d["id"] for d in theirs.get("/v1/dossiers").json()["items"]] == []
    # The architect named in the dossier sees it; another architect does not.
    assert http_for("ARCHITECTE").get(f"/v1/dossiers/{did}").status_code == 200
    assert http_for("ARCHITECTE", index=1).get(f"/v1/dossiers/{did}").status_code == 404
    # Commune officials see it only once filed.
    assert http_for("GUICHET_AGENT").get(f"/v1/dossiers/{did}").status_code == 404

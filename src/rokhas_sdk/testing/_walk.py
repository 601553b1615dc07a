"""Walk a dossier through its whole procedure over HTTP, each step by the role the law names.

Downstream tests use it to get a dossier to the state they care about in one line; the
sandbox's own end-to-end tests and its benchmark use it to replay real traffic. It
speaks the v1 contract with plain httpx (one client per role), so it exercises the
server exactly as any portal would.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import ProcedureFamily, ProcedureKind, permit_number, procedure_kind_info
from ._factories import FAMILY_KINDS, dossier_data, piece_files

__all__ = ["DossierWalk", "PlatformWalker", "pay_with_cmi_simulator"]


class _Reached(Exception):
    """The walk reached the state it was asked to stop at."""


_FIELD = re.compile(r'name="([^"]+)" value="([^"]*)"')
_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


@dataclass
class DossierWalk:
    """What a walk did: the dossier id, its final state and every request made."""

    dossier_id: str
    kind: ProcedureKind
    state: str = "DRAFT"
    requests: int = 0
    permit_number: str | None = None
    permit_pdf: bytes | None = None
    download_seconds: float = 0.0
    steps: list[str] = field(default_factory=list)


def pay_with_cmi_simulator(
    http: Any, redirect_url: str, *, pan: str = "4111111111111111"
) -> tuple[int, str]:
    """Drive the CMI simulator pages like a browser: (requests made, result page title)."""
    page = http.get(redirect_url).text
    fields = {k: html.unescape(v) for k, v in _FIELD.findall(page)}
    action = _ACTION.search(page)
    if action is None:
        raise AssertionError(f"no payment form on {redirect_url}: {page[:300]}")
    card = http.post(html.unescape(action.group(1)), data=fields).text
    session = re.search(r'name="session" value="([^"]+)"', card)
    if session is None:
        raise AssertionError(f"the gateway refused the form: {card[:400]}")
    done = http.post(
        "/cmi/fim/confirm",
        data={
            "session": session.group(1),
            "pan": pan,
            "expiry": "12/30",
            "cvv": "123",
            "action": "pay",
        },
    )
    title = re.search(r"<title>(.*?)</title>", done.text)
    return 3, title.group(1) if title else ""


class PlatformWalker:
    """Walks dossiers through the platform at ``base_url`` with the seeded users' tokens.

    ``client_factory(token)`` returns an ``httpx.Client`` for that bearer token (so the
    caller chooses the transport: sockets, or the sandbox's in-process transport).
    ``tokens(role, body=None)`` returns a seeded user's token in the walker's commune.
    """

    def __init__(
        self,
        client_factory: Callable[[str | None], Any],
        tokens: Callable[..., str],
        *,
        commune: str = "06.141.01.0",
        check: bool = True,
    ) -> None:
        self._factory = client_factory
        self._tokens = tokens
        self._clients: dict[tuple[str, str | None], Any] = {}
        self.commune = commune
        self.check = check
        self._until: str | None = None

    def client(self, role: str, body: str | None = None) -> Any:
        """The HTTP client of the seeded user of ``role`` (and commission ``body``)."""
        key = (role, body)
        if key not in self._clients:
            token = (
                self._tokens(role, commune=self.commune, body=body)
                if body
                else self._tokens(role, commune=self.commune)
            )
            self._clients[key] = self._factory(token)
        return self._clients[key]

    def close(self) -> None:
        """Close every client."""
        for c in self._clients.values():
            c.close()
        self._clients.clear()

    def _ok(self, walk: DossierWalk, response: Any) -> Any:
        walk.requests += 1
        if self.check and response.status_code >= 400:
            raise AssertionError(
                f"{response.request.method} {response.request.url.path} -> "
                f"{response.status_code}: {response.text[:600]}"
            )
        return response

    def event(
        self, walk: DossierWalk, role: str, body: dict[str, Any], commission_body: str | None = None
    ) -> Any:
        """Post a procedure event as ``role``."""
        r = self._ok(
            walk,
            self.client(role, commission_body).post(
                f"/v1/dossiers/{walk.dossier_id}/events", json=body
            ),
        )
        walk.steps.append(body["event"])
        walk.state = r.json()["state_after"]
        if self._until is not None and walk.state == self._until:
            raise _Reached
        return r

    def walk(
        self,
        kind: ProcedureKind
        | ProcedureFamily
        | str = ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
        *,
        until: str | None = None,
        pay: bool = True,
        decide: str = "granted",
        download: bool = True,
        reads: bool = True,
    ) -> DossierWalk:
        """Take a new dossier from draft to a delivered (and downloaded) permit.

        ``until`` stops once the dossier reaches that state (e.g. ``"RECEIPT_ISSUED"`` to
        leave it waiting for the legal clock). ``decide="refused"`` ends in a refusal.
        ``reads`` adds the GETs a portal makes between steps (realistic traffic).
        """
        self._until = until
        walk = DossierWalk(
            "-", ProcedureKind(FAMILY_KINDS[kind] if isinstance(kind, ProcedureFamily) else kind)
        )
        try:
            return self._walk(walk, pay=pay, decide=decide, download=download, reads=reads)
        except _Reached:
            return walk
        finally:
            self._until = None

    def _walk(
        self, walk: DossierWalk, *, pay: bool, decide: str, download: bool, reads: bool
    ) -> DossierWalk:
        kind = walk.kind
        until = self._until
        from ..procedure import definition, kind_info

        graph_events = set(definition(kind).events)
        info = procedure_kind_info(kind)
        app = self.client("PETITIONNAIRE")
        r = self._ok(walk, app.post("/v1/dossiers", json=dossier_data(kind, commune=self.commune)))
        walk.dossier_id = r.json()["id"]
        did = walk.dossier_id
        for t, name, data in piece_files(kind, salt=did):
            self._ok(
                walk,
                app.post(
                    f"/v1/dossiers/{did}/pieces",
                    params={"type": t.value, "file_name": name},
                    content=data,
                    headers={"content-type": "application/pdf"},
                ),
            )
        if "sign_plans" in graph_events:
            for role in info.plans_signed_by:
                self.event(walk, role.value, {"event": "sign_plans"})
        if reads:
            self._ok(walk, app.get(f"/v1/dossiers/{did}/pieces"))
            self._ok(walk, app.get(f"/v1/dossiers/{did}"))
        walk.state = self._ok(walk, app.post(f"/v1/dossiers/{did}/submit")).json()["state"]
        if reads:
            self._ok(walk, app.get(f"/v1/dossiers/{did}"))
        if until == walk.state:
            return walk
        self.event(walk, "GUICHET_AGENT", {"event": "issue_receipt"})
        if reads:
            self._ok(walk, app.get(f"/v1/dossiers/{did}"))
        if until == walk.state:
            return walk
        ki = kind_info(kind)
        guichet = self.client("GUICHET_AGENT")
        allowed = self._ok(walk, guichet.get(f"/v1/dossiers/{did}")).json()["allowed_events"]
        if "dispatch_to_commission" in allowed:
            self.event(walk, "GUICHET_AGENT", {"event": "dispatch_to_commission"})
            self.event(
                walk,
                "GUICHET_AGENT",
                {"event": "schedule_commission", "session_at": "2026-01-05T10:00:00+01:00"},
            )
        elif "schedule_commission" in allowed:
            self.event(
                walk,
                "GUICHET_AGENT",
                {"event": "schedule_commission", "session_at": "2026-01-05T10:00:00+01:00"},
            )
        if walk.state == "IN_COMMISSION":
            for body in ki.required_opinions:
                self.event(
                    walk,
                    "COMMISSION_MEMBER",
                    {
                        "event": "record_opinion",
                        "body": body,
                        "member_name": "Membre",
                        "opinion": "FAVORABLE",
                    },
                    commission_body=body,
                )
            self.event(
                walk, "GUICHET_AGENT", {"event": "conclude_commission", "opinion": "FAVORABLE"}
            )
        if until == walk.state:
            return walk
        self.event(walk, "GUICHET_AGENT", {"event": "send_for_signature"})
        if until == walk.state:
            return walk
        if pay and decide == "granted":
            self._pay(walk)
        president = self.client("PRESIDENT_COMMUNE")
        if decide == "refused":
            self.event(
                walk,
                "PRESIDENT_COMMUNE",
                {
                    "event": "issue_decision",
                    "decision": "refused",
                    "reasons_fr": ["Non conforme au plan d'aménagement"],
                },
            )
            return walk
        permit = self._permit_data(walk)
        self.event(
            walk,
            "PRESIDENT_COMMUNE",
            {"event": "issue_decision", "decision": "granted", "permit": permit},
        )
        walk.permit_number = permit["number"]
        if reads:
            self._ok(walk, president.get(f"/v1/dossiers/{did}/permit"))
            self._ok(walk, app.get(f"/v1/dossiers/{did}/events"))
        if download:
            started = time.perf_counter()
            r = self._ok(walk, app.get(f"/v1/dossiers/{did}/permit/pdf"))
            walk.download_seconds = time.perf_counter() - started
            walk.permit_pdf = r.content
        return walk

    def _pay(self, walk: DossierWalk) -> None:
        app = self.client("PETITIONNAIRE")
        did = walk.dossier_id
        quote = self._ok(walk, app.get(f"/v1/dossiers/{did}/fees/quote")).json()
        if quote["total"] in ("0", "0.00"):
            return
        order = self._ok(walk, app.post(f"/v1/dossiers/{did}/fee-orders", json={})).json()
        payment = self._ok(walk, app.post("/v1/payments", json={"order_id": order["id"]})).json()
        browser = self._factory(None)
        try:
            n, title = pay_with_cmi_simulator(browser, payment["redirect_url"])
        finally:
            browser.close()
        walk.requests += n
        walk.steps.append("pay")
        status = self._ok(walk, app.get(f"/v1/payments/{payment['id']}")).json()["status"]
        if self.check and status != "succeeded":
            raise AssertionError(
                f"payment {payment['id']} is {status} after the simulator said {title!r}"
            )

    def _permit_data(self, walk: DossierWalk) -> dict[str, Any]:
        """The permit data a president's back-office sends with a grant."""
        res = self._ok(
            walk, self.client("PRESIDENT_COMMUNE").get(f"/v1/dossiers/{walk.dossier_id}")
        ).json()
        d = res["dossier"]
        from ..models import get_commune

        commune = get_commune(d["commune"])
        applicant = d["applicant"]
        name = (
            applicant["name"]
            if applicant["type"] == "legal"
            else f"{applicant['first_name']} {applicant['last_name']}"
        )
        ident = applicant.get("ice") or applicant.get("cin") or "-"
        kind = ProcedureKind(d["kind"])
        address = (
            (d.get("parcel") or {}).get("address")
            or (d.get("activity") or {}).get("premises_address")
            or commune.name_fr
        )
        return {
            "number": permit_number(commune.code, int(res["updated_at"][:4]), walk.dossier_id[4:]),
            "dossier_reference": d["reference"],
            "kind": kind.value,
            "commune": commune.code,
            "commune_name_fr": commune.name_fr,
            "commune_name_ar": commune.name_ar,
            "beneficiary_name": name,
            "beneficiary_id": ident,
            "object_fr": kind.label_fr,
            "object_ar": kind.label_ar,
            "address": address,
            "land_reference": (d.get("parcel") or {}).get("titre_foncier"),
            "architect_name": None,
            "issued_on": res["updated_at"][:10],
            "signatory": {
                "name": "Karim Bennani",
                "title_fr": "Président du conseil communal",
                "title_ar": "رئيس المجلس الجماعي",
            },
        }

"""Permits: the decision's data, its PDF rendered by ``documents`` and signed with the
president's key (``signing``, through the sandbox's ``permit_signer``), search and
verification.

The PDF is rendered and signed on first download, then kept (content-addressed) so
every later download returns the very same bytes and ``pdf_sha256`` never changes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..models import get_commune
from ._authz import can_see_dossier
from ._errors import ApiProblem
from ._http import Offload, PendingWork, SandboxResponse
from ._json import dumps
from ._routes import _load, _page, _query, _save, _user, op

if TYPE_CHECKING:
    from ._core import RequestContext, Sandbox

__all__ = ["complete_permit_data", "permit_pdf", "tacit_permit_data"]


def complete_permit_data(
    sb: Sandbox, record: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """What the platform adds to a decision's data when the issuer left it out: the
    kind's legal visas (data), the validity end by the kind's validity clock, the
    commission's concluding opinion and its date (journal), the applicant's Arabic name
    (dossier). Fields the issuer gave are kept as they are."""
    from datetime import datetime as _datetime

    from ..models import Permit, ProcedureKind, permit_visas
    from ..procedure import CASABLANCA, validity_end

    out = dict(data)
    kind = ProcedureKind(out["kind"])
    if not out.get("visas"):
        out["visas"] = [v.model_dump(mode="json") for v in permit_visas(kind)]
    issued = _datetime.fromisoformat(str(out["issued_on"])).date()
    if out.get("valid_until") is None:
        end = validity_end(kind, issued)
        out["valid_until"] = end.isoformat() if end is not None else None
    if out.get("commission") is None:
        concluded = [
            line
            for line in sb.store.journal(record["id"])
            if line["event"] == "conclude_commission"
        ]
        if concluded and concluded[-1]["data"].get("opinion") in (
            "FAVORABLE",
            "FAVORABLE_WITH_RESERVES",
        ):
            on = _datetime.fromisoformat(concluded[-1]["recorded_at"]).astimezone(CASABLANCA)
            if on.date() <= issued:
                out["commission"] = {
                    "opinion": concluded[-1]["data"]["opinion"],
                    "on": str(on.date()),
                }
    applicant = record["dossier"]["applicant"]
    if out.get("beneficiary_name_ar") is None:
        if applicant.get("type") == "legal":
            out["beneficiary_name_ar"] = applicant.get("name_ar")
        elif applicant.get("first_name_ar") and applicant.get("last_name_ar"):
            out["beneficiary_name_ar"] = f"{applicant['first_name_ar']} {applicant['last_name_ar']}"
    return Permit.model_validate(out).model_dump(mode="json")


def tacit_permit_data(sb: Sandbox, record: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The Permit data the platform states for a tacit approval (silence is consent)."""
    from ..models import Permit, ProcedureKind

    d = record["dossier"]
    commune = get_commune(d["commune"])
    kind = ProcedureKind(d["kind"])
    applicant = d["applicant"]
    if applicant.get("type") == "legal":
        name, ident = applicant["name"], applicant.get("ice") or applicant.get("rc") or "-"
    else:
        name, ident = f"{applicant['first_name']} {applicant['last_name']}", applicant["cin"]
    address = (
        (d.get("parcel") or {}).get("address")
        or (d.get("activity") or {}).get("premises_address")
        or commune.name_fr
    )
    president = sb.users.find("PRESIDENT_COMMUNE", commune=d["commune"])
    permit = Permit(
        number=f"T-{d['commune'].replace('.', '')}-{record['id'][4:]}",
        dossier_reference=d["reference"],
        kind=kind,
        commune=d["commune"],
        commune_name_fr=commune.name_fr,
        commune_name_ar=commune.name_ar,
        beneficiary_name=name,
        beneficiary_id=ident,
        object_fr=f"{kind.label_fr} (autorisation tacite)",
        object_ar=f"{kind.label_ar} (إذن ضمني)",
        address=address,
        land_reference=(d.get("parcel") or {}).get("titre_foncier"),
        architect_name=None,
        decision="tacit",
        issued_on=at.date(),
        signatory={
            "name": president.name,
            "title_fr": "Président du conseil communal",
            "title_ar": "رئيس المجلس الجماعي",
        },
    )
    return complete_permit_data(sb, record, permit.model_dump(mode="json"))


def _permit_record(ctx: RequestContext) -> tuple[dict[str, Any], dict[str, Any]]:
    record = _load(ctx)
    permit = record.get("permit")
    if not permit:
        raise ApiProblem(
            404,
            "not_found",
            f"le dossier {record['id']} n'a pas (encore) d'autorisation délivrée (état "
            f"{record['state']})",
        )
    return record, permit


def _permit_body(record: dict[str, Any], permit: dict[str, Any]) -> dict[str, Any]:
    return {
        "dossier_id": record["id"],
        "permit": permit["data"],
        "pdf_sha256": permit.get("pdf_sha256"),
        "issued_at": permit["issued_at"],
    }


@op("getPermit")
def _get_permit(ctx: RequestContext) -> dict[str, Any]:
    record, permit = _permit_record(ctx)
    return _permit_body(record, permit)


def permit_pdf(sb: Sandbox, record: dict[str, Any], *, offload: bool = False) -> bytes:
    """The signed PDF of a delivered permit (rendered and signed once, then kept).

    With ``offload`` (the HTTP server with signing workers), a PDF not made yet is asked
    of a worker process (:class:`~rokhas_sdk.sandbox._http.Offload`); the request comes
    back here once it is ready.
    """
    permit = record["permit"]
    if permit.get("pdf_sha256"):
        data = sb.store.get_blob(permit["pdf_sha256"])
        if data is not None:
            return data
    if sb.permit_signer is None:
        raise ApiProblem(
            503,
            "service_unavailable",
            "ce sandbox n'a pas de clé de signature : lancez-le avec la PKI de test (rokhas "
            "sandbox serve, ou la fixture pytest)",
        )
    from ._render import render_and_sign, render_permit_pdf

    # The work is named by what it renders: a result is only used for the same data.
    key = (
        "permit-pdf:"
        + hashlib.sha256(
            dumps({"data": permit["data"], "renderer": sb.permit_renderer})
        ).hexdigest()
    )
    signed = sb.take_prepared(key)
    if signed is None:
        if offload:
            raise Offload(PendingWork(key, render_and_sign, (permit["data"], sb.permit_renderer)))
        from ..models import Permit

        pdf = render_permit_pdf(Permit.model_validate(permit["data"]), sb.permit_renderer)
        signed = sb.permit_signer(pdf)
    digest = hashlib.sha256(signed).hexdigest()
    sb.store.put_blob(digest, signed)
    permit["pdf_sha256"] = digest
    _save(sb, record)
    return signed


@op("downloadPermitPdf")
def _download(ctx: RequestContext) -> SandboxResponse:
    record, _ = _permit_record(ctx)
    data = permit_pdf(ctx.sandbox, record, offload=ctx.offload)
    digest = record["permit"]["pdf_sha256"]
    return SandboxResponse.raw(
        data,
        "application/pdf",
        headers={
            "x-content-sha256": digest,
            "content-disposition": f'attachment; filename="permis-{record["id"]}.pdf"',
        },
    )


@op("listPermits")
def _list_permits(ctx: RequestContext) -> dict[str, Any]:
    from ..api import PermitListQuery

    q = _query(ctx, PermitListQuery)
    user = _user(ctx)
    items = []
    from ._users import canonical_commune

    scope = canonical_commune(q.commune) if q.commune is not None else None
    for _, rec in ctx.store.scan("dossier", scope=scope, limit=1_000_000):
        permit = rec.get("permit")
        if not permit or not can_see_dossier(user, rec):
            continue
        data = permit["data"]
        if q.number is not None and data["number"] != q.number:
            continue
        issued = data["issued_on"]
        if q.issued_from is not None and issued < q.issued_from.isoformat():
            continue
        if q.issued_to is not None and issued > q.issued_to.isoformat():
            continue
        items.append(_permit_body(rec, permit))
    items.sort(key=lambda p: p["issued_at"], reverse=True)
    return _page(items, q.cursor, q.limit)


@op("verifyPermit")
def _verify(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.request.body
    media = (ctx.request.header("content-type") or "").split(";")[0].strip().lower()
    if media != "application/pdf":
        raise ApiProblem(
            415, "unsupported_media_type", "envoyez le PDF avec Content-Type: application/pdf"
        )
    if not body:
        raise ApiProblem(422, "invalid_input", "corps vide : envoyez le PDF signé")
    from ._verify import verify_permit_pdf

    return verify_permit_pdf(ctx.sandbox, body)

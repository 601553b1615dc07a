"""Resource: permits (the decision's data, its PDF rendered by ``documents`` and signed
with the president's key through the sandbox's ``permit_signer``, search, verification).

The PDF is rendered and signed on first download, then kept (content-addressed) so
every later download returns the very same bytes and ``pdf_sha256`` never changes.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ._authz import can_see_dossier
from ._errors import ApiProblem
from ._http import Offload, PendingWork, SandboxResponse
from ._json import dumps
from ._record import DossierRecord, PermitRecord
from ._requests import cursor_page, query
from ._unit import attach_permit_pdf, load_for

if TYPE_CHECKING:
    from ._core import Handler, RequestContext, Sandbox

__all__ = ["HANDLERS", "permit_pdf"]


def _permit_record(ctx: RequestContext) -> tuple[DossierRecord, PermitRecord]:
    record = load_for(ctx)
    permit = record.permit
    if permit is None:
        raise ApiProblem(
            404,
            "not_found",
            f"le dossier {record.id} n'a pas (encore) d'autorisation délivrée (état "
            f"{record.state})",
            f"الملف {record.id} لم تُسلَّم له رخصة (بعد) (الوضعية {record.state})",
            details={"rule": "permit_issued", "state": record.state},
        )
    return record, permit


def _permit_body(record: DossierRecord, permit: PermitRecord) -> dict[str, Any]:
    return {
        "dossier_id": record.id,
        "permit": permit.data.model_dump(mode="json"),
        "pdf_sha256": permit.pdf_sha256,
        "issued_at": permit.issued_at.isoformat(),
    }


def _get_permit(ctx: RequestContext) -> dict[str, Any]:
    record, permit = _permit_record(ctx)
    return _permit_body(record, permit)


def permit_pdf(sb: Sandbox, record: DossierRecord, *, offload: bool = False) -> tuple[bytes, str]:
    """The signed PDF of a delivered permit and its SHA-256 (rendered and signed once,
    then kept).

    With ``offload`` (the HTTP server with signing workers), a PDF not made yet is asked
    of a worker process (:class:`~rokhas_sdk.sandbox._http.Offload`); the request comes
    back here once it is ready.
    """
    permit = record.permit
    assert permit is not None
    if permit.pdf_sha256:
        data = sb.store.get_blob(permit.pdf_sha256)
        if data is not None:
            return data, permit.pdf_sha256
    if sb.permit_signer is None:
        raise ApiProblem(
            503,
            "service_unavailable",
            "ce sandbox n'a pas de clé de signature : lancez-le avec la PKI de test (rokhas "
            "sandbox serve, ou la fixture pytest)",
            details={"rule": "permit_signer"},
        )
    from ._render import render_and_sign, render_permit_pdf

    data_json = permit.data.model_dump(mode="json")
    # The work is named by what it renders: a result is only used for the same data.
    key = (
        "permit-pdf:"
        + hashlib.sha256(dumps({"data": data_json, "renderer": sb.permit_renderer})).hexdigest()
    )
    signed = sb.take_prepared(key)
    if signed is None:
        if offload:
            raise Offload(PendingWork(key, render_and_sign, (data_json, sb.permit_renderer)))
        pdf = render_permit_pdf(permit.data, sb.permit_renderer)
        signed = sb.permit_signer(pdf)
    digest = hashlib.sha256(signed).hexdigest()
    with sb.store.transaction():
        sb.store.put_blob(digest, signed)
        sb.records.put(attach_permit_pdf(record, digest))
    return signed, digest


def _download(ctx: RequestContext) -> SandboxResponse:
    record, _ = _permit_record(ctx)
    data, digest = permit_pdf(ctx.sandbox, record, offload=ctx.offload)
    return SandboxResponse.raw(
        data,
        "application/pdf",
        headers={
            "x-content-sha256": digest,
            "content-disposition": f'attachment; filename="permis-{record.id}.pdf"',
        },
    )


def _list_permits(ctx: RequestContext) -> dict[str, Any]:
    from ..api import PermitListQuery
    from ._users import canonical_commune

    q = query(ctx, PermitListQuery)
    user = ctx.require_user()
    items = []
    scope = canonical_commune(q.commune) if q.commune is not None else None
    for rec in ctx.sandbox.records.scan(scope=scope):
        permit = rec.permit
        if permit is None or not can_see_dossier(user, rec):
            continue
        data = permit.data
        if q.number is not None and data.number != q.number:
            continue
        if q.issued_from is not None and data.issued_on < q.issued_from:
            continue
        if q.issued_to is not None and data.issued_on > q.issued_to:
            continue
        items.append(_permit_body(rec, permit))
    items.sort(key=lambda p: p["issued_at"], reverse=True)
    return cursor_page(items, q.cursor, q.limit)


def _verify(ctx: RequestContext) -> dict[str, Any]:
    body = ctx.request.body
    media = (ctx.request.header("content-type") or "").split(";")[0].strip().lower()
    if media != "application/pdf":
        raise ApiProblem(
            415,
            "unsupported_media_type",
            "envoyez le PDF avec Content-Type: application/pdf",
            "أرسل ملف PDF مع Content-Type: application/pdf",
            details={"field": "content-type", "allowed": ["application/pdf"]},
        )
    if not body:
        raise ApiProblem(
            422,
            "invalid_input",
            "corps vide : envoyez le PDF signé",
            "المحتوى فارغ: أرسل ملف PDF الموقع",
            details={"field": "body"},
        )
    from ._verify import verify_permit_pdf

    return verify_permit_pdf(ctx.sandbox, body)


HANDLERS: dict[str, Handler] = {
    "getPermit": _get_permit,
    "downloadPermitPdf": _download,
    "listPermits": _list_permits,
    "verifyPermit": _verify,
}

"""Resource: dossiers (file, read, list, edit a draft, submit, withdraw), and who am I."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..models import Dossier, ProjectScale
from ._authz import APPLICANT_ROLES, COMMUNE_ROLES, can_see_dossier
from ._errors import ApiProblem
from ._http import SandboxResponse
from ._requests import cursor_page, new_id, query, validate
from ._unit import commit, edit_draft, file_dossier, load_for, resource, transition
from ._users import canonical_commune

if TYPE_CHECKING:
    from ._core import Handler, RequestContext

__all__ = ["HANDLERS"]


def _health(ctx: RequestContext) -> dict[str, Any]:
    from ..api import CONTRACT_VERSION

    return {
        "status": "ok",
        "api_version": "v1",
        "contract_version": CONTRACT_VERSION,
        "server_time": ctx.now().isoformat(),
    }


def _me(ctx: RequestContext) -> dict[str, Any]:
    from ..models import Role

    u = ctx.require_user()
    role = u.role if u.role != "SANDBOX_ADMIN" else Role.SYSTEM.value
    return {
        "subject": u.id,
        "role": role,
        "name": u.name,
        "commune": u.commune,
        "scopes": [u.body.value] if u.body else [],
    }


def _create(ctx: RequestContext) -> SandboxResponse:
    user = ctx.require_user()
    data = ctx.request.json()
    if not isinstance(data, dict):
        raise ApiProblem(
            422,
            "invalid_input",
            "le corps doit être un objet Dossier",
            "يجب أن يكون المحتوى كائن ملف (Dossier)",
            details={"field": "body"},
        )
    for server_field in ("platform_number", "created_at"):
        if data.get(server_field) is not None:
            raise ApiProblem(
                422,
                "invalid_input",
                f"{server_field} est attribué par la plateforme : ne l'envoyez pas",
                f"{server_field} تحدده المنصة: لا ترسله",
                details={"field": server_field},
            )
    if data.get("pieces"):
        raise ApiProblem(
            422,
            "invalid_input",
            "déposez les pièces avec uploadPiece, pas dans le corps du dossier",
            "أودع الوثائق عبر uploadPiece وليس في محتوى الملف",
            details={"field": "pieces"},
        )
    now = ctx.now()
    did = new_id("dos")
    number = f"RKS-{now:%Y}-{ctx.store.next_seq():07d}"
    dossier = Dossier.model_validate(
        {**data, "platform_number": number, "created_at": now.isoformat()}
    )
    if canonical_commune(dossier.commune) not in ctx.sandbox.communes:
        communes = ", ".join(ctx.sandbox.communes)
        raise ApiProblem(
            422,
            "invalid_input",
            f"la commune {dossier.commune} n'est pas ouverte dans ce sandbox ; communes "
            f"ouvertes : {communes}",
            f"الجماعة {dossier.commune} غير مفتوحة في هذه المنصة التجريبية؛ الجماعات المفتوحة: "
            f"{communes}",
            details={"field": "commune", "allowed": list(ctx.sandbox.communes)},
        )
    record = commit(ctx.sandbox, file_dossier(ctx.sandbox, user, did, dossier, now))
    body = resource(ctx.sandbox, record, user)
    return SandboxResponse.json(body, 201, {"location": f"/v1/dossiers/{did}"})


def _get(ctx: RequestContext) -> dict[str, Any]:
    return resource(ctx.sandbox, load_for(ctx), ctx.user)


def _list(ctx: RequestContext) -> dict[str, Any]:
    from ..api import DossierListQuery

    q = query(ctx, DossierListQuery)
    user = ctx.require_user()
    owner = user.id if user.role in APPLICANT_ROLES else None
    scope = user.commune if user.role in COMMUNE_ROLES else None
    if q.commune is not None:
        wanted = canonical_commune(q.commune)
        if scope is not None and wanted != scope:
            return {"items": [], "next_cursor": None}
        scope = wanted
    records = ctx.sandbox.records.scan(
        owner=owner, scope=scope, state=q.state.value if q.state else None
    )
    items = []
    for rec in reversed(records):
        if q.kind is not None and rec.dossier.kind != q.kind:
            continue
        if q.updated_since is not None and rec.updated_at < q.updated_since:
            continue
        if not can_see_dossier(user, rec):
            continue
        items.append(rec)
    items.sort(key=lambda r: r.created_at, reverse=True)
    page = cursor_page(items, q.cursor, q.limit)
    page["items"] = [resource(ctx.sandbox, r, user) for r in page["items"]]
    return page


def _update(ctx: RequestContext) -> dict[str, Any]:
    from ..api import DossierUpdate

    record = load_for(ctx)
    user = ctx.require_user()
    change = validate(DossierUpdate, ctx.request.json())
    record = commit(ctx.sandbox, edit_draft(ctx.sandbox, user, record, change, ctx.now()))
    return resource(ctx.sandbox, record, user)


def _submit(ctx: RequestContext) -> dict[str, Any]:
    record = load_for(ctx)
    user = ctx.require_user()
    dossier = record.dossier
    missing = dossier.missing_for_submission()
    if missing and record.state in ("DRAFT", "PLANS_SIGNED"):
        raise ApiProblem(
            422,
            "dossier_incomplete",
            "le dossier est incomplet : " + ", ".join(m.label_fr for m in missing[:8]),
            "الملف غير مكتمل: " + "، ".join(m.label_ar for m in missing[:8]),
            details={
                "rule": "no_missing_pieces",
                "missing": [m.model_dump(mode="json") for m in missing],
            },
        )
    context: dict[str, Any] = {
        "missing_pieces": [m.code for m in missing],
        "grand_projet": dossier.scale is ProjectScale.GRAND,
    }
    if dossier.activity is not None:
        context["investment"] = dossier.activity.investment_related
    now = ctx.now()
    outcome = transition(
        ctx.sandbox,
        user,
        record,
        "submit",
        context,
        now,
        wire="submit",
        announce=("dossier.submitted", {}),
        submitted_at=now,
    )
    return resource(ctx.sandbox, commit(ctx.sandbox, outcome), user)


def _withdraw(ctx: RequestContext) -> dict[str, Any]:
    from ..api import WithdrawRequest

    record = load_for(ctx)
    user = ctx.require_user()
    req = validate(WithdrawRequest, ctx.request.json())
    reason = {"reason": req.reason} if req.reason else {}
    outcome = transition(
        ctx.sandbox,
        user,
        record,
        "withdraw",
        reason,
        ctx.now(),
        wire="withdraw",
        data=reason,
        announce=("dossier.withdrawn", {"before": record.state}),
    )
    return resource(ctx.sandbox, commit(ctx.sandbox, outcome), user)


HANDLERS: dict[str, Handler] = {
    "getHealth": _health,
    "getMe": _me,
    "createDossier": _create,
    "getDossier": _get,
    "listDossiers": _list,
    "updateDossier": _update,
    "submitDossier": _submit,
    "withdrawDossier": _withdraw,
}

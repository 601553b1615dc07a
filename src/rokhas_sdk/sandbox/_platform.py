"""Communes, indicators, the events feed and webhook endpoints."""

from __future__ import annotations

import secrets
import statistics
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..models import registry
from ._authz import can_see_dossier
from ._errors import ApiProblem
from ._http import SandboxResponse
from ._requests import cursor_page, new_id, query, validate

if TYPE_CHECKING:
    from ._core import Handler, RequestContext

__all__ = ["HANDLERS"]

ROTATION_OVERLAP = timedelta(hours=24)


def _commune_body(code: str) -> dict[str, Any]:
    c = registry().commune(code)
    return {
        "code": c.code,
        "name_fr": c.name_fr,
        "name_ar": c.name_ar,
        "province_code": c.province_code,
        "kind": c.kind,
        "population": c.population,
    }


def _communes(ctx: RequestContext) -> dict[str, Any]:
    from ..api import CommuneListQuery

    q = query(ctx, CommuneListQuery)
    codes = sorted(
        c
        for c in ctx.sandbox.communes
        if q.province is None or registry().commune(c).province_code == q.province
    )
    return cursor_page([_commune_body(c) for c in codes], q.cursor, q.limit)


def _commune_code(ctx: RequestContext) -> str:
    from ._users import canonical_commune

    try:
        code = canonical_commune(ctx.params["commune_code"])
    except LookupError:
        code = ctx.params["commune_code"]
    if code not in ctx.sandbox.communes:
        raise ApiProblem(
            404,
            "not_found",
            f"aucune commune {code} dans ce sandbox ; communes : {', '.join(ctx.sandbox.communes)}",
        )
    return code


def _commune(ctx: RequestContext) -> dict[str, Any]:
    return _commune_body(_commune_code(ctx))


def _period_bounds(period: str) -> tuple[str, str]:
    year = int(period[:4])
    if period[5] == "Q":
        q = int(period[6])
        start, end = (year, 3 * q - 2), (year + (q == 4), (3 * q) % 12 + 1)
    else:
        m = int(period[5:7])
        start, end = (year, m), (year + (m == 12), m % 12 + 1)
    return f"{start[0]:04d}-{start[1]:02d}-01", f"{end[0]:04d}-{end[1]:02d}-01"


def _indicators(ctx: RequestContext, code: str, period: str, kind: Any) -> dict[str, Any]:
    lo, hi = _period_bounds(period)
    decided = issued = refused = tacit = 0
    days: list[float] = []
    within = 0
    for rec in ctx.sandbox.records.scan(scope=code):
        if kind is not None and rec.dossier.kind != kind:
            continue
        decision = rec.decision
        if decision is None or rec.submitted_at is None:
            continue
        at = decision.at.isoformat()[:10]
        if not lo <= at < hi:
            continue
        decided += 1
        if decision.outcome == "granted":
            issued += 1
        elif decision.outcome == "refused":
            refused += 1
        else:
            tacit += 1
        span = (decision.at - rec.submitted_at).total_seconds() / 86400
        days.append(round(span, 2))
        if decision.outcome != "tacit":
            within += 1
    return {
        "commune": code,
        "period": period,
        "kind": kind.value if kind is not None else None,
        "dossiers_decided": decided,
        "permits_issued": issued,
        "refusals": refused,
        "tacit_approvals": tacit,
        "median_days": statistics.median(days) if days else None,
        "mean_days": round(statistics.fmean(days), 2) if days else None,
        "within_deadline_ratio": round(within / decided, 4) if decided else None,
    }


def _commune_indicators(ctx: RequestContext) -> dict[str, Any]:
    from ..api import CommuneIndicatorQuery

    code = _commune_code(ctx)
    q = query(ctx, CommuneIndicatorQuery)
    return _indicators(ctx, code, q.period, getattr(q, "kind", None))


def _list_indicators(ctx: RequestContext) -> dict[str, Any]:
    from ..api import IndicatorListQuery

    q = query(ctx, IndicatorListQuery)
    rows = [
        _indicators(ctx, c, q.period, q.kind)
        for c in sorted(ctx.sandbox.communes)
        if q.province is None or registry().commune(c).province_code == q.province
    ]
    rows.sort(key=lambda r: (r["median_days"] is None, r["median_days"] or 0))
    return cursor_page(rows, q.cursor, q.limit)


# -- events feed and webhooks ----------------------------------------------------------------------
def _visible_event(ctx: RequestContext, event: dict[str, Any], seen: dict[str, bool]) -> bool:
    user = ctx.require_user()
    did = event.get("dossier_id")
    if did is None:
        ep = ctx.store.get("webhook_endpoint", event.get("object_id", ""))
        return bool(ep and ep.get("owner") == user.id)
    if did not in seen:
        rec = ctx.sandbox.records.get(did)
        seen[did] = rec is not None and can_see_dossier(user, rec)
    return seen[did]


def _events(ctx: RequestContext) -> dict[str, Any]:
    from ..api import WebhookEventListQuery

    q = query(ctx, WebhookEventListQuery)
    seen: dict[str, bool] = {}
    items = []
    for _, ev in ctx.store.outbox():
        if q.type is not None and ev["type"] != q.type.value:
            continue
        if q.dossier_id is not None and ev.get("dossier_id") != q.dossier_id:
            continue
        if (
            q.created_after is not None
            and datetime.fromisoformat(ev["created_at"]) <= q.created_after
        ):
            continue
        if _visible_event(ctx, ev, seen):
            items.append(ev)
    return cursor_page(items, q.cursor, q.limit)


def _endpoint_body(ep: dict[str, Any], *, with_secret: bool = False) -> dict[str, Any]:
    return {
        "id": ep["id"],
        "url": ep["url"],
        "event_types": ep["event_types"],
        "description": ep.get("description"),
        "secret": ep["secret"] if with_secret else None,
        "previous_secret_expires_at": ep.get("previous_secret_expires_at"),
        "created_at": ep["created_at"],
    }


def _own_endpoint(ctx: RequestContext) -> dict[str, Any]:
    ep = ctx.store.get("webhook_endpoint", ctx.params["endpoint_id"])
    if ep is None or ep["owner"] != ctx.require_user().id:
        raise ApiProblem(
            404, "not_found", f"aucun point de réception {ctx.params['endpoint_id']} à votre nom"
        )
    return ep


def _create_endpoint(ctx: RequestContext) -> SandboxResponse:
    from ..api import WebhookEndpointCreate

    req = validate(WebhookEndpointCreate, ctx.request.json())
    ep = {
        "id": new_id("we"),
        "owner": ctx.require_user().id,
        "url": str(req.url),
        "event_types": [t.value for t in req.event_types],
        "description": req.description,
        "secret": "whsec_" + secrets.token_urlsafe(24),
        "previous_secret": None,
        "previous_secret_expires_at": None,
        "created_at": ctx.now().isoformat(),
    }
    ctx.store.put("webhook_endpoint", ep["id"], ep, owner=ep["owner"])
    ctx.sandbox.webhooks.endpoint_added()
    return SandboxResponse.json(_endpoint_body(ep, with_secret=True), 201)


def _list_endpoints(ctx: RequestContext) -> dict[str, Any]:
    from ..api import ListQuery

    q = query(ctx, ListQuery)
    rows = [
        _endpoint_body(ep)
        for _, ep in ctx.store.scan("webhook_endpoint", owner=ctx.require_user().id, limit=10_000)
    ]
    return cursor_page(rows, q.cursor, q.limit)


def _delete_endpoint(ctx: RequestContext) -> None:
    ep = _own_endpoint(ctx)
    ctx.store.delete("webhook_endpoint", ep["id"])


def _rotate(ctx: RequestContext) -> dict[str, Any]:
    ep = _own_endpoint(ctx)
    ep["previous_secret"] = ep["secret"]
    ep["previous_secret_expires_at"] = (ctx.now() + ROTATION_OVERLAP).isoformat()
    ep["secret"] = "whsec_" + secrets.token_urlsafe(24)
    ctx.store.put("webhook_endpoint", ep["id"], ep, owner=ep["owner"])
    return _endpoint_body(ep, with_secret=True)


def _test_webhook(ctx: RequestContext) -> dict[str, Any]:
    ep = _own_endpoint(ctx)
    event_id = new_id("evt")
    event = {
        "id": event_id,
        "type": "webhook.test",
        "api_version": "v1",
        "created_at": ctx.now().isoformat(),
        "object_type": "webhook_endpoint",
        "object_id": ep["id"],
        "dossier_id": None,
        "data": {"message": "test"},
    }
    ctx.store.outbox_add(event_id, "webhook.test", event)
    return event


HANDLERS: dict[str, Handler] = {
    "listCommunes": _communes,
    "getCommune": _commune,
    "getCommuneIndicators": _commune_indicators,
    "listIndicators": _list_indicators,
    "listEvents": _events,
    "createWebhookEndpoint": _create_endpoint,
    "listWebhookEndpoints": _list_endpoints,
    "deleteWebhookEndpoint": _delete_endpoint,
    "rotateWebhookSecret": _rotate,
    "sendTestWebhook": _test_webhook,
}

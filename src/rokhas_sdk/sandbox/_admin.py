"""The sandbox's own control routes under ``/_sandbox`` (not part of the v1 contract).

Tests and operators use them to read and advance the clock, set faults, list the
seeded users and fetch the test trust root. Only the sandbox admin token may change
anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._errors import ApiProblem
from ._faults import FaultSettings
from ._http import SandboxResponse

if TYPE_CHECKING:
    from ._core import Handler, RequestContext

__all__ = ["ROUTES"]


def _health(ctx: RequestContext) -> dict[str, Any]:
    sb = ctx.sandbox
    return {
        "status": "ok",
        "now": ctx.now().isoformat(),
        "dossiers": sb.store.count("dossier"),
        "persistent": sb.store.path is not None,
        "permit_signing": sb.permit_signer is not None,
    }


def _trust_root(ctx: RequestContext) -> SandboxResponse:
    pem = ctx.sandbox.trust_root_pem
    if not pem:
        raise ApiProblem(
            404,
            "not_found",
            "ce sandbox n'a pas de racine de confiance : lancez-le avec une PKI de test",
        )
    return SandboxResponse.raw(pem, "application/x-pem-file")


def _get_clock(ctx: RequestContext) -> dict[str, Any]:
    return {"now": ctx.now().isoformat(), "frozen": ctx.sandbox.clock.frozen}


def _advance_clock(ctx: RequestContext) -> dict[str, Any]:
    data = ctx.request.json()
    if not isinstance(data, dict):
        raise ApiProblem(
            422,
            "invalid_input",
            'envoyez un objet JSON : {"days": 61} ou {"to": "2026-05-01T09:00:00+01:00"}',
        )
    try:
        if "to" in data:
            target = datetime.fromisoformat(str(data["to"]))
            if target.tzinfo is None:
                raise ValueError("the instant needs a UTC offset")
            step = target - ctx.now()
        else:
            step = timedelta(
                days=float(data.get("days", 0)),
                hours=float(data.get("hours", 0)),
                minutes=float(data.get("minutes", 0)),
                seconds=float(data.get("seconds", 0)),
            )
    except (TypeError, ValueError) as exc:
        raise ApiProblem(422, "invalid_input", f"durée ou instant invalide : {exc}") from None
    if step < timedelta():
        raise ApiProblem(422, "invalid_input", "l'horloge du sandbox n'avance que vers le futur")
    now = ctx.sandbox.advance(step)
    return {"now": now.isoformat(), "frozen": ctx.sandbox.clock.frozen}


def _get_faults(ctx: RequestContext) -> dict[str, Any]:
    return {
        "settings": ctx.sandbox.faults.settings.model_dump(mode="json"),
        "injected": dict(ctx.sandbox.faults.injected),
    }


def _set_faults(ctx: RequestContext) -> dict[str, Any]:
    data = ctx.request.json()
    settings = FaultSettings.model_validate(data)
    ctx.sandbox.faults.configure(settings)
    return {"settings": settings.model_dump(mode="json")}


def _users(ctx: RequestContext) -> dict[str, Any]:
    return {"items": [u.as_public_dict() for u in ctx.sandbox.users]}


def _flush(ctx: RequestContext) -> dict[str, Any]:
    done = ctx.sandbox.webhooks.flush(timeout_s=5.0)
    return {"flushed": done}


# The ``/_sandbox/...`` routes (method, path, operation, handler).
ROUTES: tuple[tuple[str, str, str, Handler], ...] = (
    ("GET", "/_sandbox/health", "sandboxHealth", _health),
    ("GET", "/_sandbox/trust-root.pem", "sandboxTrustRoot", _trust_root),
    ("GET", "/_sandbox/clock", "sandboxGetClock", _get_clock),
    ("POST", "/_sandbox/clock/advance", "sandboxAdvanceClock", _advance_clock),
    ("GET", "/_sandbox/faults", "sandboxGetFaults", _get_faults),
    ("PUT", "/_sandbox/faults", "sandboxSetFaults", _set_faults),
    ("GET", "/_sandbox/users", "sandboxListUsers", _users),
    ("POST", "/_sandbox/webhooks/flush", "sandboxFlushWebhooks", _flush),
)

"""The sandbox's own control routes under ``/_sandbox`` (not part of the v1 contract).

Tests and operators use them to read and advance the clock, set faults, list the
seeded users and fetch the test trust root. Only the sandbox admin token may change
anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._clock import CEILING
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


_UNITS = ("days", "hours", "minutes", "seconds")
_SECONDS = {"days": 86_400, "hours": 3_600, "minutes": 60, "seconds": 1}
MIN_STEP = timedelta(seconds=1)
"""The smallest move over HTTP: below a second, a move is a mistake (a unit mixed up)."""
MAX_STEP = timedelta(days=36_525)
"""The largest move over HTTP, a hundred years: far beyond any legal deadline."""


def _clock_problem(path: str, message_fr: str, message_ar: str, hint: str) -> ApiProblem:
    return ApiProblem(
        422,
        "invalid_input",
        message_fr,
        message_ar,
        details={
            "problems": [{"path": path, "message": hint, "kind": "clock_move"}],
            "hint": hint + '; e.g. {"days": 61} or {"to": "2026-05-01T09:00:00+01:00"}',
        },
    )


def _requested_step(data: Any, now: datetime) -> timedelta:
    """The move a ``/_sandbox/clock/advance`` body asks for, checked (422 otherwise)."""
    if not isinstance(data, dict):
        raise _clock_problem(
            "",
            "Envoyez un objet JSON indiquant une durée ou un instant.",
            "أرسل كائن JSON يحدد مدة أو لحظة.",
            f"the body is a JSON {type(data).__name__}, not an object",
        )
    unknown = sorted(set(data) - {"to", *_UNITS})
    if unknown:
        raise _clock_problem(
            unknown[0],
            f"Champ inconnu : {unknown[0]}. Champs permis : to, days, hours, minutes, seconds.",
            f"حقل غير معروف: {unknown[0]}. الحقول المسموح بها: to و days و hours و minutes "
            "و seconds.",
            f"unknown field(s) {unknown}",
        )
    units = [u for u in _UNITS if u in data]
    if "to" in data:
        if units:
            raise _clock_problem(
                "to",
                "Donnez soit un instant (to), soit une durée, pas les deux.",
                "حدد إما لحظة (to) وإما مدة، وليس الاثنين معا.",
                f"'to' and {units} were both given",
            )
        raw = data["to"]
        try:
            if not isinstance(raw, str):
                raise TypeError(f"a JSON {type(raw).__name__}")
            target = datetime.fromisoformat(raw)
            if target.tzinfo is None:
                raise ValueError("no UTC offset")
            step = target - now
        except (TypeError, ValueError, OverflowError) as exc:
            raise _clock_problem(
                "to",
                "L'instant « to » doit être une date ISO 8601 avec décalage horaire.",
                "يجب أن تكون اللحظة «to» تاريخا بصيغة ISO 8601 مع فارق التوقيت.",
                f"'to' is not an ISO 8601 instant with an offset ({exc})",
            ) from None
    else:
        if not units:
            raise _clock_problem(
                "",
                "Indiquez de combien avancer l'horloge (days, hours, minutes ou seconds) ou "
                "jusqu'à quand (to).",
                "حدد مقدار تقديم الساعة (days أو hours أو minutes أو seconds) أو اللحظة "
                "المطلوبة (to).",
                "the body names no duration and no instant",
            )
        for unit in units:
            value = data[unit]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _clock_problem(
                    unit,
                    f"« {unit} » doit être un nombre.",
                    f"يجب أن يكون «{unit}» عددا.",
                    f"'{unit}' is a JSON {type(value).__name__}, not a number",
                )
            if value != value or abs(value) * _SECONDS[unit] > MAX_STEP.total_seconds():
                raise _clock_problem(
                    unit,
                    f"« {unit} » dépasse un siècle : l'horloge avance au plus de 100 ans "
                    "à la fois.",
                    f"«{unit}» يتجاوز قرنا: لا تتقدم الساعة بأكثر من 100 سنة دفعة واحدة.",
                    f"'{unit}' is {value}: at most {MAX_STEP.days} days per move",
                )
        step = timedelta(**{u: float(data[u]) for u in units})
    if step < timedelta():
        raise _clock_problem(
            "to" if "to" in data else units[0],
            "L'horloge du sandbox n'avance que vers le futur.",
            "ساعة المنصة التجريبية لا تتقدم إلا نحو المستقبل.",
            "the move goes backwards; the clock never does",
        )
    if step < MIN_STEP:
        raise _clock_problem(
            "to" if "to" in data else units[0],
            "Le pas est trop petit : avancez l'horloge d'au moins une seconde.",
            "الخطوة صغيرة جدا: قدم الساعة ثانية واحدة على الأقل.",
            f"a move of {step} is below one second",
        )
    if step > MAX_STEP or step >= CEILING - now:
        raise _clock_problem(
            "to" if "to" in data else units[0],
            f"Le pas est trop grand : au plus 100 ans à la fois, et avant l'an {CEILING.year}.",
            f"الخطوة كبيرة جدا: 100 سنة على الأكثر في كل مرة، وقبل سنة {CEILING.year}.",
            f"a move of {step} is beyond {MAX_STEP.days} days or past {CEILING.date()}",
        )
    return step


def _advance_clock(ctx: RequestContext) -> dict[str, Any]:
    step = _requested_step(ctx.request.json(), ctx.now())
    now = ctx.sandbox.advance(step)
    return {"now": now.isoformat(), "frozen": ctx.sandbox.clock.frozen}


def _get_faults(ctx: RequestContext) -> dict[str, Any]:
    return {
        "settings": ctx.sandbox.faults.settings.model_dump(mode="json"),
        "injected": dict(ctx.sandbox.faults.injected),
    }


def _set_faults(ctx: RequestContext) -> dict[str, Any]:
    import pydantic

    from .._errors import from_pydantic

    data = ctx.request.json()
    try:
        settings = FaultSettings.model_validate(data)
    except pydantic.ValidationError as exc:
        raise from_pydantic(exc, model="FaultSettings") from None
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

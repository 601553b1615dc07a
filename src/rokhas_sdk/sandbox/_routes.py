"""The v1 contract's operations, served with the real rules.

Each handler reads the caller (``ctx.user``), checks that they may see the dossier,
asks the procedure engine (through ``_rules``) whether the step is allowed, records
the result, the journal line and the webhook event in the request's transaction.
Routes are registered from ``rokhas_sdk.api.OPERATIONS``, so a path cannot drift
from the contract.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pydantic

from .._errors import from_pydantic
from ..models import (
    Dossier,
    Piece,
    ProcedureFamily,
    ProjectScale,
    Role,
    SignatureOnPiece,
    procedure_kind_info,
)
from ._authz import can_see_dossier
from ._errors import ApiProblem
from ._http import SandboxResponse
from ._rules import procedure_event
from ._users import canonical_commune

if TYPE_CHECKING:
    from ._core import RequestContext, Sandbox

__all__ = ["register_routes", "sweep_deadlines"]

Handler = Callable[["RequestContext"], Any]
_HANDLERS: dict[str, Handler] = {}

_PLAN_TYPES = frozenset({"PLANS_ARCHITECTURAUX", "PLAN_TOPOGRAPHIQUE", "PLAN_MASSE"})
_EDITABLE = frozenset({"DRAFT"})
_PIECES_OPEN = frozenset({"DRAFT", "PLANS_SIGNED", "COMPLEMENT_REQUESTED"})
_DECIDED = frozenset(
    {
        "ISSUED",
        "REFUSED",
        "TACITLY_APPROVED",
        "WORKS_OPENED",
        "WORKS_COMPLETED",
        "LAPSED",
        "APPEALED",
        "PROVISIONALLY_ACCEPTED",
    }
)
_FINAL_FOR_TACIT = frozenset({"DRAFT", "PLANS_SIGNED", "WITHDRAWN"}) | _DECIDED
_SIGNER_ROLES = frozenset({Role.ARCHITECTE.value, Role.IGT.value})


def op(operation_id: str) -> Callable[[Handler], Handler]:
    """Register a handler for an operation of the contract."""

    def wrap(fn: Handler) -> Handler:
        _HANDLERS[operation_id] = fn
        return fn

    return wrap


def register_routes(sb: Sandbox) -> None:
    """Register the contract's operations, the sandbox's control routes and the CMI pages."""
    from ..api import OPERATIONS
    from ._admin import register_admin_routes
    from ._cmi import register_cmi_routes

    # Literal paths first (``/permits/verify`` before ``/permits/{...}``).
    ordered = sorted(OPERATIONS, key=lambda o: o.path.count("{"))
    for operation in ordered:
        handler = _HANDLERS.get(operation.id, _not_implemented(operation.id))
        sb.router.add(operation.method, operation.path, operation.id, handler)
    register_admin_routes(sb)
    register_cmi_routes(sb)


def _not_implemented(operation_id: str) -> Handler:
    def handler(ctx: RequestContext) -> Any:
        raise ApiProblem(
            501,
            "not_implemented",
            f"l'opération {operation_id} n'est pas encore servie par le sandbox",
        )

    return handler


# -- helpers -------------------------------------------------------------------------------
def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _validate(model: Any, data: Any) -> Any:
    """Validate ``data`` with a pydantic model or TypeAdapter; problems become 422."""
    try:
        if isinstance(model, pydantic.TypeAdapter):
            return model.validate_python(data)
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise from_pydantic(exc, model=getattr(model, "__name__", "request")) from None


def _query(ctx: RequestContext, model: Any) -> Any:
    raw = {k: v for k, v in ctx.request.query_list()}
    return _validate(model, raw)


def _cursor_decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(
            400, "bad_request", "curseur invalide : repassez le next_cursor reçu tel quel"
        ) from None


def _cursor_encode(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def _page(items: list[Any], cursor: str | None, limit: int) -> dict[str, Any]:
    start = _cursor_decode(cursor)
    chunk = items[start : start + limit]
    nxt = _cursor_encode(start + limit) if start + limit < len(items) else None
    return {"items": chunk, "next_cursor": nxt}


def _user(ctx: RequestContext) -> Any:
    return ctx.require_user()


def _load(ctx: RequestContext, dossier_id: str | None = None) -> dict[str, Any]:
    did = dossier_id or ctx.params["dossier_id"]
    record = ctx.store.get("dossier", did)
    user = _user(ctx)
    if record is None or not can_see_dossier(user, _refresh(ctx.sandbox, record)):
        raise ApiProblem(404, "not_found", f"aucun dossier {did} accessible avec ce jeton")
    return record


def _save(ctx: RequestContext | Sandbox, record: dict[str, Any]) -> None:
    sb: Sandbox = ctx.sandbox if hasattr(ctx, "sandbox") else ctx
    record["version"] += 1
    record["updated_at"] = sb.clock.now().isoformat()
    sb.store.put(
        "dossier",
        record["id"],
        record,
        owner=record["created_by"],
        scope=commune_of(record),
        state=record["state"],
    )


def commune_of(record: dict[str, Any]) -> str:
    """The current registry code of a stored dossier's commune."""
    code = record.get("commune")
    if code is None:
        code = record["commune"] = canonical_commune(record["dossier"]["commune"])
    return str(code)


def _emit(
    sb: Sandbox,
    type_: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    dossier_id: str | None = None,
) -> None:
    event: dict[str, Any] = {
        "id": _new_id("evt"),
        "type": type_,
        "api_version": "v1",
        "created_at": sb.clock.now().isoformat(),
        "object_type": object_type,
        "object_id": object_id,
        "dossier_id": dossier_id,
        "data": data,
    }
    sb.store.outbox_add(event["id"], type_, event)


def _journal(
    sb: Sandbox,
    record: dict[str, Any],
    event: str,
    role: str,
    actor: str | None,
    before: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    line = {
        "id": _new_id("jrn"),
        "dossier_id": record["id"],
        "sequence": 0,
        "event": event,
        "actor_role": role,
        "actor_name": actor,
        "state_before": before,
        "state_after": record["state"],
        "data": data,
        "recorded_at": sb.clock.now().isoformat(),
    }
    prev = record.get("journal_head", "")
    payload = hashlib.sha256(repr(sorted(line.items())).encode("utf-8")).hexdigest()
    line["data"] = {
        **data,
        "hash": hashlib.sha256((prev + payload).encode()).hexdigest(),
        "prev_hash": prev or None,
    }
    record["journal_head"] = line["data"]["hash"]
    record["journal_len"] = record.get("journal_len", 0) + 1
    line["sequence"] = record["journal_len"]
    sb.store.journal_append(record["id"], line, seq=line["sequence"])
    _save(sb, record)  # the record carries the journal's length and head hash
    return line


_MODELS: dict[str, tuple[int, Dossier]] = {}


def _dossier_model(record: dict[str, Any]) -> Dossier:
    """The validated Dossier of a record, kept per version (validation is the costly part)."""
    cached = _MODELS.get(record["id"])
    if cached is not None and cached[0] == record["version"]:
        return cached[1]
    model = Dossier.model_validate(record["dossier"])
    if len(_MODELS) > 20_000:
        _MODELS.clear()
    _MODELS[record["id"]] = (record["version"], model)
    return model


def _refresh(sb: Sandbox, record: dict[str, Any]) -> dict[str, Any]:
    """Apply what the law does on its own by now (tacit approval), then return the record."""
    if record["state"] in _FINAL_FOR_TACIT:
        return record
    now = sb.clock.now()
    _, tacit_at = sb.procedure.clocks(record, now)
    if tacit_at is not None and now >= tacit_at:
        _tacit(sb, record, tacit_at)
    return record


def _tacit(sb: Sandbox, record: dict[str, Any], at: datetime) -> None:
    before = record["state"]
    sb.procedure.apply(
        record, "record_tacit_approval", Role.SYSTEM.value, max(at, _last_at(record)), {}
    )
    record["decision"] = {"decision": "tacit", "at": at.isoformat()}
    record["permit"] = _tacit_permit(sb, record, at)
    _journal(
        sb,
        record,
        "declare_tacit_approval",
        Role.SYSTEM.value,
        "Plateforme",
        before,
        {"tacit_approval_at": at.isoformat()},
    )
    _emit(
        sb,
        "dossier.state_changed",
        "dossier",
        record["id"],
        {"state": record["state"], "before": before},
        record["id"],
    )
    _emit(
        sb,
        "permit.issued",
        "permit",
        record["id"],
        {"decision": "tacit", "number": record["permit"]["number"]},
        record["id"],
    )


def _last_at(record: dict[str, Any]) -> datetime:
    if record["procedure"]:
        return datetime.fromisoformat(record["procedure"][-1]["at"])
    return datetime.fromisoformat(record["created_at"])


def sweep_deadlines(sb: Sandbox) -> int:
    """Apply tacit approvals that are due (called when the clock moves); returns how many."""
    n = 0
    for did in sb.store.ids("dossier"):
        record = sb.store.get("dossier", did)
        if record is None or record["state"] in _FINAL_FOR_TACIT:
            continue
        before = record["state"]
        _refresh(sb, record)
        if record["state"] != before:
            n += 1
    return n


def resource(
    ctx: RequestContext | Sandbox, record: dict[str, Any], user: Any = None
) -> dict[str, Any]:
    """The DossierResource JSON of a record, as the caller sees it."""
    sb: Sandbox = ctx.sandbox if hasattr(ctx, "sandbox") else ctx
    user = user if user is not None else getattr(ctx, "user", None)
    now = sb.clock.now()
    missing: list[dict[str, Any]] = []
    if record["state"] in ("DRAFT", "PLANS_SIGNED", "COMPLEMENT_REQUESTED"):
        missing = [
            m.model_dump(mode="json") for m in _dossier_model(record).missing_for_submission()
        ]
    allowed: list[str] = []
    if user is not None and user.role != "SANDBOX_ADMIN":
        allowed = sb.procedure.allowed(record, user.role, now, _context_for(sb, record, user.role))
    due, _ = sb.procedure.clocks(record, now)
    if record["state"] in _DECIDED:
        due = None
    return {
        "id": record["id"],
        "state": record["state"] if record["state"] in _WIRE_STATES else "IN_COMMISSION",
        "version": record["version"],
        "dossier": record["dossier"],
        "missing": missing,
        "allowed_events": allowed,
        "due_at": due.isoformat() if due else None,
        "permit_number": (record.get("permit") or {}).get("number"),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        "submitted_at": record.get("submitted_at"),
    }


_WIRE_STATES = frozenset(
    {
        "DRAFT",
        "PLANS_SIGNED",
        "SUBMITTED",
        "RECEIPT_ISSUED",
        "COMPLETENESS_CHECK",
        "COMPLEMENT_REQUESTED",
        "DISPATCHED",
        "IN_COMMISSION",
        "COMMISSION_CONCLUDED",
        "PENDING_SIGNATURE",
        "INSPECTION",
        "ISSUED",
        "REFUSED",
        "TACITLY_APPROVED",
        "APPEALED",
        "WORKS_OPENED",
        "WORKS_COMPLETED",
        "LAPSED",
        "WITHDRAWN",
    }
)


def _context_for(sb: Sandbox, record: dict[str, Any], role: str) -> dict[str, Any]:
    """Facts the procedure's guards need, as the platform knows them now."""
    ctx: dict[str, Any] = {}
    state = record["state"]
    if state in ("PLANS_SIGNED", "COMPLEMENT_REQUESTED", "DRAFT"):
        ctx["missing_pieces"] = [m.code for m in _dossier_model(record).missing_for_submission()]
    if state == "PENDING_SIGNATURE":
        from ._money import fees_paid

        ctx["fees_paid"] = fees_paid(sb, record)
    return ctx


# -- meta ------------------------------------------------------------------------------------
@op("getHealth")
def _health(ctx: RequestContext) -> dict[str, Any]:
    from ..api import CONTRACT_VERSION

    return {
        "status": "ok",
        "api_version": "v1",
        "contract_version": CONTRACT_VERSION,
        "server_time": ctx.now().isoformat(),
    }


@op("getMe")
def _me(ctx: RequestContext) -> dict[str, Any]:
    u = _user(ctx)
    role = u.role if u.role != "SANDBOX_ADMIN" else Role.SYSTEM.value
    return {
        "subject": u.id,
        "role": role,
        "name": u.name,
        "commune": u.commune,
        "scopes": [u.body.value] if u.body else [],
    }


# -- dossiers --------------------------------------------------------------------------------
@op("createDossier")
def _create(ctx: RequestContext) -> SandboxResponse:
    user = _user(ctx)
    data = ctx.request.json()
    if not isinstance(data, dict):
        raise ApiProblem(422, "invalid_input", "le corps doit être un objet Dossier")
    for server_field in ("platform_number", "created_at"):
        if data.get(server_field) is not None:
            raise ApiProblem(
                422,
                "invalid_input",
                f"{server_field} est attribué par la plateforme : ne l'envoyez pas",
            )
    if data.get("pieces"):
        raise ApiProblem(
            422,
            "invalid_input",
            "déposez les pièces avec uploadPiece, pas dans le corps du dossier",
        )
    now = ctx.now()
    did = _new_id("dos")
    number = f"RKS-{now:%Y}-{ctx.store.next_seq():07d}"
    dossier = Dossier.model_validate(
        {**data, "platform_number": number, "created_at": now.isoformat()}
    )
    if canonical_commune(dossier.commune) not in ctx.sandbox.communes:
        raise ApiProblem(
            422,
            "invalid_input",
            f"la commune {dossier.commune} n'est pas ouverte dans ce sandbox ; communes "
            f"ouvertes : {', '.join(ctx.sandbox.communes)}",
        )
    from ..models import get_commune

    record: dict[str, Any] = {
        "id": did,
        "state": "DRAFT",
        "version": 0,
        "dossier": dossier.model_dump(mode="json"),
        "created_by": user.id,
        "commune": canonical_commune(dossier.commune),
        "province": get_commune(dossier.commune).province_code,
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "submitted_at": None,
        "procedure": [],
        "piece_ids": [],
        "permit": None,
        "decision": None,
    }
    ctx.sandbox.procedure.start(dossier.kind.value, now)
    _journal(ctx.sandbox, record, "create", user.role, user.name, "DRAFT", {})
    body = resource(ctx, record)
    _emit(
        ctx.sandbox,
        "dossier.created",
        "dossier",
        did,
        {"state": "DRAFT", "kind": dossier.kind.value},
        did,
    )
    return SandboxResponse.json(body, 201, {"location": f"/v1/dossiers/{did}"})


@op("getDossier")
def _get(ctx: RequestContext) -> dict[str, Any]:
    return resource(ctx, _load(ctx))


@op("listDossiers")
def _list(ctx: RequestContext) -> dict[str, Any]:
    from ..api import DossierListQuery

    q = _query(ctx, DossierListQuery)
    user = _user(ctx)
    owner = user.id if user.role in ("PETITIONNAIRE", "PROPRIETAIRE", "MANDATAIRE") else None
    scope = (
        user.commune
        if user.role
        in (
            "GUICHET_AGENT",
            "PRESIDENT_COMMUNE",
            "PRESIDENT_ARRONDISSEMENT",
            "REGISSEUR",
            "AUTORITE_LOCALE",
            "COMMISSION_MEMBER",
        )
        else None
    )
    if q.commune is not None:
        wanted = canonical_commune(q.commune)
        if scope is not None and wanted != scope:
            return {"items": [], "next_cursor": None}
        scope = wanted
    rows = ctx.store.scan(
        "dossier",
        owner=owner,
        scope=scope,
        state=q.state.value if q.state else None,
        limit=1_000_000,
    )
    items = []
    for _, rec in reversed(rows):
        if q.kind is not None and rec["dossier"]["kind"] != q.kind.value:
            continue
        if (
            q.updated_since is not None
            and datetime.fromisoformat(rec["updated_at"]) < q.updated_since
        ):
            continue
        if not can_see_dossier(user, rec):
            continue
        items.append(rec)
    items.sort(key=lambda r: r["created_at"], reverse=True)
    page = _page(items, q.cursor, q.limit)
    page["items"] = [resource(ctx, r) for r in page["items"]]
    return page


@op("updateDossier")
def _update(ctx: RequestContext) -> dict[str, Any]:
    from ..api import DossierUpdate

    record = _load(ctx)
    user = _user(ctx)
    if record["state"] not in _EDITABLE:
        raise ApiProblem(
            422,
            "dossier_not_editable",
            f"le dossier est à l'état {record['state']} : seul un brouillon se modifie",
        )
    change = _validate(DossierUpdate, ctx.request.json())
    merged = dict(record["dossier"])
    for name in change.model_fields_set:
        value = getattr(change, name)
        merged[name] = (
            None
            if value is None
            else (value.model_dump(mode="json") if hasattr(value, "model_dump") else value)
        )
    dossier = Dossier.model_validate(merged)
    record["dossier"] = dossier.model_dump(mode="json")
    _journal(
        ctx.sandbox,
        record,
        "update",
        user.role,
        user.name,
        record["state"],
        {"fields": sorted(change.model_fields_set)},
    )
    _emit(
        ctx.sandbox,
        "dossier.updated",
        "dossier",
        record["id"],
        {"fields": sorted(change.model_fields_set)},
        record["id"],
    )
    return resource(ctx, record)


@op("submitDossier")
def _submit(ctx: RequestContext) -> dict[str, Any]:
    record = _load(ctx)
    user = _user(ctx)
    dossier = _dossier_model(record)
    missing = dossier.missing_for_submission()
    before = record["state"]
    if missing and before in ("DRAFT", "PLANS_SIGNED"):
        raise ApiProblem(
            422,
            "dossier_incomplete",
            "le dossier est incomplet : " + ", ".join(m.label_fr for m in missing[:8]),
            details={"missing": [m.model_dump(mode="json") for m in missing]},
        )
    context: dict[str, Any] = {
        "missing_pieces": [m.code for m in missing],
        "grand_projet": dossier.scale is ProjectScale.GRAND,
    }
    if dossier.activity is not None:
        context["investment"] = dossier.activity.investment_related
    now = ctx.now()
    ctx.sandbox.procedure.apply(record, "submit", user.role, now, context)
    record["submitted_at"] = now.isoformat()
    _journal(ctx.sandbox, record, "submit", user.role, user.name, before, {})
    _emit(
        ctx.sandbox,
        "dossier.submitted",
        "dossier",
        record["id"],
        {"state": record["state"]},
        record["id"],
    )
    return resource(ctx, record)


@op("withdrawDossier")
def _withdraw(ctx: RequestContext) -> dict[str, Any]:
    from ..api import WithdrawRequest

    record = _load(ctx)
    user = _user(ctx)
    req = _validate(WithdrawRequest, ctx.request.json())
    before = record["state"]
    if before in _DECIDED or before == "WITHDRAWN":
        raise ApiProblem(
            422, "transition_not_allowed", f"un dossier à l'état {before} ne peut plus être retiré"
        )
    record["state"] = "WITHDRAWN"
    _journal(
        ctx.sandbox,
        record,
        "withdraw",
        user.role,
        user.name,
        before,
        {"reason": req.reason} if req.reason else {},
    )
    _emit(
        ctx.sandbox, "dossier.withdrawn", "dossier", record["id"], {"before": before}, record["id"]
    )
    return resource(ctx, record)


# -- pieces ------------------------------------------------------------------------------------
def _piece_resource(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: rec[k] for k in ("id", "dossier_id", "piece", "uploaded_at")}


@op("uploadPiece")
def _upload(ctx: RequestContext) -> SandboxResponse:
    from ..api import PIECE_MEDIA_TYPES, PieceUploadQuery

    record = _load(ctx)
    user = _user(ctx)
    if record["state"] not in _PIECES_OPEN:
        raise ApiProblem(
            422,
            "dossier_not_editable",
            f"le dossier est à l'état {record['state']} : on n'y ajoute plus de pièces",
        )
    q = _query(ctx, PieceUploadQuery)
    media = (
        (ctx.request.header("content-type") or "application/octet-stream")
        .split(";")[0]
        .strip()
        .lower()
    )
    if media not in PIECE_MEDIA_TYPES:
        raise ApiProblem(
            415,
            "unsupported_media_type",
            f"type {media!r} refusé ; types acceptés : {', '.join(PIECE_MEDIA_TYPES)}",
        )
    body = ctx.request.body
    if not body:
        raise ApiProblem(
            422, "invalid_input", "la pièce est vide : envoyez le fichier comme corps de la requête"
        )
    digest = hashlib.sha256(body).hexdigest()
    claimed = ctx.request.header("x-content-sha256")
    if claimed is not None and not secrets.compare_digest(claimed.strip().lower(), digest):
        raise ApiProblem(
            422,
            "checksum_mismatch",
            "l'empreinte X-Content-Sha256 ne correspond pas au contenu reçu : renvoyez le fichier",
        )
    piece = Piece(
        type=q.type, file_name=q.file_name, media_type=media, size=len(body), sha256=digest
    )
    ctx.store.put_blob(digest, body)
    pid = _new_id("pce")
    piece_rec = {
        "id": pid,
        "dossier_id": record["id"],
        "piece": piece.model_dump(mode="json"),
        "uploaded_at": ctx.now().isoformat(),
    }
    ctx.store.put("piece", pid, piece_rec, owner=record["id"])
    record["dossier"]["pieces"].append(piece_rec["piece"])
    record["piece_ids"].append(pid)
    _journal(
        ctx.sandbox,
        record,
        "upload_piece",
        user.role,
        user.name,
        record["state"],
        {"piece_id": pid, "type": q.type.value, "sha256": digest},
    )
    _emit(
        ctx.sandbox,
        "piece.uploaded",
        "piece",
        pid,
        {"type": q.type.value, "sha256": digest},
        record["id"],
    )
    return SandboxResponse.json(_piece_resource(piece_rec), 201)


def _piece(ctx: RequestContext, record: dict[str, Any]) -> dict[str, Any]:
    pid = ctx.params["piece_id"]
    rec = ctx.store.get("piece", pid)
    if rec is None or rec["dossier_id"] != record["id"] or pid not in record["piece_ids"]:
        raise ApiProblem(404, "not_found", f"aucune pièce {pid} dans le dossier {record['id']}")
    return rec


@op("listPieces")
def _list_pieces(ctx: RequestContext) -> dict[str, Any]:
    from ..api import PieceListQuery

    record = _load(ctx)
    q = _query(ctx, PieceListQuery)
    items = []
    for pid in record["piece_ids"]:
        rec = ctx.store.get("piece", pid)
        if rec is not None and (q.type is None or rec["piece"]["type"] == q.type.value):
            items.append(_piece_resource(rec))
    return _page(items, q.cursor, q.limit)


@op("getPiece")
def _get_piece(ctx: RequestContext) -> dict[str, Any]:
    record = _load(ctx)
    rec = _piece(ctx, record)
    # The metadata shows the signatures the piece carries now.
    idx = record["piece_ids"].index(rec["id"])
    rec = {**rec, "piece": record["dossier"]["pieces"][idx]}
    return _piece_resource(rec)


@op("downloadPiece")
def _download_piece(ctx: RequestContext) -> SandboxResponse:
    record = _load(ctx)
    rec = _piece(ctx, record)
    data = ctx.store.get_blob(rec["piece"]["sha256"])
    if data is None:  # pragma: no cover - blobs are never deleted
        raise ApiProblem(404, "not_found", "contenu de la pièce introuvable")
    return SandboxResponse.raw(
        data,
        rec["piece"]["media_type"],
        headers={
            "x-content-sha256": rec["piece"]["sha256"],
            "content-disposition": f'attachment; filename="{_ascii(rec["piece"]["file_name"])}"',
        },
    )


def _ascii(name: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)


@op("deletePiece")
def _delete_piece(ctx: RequestContext) -> None:
    record = _load(ctx)
    user = _user(ctx)
    if record["state"] not in _EDITABLE:
        raise ApiProblem(
            422,
            "dossier_not_editable",
            f"le dossier est à l'état {record['state']} : ses pièces ne se retirent plus",
        )
    rec = _piece(ctx, record)
    idx = record["piece_ids"].index(rec["id"])
    del record["piece_ids"][idx]
    del record["dossier"]["pieces"][idx]
    ctx.store.delete("piece", rec["id"])
    _journal(
        ctx.sandbox,
        record,
        "delete_piece",
        user.role,
        user.name,
        record["state"],
        {"piece_id": rec["id"]},
    )
    return None


# -- procedure events ----------------------------------------------------------------------------
@op("postDossierEvent")
def _post_event(ctx: RequestContext) -> SandboxResponse:
    from ..api import get_operation

    record = _load(ctx)
    user = _user(ctx)
    event = _validate(get_operation("postDossierEvent").request_adapter(), ctx.request.json())
    wire = event.event
    payload = event.model_dump(mode="json")
    before = record["state"]
    now = ctx.now()
    if event.occurred_at is not None and event.occurred_at > now:
        raise ApiProblem(422, "invalid_input", "occurred_at est dans le futur de la plateforme")
    at = now
    context = _context_for(ctx.sandbox, record, user.role)
    context.pop("missing_pieces", None) if wire != "provide_complement" else None
    name = procedure_event(wire, payload)

    if wire == "sign_plans":
        return _sign_plans(ctx, record, user, event, before)
    if wire == "record_opinion":
        if user.body is None or user.body.value != payload["body"]:
            raise ApiProblem(
                403,
                "forbidden",
                f"un membre de la commission pour {user.body.value if user.body else '-'} ne "
                f"peut pas saisir l'avis de {payload['body']}",
                details={
                    "your_body": user.body.value if user.body else None,
                    "event_body": payload["body"],
                },
            )
        context.update({"body": payload["body"], "opinion": payload["opinion"]})
    elif wire == "issue_decision":
        if payload["decision"] == "refused":
            if not event.reasons_fr:
                raise ApiProblem(
                    422, "invalid_input", "un refus doit être motivé : donnez reasons_fr"
                )
            context["reason"] = "; ".join(event.reasons_fr)
        else:
            if event.permit is None:
                raise ApiProblem(
                    422,
                    "invalid_input",
                    "une délivrance porte les données du permis : donnez permit",
                )
            _check_permit(record, event.permit)
            from ._money import fees_paid

            context["fees_paid"] = fees_paid(ctx.sandbox, record)
    elif wire == "provide_complement":
        context["missing_pieces"] = [
            m.code for m in _dossier_model(record).missing_for_submission()
        ]
    elif wire == "appeal_decision":
        context["reason"] = "; ".join(event.grounds_fr)
    elif wire == "declare_works_completion":
        context["architect_attestation"] = event.attestation_piece_id is not None
    ctx.sandbox.procedure.apply(record, name, user.role, at, context)
    if wire == "issue_decision":
        record["decision"] = {
            "decision": payload["decision"],
            "at": at.isoformat(),
            "reasons_fr": payload.get("reasons_fr", []),
        }
        if payload["decision"] == "granted":
            record["permit"] = {
                "data": payload["permit"],
                "issued_at": at.isoformat(),
                "pdf_sha256": None,
                "number": payload["permit"]["number"],
            }
    data = {k: v for k, v in payload.items() if k not in ("event",) and v not in (None, [], {})}
    line = _journal(ctx.sandbox, record, wire, user.role, user.name, before, data)
    sb = ctx.sandbox
    _emit(
        sb,
        "dossier.event_recorded",
        "dossier",
        record["id"],
        {"event": wire, "state": record["state"]},
        record["id"],
    )
    if record["state"] != before:
        _emit(
            sb,
            "dossier.state_changed",
            "dossier",
            record["id"],
            {"state": record["state"], "before": before},
            record["id"],
        )
    if wire == "issue_decision":
        if payload["decision"] == "granted":
            _emit(
                sb,
                "permit.issued",
                "permit",
                record["id"],
                {"number": record["permit"]["number"]},
                record["id"],
            )
        else:
            _emit(
                sb,
                "permit.refused",
                "dossier",
                record["id"],
                {"reasons_fr": payload.get("reasons_fr", [])},
                record["id"],
            )
    return SandboxResponse.json(line, 201)


def _sign_plans(
    ctx: RequestContext, record: dict[str, Any], user: Any, event: Any, before: str
) -> SandboxResponse:
    """The architect (or IGT) signs the plans: each plan piece gets their signature."""
    info = procedure_kind_info(record["dossier"]["kind"])
    if user.role not in _SIGNER_ROLES:
        # Let the procedure engine give the typed refusal (role not permitted).
        ctx.sandbox.procedure.apply(record, "sign_plans", user.role, ctx.now(), {})
    wanted = set(event.piece_ids)
    signed = 0
    for idx, pid in enumerate(record["piece_ids"]):
        piece = record["dossier"]["pieces"][idx]
        if piece["type"] not in _PLAN_TYPES or (wanted and pid not in wanted):
            continue
        if any(s["role"] == user.role for s in piece.get("signed_by", [])):
            continue
        sig = SignatureOnPiece(signer_name=user.name, role=Role(user.role))
        piece["signed_by"] = [*piece.get("signed_by", []), sig.model_dump(mode="json")]
        signed += 1
    if record["state"] == "DRAFT":
        ctx.sandbox.procedure.apply(record, "sign_plans", user.role, ctx.now(), {})
    elif record["state"] == "PLANS_SIGNED" and Role(user.role) in info.plans_signed_by:
        pass  # a co-designer (IGT after the architect) adds their signature; the state stays
    else:
        ctx.sandbox.procedure.apply(record, "sign_plans", user.role, ctx.now(), {})
    line = _journal(
        ctx.sandbox, record, "sign_plans", user.role, user.name, before, {"pieces_signed": signed}
    )
    _emit(
        ctx.sandbox,
        "dossier.event_recorded",
        "dossier",
        record["id"],
        {"event": "sign_plans", "state": record["state"]},
        record["id"],
    )
    if record["state"] != before:
        _emit(
            ctx.sandbox,
            "dossier.state_changed",
            "dossier",
            record["id"],
            {"state": record["state"], "before": before},
            record["id"],
        )
    return SandboxResponse.json(line, 201)


def _check_permit(record: dict[str, Any], permit: Any) -> None:
    d = record["dossier"]
    problems = []
    if permit.kind.value != d["kind"]:
        problems.append(f"kind {permit.kind.value} ≠ {d['kind']}")
    if canonical_commune(permit.commune) != canonical_commune(d["commune"]):
        problems.append(f"commune {permit.commune} ≠ {d['commune']}")
    if permit.dossier_reference != d["reference"]:
        problems.append(f"dossier_reference {permit.dossier_reference} ≠ {d['reference']}")
    if problems:
        raise ApiProblem(
            422,
            "invalid_input",
            "les données du permis ne correspondent pas au dossier : " + "; ".join(problems),
        )


@op("listDossierEvents")
def _list_events(ctx: RequestContext) -> dict[str, Any]:
    from ..api import ListQuery

    record = _load(ctx)
    q = _query(ctx, ListQuery)
    return _page(ctx.store.journal(record["id"]), q.cursor, q.limit)


def _tacit_permit(sb: Sandbox, record: dict[str, Any], at: datetime) -> dict[str, Any]:
    """A permit record for a tacit approval: the platform states what silence granted."""
    from ._permits import tacit_permit_data

    data = tacit_permit_data(sb, record, at)
    return {"data": data, "issued_at": at.isoformat(), "pdf_sha256": None, "number": data["number"]}


def family_of(record: dict[str, Any]) -> ProcedureFamily:
    """The procedure family of a stored dossier."""
    return procedure_kind_info(record["dossier"]["kind"]).family


# The fee, payment, permit, commune and webhook handlers live in their own modules;
# importing them registers them.
from . import _money as _money  # noqa: E402
from . import _permits as _permits  # noqa: E402
from . import _platform as _platform  # noqa: E402

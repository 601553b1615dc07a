"""Resource: a dossier's pieces (upload, list, read, download, remove from a draft)."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from ..models import Piece
from ._errors import ApiProblem
from ._http import SandboxResponse
from ._record import DossierRecord
from ._requests import cursor_page, new_id, query
from ._unit import add_piece, commit, load_for, remove_piece

if TYPE_CHECKING:
    from ._core import Handler, RequestContext

__all__ = ["HANDLERS"]


def _piece_resource(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: rec[k] for k in ("id", "dossier_id", "piece", "uploaded_at")}


def _upload(ctx: RequestContext) -> SandboxResponse:
    from ..api import PIECE_MEDIA_TYPES, PieceUploadQuery

    record = load_for(ctx)
    user = ctx.require_user()
    q = query(ctx, PieceUploadQuery)
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
            f"النوع {media!r} مرفوض؛ الأنواع المقبولة: {', '.join(PIECE_MEDIA_TYPES)}",
            details={"field": "content-type", "allowed": list(PIECE_MEDIA_TYPES)},
        )
    body = ctx.request.body
    if not body:
        raise ApiProblem(
            422,
            "invalid_input",
            "la pièce est vide : envoyez le fichier comme corps de la requête",
            "الوثيقة فارغة: أرسل الملف كمحتوى للطلب",
            details={"field": "body"},
        )
    digest = hashlib.sha256(body).hexdigest()
    claimed = ctx.request.header("x-content-sha256")
    if claimed is not None and not secrets.compare_digest(claimed.strip().lower(), digest):
        raise ApiProblem(
            422,
            "checksum_mismatch",
            "l'empreinte X-Content-Sha256 ne correspond pas au contenu reçu : renvoyez le fichier",
            "بصمة X-Content-Sha256 لا تطابق المحتوى المستلم: أعد إرسال الملف",
            details={"field": "x-content-sha256", "received_sha256": digest},
        )
    piece = Piece(
        type=q.type, file_name=q.file_name, media_type=media, size=len(body), sha256=digest
    )
    now = ctx.now()
    pid = new_id("pce")
    commit(ctx.sandbox, add_piece(ctx.sandbox, user, record, pid, piece, now))
    ctx.store.put_blob(digest, body)
    piece_rec = {
        "id": pid,
        "dossier_id": record.id,
        "piece": piece.model_dump(mode="json"),
        "uploaded_at": now.isoformat(),
    }
    ctx.store.put("piece", pid, piece_rec, owner=record.id)
    return SandboxResponse.json(_piece_resource(piece_rec), 201)


def _piece(ctx: RequestContext, record: DossierRecord) -> dict[str, Any]:
    pid = ctx.params["piece_id"]
    rec = ctx.store.get("piece", pid)
    if rec is None or rec["dossier_id"] != record.id or pid not in record.piece_ids:
        raise ApiProblem(
            404,
            "not_found",
            f"aucune pièce {pid} dans le dossier {record.id}",
            f"لا توجد وثيقة {pid} في الملف {record.id}",
            details={"field": "piece_id"},
        )
    return rec


def _list_pieces(ctx: RequestContext) -> dict[str, Any]:
    from ..api import PieceListQuery

    record = load_for(ctx)
    q = query(ctx, PieceListQuery)
    items = []
    for pid in record.piece_ids:
        rec = ctx.store.get("piece", pid)
        if rec is not None and (q.type is None or rec["piece"]["type"] == q.type.value):
            items.append(_piece_resource(rec))
    return cursor_page(items, q.cursor, q.limit)


def _get_piece(ctx: RequestContext) -> dict[str, Any]:
    record = load_for(ctx)
    rec = _piece(ctx, record)
    # The metadata shows the signatures the piece carries now.
    idx = record.piece_ids.index(rec["id"])
    now = record.dossier.pieces[idx].model_dump(mode="json")
    return _piece_resource({**rec, "piece": now})


def _download_piece(ctx: RequestContext) -> SandboxResponse:
    record = load_for(ctx)
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


def _delete_piece(ctx: RequestContext) -> None:
    record = load_for(ctx)
    user = ctx.require_user()
    rec = _piece(ctx, record)
    commit(ctx.sandbox, remove_piece(ctx.sandbox, user, record, rec["id"], ctx.now()))
    ctx.store.delete("piece", rec["id"])
    return None


HANDLERS: dict[str, Handler] = {
    "uploadPiece": _upload,
    "listPieces": _list_pieces,
    "getPiece": _get_piece,
    "downloadPiece": _download_piece,
    "deletePiece": _delete_piece,
}

"""What every resource module needs to read a request: ids, bodies, queries, pages.

The helpers are public names of this module, so the resource modules share them without
reaching into each other.
"""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING, Any

import pydantic

from .._errors import from_pydantic
from ._errors import ApiProblem

if TYPE_CHECKING:
    from ._core import RequestContext

__all__ = ["cursor_page", "new_id", "query", "validate"]


def new_id(prefix: str) -> str:
    """A fresh unguessable resource id (``dos_…``, ``pay_…``)."""
    return f"{prefix}_{secrets.token_hex(8)}"


def validate(model: Any, data: Any) -> Any:
    """Validate ``data`` with a pydantic model or TypeAdapter; problems become a 422."""
    try:
        if isinstance(model, pydantic.TypeAdapter):
            return model.validate_python(data)
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise from_pydantic(exc, model=getattr(model, "__name__", "request")) from None


def query(ctx: RequestContext, model: Any) -> Any:
    """The request's query string, validated."""
    raw = {k: v for k, v in ctx.request.query_list()}
    return validate(model, raw)


def _cursor_decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(
            400,
            "bad_request",
            "curseur invalide : repassez le next_cursor reçu tel quel",
            "مؤشر الصفحة غير صالح: أعد إرسال next_cursor كما تم استلامه",
            details={"field": "cursor"},
        ) from None


def _cursor_encode(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def cursor_page(items: list[Any], cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of ``items`` and the cursor of the next (None on the last page)."""
    start = _cursor_decode(cursor)
    chunk = items[start : start + limit]
    nxt = _cursor_encode(start + limit) if start + limit < len(items) else None
    return {"items": chunk, "next_cursor": nxt}

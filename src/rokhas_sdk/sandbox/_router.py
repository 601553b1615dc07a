"""The explicit router: every route of the sandbox, from its resource modules.

The contract's operations come from ``rokhas_sdk.api.OPERATIONS`` (so a path cannot
drift from the contract) and are served by the ``HANDLERS`` table of the resource module
that owns them; the control routes (``/_sandbox``) and the CMI simulator bring their own
``ROUTES``. Nothing registers itself on import: this module lists who serves what.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._errors import RokhasError
from . import _admin, _cmi, _dossiers, _events, _money, _permits, _pieces, _platform
from ._errors import ApiProblem
from ._http import Router

if TYPE_CHECKING:
    from ._core import Handler, RequestContext

__all__ = ["RESOURCES", "build_router"]

#: The resource modules serving the contract's operations, each with its HANDLERS.
RESOURCES: tuple[Mapping[str, Handler], ...] = (
    _dossiers.HANDLERS,
    _pieces.HANDLERS,
    _events.HANDLERS,
    _money.HANDLERS,
    _permits.HANDLERS,
    _platform.HANDLERS,
)


def build_router() -> Router:
    """A router with every contract operation, the control routes and the CMI pages."""
    from ..api import OPERATIONS

    handlers: dict[str, Handler] = {}
    for table in RESOURCES:
        twice = set(handlers) & set(table)
        if twice:  # pragma: no cover - a packaging error, caught by the router test
            raise RokhasError(f"operations served by two resource modules: {sorted(twice)}")
        handlers.update(table)
    router = Router()
    # Literal paths first (``/permits/verify`` before ``/permits/{...}``).
    for operation in sorted(OPERATIONS, key=lambda o: o.path.count("{")):
        handler = handlers.get(operation.id, _not_implemented(operation.id))
        router.add(operation.method, operation.path, operation.id, handler)
    for method, path, operation_id, handler in (*_admin.ROUTES, *_cmi.ROUTES):
        router.add(method, path, operation_id, handler)
    return router


def _not_implemented(operation_id: str) -> Handler:
    def handler(ctx: RequestContext) -> Any:
        raise ApiProblem(
            501,
            "not_implemented",
            f"l'opération {operation_id} n'est pas encore servie par le sandbox",
            f"العملية {operation_id} غير متوفرة بعد في المنصة التجريبية",
            details={"operation": operation_id},
        )

    return handler

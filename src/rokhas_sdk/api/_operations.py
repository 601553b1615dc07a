"""The operation table: every endpoint of v1 as data.

Each :class:`Operation` says everything a client needs to call it and a server needs to
serve it: method, path template, query model, body (JSON model or raw bytes), response
(JSON model, raw bytes or nothing), success status, whether it needs the bearer token,
and which error codes it may answer. The OpenAPI document, the clients and the sandbox
are all driven by :data:`OPERATIONS`; adding an endpoint means adding a row here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from urllib.parse import quote

import pydantic
from pydantic import BaseModel, TypeAdapter

from .._errors import InvalidInputError, NotFoundError, from_pydantic
from ..models import Dossier
from ._common import API_PREFIX, ErrorCode, Page
from ._events import ProcedureEvent
from ._payloads import (
    Commune,
    CommuneIndicatorQuery,
    CommuneIndicators,
    CommuneListQuery,
    CommunePage,
    DossierEventPage,
    DossierEventRecord,
    DossierListQuery,
    DossierPage,
    DossierResource,
    DossierUpdate,
    FeeOrder,
    FeeOrderCreate,
    FeeOrderPage,
    FeeQuote,
    Health,
    IndicatorListQuery,
    IndicatorPage,
    ListQuery,
    Payment,
    PaymentCreate,
    PermitListQuery,
    PermitPage,
    PermitResource,
    PermitVerification,
    PieceListQuery,
    PiecePage,
    PieceResource,
    PieceUploadQuery,
    Principal,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointPage,
    WebhookEvent,
    WebhookEventListQuery,
    WebhookEventPage,
    WithdrawRequest,
)

__all__ = ["OPERATIONS", "PATH_PARAMETERS", "Operation", "get_operation", "match_operation"]

Method = Literal["GET", "POST", "PATCH", "PUT", "DELETE"]

# Path parameters and the pattern each must match (also used in the OpenAPI document).
PATH_PARAMETERS: dict[str, str] = {
    "dossier_id": r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$",
    "piece_id": r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$",
    "order_id": r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$",
    "payment_id": r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$",
    "endpoint_id": r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$",
    "commune_code": r"^[0-9][0-9.]{0,31}$",
}

PIECE_MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png", "application/octet-stream")

# Errors any authenticated operation may answer; each row adds its own.
_COMMON_ERRORS = (
    ErrorCode.BAD_REQUEST,
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.FORBIDDEN,
    ErrorCode.REQUEST_TIMEOUT,
    ErrorCode.RATE_LIMITED,
    ErrorCode.INTERNAL_ERROR,
    ErrorCode.SERVICE_UNAVAILABLE,
)
_WRITE_ERRORS = (
    ErrorCode.INVALID_INPUT,
    ErrorCode.CONFLICT,
    ErrorCode.IDEMPOTENCY_IN_PROGRESS,
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
)


@dataclass(frozen=True, slots=True)
class Operation:
    """One endpoint of the contract.

    ``request`` is the JSON body's type (a model, or an annotated union such as
    :data:`~rokhas_sdk.api.ProcedureEvent`); ``request_media_types`` is set instead
    when the body is raw bytes. ``response`` is the JSON answer's model;
    ``response_media_types`` is set instead when the answer is raw bytes (with an
    ``X-Content-Sha256`` header); both are empty for ``204 No Content``.
    """

    id: str
    method: Method
    path: str
    summary: str
    tag: str
    status: int = 200
    response: type[BaseModel] | None = None
    request: Any = None
    query: type[BaseModel] | None = None
    request_media_types: tuple[str, ...] = ()
    response_media_types: tuple[str, ...] = ()
    auth: bool = True
    errors: tuple[ErrorCode, ...] = ()
    description: str = ""
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = re.sub(r"\{([a-z_]+)\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", self.path)
        object.__setattr__(self, "_regex", re.compile(f"^{pattern}$"))

    @property
    def is_write(self) -> bool:
        """Non-GET operations: they take an ``Idempotency-Key`` and change state."""
        return self.method != "GET"

    @property
    def is_paginated(self) -> bool:
        """The response is a :class:`~rokhas_sdk.api.Page` (cursor pagination)."""
        return self.response is not None and issubclass(self.response, Page)

    @property
    def path_params(self) -> tuple[str, ...]:
        """The names in the path template, in order."""
        return tuple(re.findall(r"\{([a-z_]+)\}", self.path))

    @property
    def all_errors(self) -> tuple[ErrorCode, ...]:
        """Every error code the operation may answer, without duplicates."""
        codes: list[ErrorCode] = []
        base = (
            _COMMON_ERRORS
            if self.auth
            else (ErrorCode.BAD_REQUEST, ErrorCode.INTERNAL_ERROR, ErrorCode.SERVICE_UNAVAILABLE)
        )
        for code in (*base, *(_WRITE_ERRORS if self.is_write else ()), *self.errors):
            if code not in codes:
                codes.append(code)
        if self.path_params and ErrorCode.NOT_FOUND not in codes:
            codes.append(ErrorCode.NOT_FOUND)
        return tuple(codes)

    def url_path(self, **params: str) -> str:
        """The concrete path, each parameter percent-encoded (``/`` included)."""
        try:
            return self.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})
        except KeyError as exc:
            raise InvalidInputError(
                f"operation {self.id} needs path parameter {exc.args[0]!r}: pass it as "
                f"url_path({exc.args[0]}=...)"
            ) from exc

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters if ``method`` and ``path`` name this operation, else None."""
        if method.upper() != self.method:
            return None
        m = self._regex.match(path)
        return m.groupdict() if m else None

    def request_adapter(self) -> TypeAdapter[Any]:
        """A cached validator for the JSON body (``request`` must be set)."""
        return _adapter(self.id)

    def parse_body(self, data: bytes | str) -> Any:
        """Validate a JSON body; bad input raises :class:`~rokhas_sdk.InvalidInputError`."""
        try:
            return self.request_adapter().validate_json(data)
        except pydantic.ValidationError as exc:
            raise from_pydantic(exc, model=f"{self.id} body") from exc

    def parse_value(self, data: Any) -> Any:
        """Validate a Python value (e.g. a dict) as the JSON body's type."""
        try:
            return self.request_adapter().validate_python(data)
        except pydantic.ValidationError as exc:
            raise from_pydantic(exc, model=f"{self.id} body") from exc

    def parse_query(self, params: Mapping[str, str]) -> BaseModel | None:
        """Validate query parameters into the operation's query model (None if it has none)."""
        if self.query is None:
            return None
        try:
            return self.query.model_validate(dict(params))
        except pydantic.ValidationError as exc:
            raise from_pydantic(exc, model=f"{self.id} query") from exc


def _op(*args: Any, **kwargs: Any) -> Operation:
    return Operation(*args, **kwargs)


D = f"{API_PREFIX}/dossiers"

OPERATIONS: tuple[Operation, ...] = (
    _op(
        "getHealth",
        "GET",
        f"{API_PREFIX}/health",
        "Liveness and versions",
        "meta",
        response=Health,
        auth=False,
    ),
    _op("getMe", "GET", f"{API_PREFIX}/me", "Who the token stands for", "meta", response=Principal),
    # dossiers
    _op(
        "createDossier",
        "POST",
        D,
        "Create a draft dossier",
        "dossiers",
        status=201,
        request=Dossier,
        response=DossierResource,
        description="The body is a Dossier without pieces (upload them with uploadPiece); "
        "platform_number and created_at are set by the server and refused if sent.",
    ),
    _op(
        "listDossiers",
        "GET",
        D,
        "List dossiers (filters, cursor)",
        "dossiers",
        query=DossierListQuery,
        response=DossierPage,
    ),
    _op(
        "getDossier",
        "GET",
        D + "/{dossier_id}",
        "Get a dossier",
        "dossiers",
        response=DossierResource,
    ),
    _op(
        "updateDossier",
        "PATCH",
        D + "/{dossier_id}",
        "Change a draft",
        "dossiers",
        request=DossierUpdate,
        response=DossierResource,
        errors=(ErrorCode.DOSSIER_NOT_EDITABLE,),
        description="Merge semantics: fields left out are kept, fields sent as null are cleared.",
    ),
    _op(
        "submitDossier",
        "POST",
        D + "/{dossier_id}/submit",
        "File the dossier",
        "dossiers",
        response=DossierResource,
        errors=(ErrorCode.DOSSIER_INCOMPLETE, ErrorCode.TRANSITION_NOT_ALLOWED),
    ),
    _op(
        "withdrawDossier",
        "POST",
        D + "/{dossier_id}/withdraw",
        "Withdraw the dossier",
        "dossiers",
        request=WithdrawRequest,
        response=DossierResource,
        errors=(ErrorCode.TRANSITION_NOT_ALLOWED,),
    ),
    # pieces
    _op(
        "uploadPiece",
        "POST",
        D + "/{dossier_id}/pieces",
        "Upload a piece (raw body)",
        "pieces",
        status=201,
        query=PieceUploadQuery,
        request_media_types=PIECE_MEDIA_TYPES,
        response=PieceResource,
        errors=(
            ErrorCode.DOSSIER_NOT_EDITABLE,
            ErrorCode.CHECKSUM_MISMATCH,
            ErrorCode.PAYLOAD_TOO_LARGE,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ),
        description="The body is the file itself, streamed; Content-Type is its media type and "
        "X-Content-Sha256 its SHA-256 (hex). A mismatch is refused with checksum_mismatch.",
    ),
    _op(
        "listPieces",
        "GET",
        D + "/{dossier_id}/pieces",
        "List a dossier's pieces",
        "pieces",
        query=PieceListQuery,
        response=PiecePage,
    ),
    _op(
        "getPiece",
        "GET",
        D + "/{dossier_id}/pieces/{piece_id}",
        "Get a piece's metadata",
        "pieces",
        response=PieceResource,
    ),
    _op(
        "downloadPiece",
        "GET",
        D + "/{dossier_id}/pieces/{piece_id}/content",
        "Download a piece",
        "pieces",
        response_media_types=("application/octet-stream",),
        description="The raw file; X-Content-Sha256 carries its SHA-256 "
        "so the client can check it.",
    ),
    _op(
        "deletePiece",
        "DELETE",
        D + "/{dossier_id}/pieces/{piece_id}",
        "Remove a piece from a draft",
        "pieces",
        status=204,
        errors=(ErrorCode.DOSSIER_NOT_EDITABLE,),
    ),
    # procedure
    _op(
        "postDossierEvent",
        "POST",
        D + "/{dossier_id}/events",
        "Record a procedure event",
        "procedure",
        status=201,
        request=ProcedureEvent,
        response=DossierEventRecord,
        errors=(ErrorCode.TRANSITION_NOT_ALLOWED,),
        description="One typed event (complement request, opinion, decision, "
        "works declarations...). "
        "The caller's role and the dossier's state decide whether it is allowed.",
    ),
    _op(
        "listDossierEvents",
        "GET",
        D + "/{dossier_id}/events",
        "The dossier's journal",
        "procedure",
        query=ListQuery,
        response=DossierEventPage,
    ),
    # fees and payments
    _op(
        "quoteFees",
        "GET",
        D + "/{dossier_id}/fees/quote",
        "What the dossier owes now",
        "fees",
        response=FeeQuote,
    ),
    _op(
        "createFeeOrder",
        "POST",
        D + "/{dossier_id}/fee-orders",
        "Issue an order to pay",
        "fees",
        status=201,
        request=FeeOrderCreate,
        response=FeeOrder,
    ),
    _op(
        "listFeeOrders",
        "GET",
        D + "/{dossier_id}/fee-orders",
        "A dossier's fee orders",
        "fees",
        query=ListQuery,
        response=FeeOrderPage,
    ),
    _op(
        "getFeeOrder",
        "GET",
        f"{API_PREFIX}/fee-orders/{{order_id}}",
        "Get a fee order",
        "fees",
        response=FeeOrder,
    ),
    _op(
        "createPayment",
        "POST",
        f"{API_PREFIX}/payments",
        "Start paying an order",
        "payments",
        status=201,
        request=PaymentCreate,
        response=Payment,
        errors=(ErrorCode.PAYMENT_NOT_ALLOWED,),
    ),
    _op(
        "getPayment",
        "GET",
        f"{API_PREFIX}/payments/{{payment_id}}",
        "A payment's status",
        "payments",
        response=Payment,
    ),
    # permits
    _op(
        "getPermit",
        "GET",
        D + "/{dossier_id}/permit",
        "The decision's data",
        "permits",
        response=PermitResource,
    ),
    _op(
        "downloadPermitPdf",
        "GET",
        D + "/{dossier_id}/permit/pdf",
        "The signed permit PDF",
        "permits",
        response_media_types=("application/pdf",),
    ),
    _op(
        "listPermits",
        "GET",
        f"{API_PREFIX}/permits",
        "Search delivered permits",
        "permits",
        query=PermitListQuery,
        response=PermitPage,
    ),
    _op(
        "verifyPermit",
        "POST",
        f"{API_PREFIX}/permits/verify",
        "Verify a signed permit PDF",
        "permits",
        request_media_types=("application/pdf",),
        response=PermitVerification,
        errors=(ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    ),
    # communes and indicators
    _op(
        "listCommunes",
        "GET",
        f"{API_PREFIX}/communes",
        "List communes",
        "communes",
        query=CommuneListQuery,
        response=CommunePage,
    ),
    _op(
        "getCommune",
        "GET",
        f"{API_PREFIX}/communes/{{commune_code}}",
        "Get a commune",
        "communes",
        response=Commune,
    ),
    _op(
        "getCommuneIndicators",
        "GET",
        f"{API_PREFIX}/communes/{{commune_code}}/indicators",
        "A commune's indicators",
        "indicators",
        query=CommuneIndicatorQuery,
        response=CommuneIndicators,
    ),
    _op(
        "listIndicators",
        "GET",
        f"{API_PREFIX}/indicators",
        "Indicators of all communes for a period",
        "indicators",
        query=IndicatorListQuery,
        response=IndicatorPage,
    ),
    # events and webhooks
    _op(
        "listEvents",
        "GET",
        f"{API_PREFIX}/events",
        "Changes feed (what webhooks deliver)",
        "webhooks",
        query=WebhookEventListQuery,
        response=WebhookEventPage,
    ),
    _op(
        "createWebhookEndpoint",
        "POST",
        f"{API_PREFIX}/webhook-endpoints",
        "Register a webhook receiver",
        "webhooks",
        status=201,
        request=WebhookEndpointCreate,
        response=WebhookEndpoint,
    ),
    _op(
        "listWebhookEndpoints",
        "GET",
        f"{API_PREFIX}/webhook-endpoints",
        "List webhook receivers",
        "webhooks",
        query=ListQuery,
        response=WebhookEndpointPage,
    ),
    _op(
        "deleteWebhookEndpoint",
        "DELETE",
        f"{API_PREFIX}/webhook-endpoints/{{endpoint_id}}",
        "Remove a webhook receiver",
        "webhooks",
        status=204,
    ),
    _op(
        "rotateWebhookSecret",
        "POST",
        f"{API_PREFIX}/webhook-endpoints/{{endpoint_id}}/rotate-secret",
        "Rotate the signing secret",
        "webhooks",
        response=WebhookEndpoint,
        description="Returns the new secret; the previous one keeps signing too "
        "until previous_secret_expires_at.",
    ),
    _op(
        "sendTestWebhook",
        "POST",
        f"{API_PREFIX}/webhook-endpoints/{{endpoint_id}}/test",
        "Deliver a webhook.test event",
        "webhooks",
        response=WebhookEvent,
    ),
)

_BY_ID = {op.id: op for op in OPERATIONS}


def get_operation(operation_id: str) -> Operation:
    """The operation named ``operation_id`` (e.g. ``"createDossier"``)."""
    try:
        return _BY_ID[operation_id]
    except KeyError as exc:
        raise NotFoundError(
            f"no operation {operation_id!r} in the v1 contract; see rokhas_sdk.api.OPERATIONS"
        ) from exc


def match_operation(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation a request names and its path parameters (for servers), or None.

    Literal segments win over parameters (``/permits/verify`` is never a permit id).
    """
    for op in OPERATIONS:
        params = op.match(method, path)
        if params is not None:
            return op, params
    return None


@cache
def _adapter(operation_id: str) -> TypeAdapter[Any]:
    op = _BY_ID[operation_id]
    if op.request is None:
        raise InvalidInputError(
            f"operation {operation_id} takes no JSON body; send its raw content instead"
        )
    return TypeAdapter(op.request)

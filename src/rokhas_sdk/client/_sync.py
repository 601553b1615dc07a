"""The synchronous client: ``RokhasClient``.

Its twin :class:`~rokhas_sdk.client.AsyncRokhasClient` (``_async.py``) has the same
resources, methods and arguments; a test keeps the two surfaces identical.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, BinaryIO, TypeVar

import httpx
from pydantic import BaseModel, SecretStr

from .._errors import ConfigurationError
from ..api import (
    CONTENT_SHA256_HEADER,
    REQUEST_ID_HEADER,
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
    DossierState,
    DossierUpdate,
    FeeOrder,
    FeeOrderCreate,
    FeeOrderPage,
    FeeQuote,
    Health,
    IndicatorListQuery,
    IndicatorPage,
    ListQuery,
    Operation,
    Page,
    Payment,
    PaymentCreate,
    PaymentMethod,
    PermitListQuery,
    PermitPage,
    PermitResource,
    PermitVerification,
    PieceListQuery,
    PiecePage,
    PieceResource,
    PieceUploadQuery,
    Principal,
    ProcedureEvent,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointPage,
    WebhookEvent,
    WebhookEventListQuery,
    WebhookEventPage,
    WebhookEventType,
    WithdrawRequest,
    get_operation,
)
from ..models import Dossier, PieceType, ProcedureKind
from . import _base
from ._base import TokenBox
from ._content import DownloadResult, Sink, Upload, UploadSource, prepare_upload
from ._errors import APIConnectionError, APIError, APITimeoutError
from ._pagination import SyncPager

__all__ = ["RokhasClient"]

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound=Page[Any])


class RokhasClient:
    """A synchronous client of the v1 contract.

    >>> from rokhas_sdk.client import RokhasClient
    >>> client = RokhasClient(base_url="http://127.0.0.1:8000", token="...")  # doctest: +SKIP
    >>> with client:  # doctest: +SKIP
    ...     draft = client.dossiers.create(dossier)
    ...     client.pieces.upload(draft.id, "plans.pdf", type="PLANS_ARCHITECTURAUX")
    ...     client.dossiers.submit(draft.id)

    ``base_url`` and ``token`` default to ``ROKHAS_BASE_URL`` and ``ROKHAS_API_TOKEN``.
    ``token_refresher`` is called for a new token when there is none or the server
    answers 401 (once per call). Writes carry an ``Idempotency-Key`` reused by their
    retries; connection errors, timeouts, 408, 409, 429 and 5xx are retried up to
    ``max_retries`` times with exponential backoff, jitter and ``Retry-After``.
    Pass ``http_client`` (your own ``httpx.Client``: proxies, certificates...) or just a
    ``transport``; a client you pass is not closed by ``close()``.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        token: str | SecretStr | None = None,
        token_refresher: Callable[[], str | SecretStr] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = _base.DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        config = _base.make_config(
            base_url=base_url,
            token=token,
            token_refresher=token_refresher,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
        )
        if http_client is not None and transport is not None:
            raise ConfigurationError(
                "pass either http_client or transport, not both (set the transport on your client)"
            )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(
                "http_client must be an httpx.Client (use AsyncRokhasClient for httpx.AsyncClient)"
            )
        owns = http_client is None
        if http_client is None:
            http_client = httpx.Client(
                transport=transport,
                timeout=config.timeout,
                follow_redirects=False,
                headers=_base.base_headers(config),
            )
        self._setup(config, http_client, owns, TokenBox(config.token), time.sleep)

    def _setup(
        self,
        config: _base.ClientConfig,
        http: httpx.Client,
        owns: bool,
        box: TokenBox,
        sleep: Callable[[float], None],
    ) -> None:
        self._config = config
        self._http = http
        self._owns_http = owns
        self._token = box
        self._sleep = sleep
        # A derived client keeps its origin alive, so the connections it borrows are not
        # closed under it when the origin is garbage-collected.
        self._origin: RokhasClient | None = None
        # An owned httpx client already carries the static headers; a borrowed one or a
        # derived client (whose default_headers may differ) sends them per request.
        self._base_headers = {} if owns else _base.base_headers(config)
        self.dossiers = Dossiers(self)
        self.pieces = Pieces(self)
        self.fees = Fees(self)
        self.payments = Payments(self)
        self.permits = Permits(self)
        self.communes = Communes(self)
        self.indicators = Indicators(self)
        self.events = Events(self)
        self.webhook_endpoints = WebhookEndpoints(self)

    # --- life cycle and options -------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The platform's root URL (without ``/v1``)."""
        return self._config.base_url

    @property
    def max_retries(self) -> int:
        """How many times a failed attempt is retried."""
        return self._config.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout of each attempt."""
        return self._config.timeout

    def with_options(self, **changes: Any) -> RokhasClient:
        """A client with some options changed, sharing this one's connections.

        Options: ``base_url``, ``token``, ``token_refresher``, ``timeout``, ``max_retries``,
        ``backoff_initial``, ``backoff_max``, ``retry_after_max``, ``default_headers``,
        ``idempotency_key`` (fixes the key of the next write: use the derived client for
        that one call, e.g. to resume a write after a crash with a key you stored).
        """
        config = self._config.changed(**changes)
        box = TokenBox(config.token) if "token" in changes else self._token
        clone = RokhasClient.__new__(RokhasClient)
        clone._setup(config, self._http, False, box, self._sleep)
        clone._origin = self._origin or self
        return clone

    def close(self) -> None:
        """Close the connections (unless the httpx client was passed in)."""
        if self._owns_http:
            self._http.close()

    def __del__(self) -> None:
        # Close owned connections on garbage collection too (a client left unclosed
        # would otherwise leak its sockets).
        if getattr(self, "_owns_http", False) and not self._http.is_closed:
            self._http.close()

    def __enter__(self) -> RokhasClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        cfg = self._config
        return f"RokhasClient(base_url={cfg.base_url!r}, max_retries={cfg.max_retries})"

    # --- top-level operations -------------------------------------------------------------

    def health(self) -> Health:
        """``getHealth``: liveness and the versions the server speaks."""
        return self._call("getHealth", cast=Health)

    def me(self) -> Principal:
        """``getMe``: who the token stands for (subject, role, commune)."""
        return self._call("getMe", cast=Principal)

    # --- machinery --------------------------------------------------------------------------

    def _refresh_token(self) -> bool:
        refresher = self._config.token_refresher
        if refresher is None:
            return False
        token = refresher()
        self._token.token = _base._secret(token)
        return True

    def _send(
        self,
        op: Operation,
        path: Mapping[str, str] | None = None,
        query: BaseModel | None = None,
        body: bytes | None = None,
        upload: Upload | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        cfg = self._config
        url = cfg.base_url + (op.url_path(**path) if path else op.path)
        params = _base.query_params(query)
        key = cfg.idempotency_key or (_base.new_idempotency_key() if op.is_write else None)
        extra: dict[str, str] | None = None
        if body is not None:
            extra = {"Content-Type": "application/json"}
        elif upload is not None:
            extra = {
                "Content-Type": upload.media_type,
                "Content-Length": str(upload.size),
                CONTENT_SHA256_HEADER: upload.sha256,
            }
        if op.auth and self._token.token is None and cfg.token_refresher is not None:
            self._refresh_token()
        refreshed = False
        attempt = 0
        first_started = time.perf_counter()
        while True:
            headers = _base.request_headers(
                self._base_headers, self._token.token, op, attempt, key, extra
            )
            content = body if upload is None else upload.sync_content()
            request = self._http.build_request(
                op.method, url, params=params, headers=headers, content=content, timeout=cfg.timeout
            )
            started = time.perf_counter()
            failure: APIError
            cause: Exception
            try:
                response = self._http.send(request, stream=stream)
            except httpx.TimeoutException as exc:
                failure = APITimeoutError(
                    f"{op.method} {request.url.path} timed out ({type(exc).__name__}); the "
                    "server may be overloaded"
                )
                cause = exc
            except httpx.TransportError as exc:
                failure = APIConnectionError(
                    f"{op.method} {request.url.path} failed: {type(exc).__name__}: {exc}"
                )
                cause = exc
            else:
                status = response.status_code
                _base.log_attempt(request, attempt, response, started)
                if 200 <= status < 300:
                    _base.record_response(op, response, key, attempt, first_started)
                    return response
                raw = response.read()
                response.close()
                if status == 401 and not refreshed and self._refresh_token():
                    refreshed = True
                    continue
                if _base.is_retryable_status(status) and attempt < cfg.max_retries:
                    delay = _base.retry_delay(cfg, attempt, response.headers)
                    _base.log_retry(request, f"status {status}", delay)
                    self._sleep(delay)
                    attempt += 1
                    continue
                raise _base.status_error(response, raw)
            _base.log_attempt(request, attempt, None, started)
            if attempt >= cfg.max_retries:
                raise failure from cause
            delay = _base.retry_delay(cfg, attempt, None)
            _base.log_retry(request, failure.code, delay)
            self._sleep(delay)
            attempt += 1

    def _call(
        self,
        operation_id: str,
        *,
        cast: type[M],
        path: Mapping[str, str] | None = None,
        query: BaseModel | None = None,
        json: Any = None,
        upload: Upload | None = None,
    ) -> M:
        op = get_operation(operation_id)
        body = _base.json_body(op, json) if json is not None else None
        response = self._send(op, path, query, body, upload)
        return _base.parse_model(cast, response, response.content)

    def _call_empty(self, operation_id: str, *, path: Mapping[str, str]) -> None:
        self._send(get_operation(operation_id), path)

    def _pager(
        self,
        operation_id: str,
        page_cls: type[P],
        query: BaseModel,
        path: Mapping[str, str] | None = None,
    ) -> SyncPager[Any]:
        def fetch(cursor: str | None) -> P:
            q = query.model_copy(update={"cursor": cursor}) if cursor is not None else query
            return self._call(operation_id, cast=page_cls, path=path, query=q)

        return SyncPager(fetch)

    def _download(
        self,
        operation_id: str,
        path: Mapping[str, str],
        to: str | os.PathLike[str] | BinaryIO | None,
        expected_sha256: str | None,
    ) -> tuple[DownloadResult, Sink]:
        op = get_operation(operation_id)
        sink = Sink(to)
        attempt = 0
        try:
            while True:
                response = self._send(op, path, stream=True)
                try:
                    for chunk in response.iter_bytes():
                        sink.write(chunk)
                except httpx.TransportError as exc:
                    # The body broke off mid-stream: start the download over if we can.
                    if attempt >= self._config.max_retries or not sink.can_reset():
                        raise APIConnectionError(
                            f"download of {response.request.url.path} broke off: {exc}"
                        ) from exc
                    sink.reset()
                    delay = _base.retry_delay(self._config, attempt, None)
                    _base.log_retry(response.request, "broken body", delay)
                    self._sleep(delay)
                    attempt += 1
                    continue
                finally:
                    response.close()
                expected = expected_sha256 or response.headers.get(CONTENT_SHA256_HEADER)
                result = sink.finish(
                    expected,
                    response.headers.get(REQUEST_ID_HEADER),
                    response.headers.get("content-type"),
                )
                return result, sink
        except BaseException:
            sink.abort()
            raise


# --- resources ----------------------------------------------------------------------------


class _Resource:
    def __init__(self, client: RokhasClient) -> None:
        self._client = client


def _limit(limit: int | None) -> dict[str, Any]:
    return {} if limit is None else {"limit": limit}


class Dossiers(_Resource):
    """Dossiers: drafts, listing, submission, withdrawal and procedure events."""

    def create(self, dossier: Dossier | Mapping[str, Any]) -> DossierResource:
        """``createDossier``: file a draft (pieces are uploaded separately)."""
        body = dossier if isinstance(dossier, Dossier) else Dossier.model_validate(dossier)
        return self._client._call("createDossier", cast=DossierResource, json=body)

    def get(self, dossier_id: str) -> DossierResource:
        """``getDossier``."""
        return self._client._call(
            "getDossier", cast=DossierResource, path={"dossier_id": dossier_id}
        )

    def list(
        self,
        *,
        commune: str | None = None,
        kind: ProcedureKind | str | None = None,
        state: DossierState | str | None = None,
        updated_since: datetime | None = None,
        limit: int | None = None,
    ) -> SyncPager[DossierResource]:
        """``listDossiers``: every matching dossier, fetched page by page as you iterate."""
        query = DossierListQuery.model_validate(
            {
                "commune": commune,
                "kind": kind,
                "state": state,
                "updated_since": updated_since,
                **_limit(limit),
            }
        )
        return self._client._pager("listDossiers", DossierPage, query)

    def update(
        self, dossier_id: str, changes: DossierUpdate | Mapping[str, Any]
    ) -> DossierResource:
        """``updateDossier``: change a draft; fields not given stay, fields given as None clear."""
        body = (
            changes
            if isinstance(changes, DossierUpdate)
            else DossierUpdate.model_validate(dict(changes))
        )
        return self._client._call(
            "updateDossier", cast=DossierResource, path={"dossier_id": dossier_id}, json=body
        )

    def submit(self, dossier_id: str) -> DossierResource:
        """``submitDossier``: file the dossier (refused with ``dossier_incomplete`` if pieces "
        "are missing)."""
        return self._client._call(
            "submitDossier", cast=DossierResource, path={"dossier_id": dossier_id}
        )

    def withdraw(self, dossier_id: str, reason: str | None = None) -> DossierResource:
        """``withdrawDossier``."""
        return self._client._call(
            "withdrawDossier",
            cast=DossierResource,
            path={"dossier_id": dossier_id},
            json=WithdrawRequest(reason=reason),
        )

    def record_event(
        self, dossier_id: str, event: ProcedureEvent | Mapping[str, Any]
    ) -> DossierEventRecord:
        """``postDossierEvent``: one typed procedure event (``RequestComplement(...)``, "
        "``IssueDecision(...)``...)."""
        body = (
            get_operation("postDossierEvent").parse_value(dict(event))
            if isinstance(event, Mapping)
            else event
        )
        return self._client._call(
            "postDossierEvent", cast=DossierEventRecord, path={"dossier_id": dossier_id}, json=body
        )

    def journal(
        self, dossier_id: str, *, limit: int | None = None
    ) -> SyncPager[DossierEventRecord]:
        """``listDossierEvents``: the dossier's journal, oldest first."""
        return self._client._pager(
            "listDossierEvents",
            DossierEventPage,
            ListQuery(**_limit(limit)),
            {"dossier_id": dossier_id},
        )


class Pieces(_Resource):
    """A dossier's pieces: streamed upload and download, SHA-256 checked both ways."""

    def upload(
        self,
        dossier_id: str,
        file: UploadSource,
        *,
        type: PieceType | str,
        file_name: str | None = None,
        media_type: str | None = None,
    ) -> PieceResource:
        """``uploadPiece``: send bytes, a path or a binary file, streamed, with its SHA-256."""
        upload = prepare_upload(file, file_name=file_name, media_type=media_type)
        try:
            if not upload.file_name:
                raise _no_name()
            query = PieceUploadQuery.model_validate({"type": type, "file_name": upload.file_name})
            return self._client._call(
                "uploadPiece",
                cast=PieceResource,
                path={"dossier_id": dossier_id},
                query=query,
                upload=upload,
            )
        finally:
            upload.close()

    def list(
        self, dossier_id: str, *, type: PieceType | str | None = None, limit: int | None = None
    ) -> SyncPager[PieceResource]:
        """``listPieces``."""
        query = PieceListQuery.model_validate({"type": type, **_limit(limit)})
        return self._client._pager("listPieces", PiecePage, query, {"dossier_id": dossier_id})

    def get(self, dossier_id: str, piece_id: str) -> PieceResource:
        """``getPiece``: metadata, including the SHA-256."""
        return self._client._call(
            "getPiece", cast=PieceResource, path={"dossier_id": dossier_id, "piece_id": piece_id}
        )

    def download(
        self,
        dossier_id: str,
        piece_id: str,
        to: str | os.PathLike[str] | BinaryIO,
        *,
        expected_sha256: str | None = None,
    ) -> DownloadResult:
        """``downloadPiece`` into a path (written atomically) or a binary file, hash checked."""
        result, _ = self._client._download(
            "downloadPiece", {"dossier_id": dossier_id, "piece_id": piece_id}, to, expected_sha256
        )
        return result

    def read(self, dossier_id: str, piece_id: str, *, expected_sha256: str | None = None) -> bytes:
        """``downloadPiece`` into memory, hash checked."""
        _, sink = self._client._download(
            "downloadPiece", {"dossier_id": dossier_id, "piece_id": piece_id}, None, expected_sha256
        )
        return sink.data()

    def delete(self, dossier_id: str, piece_id: str) -> None:
        """``deletePiece``: remove a piece from a draft."""
        self._client._call_empty(
            "deletePiece", path={"dossier_id": dossier_id, "piece_id": piece_id}
        )


class Fees(_Resource):
    """What a dossier owes, and orders to pay it."""

    def quote(self, dossier_id: str) -> FeeQuote:
        """``quoteFees``."""
        return self._client._call("quoteFees", cast=FeeQuote, path={"dossier_id": dossier_id})

    def create_order(self, dossier_id: str, codes: Iterable[str] | None = None) -> FeeOrder:
        """``createFeeOrder``: freeze the quote (or the lines named by ``codes``) into an order."""
        body = FeeOrderCreate(codes=None if codes is None else list(codes))
        return self._client._call(
            "createFeeOrder", cast=FeeOrder, path={"dossier_id": dossier_id}, json=body
        )

    def list_orders(self, dossier_id: str, *, limit: int | None = None) -> SyncPager[FeeOrder]:
        """``listFeeOrders``."""
        return self._client._pager(
            "listFeeOrders", FeeOrderPage, ListQuery(**_limit(limit)), {"dossier_id": dossier_id}
        )

    def get_order(self, order_id: str) -> FeeOrder:
        """``getFeeOrder``."""
        return self._client._call("getFeeOrder", cast=FeeOrder, path={"order_id": order_id})


class Payments(_Resource):
    """Paying fee orders."""

    def create(
        self,
        order_id: str,
        *,
        method: PaymentMethod | str = PaymentMethod.CARD,
        return_url: str | None = None,
    ) -> Payment:
        """``createPayment``: for cards, send the payer to ``redirect_url``."""
        body = PaymentCreate.model_validate(
            {"order_id": order_id, "method": method, "return_url": return_url}
        )
        return self._client._call("createPayment", cast=Payment, json=body)

    def get(self, payment_id: str) -> Payment:
        """``getPayment``."""
        return self._client._call("getPayment", cast=Payment, path={"payment_id": payment_id})


class Permits(_Resource):
    """Delivered decisions: data, signed PDF, verification."""

    def get(self, dossier_id: str) -> PermitResource:
        """``getPermit``."""
        return self._client._call("getPermit", cast=PermitResource, path={"dossier_id": dossier_id})

    def download_pdf(
        self,
        dossier_id: str,
        to: str | os.PathLike[str] | BinaryIO,
        *,
        expected_sha256: str | None = None,
    ) -> DownloadResult:
        """``downloadPermitPdf`` into a path or a binary file, hash checked."""
        result, _ = self._client._download(
            "downloadPermitPdf", {"dossier_id": dossier_id}, to, expected_sha256
        )
        return result

    def read_pdf(self, dossier_id: str, *, expected_sha256: str | None = None) -> bytes:
        """``downloadPermitPdf`` into memory, hash checked."""
        _, sink = self._client._download(
            "downloadPermitPdf", {"dossier_id": dossier_id}, None, expected_sha256
        )
        return sink.data()

    def list(
        self,
        *,
        commune: str | None = None,
        number: str | None = None,
        issued_from: date | None = None,
        issued_to: date | None = None,
        limit: int | None = None,
    ) -> SyncPager[PermitResource]:
        """``listPermits``."""
        query = PermitListQuery.model_validate(
            {
                "commune": commune,
                "number": number,
                "issued_from": issued_from,
                "issued_to": issued_to,
                **_limit(limit),
            }
        )
        return self._client._pager("listPermits", PermitPage, query)

    def verify(self, pdf: UploadSource) -> PermitVerification:
        """``verifyPermit``: the platform's verdict on a signed permit PDF."""
        upload = prepare_upload(pdf, media_type="application/pdf")
        try:
            return self._client._call("verifyPermit", cast=PermitVerification, upload=upload)
        finally:
            upload.close()


class Communes(_Resource):
    """Communes and their indicators."""

    def list(self, *, province: str | None = None, limit: int | None = None) -> SyncPager[Commune]:
        """``listCommunes``."""
        query = CommuneListQuery.model_validate({"province": province, **_limit(limit)})
        return self._client._pager("listCommunes", CommunePage, query)

    def get(self, commune_code: str) -> Commune:
        """``getCommune``."""
        return self._client._call("getCommune", cast=Commune, path={"commune_code": commune_code})

    def indicators(
        self, commune_code: str, *, period: str, kind: ProcedureKind | str | None = None
    ) -> CommuneIndicators:
        """``getCommuneIndicators`` for a period such as ``2026-Q3`` or ``2026-09``."""
        query = CommuneIndicatorQuery.model_validate({"period": period, "kind": kind})
        return self._client._call(
            "getCommuneIndicators",
            cast=CommuneIndicators,
            path={"commune_code": commune_code},
            query=query,
        )


class Indicators(_Resource):
    """Processing indicators of all communes."""

    def list(
        self,
        *,
        period: str,
        province: str | None = None,
        kind: ProcedureKind | str | None = None,
        limit: int | None = None,
    ) -> SyncPager[CommuneIndicators]:
        """``listIndicators``: one row per commune, fastest median first."""
        query = IndicatorListQuery.model_validate(
            {"period": period, "province": province, "kind": kind, **_limit(limit)}
        )
        return self._client._pager("listIndicators", IndicatorPage, query)


class Events(_Resource):
    """The changes feed: what webhooks deliver, for those who poll."""

    def list(
        self,
        *,
        type: WebhookEventType | str | None = None,
        dossier_id: str | None = None,
        created_after: datetime | None = None,
        limit: int | None = None,
    ) -> SyncPager[WebhookEvent]:
        """``listEvents``, oldest first."""
        query = WebhookEventListQuery.model_validate(
            {
                "type": type,
                "dossier_id": dossier_id,
                "created_after": created_after,
                **_limit(limit),
            }
        )
        return self._client._pager("listEvents", WebhookEventPage, query)


class WebhookEndpoints(_Resource):
    """Receivers of signed events."""

    def create(
        self,
        url: str,
        event_types: Iterable[WebhookEventType | str],
        *,
        description: str | None = None,
    ) -> WebhookEndpoint:
        """``createWebhookEndpoint``: keep the returned ``secret`` to verify deliveries."""
        body = WebhookEndpointCreate.model_validate(
            {"url": url, "event_types": list(event_types), "description": description}
        )
        return self._client._call("createWebhookEndpoint", cast=WebhookEndpoint, json=body)

    def list(self, *, limit: int | None = None) -> SyncPager[WebhookEndpoint]:
        """``listWebhookEndpoints``."""
        return self._client._pager(
            "listWebhookEndpoints", WebhookEndpointPage, ListQuery(**_limit(limit))
        )

    def delete(self, endpoint_id: str) -> None:
        """``deleteWebhookEndpoint``."""
        self._client._call_empty("deleteWebhookEndpoint", path={"endpoint_id": endpoint_id})

    def rotate_secret(self, endpoint_id: str) -> WebhookEndpoint:
        """``rotateWebhookSecret``: the new secret; the old one keeps signing for a while."""
        return self._client._call(
            "rotateWebhookSecret", cast=WebhookEndpoint, path={"endpoint_id": endpoint_id}
        )

    def send_test(self, endpoint_id: str) -> WebhookEvent:
        """``sendTestWebhook``: deliver a ``webhook.test`` event now."""
        return self._client._call(
            "sendTestWebhook", cast=WebhookEvent, path={"endpoint_id": endpoint_id}
        )


def _no_name() -> Exception:
    from .._errors import InvalidInputError

    return InvalidInputError(
        "give file_name=... for the piece (e.g. 'plans-rdc.pdf'): it cannot be taken from the "
        "source"
    )

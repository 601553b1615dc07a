"""A small platform of the v1 contract on 127.0.0.1, with fault injection.

It stands in for the sandbox until that lands: enough real logic to exercise the clients
(dossiers, pieces, events, pagination, idempotency) and a canned but contract-valid
answer for every other operation. Faults are planned per request:

- ``drop_before``: the connection is cut before anything is done;
- ``drop_after``: the request is carried out, then the connection is cut (the case
  where a client cannot know whether its write happened);
- ``500``/``503``: refused without acting; ``500_after``: carried out, then 500
  (the "500 but it worked" bug);
- ``429``: rate limited with ``Retry-After``;
- ``slow``: carried out after a delay longer than the client's timeout;
- ``corrupt``: a download whose bytes differ from the announced SHA-256.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import uvicorn
from pydantic import BaseModel, SecretStr

from rokhas_sdk import InvalidInputError
from rokhas_sdk.api import (
    CONTENT_SHA256_HEADER,
    CONTRACT_VERSION,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_REPLAYED_HEADER,
    REQUEST_ID_HEADER,
    RETRY_COUNT_HEADER,
    Commune,
    CommuneIndicators,
    CommunePage,
    DossierEventPage,
    DossierEventRecord,
    DossierPage,
    DossierResource,
    DossierState,
    DossierUpdate,
    ErrorCode,
    ErrorEnvelope,
    FeeLine,
    FeeOrder,
    FeeOrderPage,
    FeeOrderStatus,
    FeeQuote,
    Health,
    IndicatorPage,
    Operation,
    Payment,
    PaymentStatus,
    PermitPage,
    PermitResource,
    PermitVerification,
    PiecePage,
    PieceResource,
    Principal,
    WebhookEndpoint,
    WebhookEndpointPage,
    WebhookEvent,
    WebhookEventPage,
    match_operation,
    request_fingerprint,
)
from rokhas_sdk.models import Dossier, Permit, Piece, Role, registry

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


def permit_for(dossier_id: str) -> Permit:
    """A contract-valid permit (the data a signed PDF would carry)."""
    return Permit.model_validate(
        {
            "number": f"PC-{dossier_id}",
            "dossier_reference": "REF-1",
            "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
            "commune": "141.01.01",
            "commune_name_fr": "Casablanca",
            "commune_name_ar": "الدار البيضاء",
            "beneficiary_name": "Amina Alaoui",
            "beneficiary_id": "BE123456",
            "object_fr": "Construction d'une villa R+1",
            "object_ar": "بناء فيلا",
            "address": "12 rue des Orangers",
            "issued_on": date(2026, 11, 20),
            "signatory": {"name": "Le Président", "title_fr": "Président", "title_ar": "الرئيس"},
        }
    )


@dataclass
class _Idem:
    fingerprint: str
    done: bool = False
    status: int = 0
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class _Reply(Exception):
    def __init__(
        self, status: int, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or []


def _error(code: ErrorCode, request_id: str, **details: Any) -> _Reply:
    env = ErrorEnvelope.for_code(code, request_id, details=details)
    return _Reply(
        code.status, env.model_dump_json().encode(), [(b"content-type", b"application/json")]
    )


class TestPlatform:
    """The ASGI app, its state, and the fault plan."""

    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.dossiers: dict[str, DossierResource] = {}
        self.pieces: dict[str, tuple[PieceResource, bytes]] = {}
        self.journal: dict[str, list[DossierEventRecord]] = {}
        self.orders: dict[str, FeeOrder] = {}
        self.payments: dict[str, Payment] = {}
        self.endpoints: dict[str, WebhookEndpoint] = {}
        self.idem: dict[tuple[str, str], _Idem] = {}
        self.ids = itertools.count(1)
        self.requests = itertools.count(1)
        self.log: list[
            tuple[str, str, int, dict[str, str]]
        ] = []  # (op id, method, retry count, headers)
        self.reached: set[str] = set()
        self.plans: list[tuple[str | None, str]] = []
        self.random_rate = 0.0
        self.random_kinds: tuple[str, ...] = ()
        self.rng = random.Random(7)
        self.slow_seconds = 0.5
        self.retry_after = "0"
        self.faults_injected: dict[str, int] = {}

    # --- fault plan ---------------------------------------------------------------------

    def plan(self, *faults: str, op: str | None = None) -> None:
        """Queue faults for the next matching requests (``op`` None matches any)."""
        with self.lock:
            self.plans.extend((op, f) for f in faults)

    def randomise(self, rate: float, kinds: tuple[str, ...], seed: int = 7) -> None:
        """Inject a random fault of ``kinds`` into ``rate`` of the requests."""
        self.random_rate = rate
        self.random_kinds = kinds
        self.rng = random.Random(seed)

    def _next_fault(self, op_id: str) -> str | None:
        with self.lock:
            for i, (target, fault) in enumerate(self.plans):
                if target is None or target == op_id:
                    del self.plans[i]
                    self.faults_injected[fault] = self.faults_injected.get(fault, 0) + 1
                    return fault
            if self.random_rate and self.rng.random() < self.random_rate:
                fault = self.rng.choice(self.random_kinds)
                self.faults_injected[fault] = self.faults_injected.get(fault, 0) + 1
                return fault
        return None

    # --- ASGI ----------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request_id = f"req_{next(self.requests)}"
        method = scope["method"]
        path = scope["path"]
        query = scope.get("query_string", b"").decode()
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        found = match_operation(method, path)
        if found is None:
            await self._send(send, _error(ErrorCode.NOT_FOUND, request_id), request_id)
            return
        op, params = found
        self.reached.add(op.id)
        self.log.append((op.id, method, int(headers.get(RETRY_COUNT_HEADER.lower(), "0")), headers))
        fault = self._next_fault(op.id)
        if fault == "drop_before":
            self._drop(send)
            return
        if fault in ("500", "503"):
            code = ErrorCode.INTERNAL_ERROR if fault == "500" else ErrorCode.SERVICE_UNAVAILABLE
            reply = _error(code, request_id)
            if fault == "503":
                reply.headers.append((b"retry-after", self.retry_after.encode()))
            await self._send(send, reply, request_id)
            return
        if fault == "429":
            reply = _error(ErrorCode.RATE_LIMITED, request_id)
            reply.headers.append((b"retry-after", self.retry_after.encode()))
            await self._send(send, reply, request_id)
            return
        body = await self._body(receive)
        if fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        reply = self._with_idempotency(op, params, query, headers, body, request_id)
        if fault == "drop_after":
            self._drop(send)
            return
        if fault == "500_after":
            reply = _error(ErrorCode.INTERNAL_ERROR, request_id)
        if fault == "corrupt" and reply.body:
            reply = _Reply(reply.status, bytes([reply.body[0] ^ 1]) + reply.body[1:], reply.headers)
        await self._send(send, reply, request_id)

    @staticmethod
    def _drop(send: Send) -> None:
        # uvicorn's send is a bound method of the request cycle, which owns the transport.
        transport = send.__self__.transport  # type: ignore[attr-defined]
        transport.abort()

    @staticmethod
    async def _body(receive: Receive) -> bytes:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    async def _send(send: Send, reply: _Reply, request_id: str) -> None:
        headers = [
            (b"content-length", str(len(reply.body)).encode()),
            (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
        ]
        headers.extend(reply.headers)
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    def _with_idempotency(
        self,
        op: Operation,
        params: dict[str, str],
        query: str,
        headers: dict[str, str],
        body: bytes,
        request_id: str,
    ) -> _Reply:
        key = headers.get(IDEMPOTENCY_HEADER.lower())
        token = headers.get("authorization", "")
        if not op.is_write or key is None:
            return self._handle(op, params, query, headers, body, request_id)
        fp = request_fingerprint(
            op.method,
            op.url_path(**params) + ("?" + query if query else ""),
            body,
            content_sha256=headers.get(CONTENT_SHA256_HEADER.lower()),
        )
        with self.lock:
            entry = self.idem.get((token, key))
            if entry is None:
                self.idem[(token, key)] = _Idem(fp)
            elif entry.fingerprint != fp:
                return _error(ErrorCode.IDEMPOTENCY_KEY_REUSED, request_id)
            elif not entry.done:
                return _error(ErrorCode.IDEMPOTENCY_IN_PROGRESS, request_id)
            else:
                return _Reply(
                    entry.status,
                    entry.body,
                    [*entry.headers, (IDEMPOTENCY_REPLAYED_HEADER.lower().encode(), b"true")],
                )
        try:
            reply = self._handle(op, params, query, headers, body, request_id)
        except Exception:
            with self.lock:
                del self.idem[(token, key)]
            raise
        with self.lock:
            if reply.status >= 500:
                del self.idem[(token, key)]
            else:
                self.idem[(token, key)] = _Idem(fp, True, reply.status, reply.body, reply.headers)
        return reply

    # --- handlers ------------------------------------------------------------

    def _handle(
        self,
        op: Operation,
        params: dict[str, str],
        query: str,
        headers: dict[str, str],
        body: bytes,
        request_id: str,
    ) -> _Reply:
        if op.auth:
            auth = headers.get("authorization", "")
            if not auth.startswith("Bearer ") or auth == "Bearer expired":
                return _error(ErrorCode.UNAUTHENTICATED, request_id)
        try:
            from urllib.parse import parse_qsl

            q = op.parse_query(dict(parse_qsl(query)))
            parsed = op.parse_body(body) if op.request is not None else None
            handler = getattr(self, "op_" + op.id)
            with self.lock:
                result = handler(
                    params=params,
                    query=q,
                    body=parsed,
                    raw=body,
                    headers=headers,
                    request_id=request_id,
                )
        except InvalidInputError as exc:
            return _error(
                ErrorCode.INVALID_INPUT, request_id, problems=[p.as_dict() for p in exc.problems]
            )
        except KeyError:
            return _error(ErrorCode.NOT_FOUND, request_id)
        except _Reply as reply:
            return reply
        if isinstance(result, _Reply):
            return result
        if result is None:
            return _Reply(204)
        return _Reply(
            op.status, result.model_dump_json().encode(), [(b"content-type", b"application/json")]
        )

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.ids)}"

    @staticmethod
    def _page(items: list[Any], query: Any, cls: type[BaseModel]) -> BaseModel:
        start = int(base64.urlsafe_b64decode(query.cursor.encode()).decode()) if query.cursor else 0
        chunk = items[start : start + query.limit]
        end = start + len(chunk)
        cursor = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
        return cls(items=chunk, next_cursor=cursor)

    def op_getHealth(self, **_: Any) -> Health:
        return Health(status="ok", contract_version=CONTRACT_VERSION, server_time=NOW)

    def op_getMe(self, headers: dict[str, str], **_: Any) -> Principal:
        return Principal(
            subject=headers["authorization"][7:][:40] or "anon", role=Role.PETITIONNAIRE
        )

    def op_createDossier(self, body: Dossier, request_id: str, **_: Any) -> Any:
        if body.pieces:
            return _error(
                ErrorCode.INVALID_INPUT,
                request_id,
                problems=[
                    {"path": "pieces", "message": "upload pieces separately", "kind": "forbidden"}
                ],
            )
        did = self._id("dos")
        res = DossierResource(
            id=did,
            state=DossierState.DRAFT,
            version=1,
            dossier=body,
            missing=body.missing_for_submission(),
            created_at=NOW,
            updated_at=NOW,
        )
        self.dossiers[did] = res
        self.journal[did] = []
        return res

    def op_listDossiers(self, query: Any, **_: Any) -> BaseModel:
        items = [
            d
            for d in self.dossiers.values()
            if (query.commune is None or d.dossier.commune == query.commune)
            and (query.kind is None or d.dossier.kind == query.kind)
            and (query.state is None or d.state == query.state)
        ]
        return self._page(items, query, DossierPage)

    def op_getDossier(self, params: dict[str, str], **_: Any) -> DossierResource:
        return self.dossiers[params["dossier_id"]]

    def op_updateDossier(
        self, params: dict[str, str], body: DossierUpdate, request_id: str, **_: Any
    ) -> Any:
        cur = self.dossiers[params["dossier_id"]]
        if cur.state is not DossierState.DRAFT:
            return _error(ErrorCode.DOSSIER_NOT_EDITABLE, request_id)
        merged = cur.dossier.model_dump()
        merged.update(body.model_dump(exclude_unset=True))
        new = cur.model_copy(
            update={"dossier": Dossier.model_validate(merged), "version": cur.version + 1}
        )
        self.dossiers[cur.id] = new
        return new

    def _transition(self, did: str, state: DossierState) -> DossierResource:
        cur = self.dossiers[did]
        new = cur.model_copy(update={"state": state, "version": cur.version + 1})
        self.dossiers[did] = new
        return new

    def op_submitDossier(self, params: dict[str, str], request_id: str, **_: Any) -> Any:
        if self.dossiers[params["dossier_id"]].state is not DossierState.DRAFT:
            return _error(ErrorCode.TRANSITION_NOT_ALLOWED, request_id, allowed_events=[])
        return self._transition(params["dossier_id"], DossierState.SUBMITTED)

    def op_withdrawDossier(self, params: dict[str, str], **_: Any) -> DossierResource:
        return self._transition(params["dossier_id"], DossierState.WITHDRAWN)

    def op_uploadPiece(
        self,
        params: dict[str, str],
        query: Any,
        raw: bytes,
        headers: dict[str, str],
        request_id: str,
        **_: Any,
    ) -> Any:
        did = params["dossier_id"]
        cur = self.dossiers[did]
        digest = hashlib.sha256(raw).hexdigest()
        if headers.get(CONTENT_SHA256_HEADER.lower()) != digest:
            return _error(ErrorCode.CHECKSUM_MISMATCH, request_id)
        piece = Piece(
            type=query.type,
            file_name=query.file_name,
            media_type=headers.get("content-type", "application/pdf"),
            size=len(raw),
            sha256=digest,
        )
        pid = self._id("pc")
        res = PieceResource(id=pid, dossier_id=did, piece=piece, uploaded_at=NOW)
        self.pieces[pid] = (res, raw)
        self.dossiers[did] = cur.model_copy(update={"version": cur.version + 1})
        return res

    def op_listPieces(self, params: dict[str, str], query: Any, **_: Any) -> BaseModel:
        self.dossiers[params["dossier_id"]]
        items = [
            r
            for r, _ in self.pieces.values()
            if r.dossier_id == params["dossier_id"]
            and (query.type is None or r.piece.type == query.type)
        ]
        return self._page(items, query, PiecePage)

    def _piece(self, params: dict[str, str]) -> tuple[PieceResource, bytes]:
        res, raw = self.pieces[params["piece_id"]]
        if res.dossier_id != params["dossier_id"]:
            raise KeyError(params["piece_id"])
        return res, raw

    def op_getPiece(self, params: dict[str, str], **_: Any) -> PieceResource:
        return self._piece(params)[0]

    def op_downloadPiece(self, params: dict[str, str], **_: Any) -> _Reply:
        res, raw = self._piece(params)
        return _Reply(
            200,
            raw,
            [
                (b"content-type", res.piece.media_type.encode()),
                (CONTENT_SHA256_HEADER.lower().encode(), res.piece.sha256.encode()),
            ],
        )

    def op_deletePiece(self, params: dict[str, str], **_: Any) -> None:
        self._piece(params)
        del self.pieces[params["piece_id"]]

    def op_postDossierEvent(
        self, params: dict[str, str], body: Any, **_: Any
    ) -> DossierEventRecord:
        did = params["dossier_id"]
        cur = self.dossiers[did]
        rec = DossierEventRecord(
            id=self._id("evt"),
            dossier_id=did,
            sequence=len(self.journal[did]) + 1,
            event=body.event,
            actor_role=Role.GUICHET_AGENT,
            state_before=cur.state,
            state_after=cur.state,
            data=json.loads(body.model_dump_json()),
            recorded_at=NOW,
        )
        self.journal[did].append(rec)
        return rec

    def op_listDossierEvents(self, params: dict[str, str], query: Any, **_: Any) -> BaseModel:
        return self._page(self.journal[params["dossier_id"]], query, DossierEventPage)

    def _quote(self, did: str) -> FeeQuote:
        self.dossiers[did]
        line = FeeLine(
            code="TOC",
            label_fr="Taxe sur les opérations de construction",
            label_ar="الرسم على عمليات البناء",
            amount="2400.00",
            payee="Commune",
        )
        return FeeQuote(dossier_id=did, lines=[line], total="2400.00", computed_at=NOW)

    def op_quoteFees(self, params: dict[str, str], **_: Any) -> FeeQuote:
        return self._quote(params["dossier_id"])

    def op_createFeeOrder(self, params: dict[str, str], **_: Any) -> FeeOrder:
        q = self._quote(params["dossier_id"])
        order = FeeOrder(
            id=self._id("ord"),
            dossier_id=q.dossier_id,
            lines=q.lines,
            total=q.total,
            status=FeeOrderStatus.OPEN,
            created_at=NOW,
        )
        self.orders[order.id] = order
        return order

    def op_listFeeOrders(self, params: dict[str, str], query: Any, **_: Any) -> BaseModel:
        return self._page(
            [o for o in self.orders.values() if o.dossier_id == params["dossier_id"]],
            query,
            FeeOrderPage,
        )

    def op_getFeeOrder(self, params: dict[str, str], **_: Any) -> FeeOrder:
        return self.orders[params["order_id"]]

    def op_createPayment(self, body: Any, **_: Any) -> Payment:
        order = self.orders[body.order_id]
        pay = Payment(
            id=self._id("pay"),
            order_id=order.id,
            amount=order.total,
            method=body.method,
            status=PaymentStatus.PENDING,
            redirect_url="http://127.0.0.1/pay",
            created_at=NOW,
            updated_at=NOW,
        )
        self.payments[pay.id] = pay
        return pay

    def op_getPayment(self, params: dict[str, str], **_: Any) -> Payment:
        return self.payments[params["payment_id"]]

    def op_getPermit(self, params: dict[str, str], **_: Any) -> PermitResource:
        self.dossiers[params["dossier_id"]]
        return PermitResource(
            dossier_id=params["dossier_id"], permit=permit_for(params["dossier_id"]), issued_at=NOW
        )

    PDF = b"%PDF-1.7\n% test permit\n" + b"0" * 5000 + b"\n%%EOF\n"

    def op_downloadPermitPdf(self, params: dict[str, str], **_: Any) -> _Reply:
        self.dossiers[params["dossier_id"]]
        return _Reply(
            200,
            self.PDF,
            [
                (b"content-type", b"application/pdf"),
                (
                    CONTENT_SHA256_HEADER.lower().encode(),
                    hashlib.sha256(self.PDF).hexdigest().encode(),
                ),
            ],
        )

    def op_listPermits(self, query: Any, **_: Any) -> BaseModel:
        items = [
            PermitResource(dossier_id=d, permit=permit_for(d), issued_at=NOW) for d in self.dossiers
        ]
        return self._page(items, query, PermitPage)

    def op_verifyPermit(self, raw: bytes, **_: Any) -> PermitVerification:
        ok = raw == self.PDF
        return PermitVerification(
            valid=ok, problems=[] if ok else ["not a permit delivered by this platform"]
        )

    def _communes(self) -> list[Commune]:
        return [
            Commune(
                code=c.code,
                name_fr=c.name_fr,
                name_ar=c.name_ar,
                province_code=c.province_code,
                kind=c.kind,
                population=c.population,
            )
            for c in sorted(registry().communes.values(), key=lambda c: c.code)
        ]

    def op_listCommunes(self, query: Any, **_: Any) -> BaseModel:
        items = [
            c
            for c in self._communes()
            if query.province is None or c.province_code == query.province
        ]
        return self._page(items, query, CommunePage)

    def op_getCommune(self, params: dict[str, str], **_: Any) -> Commune:
        return {c.code: c for c in self._communes()}[params["commune_code"]]

    def _indicators(self, code: str, period: str) -> CommuneIndicators:
        return CommuneIndicators(
            commune=code,
            period=period,
            dossiers_decided=10,
            permits_issued=8,
            refusals=1,
            tacit_approvals=1,
            median_days=12.5,
        )

    def op_getCommuneIndicators(
        self, params: dict[str, str], query: Any, **_: Any
    ) -> CommuneIndicators:
        self.op_getCommune(params=params)
        return self._indicators(params["commune_code"], query.period)

    def op_listIndicators(self, query: Any, **_: Any) -> BaseModel:
        return self._page(
            [self._indicators(c.code, query.period) for c in self._communes()], query, IndicatorPage
        )

    def op_listEvents(self, query: Any, **_: Any) -> BaseModel:
        items = [
            WebhookEvent(
                id=f"whe_{i}",
                type="dossier.created",
                created_at=NOW,
                object_type="dossier",
                object_id=d,
                dossier_id=d,
            )
            for i, d in enumerate(self.dossiers)
        ]
        return self._page(items, query, WebhookEventPage)

    def op_createWebhookEndpoint(self, body: Any, **_: Any) -> WebhookEndpoint:
        ep = WebhookEndpoint(
            id=self._id("we"),
            url=str(body.url),
            event_types=body.event_types,
            secret="whsec_" + self._id("s"),
            created_at=NOW,
        )
        self.endpoints[ep.id] = ep.model_copy(update={"secret": None})
        return ep

    def op_listWebhookEndpoints(self, query: Any, **_: Any) -> BaseModel:
        return self._page(list(self.endpoints.values()), query, WebhookEndpointPage)

    def op_deleteWebhookEndpoint(self, params: dict[str, str], **_: Any) -> None:
        del self.endpoints[params["endpoint_id"]]

    def op_rotateWebhookSecret(self, params: dict[str, str], **_: Any) -> WebhookEndpoint:
        ep = self.endpoints[params["endpoint_id"]]
        return ep.model_copy(
            update={
                "secret": SecretStr("whsec_" + self._id("s")),
                "previous_secret_expires_at": NOW,
            }
        )

    def op_sendTestWebhook(self, params: dict[str, str], **_: Any) -> WebhookEvent:
        ep = self.endpoints[params["endpoint_id"]]
        return WebhookEvent(
            id=self._id("whe"),
            type="webhook.test",
            created_at=NOW,
            object_type="webhook_endpoint",
            object_id=ep.id,
        )


class ServerThread:
    """Runs a TestPlatform under uvicorn on 127.0.0.1 (random port) in a thread."""

    def __init__(self, app: TestPlatform) -> None:
        self.app = app
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="critical",
            lifespan="off",
            http="h11",
            ws="none",
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                break
            threading.Event().wait(0.01)
        else:  # pragma: no cover
            raise RuntimeError("test server did not start")
        return self

    @property
    def url(self) -> str:
        sock = self.server.servers[0].sockets[0]
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

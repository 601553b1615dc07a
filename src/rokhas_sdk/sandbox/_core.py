"""The sandbox platform: state, authentication, authorisation, idempotency, dispatch.

:class:`Sandbox` holds everything; :meth:`Sandbox.handle` answers one request. The
HTTP server (``_asgi``) and the in-process transports (``_transport``) both call it,
after drawing a fault decision from :attr:`Sandbox.faults`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from .._errors import InvalidInputError, NotFoundError, RokhasError
from ..models import CommissionBody, Role
from ._authz import authorization_matrix
from ._clock import SandboxClock
from ._errors import ApiProblem
from ._faults import FaultDecision, FaultInjector, FaultSettings
from ._http import Offload, PendingWork, SandboxRequest, SandboxResponse
from ._record import DossierRecords
from ._router import build_router
from ._rules import DeadlineCache
from ._store import Store
from ._unit import sweep_deadlines
from ._users import DEFAULT_COMMUNES, SandboxUser, UserDirectory, canonical_commune, seed_users

__all__ = ["Handler", "PermitSigner", "RequestContext", "Sandbox"]

log = logging.getLogger("rokhas_sdk.sandbox")

REQUEST_ID_HEADER = "x-request-id"
IDEMPOTENCY_HEADER = "idempotency-key"
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9_\-.:]{1,128}$")
_IDEM_KEY_OK = re.compile(r"^[\x21-\x7e]{1,255}$")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

PermitSigner = Callable[[bytes], bytes]
"""Signs a rendered permit PDF and returns the signed bytes (the test PKI's president key)."""

Handler = Callable[["RequestContext"], Any]
"""What a resource module's route runs: a request in, a JSON-able body or a response out."""


@dataclass(slots=True)
class RequestContext:
    """What a route handler gets: the request, its caller, its path parameters."""

    sandbox: Sandbox
    request: SandboxRequest
    user: SandboxUser | None
    params: dict[str, str]
    request_id: str
    operation_id: str
    deferred: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    offload: bool = False
    """Whether heavy work may be handed to the signing workers (:class:`PendingWork`)."""

    def defer_post(self, url: str, form: dict[str, str]) -> None:
        """POST ``form`` to ``url`` once this request is committed (the CMI callback)."""
        self.deferred.append((url, form))

    @property
    def store(self) -> Store:
        """The sandbox's store (inside the request's transaction)."""
        return self.sandbox.store

    def require_user(self) -> SandboxUser:
        """The authenticated caller (routes that reach here always have one)."""
        if self.user is None:  # pragma: no cover - guarded by dispatch
            raise ApiProblem(
                401,
                "unauthenticated",
                "authentification requise : envoyez 'Authorization: Bearer <jeton>'",
            )
        return self.user

    def now(self) -> datetime:
        """The sandbox clock's instant."""
        return self.sandbox.clock.now()


class Sandbox:
    """A faithful Rokhas-like platform, in one object.

    >>> sb = Sandbox()                       # in memory, real-time clock
    >>> token = sb.token_for("PETITIONNAIRE", commune="06.141.01.0")
    >>> sb.handle(SandboxRequest("GET", "/_sandbox/health")).status
    200

    ``db`` keeps the state in a SQLite file (WAL); ``permit_signer`` signs rendered
    permits (the pytest plugin and ``rokhas sandbox serve`` pass the test PKI's
    president key); ``permit_renderer`` chooses ``documents.render_permit`` or the
    stand-in page (see ``_render``); ``seed`` fixes the users' tokens and the CMI store key.
    ``token_ttl`` is how long the users' tokens live from now on the sandbox clock
    (default ten years, ``_users.DEFAULT_TOKEN_TTL``).
    ``signing_workers`` renders and signs permits in that many worker processes when the
    sandbox is served over HTTP, so that a permit's hundred-odd milliseconds of CPU
    neither block the event loop nor share its core (the signer must then be picklable,
    as :func:`rokhas_sdk.testing.sandbox_signing`'s is); the in-process transports
    always sign inline.
    """

    def __init__(
        self,
        *,
        db: str | Path | None = None,
        clock: SandboxClock | None = None,
        faults: FaultSettings | None = None,
        seed: str = "rokhas-sandbox",
        communes: tuple[str, ...] = DEFAULT_COMMUNES,
        base_url: str = "http://sandbox.rokhas.test",
        permit_signer: PermitSigner | None = None,
        trust_root_pem: bytes | None = None,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        deliver_webhooks: bool = True,
        permit_renderer: Literal["stand-in", "documents"] = "documents",
        signing_workers: int = 0,
        token_ttl: timedelta | None = None,
    ) -> None:
        if signing_workers < 0:
            raise InvalidInputError(
                f"signing_workers is {signing_workers}: give 0 (sign inline) or more"
            )
        if signing_workers and permit_signer is not None:
            _require_picklable(permit_signer)
        self.store = Store(db, synchronous=synchronous)
        self.clock = clock or SandboxClock()
        self.faults = FaultInjector(faults)
        self.seed = seed
        # Current registry codes; older seed codes (141.01.01...) are accepted as aliases.
        self.communes = tuple(canonical_commune(c) for c in communes)
        self.base_url = base_url.rstrip("/")
        self.permit_signer = permit_signer
        self.permit_renderer = permit_renderer
        self.signing_workers = signing_workers if permit_signer is not None else 0
        self._workers: Any = None  # ProcessPoolExecutor, made by start_workers()
        self._prepared: dict[str, bytes] = {}  # PendingWork results, by key
        self._prepared_lock = threading.Lock()
        self.worker_jobs_done = 0
        """Pending works (permits rendered and signed) that a worker process completed."""
        self.trust_root_pem = trust_root_pem
        self.users: UserDirectory = seed_users(seed, self.communes)
        self.cmi_store_key = hashlib.sha256(f"cmi-store-key:{seed}".encode()).hexdigest()[:32]
        self.cmi_client_id = "600000001"
        self.deliver_webhooks = deliver_webhooks
        self._lock = threading.RLock()
        self._outgoing: Any = None  # httpx.Client for deferred posts, made on first use
        self._outgoing_lock = threading.Lock()
        self.records = DossierRecords(self.store)
        """The dossiers' typed records (``_record``), over the store."""
        self.deadlines = DeadlineCache()
        self._matrix = authorization_matrix()
        self._restore_clock()
        self.users.issue(self.clock.now(), token_ttl)  # tokens expire (docs/sandbox.md)
        self.router = build_router()
        missing = {r.operation_id for r in self.router.routes} - set(self._matrix)
        if missing:  # pragma: no cover - a packaging error, caught by the matrix test
            raise RokhasError(f"authorization.json lacks operations {sorted(missing)}")
        from ._webhooks import WebhookDispatcher

        self.webhooks = WebhookDispatcher(self)

    # -- setup helpers ----------------------------------------------------------------
    def token_for(
        self,
        role: Role | str,
        *,
        commune: str | None = None,
        body: CommissionBody | str | None = None,
        index: int = 0,
    ) -> str:
        """The bearer token of a seeded user (the first of that role unless ``index``).

        A plain ``str``, to hand to a client or an ``Authorization`` header; the user
        record itself keeps it as a ``SecretStr`` (see docs/sandbox.md).
        """
        return self.users.find(
            role, commune=commune or self.communes[0], body=body, index=index
        ).token.get_secret_value()

    def user_for(
        self,
        role: Role | str,
        *,
        commune: str | None = None,
        body: CommissionBody | str | None = None,
        index: int = 0,
    ) -> SandboxUser:
        """A seeded user."""
        return self.users.find(role, commune=commune or self.communes[0], body=body, index=index)

    @property
    def admin_token(self) -> str:
        """Token of the sandbox operator (clock, faults)."""
        return self.users.find("SANDBOX_ADMIN").token.get_secret_value()

    def advance(self, *args: Any, **kwargs: Any) -> datetime:
        """Advance the clock, persist it, and apply what the law does by itself (tacit approval)."""
        instant = self.clock.advance(*args, **kwargs)
        self._after_clock_move()
        return instant

    def _after_clock_move(self) -> None:
        with self._lock:
            self.store.meta_set("clock", self.clock.now().isoformat())
            with self.store.transaction():
                sweep_deadlines(self)
        self.webhooks.kick()

    def _restore_clock(self) -> None:
        saved = self.store.meta_get("clock")
        if saved:
            instant = datetime.fromisoformat(saved)
            if instant > self.clock.now():
                self.clock.set(instant)

    def close(self) -> None:
        """Stop webhook delivery and the signing workers, close the outgoing HTTP client
        and the database."""
        self.webhooks.stop()
        if self._workers is not None:
            self._workers.shutdown(wait=True, cancel_futures=True)
            self._workers = None
        if self._outgoing is not None:
            self._outgoing.close()
            self._outgoing = None
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transports ---------------------------------------------------------------------
    def transport(self) -> Any:
        """An ``httpx.BaseTransport`` that answers in-process (no sockets)."""
        from ._transport import SandboxTransport

        return SandboxTransport(self)

    def async_transport(self) -> Any:
        """An ``httpx.AsyncBaseTransport`` that answers in-process (no sockets)."""
        from ._transport import AsyncSandboxTransport

        return AsyncSandboxTransport(self)

    def asgi_app(self) -> Any:
        """The ASGI application serving this sandbox (for uvicorn or any ASGI server)."""
        from ._asgi import build_app

        return build_app(self)

    # -- request handling ---------------------------------------------------------------
    @staticmethod
    def is_faultable(path: str) -> bool:
        """Faults hit the API, never the sandbox's own control routes or the payment page."""
        return not (path.startswith("/_sandbox") or path.startswith("/cmi"))

    def fault_for(self, request: SandboxRequest) -> FaultDecision:
        """The fault to apply to this request (``kind="none"`` most of the time)."""
        if not self.is_faultable(request.path):
            return FaultDecision()
        return self.faults.decide()

    def fault_response(self, decision: FaultDecision, request: SandboxRequest) -> SandboxResponse:
        """The answer for an ``error`` or ``throttle`` fault."""
        rid = self._request_id(request)
        headers = {"x-request-id": rid}
        if decision.kind == "throttle" or decision.status == 503:
            headers["retry-after"] = f"{decision.retry_after_s:g}"
        if decision.kind == "throttle":
            problem = ApiProblem(
                429,
                "rate_limited",
                "trop de requêtes : réessayez après le délai indiqué (injecté)",
                headers=headers,
            )
        elif decision.status == 503:
            problem = ApiProblem(
                503,
                "service_unavailable",
                "service momentanément indisponible (panne injectée)",
                headers=headers,
            )
        else:
            problem = ApiProblem(
                decision.status,
                "internal_error",
                "erreur interne du serveur (panne injectée)",
                headers=headers,
            )
        return self._problem_response(problem, rid)

    def _request_id(self, request: SandboxRequest) -> str:
        given = request.headers.get(REQUEST_ID_HEADER)
        if given and _REQUEST_ID_OK.match(given):
            return given
        rid = "req_" + secrets.token_hex(8)
        request.headers[REQUEST_ID_HEADER] = rid
        return rid

    def authenticate(self, request: SandboxRequest) -> SandboxUser | None:
        """The caller named by the bearer token, None without one; 401 for a bad token."""
        auth = request.headers.get("authorization")
        if not auth:
            return None
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiProblem(
                401,
                "unauthenticated",
                "en-tête Authorization invalide : utilisez 'Bearer <jeton>'",
                "ترويسة Authorization غير صالحة: استعمل 'Bearer <الرمز>'",
                details={"field": "authorization"},
            )
        user = self.users.by_token(token.strip())
        if user is None:
            raise ApiProblem(
                401,
                "unauthenticated",
                "jeton inconnu ou révoqué : utilisez un jeton du sandbox (Sandbox.token_for)",
                "رمز غير معروف أو ملغى: استعمل رمزا صادرا عن المنصة التجريبية",
                details={"field": "authorization"},
                hint="get the seeded users' tokens: Sandbox.token_for, `rokhas sandbox tokens`",
            )
        self.users.check_not_expired(self.clock.now())
        return user

    def handle(self, request: SandboxRequest, *, run_deferred: bool = True) -> SandboxResponse:
        """Answer one request (thread-safe; one transaction per request).

        Posts a request leaves for after its commit (the CMI gateway's callback) are
        sent through :meth:`handle` too when ``run_deferred``; the HTTP server sends
        them over the network instead (:meth:`handle_async`).
        """
        response = self._handle_once(request)
        if run_deferred:
            for url, form in response.deferred:
                self._post_internal(url, form)
            response.deferred = []
        return response

    async def handle_async(self, request: SandboxRequest) -> SandboxResponse:
        """Like :meth:`handle`, with deferred posts sent over HTTP without blocking the loop
        and, with signing workers, permits rendered and signed in a worker process."""
        import asyncio

        response = self._handle_once(request, offload=self.signing_workers > 0)
        if response.pending is not None:
            await self._run_pending(response.pending)
            # Answered again from the start: authorisation and state are read anew, and
            # the handler finds the work done.
            response = self._handle_once(request)
        for url, form in response.deferred:
            await asyncio.to_thread(self._post_http, url, form)
        response.deferred = []
        return response

    # -- signing workers ----------------------------------------------------------------
    def start_workers(self) -> None:
        """Start the signing worker processes (``serve`` does, before taking requests)."""
        if self.signing_workers and self._workers is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from ._render import init_worker, warm_worker

            # spawn, not fork: the server has threads (webhooks, the signer's loop thread)
            # and an open SQLite connection that a forked child must not inherit.
            self._workers = ProcessPoolExecutor(
                max_workers=self.signing_workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=init_worker,
                initargs=(self.permit_signer,),
            )
            for _ in range(self.signing_workers):
                self._workers.submit(warm_worker)

    async def _run_pending(self, work: PendingWork) -> None:
        import asyncio
        from concurrent.futures.process import BrokenProcessPool

        self.start_workers()
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(self._workers, work.fn, *work.args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start afresh next time; this request
            # is answered inline.
            log.warning("sandbox: a signing worker died; this permit is signed inline")
            broken, self._workers = self._workers, None
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            return
        except Exception:
            # The inline path raises the same error inside the request and answers it
            # with a problem document; nothing is kept from here.
            log.debug("sandbox: pending work %s failed in a worker", work.key, exc_info=True)
            return
        with self._prepared_lock:
            self.worker_jobs_done += 1
            if len(self._prepared) >= 64:  # concurrent requests for one permit leave extras
                self._prepared.pop(next(iter(self._prepared)))
            self._prepared[work.key] = result

    def take_prepared(self, key: str) -> bytes | None:
        """The result of the :class:`PendingWork` ``key``, once (None if not done)."""
        with self._prepared_lock:
            return self._prepared.pop(key, None)

    def _post_internal(self, url: str, form: dict[str, str]) -> None:
        from ._cmi import form_body, internal_path

        path = internal_path(self, url)
        if path is None:
            self._post_http(url, form)
            return
        self.handle(
            SandboxRequest(
                "POST",
                path,
                "",
                {"content-type": "application/x-www-form-urlencoded"},
                form_body(form),
            )
        )

    def _post_http(self, url: str, form: dict[str, str]) -> None:
        import httpx

        try:
            self._http_client().post(url, data=form, timeout=10.0)
        except httpx.HTTPError as exc:
            log.warning("sandbox: deferred POST to %s failed: %s", url, exc)

    def _http_client(self) -> Any:
        """One pooled client for deferred posts (thread-safe), made on first use.

        ``httpx.post`` builds a client per call, TLS context included: about 50 ms of CPU
        per CMI callback, more than a hundred ordinary requests.
        """
        client = self._outgoing
        if client is None:
            import httpx

            with self._outgoing_lock:
                if self._outgoing is None:
                    self._outgoing = httpx.Client()
                client = self._outgoing
        return client

    def _handle_once(self, request: SandboxRequest, *, offload: bool = False) -> SandboxResponse:
        rid = self._request_id(request)
        try:
            response = self._handle(request, rid, offload)
        except Offload as asked:
            # Not an answer: handle_async does the work and answers the request again.
            return SandboxResponse(202, pending=asked.work)
        except (ApiProblem, InvalidInputError, NotFoundError) as exc:
            response = self._problem_response(as_problem(exc), rid)
        except Exception:
            log.exception(
                "sandbox: internal error on %s %s (request %s)", request.method, request.path, rid
            )
            response = self._problem_response(
                ApiProblem(
                    500,
                    "internal_error",
                    f"erreur interne du sandbox ; citez la requête {rid} en le signalant",
                ),
                rid,
            )
        response.headers.setdefault("x-request-id", rid)
        return response

    def _handle(self, request: SandboxRequest, rid: str, offload: bool) -> SandboxResponse:
        route, params = self.router.match(request.method, request.path)
        rule = self._matrix[route.operation_id]
        user = self.authenticate(request) if rule.scope != "public" else None
        if rule.scope != "public":
            if user is None:
                raise ApiProblem(
                    401,
                    "unauthenticated",
                    "authentification requise : envoyez 'Authorization: Bearer <jeton>'",
                    "يلزم التعريف بالهوية: أرسل 'Authorization: Bearer <الرمز>'",
                    details={"field": "authorization"},
                    headers={"www-authenticate": 'Bearer realm="rokhas-sandbox"'},
                )
            if user.role not in rule.roles:
                raise ApiProblem(
                    403,
                    "forbidden",
                    f"le rôle {user.role} ne peut pas appeler {route.operation_id}",
                    f"الصفة {user.role} غير مؤهلة لاستدعاء {route.operation_id}",
                    hint=rule.note or None,
                    details={
                        "rule": "authorization_matrix",
                        "operation": route.operation_id,
                        "role": user.role,
                        "allowed_roles": sorted(rule.roles),
                    },
                )
        ctx = RequestContext(self, request, user, params, rid, route.operation_id, offload=offload)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        with self._lock:
            if key is not None and request.method in _UNSAFE and user is not None:
                response = self._idempotent(ctx, route.handler, key)
            else:
                with self.store.transaction():
                    result = route.handler(ctx)
                response = _as_response(result)
        response.deferred = ctx.deferred
        self.webhooks.kick()
        return response

    def _idempotent(
        self, ctx: RequestContext, handler: Callable[[RequestContext], Any], key: str
    ) -> SandboxResponse:
        if not _IDEM_KEY_OK.match(key):
            raise ApiProblem(
                400,
                "bad_request",
                "Idempotency-Key invalide : 1 à 255 caractères ASCII imprimables, sans espace",
                "ترويسة Idempotency-Key غير صالحة: من 1 إلى 255 حرفا من ASCII القابلة للطباعة، "
                "بدون فراغ",
                details={"field": "idempotency-key"},
            )
        req = ctx.request
        assert ctx.user is not None
        from ..api import request_fingerprint

        target = req.path + (f"?{req.query_string}" if req.query_string else "")
        fingerprint = request_fingerprint(
            req.method, target, req.body, content_sha256=req.headers.get("x-content-sha256")
        )
        with self.store.transaction():
            stored = self.store.idem_get(ctx.user.id, key)
            if stored is not None:
                old_fp, status, headers, body = stored
                if not secrets.compare_digest(old_fp, fingerprint):
                    raise ApiProblem(
                        422,
                        "idempotency_key_reused",
                        "cette clé d'idempotence a déjà servi pour une autre requête : générez "
                        "une nouvelle clé par opération",
                        "مفتاح عدم التكرار هذا استُعمل لطلب آخر: أنشئ مفتاحا جديدا لكل عملية",
                        details={"field": "idempotency-key", "rule": "same_key_same_request"},
                    )
                replay = SandboxResponse(status, body, {**headers, "idempotent-replayed": "true"})
                return replay
        try:
            with self.store.transaction():
                response = _as_response(handler(ctx))
                if 200 <= response.status < 300:
                    self._remember(ctx, key, fingerprint, response)
        except (ApiProblem, InvalidInputError, NotFoundError) as exc:
            # The refusal is an answer too (docs/api.md): its writes are rolled back, the
            # answer is stored, and a retry with the same key gets it again rather than
            # acting (fix the request, then send it with a new key). 409 and 429 say
            # "try again": those are not stored.
            response = self._problem_response(as_problem(exc), ctx.request_id)
            if 400 <= response.status < 500 and response.status not in (409, 429):
                with self.store.transaction():
                    self._remember(ctx, key, fingerprint, response)
        self.webhooks.kick()
        return response

    def _remember(
        self, ctx: RequestContext, key: str, fingerprint: str, response: SandboxResponse
    ) -> None:
        assert ctx.user is not None
        self.store.idem_put(
            ctx.user.id,
            key,
            fingerprint,
            response.status,
            dict(response.headers),
            response.body,
            ctx.now().isoformat(),
        )

    def _problem_response(self, problem: ApiProblem, rid: str) -> SandboxResponse:
        envelope = {
            "code": problem.code,
            "message_fr": problem.message_fr,
            "message_ar": problem.message_ar,
            "request_id": rid,
            "details": _details(problem),
        }
        if problem.hint:
            envelope["hint"] = problem.hint
        return SandboxResponse.json(
            envelope, problem.status, {**problem.headers, "x-request-id": rid}
        )


def as_problem(exc: ApiProblem | InvalidInputError | NotFoundError) -> ApiProblem:
    """The API answer for an error a handler raised on purpose."""
    if isinstance(exc, ApiProblem):
        return exc
    if isinstance(exc, InvalidInputError):
        return ApiProblem(
            422,
            "invalid_input",
            exc.message,
            "المعطيات المرسلة غير صالحة: " + "؛ ".join(p.path for p in exc.problems[:8]),
            details={"problems": [p.as_dict() for p in exc.problems]},
        )
    return ApiProblem(404, "not_found", exc.message, details={"rule": "not_found"})


def _details(problem: ApiProblem) -> dict[str, Any]:
    # Every refusal names what refused: the field or the rule; without either, its code.
    if isinstance(problem.details, dict):
        details = problem.details
    elif problem.details is None:
        details = {}
    else:
        details = {"info": problem.details}
    if problem.status < 500 and not details:
        details = {"rule": problem.code}
    return details


def _require_picklable(signer: PermitSigner) -> None:
    import pickle

    try:
        pickle.dumps(signer)
    except Exception as exc:
        raise InvalidInputError(
            f"signing_workers needs a permit_signer that can be pickled to a worker process "
            f"({type(exc).__name__}: {exc}); use rokhas_sdk.testing.sandbox_signing()'s "
            "signer, or signing_workers=0 to sign inline"
        ) from None


def _as_response(result: Any) -> SandboxResponse:
    if isinstance(result, SandboxResponse):
        return result
    if result is None:
        return SandboxResponse(204)
    return SandboxResponse.json(result)


def dumps(data: Any) -> str:
    """Compact JSON for storage and logs."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)

"""What the sync and async clients share: configuration, retry policy, request building,
response and error parsing. No I/O here, so both clients behave identically by
construction and this part is tested once.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr

from .._errors import ConfigurationError, InvalidInputError
from .._version import __version__
from ..api import (
    IDEMPOTENCY_HEADER,
    REQUEST_ID_HEADER,
    RETRY_COUNT_HEADER,
    ErrorEnvelope,
    Operation,
)
from ._errors import (
    APIResponseValidationError,
    APIStatusError,
    error_class_for,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "RETRYABLE_STATUSES",
    "CapturedResponses",
    "ClientConfig",
    "ResponseInfo",
    "capture_responses",
]

logger = logging.getLogger("rokhas_sdk.client")

ENV_BASE_URL = "ROKHAS_BASE_URL"
ENV_TOKEN = "ROKHAS_API_TOKEN"  # noqa: S105 - the variable's name, not a token
ENV_LOG = "ROKHAS_LOG"

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# Any other 5xx is retried too (see is_retryable_status); the set documents the usual ones.

M = TypeVar("M", bound=BaseModel)
Token = str | SecretStr


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Everything that shapes a request; ``with_options`` derives a changed copy."""

    base_url: str
    token: SecretStr | None
    token_refresher: Callable[[], Any] | None
    timeout: httpx.Timeout
    max_retries: int
    backoff_initial: float
    backoff_max: float
    retry_after_max: float
    default_headers: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None

    def changed(self, **changes: Any) -> ClientConfig:
        """A copy with ``changes`` applied (unknown names are refused)."""
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise ConfigurationError(
                f"unknown client option(s): {', '.join(sorted(unknown))}; the options are "
                f"{', '.join(sorted(self.__dataclass_fields__))}",
                code="unknown_option",
            )
        if "token" in changes:
            changes["token"] = _secret(changes["token"])
        if "timeout" in changes:
            changes["timeout"] = _timeout(changes["timeout"])
        if "base_url" in changes:
            changes["base_url"] = _base_url(changes["base_url"])
        if "max_retries" in changes:
            _check_retries(changes["max_retries"])
        return replace(self, **changes)


def _secret(token: Token | None) -> SecretStr | None:
    if token is None or isinstance(token, SecretStr):
        return token
    if not isinstance(token, str):
        raise InvalidInputError("token must be a str or a pydantic SecretStr")
    return SecretStr(token)


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInputError(
            f"timeout must be a positive number of seconds or an httpx.Timeout, got {value!r}"
        )
    return httpx.Timeout(float(value), connect=min(5.0, float(value)))


def _base_url(url: str | None) -> str:
    if not url:
        raise ConfigurationError(
            "no base URL: pass base_url=... (e.g. http://127.0.0.1:8000 for `rokhas sandbox "
            "serve`) "
            f"or set {ENV_BASE_URL}",
            code="missing_base_url",
        )
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(
            f"base URL {url!r} is not a URL ({exc}); give an absolute http(s) URL such as "
            "http://127.0.0.1:8000",
            code="bad_base_url",
        ) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(
            f"base URL {url!r} must be an absolute http(s) URL", code="bad_base_url"
        )
    return url.rstrip("/")


def _check_retries(n: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidInputError(f"max_retries must be an integer >= 0, got {n!r}")


def make_config(
    *,
    base_url: str | None,
    token: Token | None,
    token_refresher: Callable[[], Any] | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int,
    default_headers: Mapping[str, str] | None,
    backoff_initial: float = 0.5,
    backoff_max: float = 8.0,
    retry_after_max: float = 60.0,
) -> ClientConfig:
    """Arguments first, then the environment (``ROKHAS_BASE_URL``, ``ROKHAS_API_TOKEN``)."""
    _check_retries(max_retries)
    configure_logging_from_env()
    env_token = os.environ.get(ENV_TOKEN)
    return ClientConfig(
        base_url=_base_url(base_url or os.environ.get(ENV_BASE_URL)),
        token=_secret(token if token is not None else (env_token or None)),
        token_refresher=token_refresher,
        timeout=DEFAULT_TIMEOUT if timeout is None else _timeout(timeout),
        max_retries=max_retries,
        backoff_initial=backoff_initial,
        backoff_max=backoff_max,
        retry_after_max=retry_after_max,
        default_headers=dict(default_headers or {}),
    )


_logging_configured = False


def configure_logging_from_env() -> None:
    """``ROKHAS_LOG=debug|info`` sends the client's log to stderr (once per process)."""
    global _logging_configured
    if _logging_configured:
        return
    _logging_configured = True
    level = os.environ.get(ENV_LOG, "").strip().lower()
    if level not in ("debug", "info"):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)


USER_AGENT = f"rokhas-sdk/{__version__} python-httpx/{httpx.__version__}"


def base_headers(config: ClientConfig) -> dict[str, str]:
    """Headers of every request, before auth, idempotency and retry count."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    headers.update(config.default_headers)
    return headers


def new_idempotency_key() -> str:
    """A fresh key for one logical write (all its retries reuse it)."""
    return str(uuid.uuid4())


def query_params(query: BaseModel | None) -> dict[str, str] | None:
    """Query model -> wire parameters (``None`` values left out)."""
    if query is None:
        return None
    data = query.model_dump(mode="json", exclude_none=True)
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out or None


def json_body(op: Operation, body: Any) -> bytes:
    """The JSON body of ``op``; a PATCH sends only the fields that were set."""
    if isinstance(body, BaseModel):
        return body.model_dump_json(exclude_unset=op.method == "PATCH").encode("utf-8")
    return op.request_adapter().dump_json(body)


def is_retryable_status(status: int) -> bool:
    """408, 409, 429 and every 5xx (the openai/stripe policy)."""
    return status in RETRYABLE_STATUSES or status >= 500


def retry_after_seconds(headers: httpx.Headers, now: float | None = None) -> float | None:
    """The server's requested wait: ``retry-after-ms``, ``Retry-After`` seconds or HTTP date."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def retry_delay(
    config: ClientConfig,
    retry_index: int,
    headers: httpx.Headers | None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number ``retry_index`` (0-based).

    A ``Retry-After`` within ``retry_after_max`` wins; otherwise exponential backoff
    from ``backoff_initial`` capped at ``backoff_max``, with up to 25 % downward jitter
    so that many clients failing together do not retry together.
    """
    if headers is not None:
        asked = retry_after_seconds(headers)
        if asked is not None and asked <= config.retry_after_max:
            return asked
    base = min(config.backoff_initial * (2.0**retry_index), config.backoff_max)
    jitter = (rng or random).random() * 0.25
    return base * (1.0 - jitter)


class TokenBox:
    """The current bearer token, shared by a client and the clients derived from it,
    so that a refresh done by one serves all."""

    __slots__ = ("token",)

    def __init__(self, token: SecretStr | None) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "TokenBox(token=" + ("'**********'" if self.token is not None else "None") + ")"


def request_headers(
    base: Mapping[str, str],
    token: SecretStr | None,
    op: Operation,
    attempt: int,
    idempotency_key: str | None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Per-attempt headers: defaults, auth, idempotency key, retry count, extras."""
    headers = dict(base)
    if op.auth and token is not None:
        headers["Authorization"] = f"Bearer {token.get_secret_value()}"
    if idempotency_key is not None:
        headers[IDEMPOTENCY_HEADER] = idempotency_key
    headers[RETRY_COUNT_HEADER] = str(attempt)
    if extra:
        headers.update(extra)
    return headers


def status_error(response: httpx.Response, body: bytes) -> APIStatusError:
    """The typed exception for an error response (envelope parsed when it is one)."""
    status = response.status_code
    request_id = response.headers.get(REQUEST_ID_HEADER)
    text = body.decode("utf-8", "replace")
    envelope: ErrorEnvelope | None = None
    try:
        envelope = ErrorEnvelope.model_validate_json(body)
    except (InvalidInputError, ValueError):
        envelope = None
    cls = error_class_for(status)
    request = response.request
    if envelope is not None:
        message = f"{status} {envelope.code}: {envelope.message_fr} (request {envelope.request_id})"
        return cls(
            message,
            status_code=status,
            request_id=envelope.request_id,
            code=envelope.code,
            message_fr=envelope.message_fr,
            message_ar=envelope.message_ar,
            details=dict(envelope.details),
            body=text,
            method=request.method,
            url=str(request.url),
            hint=envelope.hint,
        )
    snippet = text[:200].replace("\n", " ")
    message = (
        f"{status} from {request.method} {request.url.path}: {snippet or response.reason_phrase}"
    )
    if request_id:
        message += f" (request {request_id})"
    return cls(
        message,
        status_code=status,
        request_id=request_id,
        code=None,
        body=text,
        method=request.method,
        url=str(request.url),
    )


def parse_model(cls: type[M], response: httpx.Response, body: bytes) -> M:
    """Validate a success body into ``cls``; a mismatch is the server's fault, said so."""
    try:
        return cls.model_validate_json(body)
    except InvalidInputError as exc:
        raise APIResponseValidationError(
            f"the server's answer to {response.request.method} {response.request.url.path} "
            "does not match "
            f"the v1 contract ({exc}); check that client and server versions agree",
            request_id=response.headers.get(REQUEST_ID_HEADER),
        ) from exc
    except ValueError as exc:  # pragma: no cover - non-RokhasModel response types
        raise APIResponseValidationError(
            f"invalid answer to {response.request.url.path}: {exc}",
            request_id=response.headers.get(REQUEST_ID_HEADER),
        ) from exc


def log_attempt(
    request: httpx.Request, attempt: int, response: httpx.Response | None, started: float
) -> None:
    """One line per attempt; never the token, never a body. Costs nothing when off."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s %s attempt=%d status=%s elapsed_ms=%.1f request_id=%s",
            request.method,
            request.url.path,
            attempt,
            response.status_code if response is not None else "-",
            (time.perf_counter() - started) * 1000.0,
            (response.headers.get(REQUEST_ID_HEADER) if response is not None else None) or "-",
        )


def log_retry(request: httpx.Request, reason: str, delay: float) -> None:
    """One line per retry decision."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s %s retrying in %.2fs after %s", request.method, request.url.path, delay, reason
        )


# --- what successful answers said besides their body --------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """A successful answer's status and headers: what a typed result leaves out.

    ``request_id`` is the one to quote to the platform's support; ``attempts`` counts
    the retries that led here (1 without any); ``elapsed_s`` runs from the first attempt
    to the answer's headers.
    """

    operation_id: str
    method: str
    url: str
    status_code: int
    headers: httpx.Headers
    request_id: str | None
    idempotency_key: str | None
    attempts: int
    elapsed_s: float


class CapturedResponses:
    """The answers received inside one ``with capture_responses()`` block, in order."""

    def __init__(self) -> None:
        self.responses: list[ResponseInfo] = []

    @property
    def last(self) -> ResponseInfo:
        """The latest answer (``LookupError`` if no call has answered yet)."""
        if not self.responses:
            raise LookupError("no response captured yet: call the client inside the block")
        return self.responses[-1]

    def __len__(self) -> int:
        return len(self.responses)

    def __repr__(self) -> str:
        return f"CapturedResponses({len(self.responses)} responses)"


_CAPTURES: ContextVar[tuple[CapturedResponses, ...]] = ContextVar(
    "rokhas_sdk_client_captures", default=()
)


@contextmanager
def capture_responses() -> Iterator[CapturedResponses]:
    """Keep the status and headers of every successful answer in this block.

    >>> from rokhas_sdk.client import capture_responses
    >>> with capture_responses() as seen:  # doctest: +SKIP
    ...     draft = client.dossiers.create(dossier)
    >>> seen.last.request_id, seen.last.headers["x-ratelimit-remaining"]  # doctest: +SKIP

    Methods keep returning their typed results; this is where the rest of the answer
    goes. It sees the calls of every client made in the same thread or asyncio task (a
    context variable: other threads' and tasks' calls are not mixed in); blocks nest,
    and every open block records. Failures raise ``APIStatusError``, which carries its
    own ``request_id`` and body.
    """
    captured = CapturedResponses()
    token = _CAPTURES.set((*_CAPTURES.get(), captured))
    try:
        yield captured
    finally:
        _CAPTURES.reset(token)


def record_response(
    op: Operation,
    response: httpx.Response,
    idempotency_key: str | None,
    attempt: int,
    first_started: float,
) -> None:
    """Hand a successful answer to the open capture blocks (none: one lookup, no cost)."""
    captures = _CAPTURES.get()
    if not captures:
        return
    info = ResponseInfo(
        operation_id=op.id,
        method=response.request.method,
        url=str(response.request.url),
        status_code=response.status_code,
        headers=response.headers,
        request_id=response.headers.get(REQUEST_ID_HEADER),
        idempotency_key=idempotency_key,
        attempts=attempt + 1,
        elapsed_s=time.perf_counter() - first_started,
    )
    for captured in captures:
        captured.responses.append(info)

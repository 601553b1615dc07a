"""Typed errors of the clients, chosen by what went wrong and by HTTP status.

Everything derives from :class:`APIError` (itself a :class:`rokhas_sdk.RokhasError`):

- :class:`APIConnectionError` (and :class:`APITimeoutError`): no usable answer;
- :class:`APIStatusError` and one subclass per status family: the server answered with
  an error envelope; ``code``, ``request_id``, ``message_fr``, ``message_ar``,
  ``details`` (naming the field or rule that refused) and ``hint`` (the developer's
  hint, when the server gives one) come from it;
- :class:`APIResponseValidationError`: a 2xx answer that does not match the contract;
- :class:`ChecksumMismatchError`: a download whose SHA-256 is not the announced one.
"""

from __future__ import annotations

from typing import Any

from .._errors import NotFoundError as _RokhasNotFound
from .._errors import RokhasError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChecksumMismatchError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]

_BODY_KEEP = 16 * 1024  # enough for any envelope; PLAT'AU gateways had to raise theirs


class APIError(RokhasError):
    """Root of the client's errors. ``request_id`` is set when the server named the request."""

    code = "api_error"

    def __init__(
        self, message: str, *, request_id: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.request_id = request_id


class APIConnectionError(APIError):
    """The request got no HTTP answer (refused, reset, DNS...). Retried automatically."""

    code = "api_connection_error"


class APITimeoutError(APIConnectionError):
    """No answer within the timeout. Retried automatically (writes carry their key)."""

    code = "api_timeout"


class APIResponseValidationError(APIError):
    """A success answer whose body does not match the contract (server or version skew)."""

    code = "api_response_invalid"


class ChecksumMismatchError(APIError):
    """A downloaded (or uploaded) content's SHA-256 differs from the announced one."""

    code = "checksum_mismatch"

    def __init__(
        self, message: str, *, expected: str | None, actual: str, request_id: str | None = None
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.expected = expected
        self.actual = actual


class APIStatusError(APIError):
    """The server answered with a non-2xx status and (normally) an error envelope.

    ``code`` is the envelope's stable code (compare with ``rokhas_sdk.api.ErrorCode``);
    ``details`` its structured help (``problems``, ``missing``, ``allowed_events``...);
    ``body`` the raw body (first 16 KiB) for support.
    """

    code = "api_status_error"

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None,
        code: str | None,
        message_fr: str | None = None,
        message_ar: str | None = None,
        details: dict[str, Any] | None = None,
        body: str = "",
        method: str = "",
        url: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id, code=code)
        self.status_code = status_code
        self.message_fr = message_fr
        self.message_ar = message_ar
        self.details = details or {}
        self.hint = hint
        """The server's hint for the developer (English), apart from the messages."""
        self.body = body[:_BODY_KEEP]
        self.method = method
        self.url = url


class BadRequestError(APIStatusError):
    """400: the request is malformed."""


class AuthenticationError(APIStatusError):
    """401: no token, or an expired one (the refresh hook, if any, was already tried)."""


class PermissionDeniedError(APIStatusError):
    """403: the token's role may not do this."""


class NotFoundError(APIStatusError, _RokhasNotFound):
    """404: no such dossier, piece, order... (also a :class:`rokhas_sdk.NotFoundError`)."""


class ConflictError(APIStatusError):
    """409: a concurrent change or an idempotency key still in progress; retried."""


class UnprocessableEntityError(APIStatusError):
    """422: invalid input, a refused transition, a reused idempotency key... see ``code``."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried after ``Retry-After``."""


class InternalServerError(APIStatusError):
    """5xx: the server failed; retried."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP status."""
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)

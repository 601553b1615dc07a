"""How to talk to a platform of the v1 contract: ``RokhasClient`` and ``AsyncRokhasClient``.

Both clients have the same resources and methods (``client.dossiers.create(...)``,
``client.pieces.upload(...)``...), typed with :mod:`rokhas_sdk.models` and
:mod:`rokhas_sdk.api`. Writes are idempotent across retries, errors are typed by status
and carry the request id, lists paginate themselves, pieces stream with their SHA-256
checked; ``capture_responses()`` keeps the status and headers of successful answers.
Importing this package loads httpx and pydantic, nothing heavier.

Environment: ``ROKHAS_BASE_URL``, ``ROKHAS_API_TOKEN``, ``ROKHAS_LOG=info|debug``.
"""

from __future__ import annotations

from .._lazy import set_public_module
from ._async import AsyncRokhasClient as AsyncRokhasClient
from ._base import CapturedResponses as CapturedResponses
from ._base import ResponseInfo as ResponseInfo
from ._base import capture_responses as capture_responses
from ._content import DownloadResult as DownloadResult
from ._errors import APIConnectionError as APIConnectionError
from ._errors import APIError as APIError
from ._errors import APIResponseValidationError as APIResponseValidationError
from ._errors import APIStatusError as APIStatusError
from ._errors import APITimeoutError as APITimeoutError
from ._errors import AuthenticationError as AuthenticationError
from ._errors import BadRequestError as BadRequestError
from ._errors import ChecksumMismatchError as ChecksumMismatchError
from ._errors import ConflictError as ConflictError
from ._errors import InternalServerError as InternalServerError
from ._errors import NotFoundError as NotFoundError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import RateLimitError as RateLimitError
from ._errors import UnprocessableEntityError as UnprocessableEntityError
from ._pagination import AsyncPager as AsyncPager
from ._pagination import SyncPager as SyncPager
from ._sync import RokhasClient as RokhasClient

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPager",
    "AsyncRokhasClient",
    "AuthenticationError",
    "BadRequestError",
    "CapturedResponses",
    "ChecksumMismatchError",
    "ConflictError",
    "DownloadResult",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseInfo",
    "RokhasClient",
    "SyncPager",
    "UnprocessableEntityError",
    "capture_responses",
]

set_public_module(__name__, globals(), __all__)

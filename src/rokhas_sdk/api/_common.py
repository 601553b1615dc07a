"""Wire conventions shared by every operation: version, headers, errors, pagination.

These are the parts of the contract that do not depend on one resource. A server that
implements the contract (``rokhas_sdk.sandbox``) and a client that speaks it
(``rokhas_sdk.client``) both read them from here, so they cannot drift apart.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field, JsonValue

from ..models import LabelledEnum, RokhasModel

__all__ = [
    "API_PREFIX",
    "API_VERSION",
    "CONTENT_SHA256_HEADER",
    "CONTRACT_VERSION",
    "DEFAULT_PAGE_LIMIT",
    "ERROR_STATUS",
    "IDEMPOTENCY_HEADER",
    "IDEMPOTENCY_KEY_PATTERN",
    "IDEMPOTENCY_REPLAYED_HEADER",
    "IDEMPOTENCY_RETENTION_SECONDS",
    "MAX_PAGE_LIMIT",
    "REQUEST_ID_HEADER",
    "RETRY_COUNT_HEADER",
    "ErrorCode",
    "ErrorEnvelope",
    "Page",
    "ResourceId",
]

API_VERSION = "v1"
"""The major version in every path (``/v1/...``). A breaking change gets ``/v2``."""

API_PREFIX = f"/{API_VERSION}"

CONTRACT_VERSION = "1.2.0"
"""SemVer of the contract inside ``v1``: minor for additions, patch for clarifications."""

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""Request header carrying the client's key for a write (any non-GET operation)."""

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
"""A key is 1 to 255 printable ASCII characters without spaces (the SDK sends a UUID4)."""

IDEMPOTENCY_REPLAYED_HEADER = "Idempotent-Replayed"
"""Response header set to ``true`` when the response is a stored replay."""

IDEMPOTENCY_RETENTION_SECONDS = 24 * 3600
"""How long a server keeps a key and its response (at least)."""

REQUEST_ID_HEADER = "X-Request-Id"
"""Response header naming the request for support; also in every error envelope."""

RETRY_COUNT_HEADER = "X-Rokhas-Retry-Count"
"""Request header: 0 on the first attempt, then 1, 2... (diagnostics only)."""

CONTENT_SHA256_HEADER = "X-Content-Sha256"
"""Lower-case hex SHA-256 of a binary body, sent with uploads and with downloads."""

DEFAULT_PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 200

ResourceId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$",
        examples=["dos_01HZX3K9"],
    ),
]
"""An opaque identifier assigned by the server (never parse it)."""


class ErrorCode(LabelledEnum):
    """Stable, machine-readable reasons for a failed request.

    The labels are the default French and Arabic messages a server puts in the
    envelope; a server may send a more precise sentence. The HTTP status of each code is
    in :data:`ERROR_STATUS`.
    """

    BAD_REQUEST = ("bad_request", "Requête mal formée.", "طلب غير سليم.")
    INVALID_INPUT = ("invalid_input", "Données invalides.", "معطيات غير صالحة.")
    UNAUTHENTICATED = (
        "unauthenticated",
        "Authentification requise ou jeton expiré.",
        "المصادقة مطلوبة أو انتهت صلاحية الرمز.",
    )
    FORBIDDEN = (
        "forbidden",
        "Action non autorisée pour ce rôle.",
        "إجراء غير مسموح به لهذا الدور.",
    )
    NOT_FOUND = ("not_found", "Ressource introuvable.", "المورد غير موجود.")
    METHOD_NOT_ALLOWED = ("method_not_allowed", "Méthode non autorisée.", "الطريقة غير مسموح بها.")
    REQUEST_TIMEOUT = ("request_timeout", "Délai de la requête dépassé.", "انتهت مهلة الطلب.")
    CONFLICT = (
        "conflict",
        "Conflit avec une modification concurrente ; réessayez.",
        "تعارض مع تعديل متزامن؛ أعد المحاولة.",
    )
    IDEMPOTENCY_IN_PROGRESS = (
        "idempotency_in_progress",
        "Une requête avec la même clé d'idempotence est en cours ; réessayez.",
        "طلب بنفس مفتاح عدم التكرار قيد المعالجة؛ أعد المحاولة.",
    )
    IDEMPOTENCY_KEY_REUSED = (
        "idempotency_key_reused",
        "Cette clé d'idempotence a déjà servi pour une autre requête.",
        "سبق استعمال مفتاح عدم التكرار هذا لطلب آخر.",
    )
    PAYLOAD_TOO_LARGE = ("payload_too_large", "Contenu trop volumineux.", "المحتوى كبير جدا.")
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        "Type de contenu non accepté.",
        "نوع المحتوى غير مقبول.",
    )
    CHECKSUM_MISMATCH = (
        "checksum_mismatch",
        "L'empreinte SHA-256 ne correspond pas au contenu reçu.",
        "بصمة SHA-256 لا تطابق المحتوى المستلم.",
    )
    DOSSIER_NOT_EDITABLE = (
        "dossier_not_editable",
        "Le dossier n'est plus un brouillon et ne peut être modifié.",
        "لم يعد الملف مسودة ولا يمكن تعديله.",
    )
    DOSSIER_INCOMPLETE = (
        "dossier_incomplete",
        "Le dossier est incomplet ; voir les éléments manquants.",
        "الملف غير مكتمل؛ انظر العناصر الناقصة.",
    )
    TRANSITION_NOT_ALLOWED = (
        "transition_not_allowed",
        "Cette étape n'est pas permise dans l'état actuel du dossier.",
        "هذه المرحلة غير مسموح بها في الحالة الحالية للملف.",
    )
    PAYMENT_NOT_ALLOWED = (
        "payment_not_allowed",
        "Cet ordre de paiement n'est pas payable (déjà payé, annulé ou expiré).",
        "أمر الأداء هذا غير قابل للأداء (مؤدى أو ملغى أو منتهي الصلاحية).",
    )
    RATE_LIMITED = (
        "rate_limited",
        "Trop de requêtes ; réessayez après le délai indiqué.",
        "طلبات كثيرة جدا؛ أعد المحاولة بعد المهلة المحددة.",
    )
    INTERNAL_ERROR = ("internal_error", "Erreur interne du serveur.", "خطأ داخلي في الخادم.")
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        "Service momentanément indisponible.",
        "الخدمة غير متوفرة مؤقتا.",
    )

    @property
    def status(self) -> int:
        """The HTTP status a server answers with for this code."""
        return ERROR_STATUS[self]


ERROR_STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.INVALID_INPUT: 422,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.REQUEST_TIMEOUT: 408,
    # 409 means "retry may succeed": the client retries it (openai/stripe habit).
    ErrorCode.CONFLICT: 409,
    ErrorCode.IDEMPOTENCY_IN_PROGRESS: 409,
    # A reused key with another body, a refused transition: retrying cannot help, so 422.
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 422,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.CHECKSUM_MISMATCH: 422,
    ErrorCode.DOSSIER_NOT_EDITABLE: 422,
    ErrorCode.DOSSIER_INCOMPLETE: 422,
    ErrorCode.TRANSITION_NOT_ALLOWED: 422,
    ErrorCode.PAYMENT_NOT_ALLOWED: 422,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}


class ErrorEnvelope(RokhasModel):
    """The body of every non-2xx response.

    ``code`` is a string rather than :class:`ErrorCode` so that a newer server may add
    codes without breaking older clients; compare with ``ErrorCode.X.value``.
    ``details`` carries structured help: for ``invalid_input`` a list of
    ``{"path", "message", "kind"}`` problems; for ``dossier_incomplete`` the missing
    items; for ``transition_not_allowed`` the allowed events.
    """

    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
    message_fr: Annotated[str, Field(min_length=1, max_length=2000)]
    message_ar: Annotated[str, Field(min_length=1, max_length=2000)]
    request_id: Annotated[str, Field(min_length=1, max_length=128)]
    details: dict[str, JsonValue] = Field(default_factory=dict)

    @classmethod
    def for_code(
        cls,
        code: ErrorCode,
        request_id: str,
        *,
        message_fr: str | None = None,
        message_ar: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> ErrorEnvelope:
        """An envelope with the code's default messages unless better ones are given."""
        return cls(
            code=code.value,
            message_fr=message_fr or code.label_fr,
            message_ar=message_ar or code.label_ar,
            request_id=request_id,
            details=details or {},
        )


T = TypeVar("T")


class Page(RokhasModel, Generic[T]):
    """One page of a list, in the order the server defines (stable across pages).

    Ask for the next page by passing ``next_cursor`` back as ``cursor`` with the same
    filters; ``next_cursor`` is ``null`` on the last page. Cursors are opaque.
    """

    items: list[T]
    next_cursor: str | None = None

"""Errors of the sandbox room.

``ApiProblem`` is what a route raises to answer with the API's error envelope; it never
escapes to a caller of the SDK (the server turns it into an HTTP answer). The others are
raised to Python callers who set the sandbox up wrongly.
"""

from __future__ import annotations

from typing import Any

from .._errors import ConfigurationError, RokhasError

__all__ = ["ApiProblem", "SandboxConfigurationError", "SandboxError"]


class SandboxError(RokhasError):
    """Root of the sandbox's own errors."""

    code = "sandbox_error"


class SandboxConfigurationError(SandboxError, ConfigurationError):
    """The sandbox was set up wrongly (bad fault settings, unreadable database, ...)."""

    code = "sandbox_configuration"


class ApiProblem(SandboxError):
    """An answer in the API's error envelope: HTTP status, stable code, bilingual message.

    ``message_fr`` / ``message_ar`` are for the people a portal shows them to; ``hint``
    is for the developer (English, what to change in the request) and travels in its own
    field; ``details`` names the field or the rule that refused (a refusal without one
    names its code as the rule).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message_fr: str,
        message_ar: str = "",
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message_fr, code=code)
        self.status = status
        self.message_fr = message_fr
        self.message_ar = message_ar or _AR_FALLBACK.get(status, "تعذر تنفيذ الطلب")
        self.details = details
        self.headers = dict(headers or {})
        self.hint = hint


# A generic Arabic sentence per status, used when a route gives only a French message.
_AR_FALLBACK = {
    400: "الطلب غير صالح",
    401: "يلزم التعريف بالهوية: أضف رمز الولوج",
    403: "ليست لديك صلاحية القيام بهذا الإجراء",
    404: "العنصر المطلوب غير موجود",
    405: "هذه الطريقة غير مسموح بها",
    409: "تعارض مع حالة الملف",
    413: "حجم الطلب كبير جدا",
    415: "نوع المحتوى غير مدعوم",
    422: "المعطيات المرسلة غير صالحة",
    429: "عدد الطلبات كبير جدا: أعد المحاولة لاحقا",
    500: "خطأ داخلي في المنصة",
    503: "الخدمة غير متوفرة مؤقتا",
}

"""Typed errors of the procedure engine.

A refused transition is not a bug: :class:`TransitionRefused` carries a stable reason
code (:class:`RefusalReason`, a labelled enum) and a message in French and in Arabic so a
portal can show it as is. Journal problems name the entry at fault.
"""

from __future__ import annotations

from typing import Any

from .._errors import DataFileError, InvalidInputError, NotFoundError, RokhasError
from ..models import LabelledEnum

__all__ = [
    "JournalDuplicateEntry",
    "JournalError",
    "JournalEventRefused",
    "JournalFormatError",
    "JournalOutOfOrder",
    "JournalTampered",
    "ProcedureDataError",
    "ProcedureError",
    "RefusalReason",
    "TransitionRefused",
    "UnknownProcedureError",
]


class RefusalReason(LabelledEnum):
    """Why an event was refused; the value is the stable machine code."""

    UNKNOWN_EVENT = (
        "unknown_event",
        "Événement inconnu pour cette procédure",
        "حدث غير معروف في هذه المسطرة",
    )
    TERMINAL_STATE = (
        "terminal_state",
        "Le dossier est dans un état final",
        "الملف في وضعية نهائية",
    )
    EVENT_NOT_ALLOWED = (
        "event_not_allowed",
        "Action impossible dans l'état actuel du dossier",
        "إجراء غير ممكن في الوضعية الحالية للملف",
    )
    ROLE_NOT_PERMITTED = (
        "role_not_permitted",
        "Ce rôle n'est pas habilité à cette action",
        "هذه الصفة غير مؤهلة للقيام بهذا الإجراء",
    )
    TIME_ORDER = (
        "time_order",
        "La date est antérieure au dernier événement du dossier",
        "التاريخ سابق لآخر حدث في الملف",
    )
    MISSING_PIECES = ("missing_pieces", "Pièces manquantes au dossier", "وثائق ناقصة في الملف")
    SECOND_COMPLEMENT_REQUEST = (
        "second_complement_request",
        "Un seul complément peut être demandé (Loi 55-19)",
        "لا يمكن طلب استكمال الملف إلا مرة واحدة (القانون 55-19)",
    )
    FEES_UNPAID = (
        "fees_unpaid",
        "Les droits et redevances ne sont pas payés",
        "الرسوم والواجبات غير مؤداة",
    )
    AFTER_TACIT_APPROVAL = (
        "after_tacit_approval",
        "Le dossier est déjà accordé tacitement",
        "الملف حاصل على موافقة ضمنية",
    )
    TACIT_DEADLINE_NOT_REACHED = (
        "tacit_deadline_not_reached",
        "Le délai d'accord tacite n'est pas écoulé",
        "أجل الموافقة الضمنية لم ينصرم بعد",
    )
    DECISION_DEADLINE_NOT_REACHED = (
        "decision_deadline_not_reached",
        "Le délai de décision n'est pas écoulé",
        "أجل البت لم ينصرم بعد",
    )
    SIGNER_KEY_INACTIVE = (
        "signer_key_inactive",
        "La clé de signature du signataire n'est pas active",
        "مفتاح توقيع الموقع غير مفعل",
    )
    REASON_REQUIRED = ("reason_required", "Une décision motivée est requise", "يجب تعليل القرار")
    OPINION_REQUIRED = (
        "opinion_required",
        "L'avis et l'organisme représenté sont requis",
        "يجب تحديد الرأي والهيئة الممثلة",
    )
    BODY_NOT_ON_COMMISSION = (
        "body_not_on_commission",
        "Cet organisme ne siège pas dans cette commission",
        "هذه الهيئة ليست عضوا في هذه اللجنة",
    )
    OPINIONS_MISSING = ("opinions_missing", "Des avis obligatoires manquent", "آراء إلزامية ناقصة")
    VALIDITY_EXPIRED = ("validity_expired", "L'autorisation est périmée", "انتهت صلاحية الرخصة")
    VALIDITY_NOT_EXPIRED = (
        "validity_not_expired",
        "L'autorisation est encore valide",
        "الرخصة ما زالت صالحة",
    )
    OUTSIDE_FILING_WINDOW = (
        "outside_filing_window",
        "Dépôt hors de la période ouverte",
        "إيداع خارج الفترة المفتوحة",
    )
    SECOND_APPEAL = ("second_appeal", "Un recours a déjà été formé", "سبق تقديم تظلم")
    STEP_NOT_APPLICABLE = (
        "step_not_applicable",
        "Étape non prévue pour ce type d'autorisation",
        "مرحلة غير مقررة لهذا النوع من الرخص",
    )
    INQUIRY_REQUIRED = (
        "inquiry_required",
        "L'enquête commodo et incommodo doit précéder",
        "يجب إجراء بحث المنافع والمضار أولا",
    )
    ATTESTATION_REQUIRED = (
        "attestation_required",
        "L'attestation de l'architecte est requise",
        "شهادة المهندس المعماري مطلوبة",
    )
    PROVISIONAL_ACCEPTANCE_MISSING = (
        "provisional_acceptance_missing",
        "La réception provisoire du lotissement doit précéder",
        "يجب أن يسبق التسلم المؤقت للتجزئة",
    )
    WRONG_AUTHORITY = (
        "wrong_authority",
        "Autorité non compétente pour ce territoire",
        "سلطة غير مختصة بهذا التراب",
    )


class ProcedureError(RokhasError):
    """Root of the procedure engine's errors."""

    code = "procedure_error"


class UnknownProcedureError(ProcedureError, NotFoundError):
    """A procedure kind, family or graph name that the bundled tables do not know."""

    code = "unknown_procedure"


class ProcedureDataError(ProcedureError, DataFileError):
    """A bundled or user-supplied procedure table (graphs, clocks, holidays) is invalid."""

    code = "procedure_data_invalid"


class TransitionRefused(ProcedureError):
    """An event that the tables or the law refuse in the dossier's current state.

    Attributes: ``reason`` (:class:`RefusalReason`), ``state``, ``event``, ``role``,
    ``detail`` / ``detail_ar`` (a short specific explanation in French and Arabic, e.g.
    the missing pieces or the deadline), the bilingual ``message_fr`` / ``message_ar``
    people read, and ``hint``: the developer's hint (English, what to pass or do first),
    never inside the messages. ``code`` is ``reason.value``.
    """

    def __init__(
        self,
        reason: RefusalReason,
        *,
        state: str,
        event: str,
        role: str | None,
        detail: str = "",
        detail_ar: str = "",
        hint: str = "",
    ) -> None:
        self.reason = reason
        self.state = state
        self.event = event
        self.role = role
        self.detail = detail
        self.detail_ar = detail_ar
        self.hint = hint
        suffix_fr = f" : {detail}" if detail else ""
        suffix_ar = f": {detail_ar or detail}" if (detail_ar or detail) else ""
        self.message_fr = f"{reason.label_fr}{suffix_fr} (état {state}, action {event})."
        self.message_ar = f"{reason.label_ar}{suffix_ar} (الوضعية {state}، الإجراء {event})."
        who = f" as {role}" if role else ""
        super().__init__(
            f"event {event!r}{who} refused in state {state!r}: {reason.value}"
            f"{' (' + detail + ')' if detail else ''}; {reason.label_fr}"
            f"{'; ' + hint if hint else ''}",
            code=reason.value,
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description (for API error envelopes and ``--json`` output)."""
        return {
            "code": self.reason.value,
            "state": self.state,
            "event": self.event,
            "role": self.role,
            "detail": self.detail,
            "message_fr": self.message_fr,
            "message_ar": self.message_ar,
            "hint": self.hint,
        }


class JournalError(ProcedureError, InvalidInputError):
    """A journal that cannot be trusted from some entry on.

    ``index`` is the 0-based position of the first bad entry (``line`` the 1-based line
    number in the file), ``seq`` its declared sequence number when readable. The
    entries before ``index`` were verified and are kept in ``valid_entries``: nothing
    already recorded is lost.
    """

    code = "journal_invalid"

    def __init__(
        self,
        message: str,
        *,
        index: int,
        seq: int | None = None,
        valid_entries: tuple[Any, ...] = (),
    ) -> None:
        super().__init__(message)
        self.index = index
        self.line = index + 1
        self.seq = seq
        self.valid_entries = valid_entries


class JournalFormatError(JournalError):
    """An entry that is not a well-formed journal line (bad JSON, missing field)."""

    code = "journal_format"


class JournalTampered(JournalError):
    """An entry whose hash, payload hash or link to the previous entry does not match."""

    code = "journal_tampered"


class JournalOutOfOrder(JournalError):
    """An entry whose sequence number or time does not follow the previous entry."""

    code = "journal_out_of_order"


class JournalEventRefused(JournalError):
    """An entry whose event the engine refuses when replayed (``refusal`` says why)."""

    code = "journal_event_refused"

    def __init__(
        self,
        message: str,
        *,
        index: int,
        seq: int | None,
        refusal: TransitionRefused,
        valid_entries: tuple[Any, ...] = (),
    ) -> None:
        super().__init__(message, index=index, seq=seq, valid_entries=valid_entries)
        self.refusal = refusal


class JournalDuplicateEntry(JournalError):
    """An entry that repeats one already in the journal."""

    code = "journal_duplicate"

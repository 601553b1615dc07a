"""Procedure events as they travel over the wire: one operation, one typed payload each.

``POST /v1/dossiers/{dossier_id}/events`` carries one of these models; the ``event``
field is the discriminator. The names follow the procedure steps of the laws in
docs/legal-sources.md; the procedure room owns the graph and decides whether an event is
allowed, these models only fix what each event carries. An event a server does not
allow in the dossier's current state is answered with ``transition_not_allowed``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from ..models import (
    CommissionBody,
    LabelledEnum,
    Opinion,
    Permit,
    PermitSurfaces,
    PieceType,
    RokhasModel,
)

__all__ = [
    "EVENT_MODELS",
    "AcceptArchitectAttestation",
    "AcceptProvisionally",
    "AppealDecision",
    "AppealOutcome",
    "ConcludeCommission",
    "DecideAppeal",
    "Decision",
    "DeclareTacitApproval",
    "DeclareWorksCompletion",
    "DeclareWorksOpening",
    "DispatchToCommission",
    "EventName",
    "IssueDecision",
    "IssueReceipt",
    "MarkLapsed",
    "OpenPublicInquiry",
    "PermitOverrides",
    "ProcedureEvent",
    "ProvideComplement",
    "RecordOpinion",
    "RequestComplement",
    "RequestSubstitution",
    "ScheduleCommission",
    "SendForSignature",
    "SignPlans",
]

Text = Annotated[str, Field(min_length=1, max_length=4000)]


class EventName(LabelledEnum):
    """Every procedure event the contract carries."""

    SIGN_PLANS = (
        "sign_plans",
        "Signature électronique des plans",
        "التوقيع الإلكتروني على التصاميم",
    )
    ISSUE_RECEIPT = ("issue_receipt", "Délivrance du récépissé", "تسليم الوصل")
    REQUEST_COMPLEMENT = ("request_complement", "Demande de complément", "طلب استكمال الملف")
    PROVIDE_COMPLEMENT = ("provide_complement", "Dépôt du complément", "إيداع التكميل")
    DISPATCH_TO_COMMISSION = (
        "dispatch_to_commission",
        "Transmission à la commission",
        "الإحالة على اللجنة",
    )
    SCHEDULE_COMMISSION = ("schedule_commission", "Programmation de la commission", "برمجة اللجنة")
    RECORD_OPINION = ("record_opinion", "Avis d'un membre de la commission", "رأي عضو اللجنة")
    CONCLUDE_COMMISSION = ("conclude_commission", "Procès-verbal de la commission", "محضر اللجنة")
    SEND_FOR_SIGNATURE = (
        "send_for_signature",
        "Transmission au président pour signature",
        "الإحالة على الرئيس للتوقيع",
    )
    ISSUE_DECISION = ("issue_decision", "Décision (délivrance ou refus)", "القرار (تسليم أو رفض)")
    DECLARE_TACIT_APPROVAL = (
        "declare_tacit_approval",
        "Constat d'autorisation tacite",
        "معاينة الإذن الضمني",
    )
    APPEAL_DECISION = ("appeal_decision", "Recours contre un refus", "الطعن في الرفض")
    DECLARE_WORKS_OPENING = (
        "declare_works_opening",
        "Déclaration d'ouverture de chantier",
        "التصريح بفتح الورش",
    )
    DECLARE_WORKS_COMPLETION = (
        "declare_works_completion",
        "Déclaration d'achèvement des travaux",
        "التصريح بانتهاء الأشغال",
    )
    MARK_LAPSED = ("mark_lapsed", "Caducité de l'autorisation", "سقوط الرخصة")
    DECIDE_APPEAL = ("decide_appeal", "Décision sur le recours", "البت في الطعن")
    OPEN_PUBLIC_INQUIRY = (
        "open_public_inquiry",
        "Ouverture de l'enquête commodo-incommodo",
        "فتح بحث المنافع والمضار",
    )
    ACCEPT_PROVISIONALLY = (
        "accept_provisionally",
        "Réception provisoire des travaux",
        "التسلم المؤقت للأشغال",
    )
    ACCEPT_ARCHITECT_ATTESTATION = (
        "accept_architect_attestation",
        "Acceptation de l'attestation de l'architecte",
        "قبول شهادة المهندس المعماري",
    )
    REQUEST_SUBSTITUTION = (
        "request_substitution",
        "Demande de substitution (silence de la commune)",
        "طلب الحلول (سكوت الجماعة)",
    )


class Decision(LabelledEnum):
    """The outcome of an express decision."""

    GRANTED = ("granted", "Autorisation délivrée", "تم تسليم الرخصة")
    REFUSED = ("refused", "Refus motivé", "رفض معلل")


class AppealOutcome(LabelledEnum):
    """The outcome of an administrative appeal."""

    GRANTED = ("granted", "Recours accueilli", "قبول الطعن")
    DISMISSED = ("dismissed", "Recours rejeté", "رفض الطعن")


class _Event(RokhasModel):
    """Fields every event may carry."""

    note: Text | None = Field(default=None, description="Free text shown in the journal")
    occurred_at: AwareDatetime | None = Field(
        default=None,
        description="When it happened, if not now (back-office imports); "
        "the server may refuse the past",
    )


class SignPlans(_Event):
    """The architect (and co-designers) signed the plans electronically."""

    event: Literal["sign_plans"] = "sign_plans"
    piece_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, description="Pieces signed; empty means every plan of the dossier"
    )


class IssueReceipt(_Event):
    """The guichet delivers the récépissé: the legal clock's anchor (Loi 55-19)."""

    event: Literal["issue_receipt"] = "issue_receipt"
    receipt_number: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class RequestComplement(_Event):
    """Ask the applicant for missing pieces or information (at most once, Loi 55-19)."""

    event: Literal["request_complement"] = "request_complement"
    missing_pieces: list[PieceType] = Field(default_factory=list)
    reasons_fr: list[Text] = Field(min_length=1)
    reasons_ar: list[Text] = Field(default_factory=list)


class ProvideComplement(_Event):
    """The applicant answered the complement request (pieces already uploaded)."""

    event: Literal["provide_complement"] = "provide_complement"
    piece_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list
    )


class DispatchToCommission(_Event):
    """The file goes to the instruction commission."""

    event: Literal["dispatch_to_commission"] = "dispatch_to_commission"
    occasional_members: list[CommissionBody] = Field(default_factory=list)


class ScheduleCommission(_Event):
    """The commission session is set (visio-commission)."""

    event: Literal["schedule_commission"] = "schedule_commission"
    session_at: AwareDatetime


class RecordOpinion(_Event):
    """One member's opinion, entered and signed in the visio-commission."""

    event: Literal["record_opinion"] = "record_opinion"
    body: CommissionBody
    member_name: Annotated[str, Field(min_length=1, max_length=200)]
    opinion: Opinion
    reasons_fr: list[Text] = Field(default_factory=list)
    reasons_ar: list[Text] = Field(default_factory=list)


class ConcludeCommission(_Event):
    """The commission closes its minutes (PV) with an overall opinion."""

    event: Literal["conclude_commission"] = "conclude_commission"
    opinion: Opinion


class SendForSignature(_Event):
    """The minutes go to the commune president for signature."""

    event: Literal["send_for_signature"] = "send_for_signature"


class PermitOverrides(RokhasModel):
    """What the president's back-office may set on a permit the platform composes.

    Everything else (beneficiary, address, land title, kind, commune, signatory, date)
    comes from the dossier; the number defaults to the commune's next one and must be
    unique in the commune.
    """

    number: (
        Annotated[
            str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-/.]*$")
        ]
        | None
    ) = None
    object_fr: Text | None = None
    object_ar: Text | None = None
    valid_until: date | None = None
    conditions_fr: tuple[Text, ...] | None = None
    conditions_ar: tuple[Text, ...] | None = None
    surfaces: PermitSurfaces | None = None


class IssueDecision(_Event):
    """The president's express decision: a permit is delivered, or a reasoned refusal.

    A grant needs nothing more: the platform composes the permit from the dossier
    (``overrides`` sets the few things the back-office decides). A full ``permit`` is
    still accepted when it matches the dossier.
    """

    event: Literal["issue_decision"] = "issue_decision"
    decision: Decision
    permit: Permit | None = Field(
        default=None,
        description="Optional: the full permit data; omitted, the platform composes it",
    )
    overrides: PermitOverrides | None = Field(
        default=None, description="Optional, for a grant: what the back-office sets itself"
    )
    reasons_fr: list[Text] = Field(default_factory=list, description="Required when refused")
    reasons_ar: list[Text] = Field(default_factory=list)


class DeclareTacitApproval(_Event):
    """The legal deadline passed without a decision: silence is consent."""

    event: Literal["declare_tacit_approval"] = "declare_tacit_approval"


class AppealDecision(_Event):
    """The applicant contests a refusal (administrative appeal)."""

    event: Literal["appeal_decision"] = "appeal_decision"
    grounds_fr: list[Text] = Field(min_length=1)


class DeclareWorksOpening(_Event):
    """Déclaration d'ouverture de chantier, signed by the architect."""

    event: Literal["declare_works_opening"] = "declare_works_opening"
    works_start_on: date


class DeclareWorksCompletion(_Event):
    """Déclaration d'achèvement, with the architect's attestation uploaded as a piece."""

    event: Literal["declare_works_completion"] = "declare_works_completion"
    completed_on: date
    attestation_piece_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class MarkLapsed(_Event):
    """The permit's validity ran out before works started."""

    event: Literal["mark_lapsed"] = "mark_lapsed"


class DecideAppeal(_Event):
    """The authority rules on an appeal: granted (back to signature) or dismissed."""

    event: Literal["decide_appeal"] = "decide_appeal"
    decision: AppealOutcome
    reasons_fr: list[Text] = Field(default_factory=list)
    reasons_ar: list[Text] = Field(default_factory=list)


class OpenPublicInquiry(_Event):
    """A classified establishment's file goes to the commodo-incommodo inquiry."""

    event: Literal["open_public_inquiry"] = "open_public_inquiry"
    ends_on: date | None = None


class AcceptProvisionally(_Event):
    """Réception provisoire of a subdivision's works (before any permis d'habiter)."""

    event: Literal["accept_provisionally"] = "accept_provisionally"
    accepted_on: date | None = None


class AcceptArchitectAttestation(_Event):
    """An occupancy permit decided on the architect's attestation instead of a visit."""

    event: Literal["accept_architect_attestation"] = "accept_architect_attestation"
    attestation_piece_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class RequestSubstitution(_Event):
    """The applicant asks the higher authority to decide after the commune's silence."""

    event: Literal["request_substitution"] = "request_substitution"


ProcedureEvent = Annotated[
    SignPlans
    | IssueReceipt
    | RequestComplement
    | ProvideComplement
    | DispatchToCommission
    | ScheduleCommission
    | RecordOpinion
    | ConcludeCommission
    | SendForSignature
    | IssueDecision
    | DeclareTacitApproval
    | AppealDecision
    | DeclareWorksOpening
    | DeclareWorksCompletion
    | MarkLapsed
    | DecideAppeal
    | OpenPublicInquiry
    | AcceptProvisionally
    | AcceptArchitectAttestation
    | RequestSubstitution,
    Field(discriminator="event"),
]
"""The body of ``postDossierEvent``: one event, chosen by its ``event`` field."""

EVENT_MODELS: dict[EventName, type[RokhasModel]] = {
    EventName.SIGN_PLANS: SignPlans,
    EventName.ISSUE_RECEIPT: IssueReceipt,
    EventName.REQUEST_COMPLEMENT: RequestComplement,
    EventName.PROVIDE_COMPLEMENT: ProvideComplement,
    EventName.DISPATCH_TO_COMMISSION: DispatchToCommission,
    EventName.SCHEDULE_COMMISSION: ScheduleCommission,
    EventName.RECORD_OPINION: RecordOpinion,
    EventName.CONCLUDE_COMMISSION: ConcludeCommission,
    EventName.SEND_FOR_SIGNATURE: SendForSignature,
    EventName.ISSUE_DECISION: IssueDecision,
    EventName.DECLARE_TACIT_APPROVAL: DeclareTacitApproval,
    EventName.APPEAL_DECISION: AppealDecision,
    EventName.DECLARE_WORKS_OPENING: DeclareWorksOpening,
    EventName.DECLARE_WORKS_COMPLETION: DeclareWorksCompletion,
    EventName.MARK_LAPSED: MarkLapsed,
    EventName.DECIDE_APPEAL: DecideAppeal,
    EventName.OPEN_PUBLIC_INQUIRY: OpenPublicInquiry,
    EventName.ACCEPT_PROVISIONALLY: AcceptProvisionally,
    EventName.ACCEPT_ARCHITECT_ATTESTATION: AcceptArchitectAttestation,
    EventName.REQUEST_SUBSTITUTION: RequestSubstitution,
}
"""Each event name and the model of its payload (for servers dispatching on the name)."""

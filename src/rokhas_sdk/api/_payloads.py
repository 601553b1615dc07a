"""Request and response bodies of the v1 contract.

They reuse the domain models (:class:`~rokhas_sdk.models.Dossier`, ``Piece``,
``Permit``, ``Money``...) wherever the wire carries one, and add only what the wire
needs: server-assigned ids, states, timestamps, versions. Fees and payments have their
own wire models here because the contract must not depend on how a platform computes
them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, HttpUrl, JsonValue, PlainSerializer, SecretStr

from ..models import (
    Activity,
    Architect,
    CommuneCode,
    Dossier,
    Engineer,
    LabelledEnum,
    MissingItem,
    Money,
    Parcel,
    Party,
    Permit,
    Piece,
    PieceType,
    ProcedureKind,
    Project,
    RokhasModel,
    Role,
    Surveyor,
)
from ._common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, Page, ResourceId
from ._events import EventName

__all__ = [
    "Commune",
    "CommuneIndicatorQuery",
    "CommuneIndicators",
    "CommuneListQuery",
    "CommunePage",
    "DossierEventPage",
    "DossierEventRecord",
    "DossierListQuery",
    "DossierPage",
    "DossierResource",
    "DossierState",
    "DossierUpdate",
    "FeeLine",
    "FeeOrder",
    "FeeOrderCreate",
    "FeeOrderPage",
    "FeeOrderStatus",
    "FeeQuote",
    "Health",
    "IndicatorListQuery",
    "IndicatorPage",
    "ListQuery",
    "Payment",
    "PaymentCreate",
    "PaymentMethod",
    "PaymentStatus",
    "PermitListQuery",
    "PermitPage",
    "PermitResource",
    "PermitVerification",
    "PieceListQuery",
    "PiecePage",
    "PieceResource",
    "PieceUploadQuery",
    "Principal",
    "WebhookEndpoint",
    "WebhookEndpointCreate",
    "WebhookEndpointPage",
    "WebhookEvent",
    "WebhookEventListQuery",
    "WebhookEventPage",
    "WebhookEventType",
    "WithdrawRequest",
    "fee_code_key",
]

Text = Annotated[str, Field(min_length=1, max_length=4000)]

WireSecret = Annotated[
    SecretStr, PlainSerializer(lambda s: s.get_secret_value(), return_type=str, when_used="json")
]
"""A secret that travels in JSON (once, to its owner) but never shows in a repr or a log."""


class DossierState(LabelledEnum):
    """Where a dossier stands: the procedure room's states (its graphs, with the
    economic, occupancy and subdivision variants), plus WITHDRAWN (the applicant's own
    withdrawal), COMPLETENESS_CHECK and INSPECTION (platforms that show those steps)."""

    DRAFT = ("DRAFT", "Brouillon", "مسودة")
    PLANS_SIGNED = ("PLANS_SIGNED", "Plans signés", "تصاميم موقعة")
    SUBMITTED = ("SUBMITTED", "Déposé", "مودع")
    RECEIPT_ISSUED = ("RECEIPT_ISSUED", "Récépissé délivré", "تم تسليم الوصل")
    COMPLETENESS_CHECK = ("COMPLETENESS_CHECK", "Contrôle de complétude", "مراقبة اكتمال الملف")
    COMPLEMENT_REQUESTED = ("COMPLEMENT_REQUESTED", "Complément demandé", "طلب استكمال")
    DISPATCHED = ("DISPATCHED", "Transmis à la commission", "محال على اللجنة")
    IN_COMMISSION = ("IN_COMMISSION", "En commission", "قيد الدراسة من طرف اللجنة")
    COMMISSION_CONCLUDED = ("COMMISSION_CONCLUDED", "Avis de la commission rendu", "صدر رأي اللجنة")
    PENDING_SIGNATURE = ("PENDING_SIGNATURE", "En attente de signature", "في انتظار التوقيع")
    PUBLIC_INQUIRY = ("PUBLIC_INQUIRY", "Enquête commodo-incommodo", "بحث المنافع والمضار")
    SUBSTITUTION_REQUESTED = ("SUBSTITUTION_REQUESTED", "Substitution demandée", "تم طلب الحلول")
    INSPECTION = ("INSPECTION", "Visite de la commission", "معاينة اللجنة")
    ISSUED = ("ISSUED", "Autorisation délivrée", "الرخصة مسلمة")
    REFUSED = ("REFUSED", "Refusé", "مرفوض")
    TACITLY_APPROVED = ("TACITLY_APPROVED", "Autorisation tacite", "إذن ضمني")
    APPEALED = ("APPEALED", "Recours déposé", "تم تقديم طعن")
    WORKS_OPENED = ("WORKS_OPENED", "Chantier ouvert", "الورش مفتوح")
    WORKS_COMPLETED = ("WORKS_COMPLETED", "Travaux achevés", "الأشغال منتهية")
    LAPSED = ("LAPSED", "Autorisation caduque", "رخصة ساقطة")
    PROVISIONALLY_ACCEPTED = (
        "PROVISIONALLY_ACCEPTED",
        "Réception provisoire prononcée",
        "تم التسلم المؤقت",
    )
    WITHDRAWN = ("WITHDRAWN", "Retiré par le demandeur", "مسحوب من طرف صاحب الطلب")


class ListQuery(RokhasModel):
    """Query parameters every list operation takes."""

    cursor: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT


# --- dossiers -----------------------------------------------------------------------


class DossierResource(RokhasModel):
    """A dossier as the platform holds it.

    ``version`` grows by one at every change (useful to spot stale copies);
    ``allowed_events`` and ``due_at`` are the server's reading of the procedure for the
    caller's role, as a convenience: the authority is the server's answer to the event.
    """

    id: ResourceId
    state: DossierState
    version: Annotated[int, Field(ge=1)]
    dossier: Dossier
    missing: list[MissingItem] = Field(
        default_factory=list, description="What submission still needs (drafts)"
    )
    allowed_events: list[EventName] = Field(default_factory=list)
    due_at: AwareDatetime | None = Field(
        default=None, description="Legal deadline of the current step, if any"
    )
    permit_number: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    submitted_at: AwareDatetime | None = None


class DossierUpdate(RokhasModel):
    """A partial change to a draft: fields left out stay, fields sent as ``null`` clear.

    ``kind`` and ``commune`` cannot change (file a new dossier); pieces are uploaded
    with ``uploadPiece``. The result must still be a valid :class:`~rokhas_sdk.models.Dossier`.
    """

    reference: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    applicant: Party | None = None
    owner: Party | None = None
    architect: Architect | None = None
    surveyor: Surveyor | None = None
    engineer: Engineer | None = None
    parcel: Parcel | None = None
    project: Project | None = None
    activity: Activity | None = None


class DossierListQuery(ListQuery):
    """Filters of ``listDossiers`` (all optional, combined with AND)."""

    commune: CommuneCode | None = None
    kind: ProcedureKind | None = None
    state: DossierState | None = None
    updated_since: AwareDatetime | None = None


class DossierPage(Page[DossierResource]):
    """A page of dossiers, most recently created first."""


class WithdrawRequest(RokhasModel):
    """Why the applicant withdraws the dossier."""

    reason: Text | None = None


class DossierEventRecord(RokhasModel):
    """One line of a dossier's journal: an event accepted by the platform."""

    id: ResourceId
    dossier_id: ResourceId
    sequence: Annotated[int, Field(ge=1)]
    event: (
        EventName
        | Literal["create", "update", "submit", "withdraw", "upload_piece", "delete_piece"]
    )
    actor_role: Role
    actor_name: str | None = None
    state_before: DossierState
    state_after: DossierState
    data: dict[str, JsonValue] = Field(default_factory=dict)
    recorded_at: AwareDatetime


class DossierEventPage(Page[DossierEventRecord]):
    """A page of journal lines, oldest first."""


# --- pieces ---------------------------------------------------------------------------


class PieceResource(RokhasModel):
    """An uploaded piece: its metadata (including the SHA-256) and where it belongs."""

    id: ResourceId
    dossier_id: ResourceId
    piece: Piece
    uploaded_at: AwareDatetime


class PieceUploadQuery(RokhasModel):
    """Query parameters of ``uploadPiece``; the body is the raw file."""

    type: PieceType
    file_name: Annotated[str, Field(min_length=1, max_length=255)]


class PieceListQuery(ListQuery):
    """Filters of ``listPieces``."""

    type: PieceType | None = None


class PiecePage(Page[PieceResource]):
    """A page of pieces, in upload order."""


# --- fees and payments ----------------------------------------------------------------


def fee_code_key(code: str) -> str:
    """What two spellings of one fee code share: ``TOC.INDIVIDUEL`` ~ ``TOC_INDIVIDUEL``.

    Fee codes are the library's (``rokhas_sdk.payments``: ``TOC.INDIVIDUEL``); before
    issue 15 the API wrote them with underscores. Servers compare codes a client sends
    (``FeeOrderCreate.codes``) by this key, so both spellings select the same line.
    """
    return code.strip().upper().replace(".", "_").replace("-", "_")


class FeeLine(RokhasModel):
    """One amount owed, with the text that sets it."""

    code: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Z0-9_.]+$",
            description="The fee code of rokhas_sdk.payments (e.g. TOC.INDIVIDUEL)",
            examples=["TOC.INDIVIDUEL"],
        ),
    ]
    label_fr: Text
    label_ar: Text
    amount: Money
    payee: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="Who collects it (commune, agence urbaine...)"
    )
    legal_basis: Text | None = None
    base: str | None = Field(
        default=None, description="What the amount was computed on, e.g. '240 m² x 20 MAD'"
    )


class FeeQuote(RokhasModel):
    """What a dossier owes, computed now; amounts are MAD strings with two decimals."""

    dossier_id: ResourceId
    lines: list[FeeLine]
    total: Money
    currency: Literal["MAD"] = "MAD"
    computed_at: AwareDatetime
    schedule_version: str | None = Field(default=None, description="Version of the fee rules used")
    complete: bool = Field(
        default=True, description="False when some fee could not be computed (see notes)"
    )
    illustrative: bool = Field(default=False, description="Some line uses an illustrative rate")
    notes: list[Text] = Field(default_factory=list)


class FeeOrderStatus(LabelledEnum):
    """Where a fee order stands."""

    OPEN = ("open", "À payer", "في انتظار الأداء")
    PAID = ("paid", "Payé", "مؤدى")
    CANCELLED = ("cancelled", "Annulé", "ملغى")
    EXPIRED = ("expired", "Expiré", "منتهي الصلاحية")


class FeeOrderCreate(RokhasModel):
    """Turn the current quote into an order to pay; ``codes`` picks lines (all by default)."""

    codes: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None,
        description=(
            "Fee codes of the quote's lines (TOC.INDIVIDUEL); the underscore spelling of "
            "earlier versions (TOC_INDIVIDUEL) is accepted"
        ),
    )


class FeeOrder(RokhasModel):
    """An order to pay (ordre de recette): frozen lines and total."""

    id: ResourceId
    dossier_id: ResourceId
    lines: list[FeeLine]
    total: Money
    currency: Literal["MAD"] = "MAD"
    status: FeeOrderStatus
    created_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    paid_at: AwareDatetime | None = None


class FeeOrderPage(Page[FeeOrder]):
    """A page of fee orders, newest first."""


class PaymentMethod(LabelledEnum):
    """How an order is paid."""

    CARD = ("card", "Carte bancaire (CMI)", "البطاقة البنكية")
    BANK_TRANSFER = ("bank_transfer", "Virement bancaire", "تحويل بنكي")
    COUNTER = ("counter", "Guichet du régisseur", "شباك شسيع المداخيل")


class PaymentStatus(LabelledEnum):
    """Where a payment attempt stands."""

    PENDING = ("pending", "En cours", "قيد المعالجة")
    SUCCEEDED = ("succeeded", "Réussi", "ناجح")
    FAILED = ("failed", "Échoué", "فاشل")
    CANCELLED = ("cancelled", "Annulé", "ملغى")


class PaymentCreate(RokhasModel):
    """Start paying an order."""

    order_id: ResourceId
    method: PaymentMethod = PaymentMethod.CARD
    return_url: HttpUrl | None = Field(
        default=None, description="Where the payment page sends the payer back"
    )


class Payment(RokhasModel):
    """One payment attempt; for cards, ``redirect_url`` is the hosted payment page."""

    id: ResourceId
    order_id: ResourceId
    amount: Money
    currency: Literal["MAD"] = "MAD"
    method: PaymentMethod
    status: PaymentStatus
    redirect_url: str | None = None
    gateway_reference: str | None = None
    failure_reason: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


# --- permits --------------------------------------------------------------------------


class PermitResource(RokhasModel):
    """A delivered decision: its data and the fingerprint of its signed PDF."""

    dossier_id: ResourceId
    permit: Permit
    pdf_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    issued_at: AwareDatetime


class PermitListQuery(ListQuery):
    """Filters of ``listPermits``."""

    commune: CommuneCode | None = None
    number: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    issued_from: date | None = None
    issued_to: date | None = None


class PermitPage(Page[PermitResource]):
    """A page of permits, most recent first."""


class PermitVerification(RokhasModel):
    """The platform's verdict on a signed permit PDF."""

    valid: bool
    permit: Permit | None = None
    dossier_id: ResourceId | None = None
    signer: str | None = None
    signed_at: AwareDatetime | None = None
    matches_platform_record: bool | None = Field(
        default=None, description="The embedded data equals what the platform delivered"
    )
    problems: list[Text] = Field(default_factory=list)


# --- communes and indicators ------------------------------------------------------------


class Commune(RokhasModel):
    """A commune as the platform serves it."""

    code: CommuneCode
    name_fr: Text
    name_ar: Text
    province_code: Annotated[str, Field(min_length=1, max_length=16)]
    kind: Literal["urban", "rural"]
    population: Annotated[int, Field(ge=0)] | None = None


class CommuneListQuery(ListQuery):
    """Filters of ``listCommunes``."""

    province: Annotated[str, Field(min_length=1, max_length=16)] | None = None


class CommunePage(Page[Commune]):
    """A page of communes, by code."""


class CommuneIndicators(RokhasModel):
    """Processing indicators of one commune over one period (e.g. ``2026-Q3``)."""

    commune: CommuneCode
    period: Annotated[str, Field(pattern=r"^\d{4}-(Q[1-4]|\d{2})$")]
    kind: ProcedureKind | None = None
    dossiers_decided: Annotated[int, Field(ge=0)]
    permits_issued: Annotated[int, Field(ge=0)]
    refusals: Annotated[int, Field(ge=0)]
    tacit_approvals: Annotated[int, Field(ge=0)]
    median_days: Annotated[float, Field(ge=0)] | None = None
    mean_days: Annotated[float, Field(ge=0)] | None = None
    within_deadline_ratio: Annotated[float, Field(ge=0, le=1)] | None = None


class CommuneIndicatorQuery(RokhasModel):
    """Query parameters of ``getCommuneIndicators``."""

    period: Annotated[str, Field(pattern=r"^\d{4}-(Q[1-4]|\d{2})$")]
    kind: ProcedureKind | None = None


class IndicatorListQuery(ListQuery):
    """Filters of ``listIndicators``: one period, optionally one province or kind."""

    period: Annotated[str, Field(pattern=r"^\d{4}-(Q[1-4]|\d{2})$")]
    province: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    kind: ProcedureKind | None = None


class IndicatorPage(Page[CommuneIndicators]):
    """A page of commune indicators, fastest median first."""


# --- webhooks -----------------------------------------------------------------------------


class WebhookEventType(LabelledEnum):
    """What a webhook delivery (and an entry of ``listEvents``) reports."""

    DOSSIER_CREATED = ("dossier.created", "Dossier créé", "تم إنشاء الملف")
    DOSSIER_UPDATED = ("dossier.updated", "Brouillon modifié", "تم تعديل المسودة")
    DOSSIER_SUBMITTED = ("dossier.submitted", "Dossier déposé", "تم إيداع الملف")
    DOSSIER_WITHDRAWN = ("dossier.withdrawn", "Dossier retiré", "تم سحب الملف")
    DOSSIER_STATE_CHANGED = (
        "dossier.state_changed",
        "Changement d'état du dossier",
        "تغيرت حالة الملف",
    )
    DOSSIER_EVENT_RECORDED = (
        "dossier.event_recorded",
        "Étape de procédure enregistrée",
        "تم تسجيل مرحلة من المسطرة",
    )
    PIECE_UPLOADED = ("piece.uploaded", "Pièce déposée", "تم إيداع وثيقة")
    FEE_ORDER_CREATED = ("fee_order.created", "Ordre de paiement émis", "تم إصدار أمر الأداء")
    PAYMENT_SUCCEEDED = ("payment.succeeded", "Paiement réussi", "تم الأداء بنجاح")
    PAYMENT_FAILED = ("payment.failed", "Paiement échoué", "فشل الأداء")
    PERMIT_ISSUED = ("permit.issued", "Autorisation délivrée", "تم تسليم الرخصة")
    PERMIT_REFUSED = ("permit.refused", "Demande refusée", "تم رفض الطلب")
    WEBHOOK_TEST = ("webhook.test", "Événement de test", "حدث تجريبي")


class WebhookEvent(RokhasModel):
    """What a webhook delivers (POST, JSON, signed) and what ``listEvents`` lists.

    ``id`` is unique per event: a receiver that may get the same delivery twice (the
    platform retries until a 2xx) de-duplicates on it. ``data`` is a snapshot of the
    object named by ``object_type`` and ``object_id`` (a ``DossierResource``,
    ``Payment``, ``FeeOrder``, ``PieceResource`` or ``PermitResource``) at event time.
    """

    id: ResourceId
    type: WebhookEventType
    api_version: Literal["v1"] = "v1"
    created_at: AwareDatetime
    object_type: Literal["dossier", "piece", "fee_order", "payment", "permit", "webhook_endpoint"]
    object_id: ResourceId
    dossier_id: ResourceId | None = None
    data: dict[str, JsonValue] = Field(default_factory=dict)


class WebhookEventListQuery(ListQuery):
    """Filters of ``listEvents``: a typed "changes since" feed for those who poll."""

    type: WebhookEventType | None = None
    dossier_id: ResourceId | None = None
    created_after: AwareDatetime | None = None


class WebhookEventPage(Page[WebhookEvent]):
    """A page of events, oldest first (so a saved cursor resumes the feed)."""


class WebhookEndpointCreate(RokhasModel):
    """Register a URL that will receive signed events."""

    url: HttpUrl
    event_types: list[WebhookEventType] = Field(min_length=1)
    description: Annotated[str, Field(max_length=500)] | None = None


class WebhookEndpoint(RokhasModel):
    """A registered receiver. ``secret`` is returned only by create and rotate.

    After a rotation the platform signs each delivery with the new secret *and* with the
    previous one until ``previous_secret_expires_at``, so receivers can switch without
    losing events (``verify_webhook`` accepts any listed secret).
    """

    id: ResourceId
    url: str
    event_types: list[WebhookEventType]
    description: str | None = None
    secret: WireSecret | None = None
    previous_secret_expires_at: AwareDatetime | None = None
    created_at: AwareDatetime


class WebhookEndpointPage(Page[WebhookEndpoint]):
    """A page of webhook endpoints."""


# --- identity and health --------------------------------------------------------------------


class Principal(RokhasModel):
    """Who the bearer token stands for: the role decides which operations and events pass."""

    subject: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    name: str | None = None
    commune: CommuneCode | None = None
    scopes: list[str] = Field(default_factory=list)


class Health(RokhasModel):
    """Liveness and the versions a server speaks."""

    status: Literal["ok", "degraded"]
    api_version: Literal["v1"] = "v1"
    contract_version: str
    server_time: AwareDatetime

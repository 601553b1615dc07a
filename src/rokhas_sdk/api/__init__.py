"""The HTTP contract of a permit platform, version 1: operations, payloads, errors, webhooks.

Rokhas.ma publishes no developer API; this is rokhas-sdk's own contract, served by
:mod:`rokhas_sdk.sandbox` and spoken by :mod:`rokhas_sdk.client`. Everything is data:

- :data:`OPERATIONS`: every endpoint (method, path, query, body, response, status).
- payload models (``DossierResource``, ``FeeQuote``, ``Payment``...) built on the domain
  models of :mod:`rokhas_sdk.models`;
- :class:`ErrorEnvelope` and :class:`ErrorCode`: one error shape, French and Arabic;
- :class:`Page`: cursor pagination;
- ``Idempotency-Key`` semantics (:func:`request_fingerprint`);
- webhook events and their signature (:func:`verify_webhook`, :func:`sign_webhook`);
- :func:`openapi_document`: the OpenAPI 3.1 document (``rokhas api openapi``).

Importing this package loads pydantic and the models, nothing else (no HTTP library).
"""

from __future__ import annotations

from .._lazy import set_public_module
from ._common import API_PREFIX as API_PREFIX
from ._common import API_VERSION as API_VERSION
from ._common import CONTENT_SHA256_HEADER as CONTENT_SHA256_HEADER
from ._common import CONTRACT_VERSION as CONTRACT_VERSION
from ._common import DEFAULT_PAGE_LIMIT as DEFAULT_PAGE_LIMIT
from ._common import ERROR_STATUS as ERROR_STATUS
from ._common import IDEMPOTENCY_HEADER as IDEMPOTENCY_HEADER
from ._common import IDEMPOTENCY_KEY_PATTERN as IDEMPOTENCY_KEY_PATTERN
from ._common import IDEMPOTENCY_REPLAYED_HEADER as IDEMPOTENCY_REPLAYED_HEADER
from ._common import IDEMPOTENCY_RETENTION_SECONDS as IDEMPOTENCY_RETENTION_SECONDS
from ._common import MAX_PAGE_LIMIT as MAX_PAGE_LIMIT
from ._common import REQUEST_ID_HEADER as REQUEST_ID_HEADER
from ._common import RETRY_COUNT_HEADER as RETRY_COUNT_HEADER
from ._common import ErrorCode as ErrorCode
from ._common import ErrorEnvelope as ErrorEnvelope
from ._common import Page as Page
from ._common import ResourceId as ResourceId
from ._errors import WebhookSignatureError as WebhookSignatureError
from ._events import EVENT_MODELS as EVENT_MODELS
from ._events import AcceptArchitectAttestation as AcceptArchitectAttestation
from ._events import AcceptProvisionally as AcceptProvisionally
from ._events import AppealDecision as AppealDecision
from ._events import AppealOutcome as AppealOutcome
from ._events import ConcludeCommission as ConcludeCommission
from ._events import DecideAppeal as DecideAppeal
from ._events import Decision as Decision
from ._events import DeclareTacitApproval as DeclareTacitApproval
from ._events import DeclareWorksCompletion as DeclareWorksCompletion
from ._events import DeclareWorksOpening as DeclareWorksOpening
from ._events import DispatchToCommission as DispatchToCommission
from ._events import EventName as EventName
from ._events import IssueDecision as IssueDecision
from ._events import IssueReceipt as IssueReceipt
from ._events import MarkLapsed as MarkLapsed
from ._events import OpenPublicInquiry as OpenPublicInquiry
from ._events import PermitOverrides as PermitOverrides
from ._events import ProcedureEvent as ProcedureEvent
from ._events import ProvideComplement as ProvideComplement
from ._events import RecordOpinion as RecordOpinion
from ._events import RequestComplement as RequestComplement
from ._events import RequestSubstitution as RequestSubstitution
from ._events import ScheduleCommission as ScheduleCommission
from ._events import SendForSignature as SendForSignature
from ._events import SignPlans as SignPlans
from ._idempotency import request_fingerprint as request_fingerprint
from ._openapi import openapi_document as openapi_document
from ._openapi import openapi_json as openapi_json
from ._operations import OPERATIONS as OPERATIONS
from ._operations import PATH_PARAMETERS as PATH_PARAMETERS
from ._operations import PIECE_MEDIA_TYPES as PIECE_MEDIA_TYPES
from ._operations import Operation as Operation
from ._operations import get_operation as get_operation
from ._operations import match_operation as match_operation
from ._payloads import Commune as Commune
from ._payloads import CommuneIndicatorQuery as CommuneIndicatorQuery
from ._payloads import CommuneIndicators as CommuneIndicators
from ._payloads import CommuneListQuery as CommuneListQuery
from ._payloads import CommunePage as CommunePage
from ._payloads import DossierEventPage as DossierEventPage
from ._payloads import DossierEventRecord as DossierEventRecord
from ._payloads import DossierListQuery as DossierListQuery
from ._payloads import DossierPage as DossierPage
from ._payloads import DossierResource as DossierResource
from ._payloads import DossierState as DossierState
from ._payloads import DossierUpdate as DossierUpdate
from ._payloads import FeeLine as FeeLine
from ._payloads import FeeOrder as FeeOrder
from ._payloads import FeeOrderCreate as FeeOrderCreate
from ._payloads import FeeOrderPage as FeeOrderPage
from ._payloads import FeeOrderStatus as FeeOrderStatus
from ._payloads import FeeQuote as FeeQuote
from ._payloads import Health as Health
from ._payloads import IndicatorListQuery as IndicatorListQuery
from ._payloads import IndicatorPage as IndicatorPage
from ._payloads import ListQuery as ListQuery
from ._payloads import Payment as Payment
from ._payloads import PaymentCreate as PaymentCreate
from ._payloads import PaymentMethod as PaymentMethod
from ._payloads import PaymentStatus as PaymentStatus
from ._payloads import PermitListQuery as PermitListQuery
from ._payloads import PermitPage as PermitPage
from ._payloads import PermitResource as PermitResource
from ._payloads import PermitVerification as PermitVerification
from ._payloads import PieceListQuery as PieceListQuery
from ._payloads import PiecePage as PiecePage
from ._payloads import PieceResource as PieceResource
from ._payloads import PieceUploadQuery as PieceUploadQuery
from ._payloads import Principal as Principal
from ._payloads import WebhookEndpoint as WebhookEndpoint
from ._payloads import WebhookEndpointCreate as WebhookEndpointCreate
from ._payloads import WebhookEndpointPage as WebhookEndpointPage
from ._payloads import WebhookEvent as WebhookEvent
from ._payloads import WebhookEventListQuery as WebhookEventListQuery
from ._payloads import WebhookEventPage as WebhookEventPage
from ._payloads import WebhookEventType as WebhookEventType
from ._payloads import WithdrawRequest as WithdrawRequest
from ._payloads import fee_code_key as fee_code_key
from ._webhooks import DEFAULT_TOLERANCE_SECONDS as DEFAULT_TOLERANCE_SECONDS
from ._webhooks import SIGNATURE_SCHEME as SIGNATURE_SCHEME
from ._webhooks import WEBHOOK_EVENT_ID_HEADER as WEBHOOK_EVENT_ID_HEADER
from ._webhooks import WEBHOOK_SIGNATURE_HEADER as WEBHOOK_SIGNATURE_HEADER
from ._webhooks import compute_webhook_signature as compute_webhook_signature
from ._webhooks import sign_webhook as sign_webhook
from ._webhooks import verify_webhook as verify_webhook
from ._webhooks import webhook_signature_header as webhook_signature_header

__all__ = [
    "API_PREFIX",
    "API_VERSION",
    "CONTENT_SHA256_HEADER",
    "CONTRACT_VERSION",
    "DEFAULT_PAGE_LIMIT",
    "DEFAULT_TOLERANCE_SECONDS",
    "ERROR_STATUS",
    "EVENT_MODELS",
    "IDEMPOTENCY_HEADER",
    "IDEMPOTENCY_KEY_PATTERN",
    "IDEMPOTENCY_REPLAYED_HEADER",
    "IDEMPOTENCY_RETENTION_SECONDS",
    "MAX_PAGE_LIMIT",
    "OPERATIONS",
    "PATH_PARAMETERS",
    "PIECE_MEDIA_TYPES",
    "REQUEST_ID_HEADER",
    "RETRY_COUNT_HEADER",
    "SIGNATURE_SCHEME",
    "WEBHOOK_EVENT_ID_HEADER",
    "WEBHOOK_SIGNATURE_HEADER",
    "AcceptArchitectAttestation",
    "AcceptProvisionally",
    "AppealDecision",
    "AppealOutcome",
    "Commune",
    "CommuneIndicatorQuery",
    "CommuneIndicators",
    "CommuneListQuery",
    "CommunePage",
    "ConcludeCommission",
    "DecideAppeal",
    "Decision",
    "DeclareTacitApproval",
    "DeclareWorksCompletion",
    "DeclareWorksOpening",
    "DispatchToCommission",
    "DossierEventPage",
    "DossierEventRecord",
    "DossierListQuery",
    "DossierPage",
    "DossierResource",
    "DossierState",
    "DossierUpdate",
    "ErrorCode",
    "ErrorEnvelope",
    "EventName",
    "FeeLine",
    "FeeOrder",
    "FeeOrderCreate",
    "FeeOrderPage",
    "FeeOrderStatus",
    "FeeQuote",
    "Health",
    "IndicatorListQuery",
    "IndicatorPage",
    "IssueDecision",
    "IssueReceipt",
    "ListQuery",
    "MarkLapsed",
    "OpenPublicInquiry",
    "Operation",
    "Page",
    "Payment",
    "PaymentCreate",
    "PaymentMethod",
    "PaymentStatus",
    "PermitListQuery",
    "PermitOverrides",
    "PermitPage",
    "PermitResource",
    "PermitVerification",
    "PieceListQuery",
    "PiecePage",
    "PieceResource",
    "PieceUploadQuery",
    "Principal",
    "ProcedureEvent",
    "ProvideComplement",
    "RecordOpinion",
    "RequestComplement",
    "RequestSubstitution",
    "ResourceId",
    "ScheduleCommission",
    "SendForSignature",
    "SignPlans",
    "WebhookEndpoint",
    "WebhookEndpointCreate",
    "WebhookEndpointPage",
    "WebhookEvent",
    "WebhookEventListQuery",
    "WebhookEventPage",
    "WebhookEventType",
    "WebhookSignatureError",
    "WithdrawRequest",
    "compute_webhook_signature",
    "fee_code_key",
    "get_operation",
    "match_operation",
    "openapi_document",
    "openapi_json",
    "request_fingerprint",
    "sign_webhook",
    "verify_webhook",
    "webhook_signature_header",
]

set_public_module(__name__, globals(), __all__)

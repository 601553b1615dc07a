"""rokhas_sdk.signing (see design.md §2): sign permits (PAdES) and verify them."""

# --- verification (branch `verify`) ---
from ._report import Coverage as Coverage
from ._report import DocumentConclusion as DocumentConclusion
from ._report import Finding as Finding
from ._report import Indication as Indication
from ._report import Integrity as Integrity
from ._report import Modification as Modification
from ._report import PadesLevel as PadesLevel
from ._report import PermitCheck as PermitCheck
from ._report import RevocationReport as RevocationReport
from ._report import RevocationSource as RevocationSource
from ._report import RevocationStatus as RevocationStatus
from ._report import SignatureKind as SignatureKind
from ._report import SignatureReport as SignatureReport
from ._report import SignerReport as SignerReport
from ._report import SubIndication as SubIndication
from ._report import TimestampReport as TimestampReport
from ._report import VerificationReport as VerificationReport
from ._trust import TrustStore as TrustStore
from ._verify import RevocationMode as RevocationMode
from ._verify import VerifyLimits as VerifyLimits
from ._verify import verify_many as verify_many
from ._verify import verify_pdf as verify_pdf

__all__ = [
    "Coverage",
    "DocumentConclusion",
    "Finding",
    "Indication",
    "Integrity",
    "Modification",
    "PadesLevel",
    "PermitCheck",
    "RevocationMode",
    "RevocationReport",
    "RevocationSource",
    "RevocationStatus",
    "SignatureKind",
    "SignatureReport",
    "SignerReport",
    "SubIndication",
    "TimestampReport",
    "TrustStore",
    "VerificationReport",
    "VerifyLimits",
    "verify_many",
    "verify_pdf",
]

"""rokhas_sdk.signing (see design.md §2): sign permits (PAdES) and verify them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

# --- verification (branch `verify`): light at import (pydantic report models); pyHanko
# loads inside verify_pdf.
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

# --- signing (branch `signing`): loaded on first use, so that importing the package
# stays cheap (pyHanko, cryptography and python-pkcs11 load with the first call).
if TYPE_CHECKING:
    from ._async import async_verify_pdf as async_verify_pdf
    from ._errors import AlreadySignedError as AlreadySignedError
    from ._errors import BrokenPdfError as BrokenPdfError
    from ._errors import CertificateExpiredError as CertificateExpiredError
    from ._errors import CertificateNotYetValidError as CertificateNotYetValidError
    from ._errors import CertificateRevokedError as CertificateRevokedError
    from ._errors import EncryptedPdfError as EncryptedPdfError
    from ._errors import KeyNotFoundError as KeyNotFoundError
    from ._errors import KeyUsageError as KeyUsageError
    from ._errors import PinLockedError as PinLockedError
    from ._errors import PinPolicyError as PinPolicyError
    from ._errors import RevocationCheckError as RevocationCheckError
    from ._errors import SignerCertificateError as SignerCertificateError
    from ._errors import SigningError as SigningError
    from ._errors import TimestampError as TimestampError
    from ._errors import TokenError as TokenError
    from ._errors import TokenNotFoundError as TokenNotFoundError
    from ._errors import WrongPassphraseError as WrongPassphraseError
    from ._errors import WrongPinError as WrongPinError
    from ._sign import DocMDP as DocMDP
    from ._sign import Level as Level
    from ._sign import SignatureSlot as SignatureSlot
    from ._sign import SigningSession as SigningSession
    from ._sign import StampOptions as StampOptions
    from ._sign import sign_pdf as sign_pdf
    from ._signers import Pkcs11Signer as Pkcs11Signer
    from ._signers import Pkcs12Signer as Pkcs12Signer
    from ._signers import Signer as Signer
    from ._stamp import MissingGlyphError as MissingGlyphError
    from ._token import TokenCertificate as TokenCertificate
    from ._token import TokenInfo as TokenInfo
    from ._token import change_token_pin as change_token_pin
    from ._token import token_info as token_info


__getattr__, __dir__, __all__ = lazy_exports(__name__, globals())

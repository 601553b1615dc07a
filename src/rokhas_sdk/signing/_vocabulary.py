"""The words of a verification report: indications and sub-indications (ETSI EN 319 102-1),
the per-signature verdict axes, and the timestamp record.

They live apart from the report classes so that the ETSI writer (``_etsi``) can use them
without importing the report module that calls it (no import circle, design.md §2).
"""

from __future__ import annotations

import datetime as dt

from ..models import LabelledEnum, ValueObject

__all__ = [
    "Coverage",
    "Indication",
    "Integrity",
    "Modification",
    "PadesLevel",
    "RevocationSource",
    "RevocationStatus",
    "SignatureKind",
    "SubIndication",
    "TimestampReport",
]


class Indication(LabelledEnum):
    """ETSI EN 319 102-1 main status indication of a signature (or of the document)."""

    TOTAL_PASSED = ("TOTAL_PASSED", "Validation réussie", "تحقق ناجح")
    TOTAL_FAILED = ("TOTAL_FAILED", "Validation échouée", "تحقق فاشل")
    INDETERMINATE = ("INDETERMINATE", "Résultat indéterminé", "نتيجة غير محددة")


class SubIndication(LabelledEnum):
    """ETSI EN 319 102-1 sub-indications (clause 5.1.3), used with FAILED/INDETERMINATE."""

    FORMAT_FAILURE = ("FORMAT_FAILURE", "Format non conforme", "تنسيق غير مطابق")
    HASH_FAILURE = ("HASH_FAILURE", "Empreinte du document altérée", "بصمة الوثيقة غير مطابقة")
    SIG_CRYPTO_FAILURE = (
        "SIG_CRYPTO_FAILURE",
        "Signature cryptographique invalide",
        "توقيع تشفيري غير صالح",
    )
    REVOKED = ("REVOKED", "Certificat révoqué", "شهادة ملغاة")
    SIG_CONSTRAINTS_FAILURE = (
        "SIG_CONSTRAINTS_FAILURE",
        "Contraintes de signature non respectées",
        "قيود التوقيع غير محترمة",
    )
    CHAIN_CONSTRAINTS_FAILURE = (
        "CHAIN_CONSTRAINTS_FAILURE",
        "Contraintes de la chaîne non respectées",
        "قيود سلسلة الشهادات غير محترمة",
    )
    CERTIFICATE_CHAIN_GENERAL_FAILURE = (
        "CERTIFICATE_CHAIN_GENERAL_FAILURE",
        "Échec général de la chaîne de certificats",
        "فشل عام في سلسلة الشهادات",
    )
    CRYPTO_CONSTRAINTS_FAILURE = (
        "CRYPTO_CONSTRAINTS_FAILURE",
        "Algorithme cryptographique non admis",
        "خوارزمية تشفير غير مقبولة",
    )
    EXPIRED = ("EXPIRED", "Certificat expiré", "شهادة منتهية الصلاحية")
    NOT_YET_VALID = ("NOT_YET_VALID", "Certificat pas encore valide", "شهادة غير سارية بعد")
    POLICY_PROCESSING_ERROR = (
        "POLICY_PROCESSING_ERROR",
        "Erreur de traitement de la politique",
        "خطأ في معالجة السياسة",
    )
    SIGNATURE_POLICY_NOT_AVAILABLE = (
        "SIGNATURE_POLICY_NOT_AVAILABLE",
        "Politique de signature indisponible",
        "سياسة التوقيع غير متوفرة",
    )
    TIMESTAMP_ORDER_FAILURE = (
        "TIMESTAMP_ORDER_FAILURE",
        "Ordre des horodatages incohérent",
        "ترتيب الطوابع الزمنية غير متسق",
    )
    NO_SIGNING_CERTIFICATE_FOUND = (
        "NO_SIGNING_CERTIFICATE_FOUND",
        "Certificat du signataire introuvable",
        "شهادة الموقع غير موجودة",
    )
    NO_CERTIFICATE_CHAIN_FOUND = (
        "NO_CERTIFICATE_CHAIN_FOUND",
        "Aucune chaîne vers une autorité de confiance",
        "لا توجد سلسلة نحو جهة موثوقة",
    )
    REVOKED_NO_POE = ("REVOKED_NO_POE", "Révoqué, sans preuve d'existence", "ملغاة دون إثبات وجود")
    REVOKED_CA_NO_POE = (
        "REVOKED_CA_NO_POE",
        "Autorité révoquée, sans preuve d'existence",
        "سلطة ملغاة دون إثبات وجود",
    )
    OUT_OF_BOUNDS_NO_POE = (
        "OUT_OF_BOUNDS_NO_POE",
        "Hors période de validité, sans preuve d'existence",
        "خارج فترة الصلاحية دون إثبات وجود",
    )
    REVOCATION_OUT_OF_BOUNDS_NO_POE = (
        "REVOCATION_OUT_OF_BOUNDS_NO_POE",
        "Révocation hors limites, sans preuve d'existence",
        "إلغاء خارج الحدود دون إثبات وجود",
    )
    OUT_OF_BOUNDS_NOT_REVOKED = (
        "OUT_OF_BOUNDS_NOT_REVOKED",
        "Hors période de validité, non révoqué",
        "خارج فترة الصلاحية وغير ملغاة",
    )
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = (
        "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        "Algorithme non admis, sans preuve d'existence",
        "خوارزمية غير مقبولة دون إثبات وجود",
    )
    NO_POE = ("NO_POE", "Pas de preuve d'existence", "لا يوجد إثبات وجود")
    TRY_LATER = (
        "TRY_LATER",
        "Informations de révocation indisponibles",
        "معلومات الإلغاء غير متوفرة",
    )
    SIGNED_DATA_NOT_FOUND = (
        "SIGNED_DATA_NOT_FOUND",
        "Données signées introuvables",
        "البيانات الموقعة غير موجودة",
    )
    GENERIC = ("GENERIC", "Échec de validation non classé", "فشل تحقق غير مصنف")


class Integrity(LabelledEnum):
    """Whether the signed bytes still hash to the value the signer signed."""

    INTACT = ("intact", "Intègre", "سليمة")
    BROKEN = ("broken", "Altérée", "معطوبة")


class Coverage(LabelledEnum):
    """How much of the file the signature's /ByteRange covers."""

    ENTIRE_FILE = ("entire_file", "Tout le fichier", "الملف بأكمله")
    ENTIRE_REVISION = ("entire_revision", "Toute la révision signée", "المراجعة الموقعة بأكملها")
    PARTIAL = ("partial", "Partielle", "جزئية")


class Modification(LabelledEnum):
    """What happened to the document after this signature was applied."""

    NONE = ("none", "Aucune", "لا شيء")
    ALLOWED = ("allowed", "Modifications autorisées", "تعديلات مسموح بها")
    DISALLOWED = ("disallowed", "Modifications interdites", "تعديلات غير مسموح بها")


class PadesLevel(LabelledEnum):
    """The PAdES baseline level the signature reaches (ETSI EN 319 142-1)."""

    NONE = ("none", "Pas PAdES (CMS simple)", "ليس PAdES")
    B_B = ("B-B", "PAdES B-B", "PAdES B-B")
    B_T = ("B-T", "PAdES B-T (horodaté)", "PAdES B-T")
    B_LT = ("B-LT", "PAdES B-LT (long terme)", "PAdES B-LT")
    B_LTA = ("B-LTA", "PAdES B-LTA (archivage)", "PAdES B-LTA")


class SignatureKind(LabelledEnum):
    """A signer's signature or a document timestamp."""

    SIGNATURE = ("signature", "Signature", "توقيع")
    DOCUMENT_TIMESTAMP = ("document_timestamp", "Horodatage du document", "ختم زمني للوثيقة")


class RevocationStatus(LabelledEnum):
    """What the revocation check said about the signer's certificate."""

    GOOD = ("good", "Non révoqué", "غير ملغاة")
    REVOKED = ("revoked", "Révoqué", "ملغاة")
    UNKNOWN = ("unknown", "Inconnu", "غير معروف")
    NOT_CHECKED = ("not_checked", "Non vérifié", "لم يتم التحقق")


class RevocationSource(LabelledEnum):
    """Where the revocation information came from."""

    EMBEDDED = ("embedded", "Incorporée au document", "مضمنة في الوثيقة")
    FETCHED = ("fetched", "Obtenue en ligne", "محصلة عبر الشبكة")
    NONE = ("none", "Aucune", "لا شيء")


class TimestampReport(ValueObject):
    """A signature timestamp (RFC 3161) or the document timestamp itself."""

    time: dt.datetime
    tsa: str | None = None
    valid: bool

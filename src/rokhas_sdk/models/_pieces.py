"""The documents (pièces) a dossier carries, and what each procedure requires."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ._base import LabelledEnum, ValueObject
from ._enums import Role

__all__ = ["Piece", "PieceType", "SignatureOnPiece"]


class PieceType(LabelledEnum):
    """Kinds of pieces. The catalogue per procedure is data (``procedure_kind_info``)."""

    DEMANDE = ("DEMANDE", "Demande signée du pétitionnaire", "طلب موقع من صاحب الطلب")
    CERTIFICAT_PROPRIETE = (
        "CERTIFICAT_PROPRIETE",
        "Certificat de propriété ou titre d'occupation",
        "شهادة الملكية أو سند الاستغلال",
    )
    PLAN_CADASTRAL = (
        "PLAN_CADASTRAL",
        "Plan cadastral ANCFCC ou levé topographique",
        "التصميم العقاري أو الرفع الطبوغرافي",
    )
    PLAN_SITUATION = ("PLAN_SITUATION", "Plan de situation", "تصميم الموقع")
    PLAN_MASSE = ("PLAN_MASSE", "Plan de masse", "تصميم الكتلة")
    PLANS_ARCHITECTURAUX = (
        "PLANS_ARCHITECTURAUX",
        "Plans architecturaux (niveaux, façades, coupes)",
        "التصاميم المعمارية",
    )
    CONTRAT_ARCHITECTE = ("CONTRAT_ARCHITECTE", "Contrat d'architecte", "عقد المهندس المعماري")
    NOTE_RENSEIGNEMENTS = (
        "NOTE_RENSEIGNEMENTS",
        "Note de renseignements urbanistiques",
        "مذكرة المعلومات التعميرية",
    )
    FICHE_STATISTIQUE = ("FICHE_STATISTIQUE", "Fiche statistique", "البطاقة الإحصائية")
    PLAN_TOPOGRAPHIQUE = (
        "PLAN_TOPOGRAPHIQUE",
        "Plan topographique (points calculés)",
        "التصميم الطبوغرافي",
    )
    DOSSIER_VRD = ("DOSSIER_VRD", "Dossier technique VRD", "الملف التقني للطرق والشبكات")
    CAHIER_CHARGES = ("CAHIER_CHARGES", "Cahier des charges", "دفتر التحملات")
    ETUDE_BETON = ("ETUDE_BETON", "Études de structure (BET)", "دراسات الهيكل")
    PHOTOS = ("PHOTOS", "Photographies des lieux", "صور المكان")
    ATTESTATION_ACHEVEMENT = (
        "ATTESTATION_ACHEVEMENT",
        "Attestation d'achèvement et de conformité de l'architecte",
        "شهادة انتهاء الأشغال والمطابقة من المهندس المعماري",
    )
    DECLARATION_ACHEVEMENT = (
        "DECLARATION_ACHEVEMENT",
        "Déclaration d'achèvement des travaux",
        "التصريح بانتهاء الأشغال",
    )
    PLAN_NE_VARIETUR = (
        "PLAN_NE_VARIETUR",
        "Plan « Ne Varietur » visé",
        "التصميم المؤشر عليه «لا يغير»",
    )
    QUITUS_FISCAL = (
        "QUITUS_FISCAL",
        "Attestation de paiement des taxes communales",
        "شهادة أداء الرسوم الجماعية",
    )
    PIECE_IDENTITE = ("PIECE_IDENTITE", "Pièce d'identité", "وثيقة الهوية")
    BAIL_OU_TITRE = (
        "BAIL_OU_TITRE",
        "Contrat de bail ou titre de propriété du local",
        "عقد الكراء أو سند ملكية المحل",
    )
    PLAN_AMENAGEMENT = ("PLAN_AMENAGEMENT", "Plan d'aménagement du local visé", "تصميم تهيئة المحل")
    STATUTS_SOCIETE = (
        "STATUTS_SOCIETE",
        "Statuts et documents de la société",
        "النظام الأساسي ووثائق الشركة",
    )
    AVIS_COMMODO = (
        "AVIS_COMMODO",
        "Récépissé de publication de l'enquête commodo-incommodo",
        "وصل نشر بحث المنافع والمضار",
    )
    PLAN_OCCUPATION = (
        "PLAN_OCCUPATION",
        "Plan de l'occupation du domaine public",
        "تصميم احتلال الملك العمومي",
    )
    DESCRIPTIF_TRAVAUX = ("DESCRIPTIF_TRAVAUX", "Descriptif des travaux", "وصف الأشغال")
    ACCORD_AGENCE_URBAINE = (
        "ACCORD_AGENCE_URBAINE",
        "Accord de l'agence urbaine",
        "موافقة الوكالة الحضرية",
    )
    AUTRE = ("AUTRE", "Autre pièce", "وثيقة أخرى")


class SignatureOnPiece(ValueObject):
    """Who signed a piece electronically, in what capacity."""

    signer_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    certificate_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class Piece(ValueObject):
    """A document attached to a dossier, identified by its content hash.

    ``file_name`` is what the uploader called it; it is a label, never a path: names with
    separators, control characters or ``..`` are refused.
    """

    type: PieceType
    file_name: Annotated[
        str,
        Field(
            # No '/', '\\', control character, leading '..' or bare '.': a label, never a path.
            pattern=r"^(?:[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,254}"
            r"|\.[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,253})$",
            description="a plain file name, without '/', '\\', control characters "
            "or a leading '..', e.g. 'plans-rdc.pdf'",
        ),
    ]
    media_type: Annotated[str, Field(pattern=r"^[a-z]+/[a-z0-9.+\-]+$")] = "application/pdf"
    size: Annotated[int, Field(ge=1, le=200 * 1024 * 1024)]
    sha256: Annotated[str, StringConstraints(to_lower=True, pattern=r"^[0-9a-fA-F]{64}$")]
    signed_by: tuple[SignatureOnPiece, ...] = ()

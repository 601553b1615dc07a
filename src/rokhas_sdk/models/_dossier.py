"""The dossier: what an applicant files, and what is still missing before filing."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from ._base import LabelledEnum, RokhasModel, ValueObject
from ._catalogue import procedure_kind_info
from ._enums import ProcedureFamily, ProcedureKind, ProjectScale, Role
from ._parties import Architect, Engineer, LegalPerson, Party, Surveyor
from ._pieces import Piece, PieceType
from ._project import Activity, Parcel, Project, classify_scale
from ._territory import CommuneCode, same_commune

__all__ = ["Dossier", "MissingItem", "MissingKind"]

DossierReference = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-/.]*$")
]


class MissingKind(LabelledEnum):
    """Why a dossier cannot be submitted yet."""

    PIECE = ("PIECE", "Pièce manquante", "وثيقة ناقصة")
    PARTY = ("PARTY", "Intervenant manquant", "متدخل ناقص")
    FIELD = ("FIELD", "Information manquante", "معلومة ناقصة")
    SIGNATURE = ("SIGNATURE", "Signature manquante", "توقيع ناقص")


class MissingItem(ValueObject):
    """One thing to add before submission, with what to do about it."""

    kind: MissingKind
    code: str
    label_fr: str
    label_ar: str


class Dossier(RokhasModel):
    """A permit or licence application.

    Construction is strict about contradictions (an economic licence with a building
    project, a parcel in another commune, a "petit projet" filed by a company) but
    lenient about incompleteness: a draft may lack pieces; :meth:`missing_for_submission`
    lists them.
    """

    reference: DossierReference
    kind: ProcedureKind
    commune: CommuneCode
    applicant: Party
    owner: Party | None = None
    architect: Architect | None = None
    surveyor: Surveyor | None = None
    engineer: Engineer | None = None
    parcel: Parcel | None = None
    project: Project | None = None
    activity: Activity | None = None
    pieces: list[Piece] = Field(default_factory=list)
    platform_number: str | None = Field(
        default=None, max_length=64, description="Number given by the platform at filing"
    )
    created_at: AwareDatetime | None = None

    @property
    def family(self) -> ProcedureFamily:
        """The family of the dossier's procedure kind (one state graph per family)."""
        return procedure_kind_info(self.kind).family

    @property
    def scale(self) -> ProjectScale:
        """Petit or grand projet, by the rule of :func:`classify_scale`."""
        return classify_scale(
            self.kind, self.project, corporate_applicant=isinstance(self.applicant, LegalPerson)
        )

    @model_validator(mode="after")
    def _what_the_law_rejects(self) -> Dossier:
        info = procedure_kind_info(self.kind)
        if self.kind.is_economic:
            if self.project is not None:
                raise ValueError(
                    f"{self.kind.value} is an economic licence: it takes an 'activity', not a "
                    "building 'project'"
                )
        elif self.activity is not None:
            raise ValueError(
                f"{self.kind.value} is an urban procedure: it takes a 'project' and a 'parcel', "
                "not an 'activity'"
            )
        if self.parcel is not None and not same_commune(self.parcel.commune, self.commune):
            raise ValueError(
                f"the parcel lies in commune {self.parcel.commune} but the dossier is filed with "
                f"{self.commune}; "
                "file it with the commune where the land is"
            )
        if (
            self.kind == ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET
            and self.scale == ProjectScale.GRAND
        ):
            raise ValueError(
                "this project is a grand projet (company or public applicant, or administrative "
                "use): "
                "file it as URB_PERMIS_CONSTRUIRE_GRAND_PROJET"
            )
        if (
            info.family is ProcedureFamily.SUBDIVISION
            and self.project is not None
            and self.project.lots_count == 0
            and self.kind == ProcedureKind.URB_AUTORISATION_LOTIR
        ):
            raise ValueError("an autorisation de lotir needs lots_count >= 1 in the project")
        return self

    def missing_for_submission(self) -> list[MissingItem]:
        """Everything that must be added before the dossier can be submitted (empty when ready)."""
        info = procedure_kind_info(self.kind)
        out: list[MissingItem] = []

        def need(kind: MissingKind, code: str, fr: str, ar: str) -> None:
            out.append(MissingItem(kind=kind, code=code, label_fr=fr, label_ar=ar))

        if self.kind.is_urban:
            if self.parcel is None:
                need(
                    MissingKind.FIELD, "parcel", "Références du terrain (parcelle)", "مراجع العقار"
                )
            if self.project is None and info.family is not ProcedureFamily.OCCUPANCY:
                need(MissingKind.FIELD, "project", "Description du projet", "وصف المشروع")
            elif (
                self.project is not None
                and info.family is ProcedureFamily.BUILDING
                and self.project.covered_area == 0
            ):
                need(
                    MissingKind.FIELD, "project.covered_area", "Surface couverte", "المساحة المغطاة"
                )
        elif self.activity is None:
            need(MissingKind.FIELD, "activity", "Description de l'activité", "وصف النشاط")
        if Role.ARCHITECTE in info.plans_signed_by and self.architect is None:
            need(MissingKind.PARTY, "architect", Role.ARCHITECTE.label_fr, Role.ARCHITECTE.label_ar)
        if Role.IGT in info.plans_signed_by and self.surveyor is None:
            need(MissingKind.PARTY, "surveyor", Role.IGT.label_fr, Role.IGT.label_ar)
        present = {p.type for p in self.pieces}
        for piece in info.required_pieces:
            if piece not in present:
                need(MissingKind.PIECE, f"piece.{piece.value}", piece.label_fr, piece.label_ar)
        plan_types = {
            PieceType.PLANS_ARCHITECTURAUX,
            PieceType.PLAN_TOPOGRAPHIQUE,
            PieceType.PLAN_MASSE,
        }
        for role in info.plans_signed_by:
            for p in self.pieces:
                if p.type in plan_types and not any(s.role == role for s in p.signed_by):
                    need(
                        MissingKind.SIGNATURE,
                        f"signature.{p.type.value}.{role.value}",
                        f"{p.type.label_fr} : signature électronique ({role.label_fr})",
                        f"{p.type.label_ar}: التوقيع الإلكتروني ({role.label_ar})",
                    )
        return out

    def is_ready_for_submission(self) -> bool:
        """True when :meth:`missing_for_submission` lists nothing."""
        return not self.missing_for_submission()

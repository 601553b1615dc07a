"""What a dossier IS: pydantic v2 types, no I/O beyond the bundled data files.

Everything here is strict: unknown fields are refused, money and areas are exact
decimals, identifiers are validated and normalised. A bad input raises
:class:`rokhas_sdk.InvalidInputError` listing every field at fault.

The package is loaded lazily: ``import rokhas_sdk.models`` costs almost nothing, and
each name is imported from its module the first time it is used (PEP 562), so a
program that only needs ``Money`` does not build the dossier models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._base import LabelledEnum as LabelledEnum
    from ._base import RokhasModel as RokhasModel
    from ._base import ValueObject as ValueObject
    from ._catalogue import ProcedureKindInfo as ProcedureKindInfo
    from ._catalogue import procedure_kind_info as procedure_kind_info
    from ._dossier import Dossier as Dossier
    from ._dossier import MissingItem as MissingItem
    from ._dossier import MissingKind as MissingKind
    from ._enums import CommissionBody as CommissionBody
    from ._enums import ConstructionUse as ConstructionUse
    from ._enums import LegalForm as LegalForm
    from ._enums import Opinion as Opinion
    from ._enums import ProcedureFamily as ProcedureFamily
    from ._enums import ProcedureKind as ProcedureKind
    from ._enums import ProjectScale as ProjectScale
    from ._enums import Role as Role
    from ._identifiers import CIN as CIN
    from ._identifiers import ICE as ICE
    from ._identifiers import RC as RC
    from ._identifiers import Email as Email
    from ._identifiers import IdentifiantFiscal as IdentifiantFiscal
    from ._identifiers import PhoneNumber as PhoneNumber
    from ._identifiers import PostalCode as PostalCode
    from ._identifiers import Requisition as Requisition
    from ._identifiers import TaxeProfessionnelle as TaxeProfessionnelle
    from ._identifiers import TitreFoncier as TitreFoncier
    from ._identifiers import ice_check_key as ice_check_key
    from ._keys import KeyDeliveryRecord as KeyDeliveryRecord
    from ._keys import KeyDeliveryStatus as KeyDeliveryStatus
    from ._keys import ProvinceSignatureContact as ProvinceSignatureContact
    from ._money import AREA_LIMIT as AREA_LIMIT
    from ._money import MONEY_LIMIT as MONEY_LIMIT
    from ._money import Area as Area
    from ._money import Money as Money
    from ._money import SquareMetres as SquareMetres
    from ._money import to_decimal as to_decimal
    from ._parties import Address as Address
    from ._parties import Architect as Architect
    from ._parties import CommissionMember as CommissionMember
    from ._parties import Contact as Contact
    from ._parties import Engineer as Engineer
    from ._parties import LegalPerson as LegalPerson
    from ._parties import NaturalPerson as NaturalPerson
    from ._parties import Official as Official
    from ._parties import Party as Party
    from ._parties import Professional as Professional
    from ._parties import Surveyor as Surveyor
    from ._permit import CommissionOpinion as CommissionOpinion
    from ._permit import Permit as Permit
    from ._permit import PermitSignatory as PermitSignatory
    from ._permit import PermitSurfaces as PermitSurfaces
    from ._permit import PermitVisa as PermitVisa
    from ._permit import permit_visas as permit_visas
    from ._pieces import Piece as Piece
    from ._pieces import PieceType as PieceType
    from ._pieces import SignatureOnPiece as SignatureOnPiece
    from ._project import Activity as Activity
    from ._project import Level as Level
    from ._project import Parcel as Parcel
    from ._project import Project as Project
    from ._project import classify_scale as classify_scale
    from ._schema import json_schemas as json_schemas
    from ._schema import render_schema as render_schema
    from ._territory import GUICHET_UNIQUE_THRESHOLD as GUICHET_UNIQUE_THRESHOLD
    from ._territory import Arrondissement as Arrondissement
    from ._territory import Commune as Commune
    from ._territory import CommuneCode as CommuneCode
    from ._territory import Province as Province
    from ._territory import ProvinceCode as ProvinceCode
    from ._territory import Region as Region
    from ._territory import TerritoryRegistry as TerritoryRegistry
    from ._territory import commune_code as commune_code
    from ._territory import get_commune as get_commune
    from ._territory import load_communes_csv as load_communes_csv
    from ._territory import permit_number as permit_number
    from ._territory import registry as registry
    from ._territory import same_commune as same_commune


__getattr__, __dir__, __all__ = lazy_exports(__name__, globals())

"""What a dossier IS: pydantic v2 types, no I/O beyond the bundled data files.

Everything here is strict: unknown fields are refused, money and areas are exact
decimals, identifiers are validated and normalised. A bad input raises
:class:`rokhas_sdk.InvalidInputError` listing every field at fault.
"""

from __future__ import annotations

from ._base import LabelledEnum as LabelledEnum
from ._base import RokhasModel as RokhasModel
from ._base import ValueObject as ValueObject
from ._enums import CommissionBody as CommissionBody
from ._enums import ConstructionUse as ConstructionUse
from ._enums import LegalForm as LegalForm
from ._enums import Opinion as Opinion
from ._enums import ProcedureFamily as ProcedureFamily
from ._enums import ProcedureKind as ProcedureKind
from ._enums import ProjectScale as ProjectScale
from ._enums import Role as Role
from ._money import Area as Area
from ._money import Money as Money
from ._money import SquareMetres as SquareMetres

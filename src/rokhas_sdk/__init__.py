"""rokhas-sdk: the typed Python SDK for Morocco's digital permit procedures.

Importing this package is cheap: it loads no PDF, crypto or server library. The rooms
are subpackages that you import when you need them::

    from rokhas_sdk import models, procedure, payments
    from rokhas_sdk.signing import verify_pdf

Every error the SDK raises on purpose derives from :class:`RokhasError`.
"""

from __future__ import annotations

from ._errors import ConfigurationError as ConfigurationError
from ._errors import DataFileError as DataFileError
from ._errors import FieldProblem as FieldProblem
from ._errors import InvalidInputError as InvalidInputError
from ._errors import NotFoundError as NotFoundError
from ._errors import RokhasError as RokhasError
from ._errors import TimeZoneDataError as TimeZoneDataError
from ._lazy import set_public_module
from ._version import __version__ as __version__

__all__ = [
    "ConfigurationError",
    "DataFileError",
    "FieldProblem",
    "InvalidInputError",
    "NotFoundError",
    "RokhasError",
    "TimeZoneDataError",
    "__version__",
]

set_public_module(__name__, globals(), __all__)

"""What a dossier COSTS and how it is PAID: fee schedules, the calculator, CMI payment.

>>> from rokhas_sdk.payments import quote            # doctest: +SKIP
>>> quote(dossier, on=date(2026, 1, 15)).total       # doctest: +SKIP
Money('4700.00')

Rates are data (``payments/data/*.json``), validated against the legal bounds when the
schedule loads, once. The CMI hosted payment page lives in :mod:`rokhas_sdk.payments.cmi`.
"""

from __future__ import annotations

from .._lazy import set_public_module
from ._errors import DuplicateOrderError as DuplicateOrderError
from ._errors import InvalidTransitionError as InvalidTransitionError
from ._errors import NoTariffError as NoTariffError
from ._errors import OrderNotFoundError as OrderNotFoundError
from ._errors import PaymentConflictError as PaymentConflictError
from ._errors import PaymentsError as PaymentsError
from ._errors import TariffOutOfLegalBounds as TariffOutOfLegalBounds
from ._orders import InMemoryOrderStore as InMemoryOrderStore
from ._orders import OrderLine as OrderLine
from ._orders import OrderStore as OrderStore
from ._orders import PaymentEvent as PaymentEvent
from ._orders import PaymentOrder as PaymentOrder
from ._orders import PaymentState as PaymentState
from ._orders import Receipt as Receipt
from ._orders import SQLiteOrderStore as SQLiteOrderStore
from ._orders import TransitionResult as TransitionResult
from ._orders import apply_transition as apply_transition
from ._quote import BaseUnit as BaseUnit
from ._quote import FeeLine as FeeLine
from ._quote import FeeQuote as FeeQuote
from ._quote import Quotable as Quotable
from ._quote import SiteOccupation as SiteOccupation
from ._quote import late_payment_penalty as late_payment_penalty
from ._quote import penalty as penalty
from ._quote import quote as quote
from ._schedule import AreaRounding as AreaRounding
from ._schedule import CommunePolicy as CommunePolicy
from ._schedule import CommuneSchedule as CommuneSchedule
from ._schedule import CommuneTariff as CommuneTariff
from ._schedule import Exemption as Exemption
from ._schedule import FeeDue as FeeDue
from ._schedule import FeeSchedule as FeeSchedule
from ._schedule import FeeUnit as FeeUnit
from ._schedule import InstalmentRule as InstalmentRule
from ._schedule import LegalBound as LegalBound
from ._schedule import MoneyRounding as MoneyRounding
from ._schedule import PenaltyRule as PenaltyRule
from ._schedule import SaillieMode as SaillieMode
from ._schedule import TaxRule as TaxRule
from ._schedule import UseRubric as UseRubric
from ._schedule import default_schedule as default_schedule

__all__ = [
    "AreaRounding",
    "BaseUnit",
    "CommunePolicy",
    "CommuneSchedule",
    "CommuneTariff",
    "DuplicateOrderError",
    "Exemption",
    "FeeDue",
    "FeeLine",
    "FeeQuote",
    "FeeSchedule",
    "FeeUnit",
    "InMemoryOrderStore",
    "InstalmentRule",
    "InvalidTransitionError",
    "LegalBound",
    "MoneyRounding",
    "NoTariffError",
    "OrderLine",
    "OrderNotFoundError",
    "OrderStore",
    "PaymentConflictError",
    "PaymentEvent",
    "PaymentOrder",
    "PaymentState",
    "PaymentsError",
    "PenaltyRule",
    "Quotable",
    "Receipt",
    "SQLiteOrderStore",
    "SaillieMode",
    "SiteOccupation",
    "TariffOutOfLegalBounds",
    "TaxRule",
    "TransitionResult",
    "UseRubric",
    "apply_transition",
    "default_schedule",
    "late_payment_penalty",
    "penalty",
    "quote",
]

set_public_module(__name__, globals(), __all__)

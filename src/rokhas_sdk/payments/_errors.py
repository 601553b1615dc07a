"""Errors of the payments room. Messages say what is wrong and how to fix it, never a secret."""

from __future__ import annotations

from .._errors import DataFileError, InvalidInputError, NotFoundError, RokhasError

__all__ = [
    "DuplicateOrderError",
    "InvalidTransitionError",
    "NoTariffError",
    "OrderNotFoundError",
    "PaymentConflictError",
    "PaymentsError",
    "TariffOutOfLegalBounds",
]


class PaymentsError(RokhasError):
    """Root of the errors raised by :mod:`rokhas_sdk.payments`."""

    code = "payments_error"


class TariffOutOfLegalBounds(DataFileError):
    """A commune tariff lies outside the legal bounds in force on its effective date.

    ``rubric``, ``value``, ``bound`` (the violated limit) and ``source_url`` (of the
    legal bound) say exactly what to correct in the schedule.
    """

    code = "tariff_out_of_legal_bounds"

    def __init__(
        self, message: str, *, rubric: str, value: str, bound: str, source_url: str
    ) -> None:
        super().__init__(message)
        self.rubric = rubric
        self.value = value
        self.bound = bound
        self.source_url = source_url


class NoTariffError(NotFoundError):
    """No tariff (or no legal bound) is in force for this commune, rubric and date.

    The calculator fails closed: it never guesses a rate.
    """

    code = "no_tariff"


class OrderNotFoundError(NotFoundError):
    """No payment order with this reference exists in the store."""

    code = "payment_order_not_found"


class DuplicateOrderError(InvalidInputError):
    """A payment order with this reference already exists."""

    code = "payment_order_duplicate"


class InvalidTransitionError(PaymentsError):
    """A payment state change the life cycle forbids (e.g. refunding a pending order)."""

    code = "payment_invalid_transition"


class PaymentConflictError(PaymentsError):
    """A second, different payment for an order already paid (other transaction or amount).

    The order is never marked paid twice; the extra authorisation must be voided.
    """

    code = "payment_conflict"

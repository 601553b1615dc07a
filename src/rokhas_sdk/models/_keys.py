"""Signature-key delivery under the 2020 Interior circular.

Each prefecture or province designates a contact; Barid Al-Maghrib ships each
signatory's USB token through Amana; the contact hands it over to the commune; the PIN
arrives separately (SMS and e-mail) and must be changed at first use. A
:class:`KeyDeliveryRecord` keeps these dates and refuses an impossible order.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from ._base import LabelledEnum, ValueObject
from ._identifiers import Email, PhoneNumber
from ._parties import NaturalPerson
from ._territory import CommuneCode, ProvinceCode, registry

__all__ = ["KeyDeliveryRecord", "KeyDeliveryStatus", "ProvinceSignatureContact"]


class ProvinceSignatureContact(ValueObject):
    """The person a prefecture or province designates for key delivery."""

    province_code: ProvinceCode
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    phone: PhoneNumber
    address: Annotated[str, Field(min_length=1, max_length=300)]
    email: Email


class KeyDeliveryStatus(LabelledEnum):
    """Where a holder's key is in its delivery."""

    PENDING = ("PENDING", "En attente d'expédition", "في انتظار الإرسال")
    SHIPPED = ("SHIPPED", "Expédiée par Amana", "أرسلت عبر أمانة")
    HANDED_OVER = ("HANDED_OVER", "Remise à la commune", "سلمت للجماعة")
    PIN_RECEIVED = ("PIN_RECEIVED", "Code PIN reçu", "تم توصل بالقن السري")
    ACTIVE = ("ACTIVE", "Active (PIN changé)", "مفعلة (تم تغيير القن السري)")


_STEPS = ("shipped_at", "handed_over_at", "pin_received_at", "pin_changed_at")


class KeyDeliveryRecord(ValueObject):
    """One holder's key: who, for which commune, and when each step happened."""

    holder: NaturalPerson
    commune: CommuneCode
    contact: ProvinceSignatureContact
    tracking_number: Annotated[str, Field(max_length=40)] | None = None
    shipped_at: AwareDatetime | None = None
    handed_over_at: AwareDatetime | None = None
    pin_received_at: AwareDatetime | None = None
    pin_changed_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _commune_in_province(self) -> KeyDeliveryRecord:
        reg = registry()
        commune = reg.commune(self.commune)
        province = reg.province(self.contact.province_code)
        if commune.province_code != province.code:
            raise ValueError(
                f"commune {self.commune} ({commune.name_fr}) is in province "
                f"{commune.province_code}, but the "
                f"contact is the one of {province.code} ({province.name_fr}): use the contact of "
                "the "
                "commune's own prefecture or province"
            )
        return self

    @model_validator(mode="after")
    def _in_order(self) -> KeyDeliveryRecord:
        # Steps happen in order: no later step without the earlier ones, no step
        # dated before the one it follows.
        values = [getattr(self, name) for name in _STEPS]
        recorded = [i for i, v in enumerate(values) if v is not None]
        if not recorded:
            return self
        last = recorded[-1]
        for i in range(last):
            if values[i] is None:
                raise ValueError(
                    f"{_STEPS[last]} is set but {_STEPS[i]} is not: record the steps in order "
                    f"({', '.join(_STEPS)})"
                )
        for i in range(1, last + 1):
            if values[i] < values[i - 1]:
                raise ValueError(
                    f"{_STEPS[i]} ({values[i].isoformat()}) is before {_STEPS[i - 1]} "
                    f"({values[i - 1].isoformat()})"
                )
        return self

    @property
    def status(self) -> KeyDeliveryStatus:
        """The furthest step recorded."""
        if self.pin_changed_at:
            return KeyDeliveryStatus.ACTIVE
        if self.pin_received_at:
            return KeyDeliveryStatus.PIN_RECEIVED
        if self.handed_over_at:
            return KeyDeliveryStatus.HANDED_OVER
        if self.shipped_at:
            return KeyDeliveryStatus.SHIPPED
        return KeyDeliveryStatus.PENDING

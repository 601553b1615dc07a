"""The base classes every model derives from.

``RokhasModel`` forbids unknown fields and turns pydantic's ``ValidationError`` into our
:class:`~rokhas_sdk.InvalidInputError`, so callers catch one error type whatever the
input path (constructor, ``model_validate``, ``model_validate_json``).
"""

from __future__ import annotations

import enum
from typing import Any, Self

import pydantic
from pydantic import BaseModel, ConfigDict

from .._errors import from_pydantic


class RokhasModel(BaseModel):
    """Strict by default: unknown fields are refused, strings are stripped."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_default=True,
        use_enum_values=False,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise from_pydantic(exc, model=type(self).__name__) from None

    # Tell pydantic this __init__ only wraps the base one, so that validating a model
    # nested in another does not call it (which would be slower and would wrap errors
    # twice).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        try:
            return super().model_validate(
                obj,
                strict=strict,
                extra=extra,
                from_attributes=from_attributes,
                context=context,
                by_alias=by_alias,
                by_name=by_name,
            )
        except pydantic.ValidationError as exc:
            raise from_pydantic(exc, model=cls.__name__) from None

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        try:
            return super().model_validate_json(
                json_data,
                strict=strict,
                extra=extra,
                context=context,
                by_alias=by_alias,
                by_name=by_name,
            )
        except pydantic.ValidationError as exc:
            raise from_pydantic(exc, model=cls.__name__) from None


class ValueObject(RokhasModel):
    """An immutable value: equal by content, hashable, safe to share."""

    model_config = ConfigDict(frozen=True)


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a French and an Arabic label.

    Members are declared as ``NAME = ("value", "label fr", "label ar")``; the value is
    what goes over the wire and into JSON, the labels are what a person sees.
    """

    label_fr: str
    label_ar: str

    def __new__(cls, value: str, label_fr: str, label_ar: str) -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label_fr = label_fr
        obj.label_ar = label_ar
        return obj

    def __str__(self) -> str:
        return str(self.value)

    def label(self, lang: str = "fr") -> str:
        """The label in ``"fr"`` or ``"ar"``."""
        if lang == "ar":
            return self.label_ar
        if lang == "fr":
            return self.label_fr
        raise ValueError(f"unknown language {lang!r}: use 'fr' or 'ar'")

"""The base classes every model derives from.

``RokhasModel`` forbids unknown fields and turns pydantic's ``ValidationError`` into our
:class:`~rokhas_sdk.InvalidInputError`, so callers catch one error type whatever the
input path (constructor, ``model_validate``, ``model_validate_json``).
"""

from __future__ import annotations

import difflib
import enum
import re
import types
import typing
from typing import Any, Self

import pydantic
from pydantic import BaseModel, ConfigDict

from .._errors import FieldProblem, InvalidInputError

_QUOTED = re.compile(r"'([^']*)'")


def _enum_classes(root: type[enum.Enum]) -> list[type[enum.Enum]]:
    out: list[type[enum.Enum]] = []
    stack = list(root.__subclasses__())
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation can hold (through Optional, unions, lists, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            out.extend(_models_in(arg))
    return out


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that holds the field at ``loc`` (for naming its accepted fields)."""
    current: list[type[BaseModel]] = [root]
    for part in loc:
        if isinstance(part, int):
            continue
        by_tag = [
            m
            for m in current
            if m.model_fields.get("type") is not None and m.model_fields["type"].default == part
        ]
        if by_tag:
            current = by_tag
            continue
        nxt: list[type[BaseModel]] = []
        for m in current:
            f = m.model_fields.get(part)
            if f is not None:
                nxt.extend(_models_in(f.annotation))
        if not nxt:
            return current[0] if current else None
        current = nxt
    return current[0] if current else None


def _friendly(err: Any, root: type[BaseModel]) -> str:
    """One pydantic error as a sentence that says what to do."""
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    ctx = err.get("ctx") or {}
    loc = tuple(err.get("loc", ()))
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    if kind == "enum":
        allowed = set(_QUOTED.findall(str(ctx.get("expected", ""))))
        for cls in _enum_classes(LabelledEnum):
            if {str(m.value) for m in cls} == allowed:
                values = ", ".join(str(m.value) for m in cls)
                # the room users import it from, also before the room renamed the class
                home = cls.__module__
                if home.rsplit(".", 1)[-1].startswith("_"):
                    home = home.rsplit(".", 1)[0]
                return (
                    f"{err.get('input')!r} is not a known {cls.__name__}; use one of: {values} "
                    "(listed with their French and Arabic labels in "
                    f"{home}.{cls.__name__})"
                )
        return msg
    if kind == "union_tag_invalid":
        return (
            f"unknown {ctx.get('discriminator', 'type')} {ctx.get('tag')!r}: use one of "
            f"{ctx.get('expected_tags')}"
            + (
                " ('natural' for a person with a CIN, 'legal' for a company or body)"
                if "'natural'" in str(ctx.get("expected_tags"))
                else ""
            )
        )
    if kind == "union_tag_not_found":
        return (
            f"missing the {ctx.get('discriminator', 'type')} field that says which kind of "
            "object this is"
            + (
                ': add "type": "natural" (a person with a CIN) or "legal" (a company or body)'
                if "type" in str(ctx.get("discriminator"))
                else ""
            )
        )
    if kind == "extra_forbidden":
        holder = _model_at(root, loc[:-1])
        name = str(loc[-1]) if loc else "?"
        if holder is not None:
            accepted = list(holder.model_fields)
            close = difflib.get_close_matches(name, accepted, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            return (
                f"unknown field {name!r} ({hint}{holder.__name__} accepts: {', '.join(accepted)})"
            )
        return f"unknown field {name!r}: remove it or check its spelling"
    if kind == "missing":
        return "this field is required"
    if kind == "literal_error":
        return f"{err.get('input')!r} is not allowed here: expected {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        holder = _model_at(root, loc[:-1]) if loc else None
        field = holder.model_fields.get(str(loc[-1])) if holder is not None else None
        if field is not None and field.description:
            return f"{err.get('input')!r} is not allowed: expected {field.description}"
        return (
            f"{err.get('input')!r} does not have the expected form (pattern {ctx.get('pattern')})"
        )
    return msg


def _to_error(exc: pydantic.ValidationError, root: type[BaseModel]) -> InvalidInputError:
    problems = [
        FieldProblem(err.get("loc", ()), _friendly(err, root), str(err.get("type", "invalid")))
        for err in exc.errors(include_url=False)
    ]
    lines = "; ".join(f"{p.path}: {p.message}" for p in problems[:10])
    more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return InvalidInputError(f"invalid {root.__name__}: {lines}{more}", problems)


class RokhasModel(BaseModel):
    """Strict by default: unknown fields are refused, strings are stripped."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_default=True,
        use_enum_values=False,
        # Build each model's validator at its first use, not at import: a program that
        # imports the models to use three of them does not pay for thirty.
        defer_build=True,
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise _to_error(exc, type(self)) from None

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
        """Validate a Python object; :class:`~rokhas_sdk.InvalidInputError` on bad input."""
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
            raise _to_error(exc, cls) from None

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
        """Validate JSON text or bytes; :class:`~rokhas_sdk.InvalidInputError` on bad input."""
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
            raise _to_error(exc, cls) from None


class ValueObject(RokhasModel):
    """An immutable value: equal by content, hashable, safe to share."""

    model_config = ConfigDict(frozen=True)


class LabelledEnum(str, enum.Enum):  # noqa: UP042 - StrEnum would change the members' __new__
    """A string enum whose members carry a French and an Arabic label.

    Members are declared as ``NAME = ("value", "label fr", "label ar")``; the value is
    what goes over the wire and into JSON, the labels are what a person sees.
    """

    label_fr: str
    label_ar: str

    # Labels default to empty only so that type checkers accept the look-up call
    # ``ProcedureKind('URB_...')``; every member declares both.
    def __new__(cls, value: str, label_fr: str = "", label_ar: str = "") -> Self:
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

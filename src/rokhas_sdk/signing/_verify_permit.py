"""The machine-readable permit a signed PDF carries, and whether it can be relied on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .._errors import InvalidInputError
from ..models import Permit
from ._report import (
    Indication,
    Integrity,
    PermitCheck,
    SignatureKind,
    SignatureReport,
)
from ._verify_builder import VerifyLimits

if TYPE_CHECKING:  # pragma: no cover
    from pyhanko.pdf_utils.reader import PdfFileReader


_PERMIT_NAMES = ("permit.json", "rokhas-permit.json")


def _embedded_files(reader: Any) -> list[tuple[str, Any, Any]]:
    """(name, filespec ref-or-object, embedded stream) from the EmbeddedFiles name tree."""
    found: list[tuple[str, Any, Any]] = []
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except (KeyError, TypeError):
        return found
    stack = [(tree.get_object(), 0)]
    visited = 0
    while stack and visited < 1000:
        node, depth = stack.pop()
        visited += 1
        if depth > 32:
            continue
        names = node.get("/Names")
        if names is not None:
            names = names.get_object()
            for i in range(0, len(names) - 1, 2):
                label = str(names[i])
                spec_ref = names.raw_get(i + 1) if hasattr(names, "raw_get") else names[i + 1]
                spec = names[i + 1]
                try:
                    ef = spec["/EF"]
                    stream_ref = ef.raw_get("/F")
                except (KeyError, TypeError, AttributeError):
                    continue
                fname = str(spec.get("/UF", spec.get("/F", label)))
                found.append((fname, spec_ref, stream_ref))
        kids = node.get("/Kids")
        for kid in kids.get_object() if kids is not None else ():
            stack.append((kid.get_object(), depth + 1))
    return found


def _last_change(reader: Any, ref: Any) -> int | None:
    reference = getattr(ref, "reference", None)
    if reference is None:
        return None
    try:
        return int(reader.xrefs.get_last_change(reference))
    except Exception:
        return None


@dataclass
class _PermitRead:
    attachment: str
    spec_ref: Any
    stream_ref: Any
    data: dict[str, Any]
    permit: Permit | None
    problems: list[str]


def _read_permit(view: Any, limits: VerifyLimits) -> _PermitRead | None:
    """The permit attachment as ``view.root`` (a revision's catalog) holds it."""
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    candidates = [
        e
        for e in _embedded_files(view)
        if e[0].lower() in _PERMIT_NAMES or e[0].lower().endswith("permit.json")
    ]
    if not candidates:
        return None
    fname, spec_ref, stream_ref = candidates[0]
    problems: list[str] = []
    if len(candidates) > 1:
        problems.append(f"{len(candidates)} permit attachments found; only one is expected")
    try:
        raw = stream_ref.get_object().read_data(
            DecodePurpose.GENERIC, expected_size=limits.max_permit_size
        )
    except Exception as exc:
        raw = b""
        problems.append(f"the permit attachment cannot be read ({type(exc).__name__})")
    data: dict[str, Any] = {}
    if len(raw) > limits.max_permit_size:
        problems.append("the permit attachment is too large")
    elif raw:
        try:
            loaded = json.loads(raw.decode("utf-8"))
            if isinstance(loaded, dict):
                data = loaded
            else:
                problems.append("the permit attachment is not a JSON object")
        except (UnicodeDecodeError, ValueError):
            problems.append("the permit attachment is not valid UTF-8 JSON")
    permit: Permit | None = None
    if data:
        try:
            permit = Permit.model_validate(data)
        except InvalidInputError as exc:
            problems.append(f"the permit data does not validate: {exc}")
    return _PermitRead(fname, spec_ref, stream_ref, data, permit, problems)


def permit_check(
    reader: PdfFileReader,
    reports: list[tuple[int, SignatureReport, Any, Any]],
    limits: VerifyLimits,
) -> PermitCheck | None:
    current = _read_permit(reader, limits)
    if current is None:
        return None
    shown, problems = current, list(current.problems)
    view: Any = reader
    # Covered: the attachment (stream and file spec) was last changed in a revision that a
    # passing signature covers; pyHanko's diff analysis refuses later rewrites of it.
    changes = [_last_change(reader, current.stream_ref), _last_change(reader, current.spec_ref)]
    covered = signed = False
    if changes[0] is not None:
        last = max(c for c in changes if c is not None)
        covered = any(
            emb is not None
            and r.indication is Indication.TOTAL_PASSED
            and r.kind is SignatureKind.SIGNATURE
            and emb.signed_revision >= last
            for _rev, r, emb, _st in reports
        )
        signed = any(
            emb is not None
            and r.integrity is Integrity.INTACT
            and r.kind is SignatureKind.SIGNATURE
            and emb.signed_revision >= last
            for _rev, r, emb, _st in reports
        )
    if not covered:
        problems.append(
            "the signature over the permit attachment did not pass validation"
            if signed
            else "no signature covers the permit attachment"
        )
    if not signed:
        # the permit as it was signed, when a later update replaced it: that is the one
        # a reader may be shown, with the problem above spelled out
        revisions = [
            emb.signed_revision
            for _rev, r, emb, _st in reports
            if emb is not None
            and r.kind is SignatureKind.SIGNATURE
            and r.integrity is Integrity.INTACT
        ]
        if revisions:
            try:
                signed_view = SimpleNamespace(root=reader.get_historical_root(max(revisions)))
                before = _read_permit(signed_view, limits)
            except Exception:
                before = None
            if before is not None and before.data != current.data:
                shown, view = before, signed_view
                problems.append(
                    "the permit attachment was replaced after the last signature; the data "
                    f"shown is the signed revision's (revision {max(revisions)}), the "
                    "current attachment is not signed"
                )
    reference = _permit_reference(shown.data)
    visible = _visible_reference(view, reference, limits) if reference else None
    matches: bool | None = None
    if reference is not None:
        matches = visible is not None
        if not matches:
            problems.append(f"the permit reference {reference!r} is not printed on the first page")
    return PermitCheck(
        attachment=shown.attachment,
        data=shown.data,
        permit=shown.permit,
        covered=covered,
        signed=signed,
        reference=reference,
        visible_reference=visible,
        reference_matches=matches,
        problems=problems,
    )


def _permit_reference(data: dict[str, Any]) -> str | None:
    for key in ("number", "reference"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _visible_reference(reader: Any, reference: str, limits: VerifyLimits) -> str | None:
    """The reference when the first page shows it (text decoded through ToUnicode)."""
    from ._pagetext import page_text

    try:
        page = reader.root["/Pages"]["/Kids"][0].get_object()
        for _ in range(32):  # nested page tree, bounded against cycles
            if str(page.get("/Type")) != "/Pages":
                break
            page = page["/Kids"][0].get_object()
        text = page_text(page)
    except Exception:
        return None
    squeeze = "".join(text.split())
    return reference if "".join(reference.split()) in squeeze else None

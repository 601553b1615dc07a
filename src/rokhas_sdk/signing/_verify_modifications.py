"""Stage 3 of verification: what changed after each signature, judged by ISO 32000-2 12.8.

pyHanko's difference analysis reviews every object an incremental update writes and
rejects what no rule explains. Its default rules cover later signatures, form filling,
the DSS and document timestamps; two rules are added here so that real files are
judged by the standard rather than by one producer's habits:

* **annotations** (ISO 32000-2 12.8.2.2, DocMDP P=3; and any approval-only document):
  a page whose only change is its /Annots array, and non-widget annotations with their
  appearance streams, are cleared at the ``ANNOTATIONS`` level. pyHanko compares that
  level with the certification's permission, so the same change is refused under P=1
  and P=2.
* **unreachable objects**: iText frees objects it no longer references, and many
  writers leave orphans. An object (freed or written) that nothing reachable from the
  new revision's trailer references changes nothing a reader can see; a freed object
  still referenced (it would now read as ``null``) stays unexplained and is refused.

Metadata (/Info and the catalog's XMP /Metadata) is compared separately: pyHanko
clears such updates as housekeeping, but a changed Title or Subject is something a
reader sees, so it is reported with its old and new values and caps the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ._report import Coverage, Finding, Integrity, Modification, SignatureKind, SignatureReport

if TYPE_CHECKING:  # pragma: no cover
    from ._verify_builder import VerifyContext

__all__ = ["MetadataChange", "diff_policy", "judge", "metadata_changes"]

_ANNOT_KEY = "/Annots"
_VISIBLE_LEVEL_NAMES = ("FORM_FILLING", "ANNOTATIONS")


def _same_except(old: Any, new: Any, skip: str) -> bool:
    try:
        keys_old = {k for k in old if k != skip}
        keys_new = {k for k in new if k != skip}
        return keys_old == keys_new and all(old.raw_get(k) == new.raw_get(k) for k in keys_old)
    except Exception:
        return False


def _is_page(obj: Any) -> bool:
    try:
        return str(obj.get("/Type")) == "/Page"
    except Exception:
        return False


# ISO 32000-2 Table 171, without /Widget (form fields belong to pyHanko's form rules)
_ANNOTATION_SUBTYPES = frozenset(
    {
        "/Text", "/Link", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon",
        "/PolyLine", "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Caret",
        "/Stamp", "/Ink", "/Popup", "/FileAttachment", "/Sound", "/Movie", "/Screen",
        "/PrinterMark", "/TrapNet", "/Watermark", "/3D", "/Redact", "/Projection",
        "/RichMedia",
    }
)  # fmt: skip


def _is_markup_annotation(obj: Any) -> bool:
    """An annotation dictionary that is not a form widget."""
    try:
        kind = obj.get("/Type")
        subtype = obj.get("/Subtype")
    except Exception:
        return False
    return (
        (kind is None or str(kind) == "/Annot")
        and str(subtype) in _ANNOTATION_SUBTYPES
        and "/FT" not in obj
        and "/Rect" in obj
    )


def _annotation_refs(page: Any) -> dict[Any, Any]:
    try:
        annots = page.get(_ANNOT_KEY)
        annots = annots.get_object() if annots is not None else []
        return {getattr(a, "reference", None): a for a in annots}
    except Exception:
        return {}


def _markup_annotations_changed(old: Any, old_page: Any, new: Any, new_page: Any) -> bool:
    """The /Annots difference adds or removes markup annotations, and nothing else.

    Other widgets added to a page are form changes: pyHanko's form rules clear them (a
    new signature field) or refuse them, at their own level.
    """
    before, after = _annotation_refs(old_page), _annotation_refs(new_page)
    if None in before or None in after:
        return False  # direct annotation dictionaries: not worth the risk
    added = [after[r] for r in after.keys() - before.keys()]
    removed = [before[r] for r in before.keys() - after.keys()]
    if not added and not removed:
        return False
    try:
        objects = [a.get_object() for a in added + removed]
        markup = [o for o in objects if _is_markup_annotation(o)]
        # a signature widget may come in the same comparison (a later signature after
        # an annotation): pyHanko's signature-field rules clear the widget itself
        return bool(markup) and all(o in markup or _is_signature_widget(o) for o in objects)
    except Exception:
        return False


def _is_signature_widget(obj: Any) -> bool:
    try:
        return str(obj.get("/Subtype")) == "/Widget" and str(obj.get("/FT")) == "/Sig"
    except Exception:
        return False


def _appearance_refs(annot: Any) -> Iterator[Any]:
    try:
        ap = annot.get("/AP")
        ap = ap.get_object() if ap is not None else None
    except Exception:
        return
    if ap is None or not hasattr(ap, "raw_get"):
        return
    for key in ("/N", "/R", "/D"):
        try:
            raw = ap.raw_get(key)
        except KeyError:
            continue
        ref = getattr(raw, "reference", None)
        if ref is not None:
            yield ref
        value: Any = raw.get_object() if hasattr(raw, "get_object") else raw
        if hasattr(value, "raw_get") and not hasattr(value, "data"):
            for state in value:  # appearance states (/On, /Off, ...)
                state_ref = getattr(value.raw_get(state), "reference", None)
                if state_ref is not None:
                    yield state_ref


def _absent(resolver: Any, ref: Any) -> bool:
    try:
        obj = resolver.get_object(ref)
    except Exception:
        return True
    return obj is None or type(obj).__name__ == "NullObject"


@cache
def _rule_classes() -> tuple[type, type]:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.diff_analysis.rules_api import QualifiedWhitelistRule, ReferenceUpdate

    class AnnotationRule(QualifiedWhitelistRule):
        """Pages whose only change is /Annots, and non-widget annotations."""

        def apply_qualified(self, old: Any, new: Any) -> Iterable[tuple[Any, Any]]:
            level = ModificationLevel.ANNOTATIONS
            for ref in new.explicit_refs_in_revision():
                try:
                    new_obj = new.get_object(ref)
                except Exception:  # noqa: S112 - unreadable: left unexplained
                    continue
                try:
                    old_obj = old.get_object(ref)
                except Exception:
                    old_obj = None
                if _is_page(new_obj):
                    if (
                        old_obj is not None
                        and _is_page(old_obj)
                        and _same_except(old_obj, new_obj, _ANNOT_KEY)
                        and _markup_annotations_changed(old, old_obj, new, new_obj)
                    ):
                        yield level, ReferenceUpdate(ref)
                    continue
                if isinstance(new_obj, dict) and _is_markup_annotation(new_obj):
                    if old_obj is not None and not (
                        isinstance(old_obj, dict) and _is_markup_annotation(old_obj)
                    ):
                        continue  # an object turned into an annotation: not ours to clear
                    yield level, ReferenceUpdate(ref)
                    for ap_ref in _appearance_refs(new_obj):
                        # only fresh appearance streams: an existing stream may also be
                        # painted by the page, and clearing it would clear that too
                        if _absent(old, ap_ref):
                            yield level, ReferenceUpdate(ap_ref)

    class UnreachableObjectRule(QualifiedWhitelistRule):
        """Objects the revision writes or frees that nothing reachable references.

        Replaces pyHanko's orphan check, which reads freed objects and so fails in
        strict mode on files that free objects (iText does).
        """

        def apply_qualified(self, old: Any, new: Any) -> Iterable[tuple[Any, Any]]:
            refs = set(new.explicit_refs_in_revision()) | set(new.refs_freed_in_revision())
            if not refs:
                return
            try:
                new._load_reverse_xref_cache()
            except Exception:
                return  # cannot tell what is reachable: leave everything unexplained
            for ref in refs:
                if not new._get_usages_of_ref(ref):
                    yield ModificationLevel.LTA_UPDATES, ReferenceUpdate(ref)

    return AnnotationRule, UnreachableObjectRule


def _deref(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _ref_of(value: Any) -> Any:
    return getattr(value, "reference", None)


def _struct_kind(obj: Any) -> str | None:
    try:
        kind = obj.get("/Type")
    except Exception:
        return None
    return None if kind is None else str(kind)


def _objr_level(elem: Any, old: Any, new_refs: set[Any]) -> Any:
    """The level a new structure element calls for, or None if it is not ours to clear.

    It must be an element whose only content is an object reference (/OBJR) to an
    annotation that the same revision adds: tagging a new signature widget or a new
    annotation, nothing else.
    """
    from pyhanko.sign.diff_analysis import ModificationLevel

    try:
        kid = _deref(elem.get("/K"))
        if not hasattr(kid, "get") or str(kid.get("/Type")) != "/OBJR":
            return None
        target_ref = _ref_of(kid.raw_get("/Obj"))
        if target_ref is None or target_ref not in new_refs or not _absent(old, target_ref):
            return None
        target = _deref(kid.raw_get("/Obj"))
    except Exception:
        return None
    if _is_signature_widget(target):
        return ModificationLevel.FORM_FILLING
    if _is_markup_annotation(target):
        return ModificationLevel.ANNOTATIONS
    return None


def _structure_updates(old: Any, new: Any) -> Iterator[tuple[Any, Any]]:
    """(level, ref) for the structure-tree objects a tagged writer updates when it adds
    a signature widget or an annotation (PDF/UA and tagged PDF, ISO 32000-2 14.7)."""
    new_refs = set(new.explicit_refs_in_revision())
    cleared: dict[Any, Any] = {}
    root_ref = None
    for ref in new_refs:
        try:
            new_obj = new.get_object(ref)
            old_obj = None if _absent(old, ref) else old.get_object(ref)
        except Exception:  # noqa: S112 - unreadable: left unexplained
            continue
        kind = _struct_kind(new_obj)
        if kind == "/StructTreeRoot" and old_obj is not None and _struct_kind(old_obj) == kind:
            keys = {"/ParentTree", "/ParentTreeNextKey"}
            same = {k for k in old_obj if k not in keys} == {k for k in new_obj if k not in keys}
            if same and all(
                old_obj.raw_get(k) == new_obj.raw_get(k) for k in old_obj if k not in keys
            ):
                root_ref = ref
            continue
        if kind != "/StructElem" or old_obj is None or _struct_kind(old_obj) != kind:
            continue
        if not _same_except(old_obj, new_obj, "/K"):
            continue
        old_kids = _deref(old_obj.get("/K"))
        new_kids = _deref(new_obj.get("/K"))
        if not isinstance(old_kids, list) or not isinstance(new_kids, list):
            continue
        old_raw, new_raw = _raw_items(old_kids), _raw_items(new_kids)
        if new_raw[: len(old_raw)] != old_raw or len(new_raw) == len(old_raw):
            continue  # kids kept in order, only appended
        levels = []
        for added in new_raw[len(old_raw) :]:
            added_ref = _ref_of(added)
            if added_ref is None or added_ref not in new_refs or not _absent(old, added_ref):
                break
            added_obj = _deref(added)
            if _ref_of(added_obj.raw_get("/P")) != ref:
                break
            level = _objr_level(added_obj, old, new_refs)
            if level is None:
                break
            levels.append(level)
            cleared[added_ref] = level
        else:
            cleared[ref] = max(levels)
    if not cleared or root_ref is None:
        return
    level = max(cleared.values())
    parent_tree = _parent_tree_updates(old, new, root_ref, new_refs, set(cleared))
    if parent_tree is None:
        return
    yield level, root_ref
    for ref in parent_tree:
        yield level, ref
    for ref, lvl in cleared.items():
        yield lvl, ref


def _raw_items(array: Any) -> list[Any]:
    """The elements of a PDF array as written (references not resolved)."""
    return [array.raw_get(i) for i in range(len(array))]


def _nums(tree: Any) -> dict[int, Any] | None:
    """A flat number tree's entries (raw values); None for trees with /Kids."""
    if tree is None or "/Kids" in tree:
        return None
    nums = _deref(tree.get("/Nums"))
    if not isinstance(nums, list) or len(nums) % 2:
        return None
    raw = _raw_items(nums)
    return {int(raw[i]): raw[i + 1] for i in range(0, len(raw), 2)}


def _parent_tree_updates(
    old: Any, new: Any, root_ref: Any, new_refs: set[Any], new_elems: set[Any]
) -> list[Any] | None:
    """The refs of a parent tree that only gains entries for the new elements."""
    try:
        old_root, new_root = old.get_object(root_ref), new.get_object(root_ref)
        old_tree_raw, new_tree_raw = (
            old_root.raw_get("/ParentTree"),
            new_root.raw_get("/ParentTree"),
        )
        old_nums = _nums(_deref(old_tree_raw))
        new_nums = _nums(_deref(new_tree_raw))
    except Exception:
        return None
    if old_nums is None or new_nums is None or not set(old_nums) <= set(new_nums):
        return None
    refs = []
    tree_ref = _ref_of(new_tree_raw)
    if tree_ref is not None and tree_ref in new_refs:
        refs.append(tree_ref)
    for key, value in new_nums.items():
        if key in old_nums:
            old_value, new_value = old_nums[key], value
            if old_value == new_value:
                continue
            # a rewritten copy of the same array of elements is the same entry
            old_list, new_list = _deref(old_value), _deref(new_value)
            if not isinstance(old_list, list) or not isinstance(new_list, list):
                return None
            if _raw_items(old_list) != _raw_items(new_list):
                return None
            copy_ref = _ref_of(new_value)
            if copy_ref is not None and copy_ref in new_refs:
                refs.append(copy_ref)
        elif _ref_of(value) not in new_elems:
            return None
    return refs


@cache
def _structure_rule_class() -> type:
    from pyhanko.sign.diff_analysis.rules_api import QualifiedWhitelistRule, ReferenceUpdate

    class StructureTreeRule(QualifiedWhitelistRule):
        """Structure-tree entries that tag a signature widget or annotation just added."""

        def apply_qualified(self, old: Any, new: Any) -> Iterable[tuple[Any, Any]]:
            for level, ref in _structure_updates(old, new):
                yield level, ReferenceUpdate(ref)

    return StructureTreeRule


@cache
def diff_policy() -> Any:
    """pyHanko's default rules plus the annotation and unused-object-freeing rules."""
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, StandardDiffPolicy

    annotation_rule, freeing_rule = _rule_classes()
    structure_rule = _structure_rule_class()
    return StandardDiffPolicy(
        global_rules=[
            *DEFAULT_DIFF_POLICY.global_rules,
            annotation_rule(),
            freeing_rule(),
            structure_rule(),
        ],
        form_rule=DEFAULT_DIFF_POLICY.form_rule,
        # freed and orphaned objects are reviewed one by one by UnreachableObjectRule
        reject_object_freeing=False,
        ignore_orphaned_objects=False,
    )


@dataclass(frozen=True)
class Judgement:
    """What happened after one signature."""

    modification: Modification
    changes: list[str]
    visible: bool  # permitted, but changes what a reader sees (form values, annotations)


def judge(st: Any, coverage: Coverage, sig_fields: set[str]) -> Judgement:
    """Classify the changes made after a signature from pyHanko's difference analysis."""
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel

    diff = st.diff_result
    if coverage is Coverage.ENTIRE_FILE:
        return Judgement(Modification.NONE, [], False)
    if diff is None:
        return Judgement(
            Modification.DISALLOWED, ["the changes after signing could not be analysed"], False
        )
    if not isinstance(diff, DiffResult):
        return Judgement(Modification.DISALLOWED, [str(diff) or type(diff).__name__], False)
    level = diff.modification_level
    filled = sorted(n for n in diff.changed_form_fields if n not in sig_fields)
    changed = [f"form field {n!r} filled or changed after signing" for n in filled]
    if level is ModificationLevel.NONE:
        return Judgement(Modification.NONE, changed, False)
    if level is ModificationLevel.OTHER or st.docmdp_ok is False:
        reason = (
            "the changes exceed what the certification signature permits"
            if st.docmdp_ok is False
            else f"modification level {level.name}"
        )
        return Judgement(Modification.DISALLOWED, [*changed, reason], False)
    what = {
        "LTA_UPDATES": "validation data (DSS) or document timestamps added",
        "FORM_FILLING": "signatures added" if not filled else "form fields filled",
        "ANNOTATIONS": "annotations added, changed or removed",
    }.get(level.name, level.name)
    visible = bool(filled) or level.name == "ANNOTATIONS"
    return Judgement(Modification.ALLOWED, [what, *changed], visible)


@dataclass(frozen=True)
class MetadataChange:
    """One document-information or XMP value that differs from the signed revision."""

    where: str  # "/Info" or "XMP /Metadata"
    key: str
    old: str | None
    new: str | None

    def describe(self) -> str:
        return f"{self.where} {self.key}: {self.old!r} -> {self.new!r}"


def _info_of(trailer: Any) -> dict[str, str]:
    try:
        info = trailer["/Info"]  # pyHanko's TrailerDictionary has no .get()
        info = info.get_object() if hasattr(info, "get_object") else info
    except Exception:
        return {}
    if not isinstance(info, dict):
        return {}
    out: dict[str, str] = {}
    for key in info:
        try:
            out[str(key)] = str(info[key])
        except Exception:
            out[str(key)] = "<unreadable>"
    return out


# Writers rewrite these on every save; a reader never sees them as content.
_HOUSEKEEPING_INFO_KEYS = frozenset({"/ModDate", "/Producer", "/Creator", "/Trapped"})
# The XMP properties a viewer shows as the document's title, author, subject, keywords.
_XMP_PROPERTIES = ("dc:title", "dc:description", "dc:creator", "dc:subject", "pdf:Keywords")


def _xmp_of(root: Any) -> dict[str, str] | None:
    import re

    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    try:
        meta = root.get("/Metadata")
        if meta is None:
            return None
        packet = bytes(meta.get_object().read_data(DecodePurpose.GENERIC))
    except Exception:
        return {"packet": "<unreadable>"}
    text = packet.decode("utf-8", errors="replace")
    out: dict[str, str] = {}
    for prop in _XMP_PROPERTIES:
        m = re.search(rf"<{prop}\b[^>]*>(.*?)</{prop}>", text, re.S)
        if m is None:
            m = re.search(rf'{prop}="([^"]*)"', text)
        if m is not None:
            value = re.sub(r"<[^>]+>", " ", m.group(1))
            out[prop] = " ".join(value.split())
    return out


def metadata_changes(reader: Any, signed_revision: int) -> list[MetadataChange]:
    """/Info keys and the XMP packet that differ between a signed revision and the file."""
    if signed_revision < 0:
        return []
    try:
        old_trailer = reader.get_historical_resolver(signed_revision).trailer_view
        old_root = reader.get_historical_root(signed_revision)
    except Exception:
        return []
    out: list[MetadataChange] = []
    old_info, new_info = _info_of(old_trailer), _info_of(reader.trailer)
    for key in sorted(set(old_info) | set(new_info)):
        if key in _HOUSEKEEPING_INFO_KEYS:
            continue
        if old_info.get(key) != new_info.get(key):
            out.append(MetadataChange("/Info", key[1:], old_info.get(key), new_info.get(key)))
    old_xmp, new_xmp = _xmp_of(old_root), _xmp_of(reader.root)
    if new_xmp is not None and old_xmp != new_xmp:
        old_x, new_x = old_xmp or {}, new_xmp
        for key in sorted(set(old_x) | set(new_x)):
            if old_x.get(key) != new_x.get(key):
                out.append(MetadataChange("XMP", key, old_x.get(key), new_x.get(key)))
    return out


def tolerate_fieldmdp(emb: Any) -> list[str]:
    """A /FieldMDP without /Action (or unreadable) locks every field, with a warning.

    pyHanko raises on such a lock; the conservative reading keeps every field locked,
    which can only make more changes disallowed, never fewer. Relies on pyHanko's
    ``EmbeddedPdfSignature._fieldmdp`` cache (see docs/verify.md).
    """
    from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec

    try:
        emb.fieldmdp  # noqa: B018 - parse it now
        return []
    except Exception:
        emb._fieldmdp = FieldMDPSpec(action=FieldMDPAction.ALL)
        emb._fieldmdp_queried = True
        return [
            "the signature's /FieldMDP lock is incomplete (no /Action); every field is "
            "treated as locked"
        ]


def after_last_signature(
    ctx: VerifyContext,
    reports: list[tuple[int, SignatureReport, Any, Any]],
    final: list[SignatureReport],
    findings: list[Finding],
) -> list[SignatureReport]:
    """Report what changed after the last signature that a reader would see.

    ISO 32000 permits filling forms, annotating (where DocMDP allows) and rewriting the
    document information after an approval signature, so such changes are "allowed".
    A permit is a final decision, though: what a reader sees must be what someone
    signed. Permitted changes that show (form values, annotations, title and other
    metadata) after the *last* signature therefore cap the document at INDETERMINATE,
    with the changes spelled out; a later signature over them lifts the cap.
    """
    signed = [
        (rev, i)
        for i, (rev, rep, emb, _st) in enumerate(reports)
        if emb is not None and rep.kind is SignatureKind.SIGNATURE
    ]
    if not signed:
        return final
    last_rev, index = max(signed)
    last = final[index]
    if last.coverage is Coverage.ENTIRE_FILE or last.integrity is Integrity.BROKEN:
        return final
    meta = metadata_changes(ctx.reader, last_rev)
    visible = ctx.visible_changes.get(last.field, False)
    if not meta and not visible:
        return final
    described = [m.describe() for m in meta]
    changes = list(last.changes)
    later_lta = any(
        emb is not None and emb.sig_object_type == "/DocTimeStamp" and rev > last_rev
        for rev, _r, emb, _s in reports
    ) or _dss_changed(ctx.reader, last_rev)
    if meta and not later_lta:
        # pyHanko clears metadata rewrites as housekeeping; say what they really are
        changes = [c for c in changes if not c.startswith("validation data (DSS)")]
        changes.insert(0, "document metadata rewritten after signing")
    changes += [f"metadata changed after signing: {d}" for d in described]
    final[index] = last.model_copy(update={"changes": changes})
    if last.modified_after_signing is Modification.DISALLOWED:
        return final  # already refused; the metadata is listed among its changes
    what = "; ".join([*(c for c in changes if not c.startswith("metadata changed"))][:5])
    message = (
        f"the document was changed after the last signature ({last.field}) in ways the PDF "
        f"standard permits but that change what a reader sees: {what}"
    )
    if described:
        message += "; metadata: " + "; ".join(described[:10])
    findings.append(Finding(code="changed_after_last_signature", message=message, field=last.field))
    return final


def _dss_changed(reader: Any, revision: int) -> bool:
    try:
        old = reader.get_historical_root(revision).raw_get("/DSS")
    except Exception:
        old = None
    try:
        new = reader.root.raw_get("/DSS")
    except Exception:
        new = None
    return bool(old != new)

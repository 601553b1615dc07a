"""Bilingual text for PDFs, shared by ``documents`` (permits) and ``signing`` (stamps).

* Font: Amiri (Arabic + Latin, SIL Open Font License 1.1) from the ``fontpkg-amiri``
  package on PyPI, never from the system. It is reduced once per machine to the
  characters a permit uses (Latin, Latin-1, Latin Extended-A, punctuation, Arabic and
  its presentation forms) without OpenType layout tables: Arabic is shaped before it
  reaches the PDF, so the layout tables only cost time (they made every stamp take
  half a second to subset). The reduced copy is cached under the user's cache
  directory. Amiri maps ASCII punctuation to its Arabic-style forms (the full stop is a
  heavy lozenge) and switches to the Latin forms only through the ``locl`` feature of
  the ``latn`` script; with the layout tables gone that switch never happens, so the
  reduction writes the Latin forms into the character map itself (see
  :func:`_latin_punctuation`).
* Shaping: arabic-reshaper (contextual forms, lam-alef) then python-bidi (visual order).
* A character the font cannot draw raises :class:`MissingGlyphError`: never dropped.
* Hijri dates: hijridate (Umm al-Qura tables), with a day shift for Morocco's own
  moon-sighting calendar when they differ.

Needs the ``documents`` extra.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from ._errors import ConfigurationError, InvalidInputError, require_extra

__all__ = [
    "MissingGlyphError",
    "check_glyphs",
    "close_fonts",
    "font_file",
    "fpdf_output",
    "has_arabic",
    "hijri_date_ar",
    "keep_together",
    "ltr",
    "shape_arabic",
    "strip_controls",
]

# Left-to-right embedding and its end (UAX #9 X2, X7): the bidi algorithm honours them
# and removes them from the visual line; text that is not shaped has them stripped.
_LRE, _PDF = "\u202a", "\u202c"
_NBSP = "\u00a0"

# Unicode ranges kept in the reduced font.
_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x017F),
    (0x0600, 0x06FF),
    (0x2000, 0x206F),
    (0x20AC, 0x20AC),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
_REDUCTION_VERSION = "2"


class MissingGlyphError(ConfigurationError, InvalidInputError):
    """The font has no glyph for a character of the text: never drop it silently."""

    code = "missing_glyph"


# Shared by two rooms; users meet it through the renderer, so that is its public home.
MissingGlyphError.__module__ = "rokhas_sdk.documents"


def _source(weight: str) -> Path:
    try:
        import fontpkg_amiri  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the extra is installed in tests
        raise require_extra("fontpkg-amiri", "documents") from None
    p = Path(fontpkg_amiri.ROOT) / "files" / f"Amiri-{weight}.ttf"
    if not p.is_file():  # pragma: no cover - a broken installation
        raise ConfigurationError(f"font file {p} is missing: reinstall fontpkg-amiri")
    return p


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    d = Path(base) / "rokhas-sdk" / "fonts"
    try:
        d.mkdir(parents=True, exist_ok=True)
        probe = d / ".probe"
        probe.write_bytes(b"")
        probe.unlink()
        return d
    except OSError:
        return Path(tempfile.mkdtemp(prefix="rokhas-fonts-"))


@lru_cache(maxsize=4)
def font_file(weight: str = "Regular") -> Path:
    """Path of the reduced Amiri font (``Regular`` or ``Bold``), built on first use."""
    src = _source(weight)
    raw = src.read_bytes()
    tag = hashlib.sha256(raw + _REDUCTION_VERSION.encode()).hexdigest()[:16]
    target = _cache_dir() / f"amiri-{weight.lower()}-{tag}.ttf"
    if target.is_file():
        return target
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(io.BytesIO(raw))
    _latin_punctuation(font)
    cmap = font.getBestCmap()
    keep = [c for lo, hi in _RANGES for c in range(lo, hi + 1) if c in cmap]
    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "DSIG"]
    opts.name_IDs = ["*"]  # keep the copyright and licence records (OFL)
    opts.notdef_outline = True
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, target)  # atomic: concurrent builders write the same bytes
    return target


def _latin_punctuation(font: Any) -> None:
    """Point the character map of ASCII punctuation at the font's Latin forms.

    Amiri draws U+002E as an Arabic full stop (a lozenge about twice the size of a
    Latin dot: "312.40" looked like "312•40") and swaps in the Latin forms of the full
    stop, brackets, slash, exclamation mark and guillemets through the ``locl``
    lookups of its ``latn`` script. We shape Arabic ourselves and drop the layout
    tables, so we apply that substitution once here. The Arabic column keeps the
    Latin forms too: its punctuation sits in numbers, references and dates far more
    often than at the end of an Arabic sentence, where a plain dot is also usual.
    """
    gsub = font["GSUB"].table if "GSUB" in font else None
    if gsub is None or gsub.ScriptList is None:
        return
    latin = next((r.Script for r in gsub.ScriptList.ScriptRecord if r.ScriptTag == "latn"), None)
    if latin is None or latin.DefaultLangSys is None:
        return
    swap: dict[str, str] = {}
    for index in latin.DefaultLangSys.FeatureIndex:
        record = gsub.FeatureList.FeatureRecord[index]
        if record.FeatureTag != "locl":
            continue
        for lookup_index in record.Feature.LookupListIndex:
            lookup = gsub.LookupList.Lookup[lookup_index]
            for sub in lookup.SubTable:
                table = sub.ExtSubTable if lookup.LookupType == 7 else sub
                swap.update(getattr(table, "mapping", None) or {})
    for table in font["cmap"].tables:
        if table.isUnicode():
            for code, glyph in list(table.cmap.items()):
                if code < 0x80 and glyph in swap:
                    table.cmap[code] = swap[glyph]


@lru_cache(maxsize=4)
def _cmap(weight: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(font_file(weight)), lazy=True) as f:
        return frozenset(f.getBestCmap())


def check_glyphs(text: str, weight: str = "Regular") -> None:
    """Raise :class:`MissingGlyphError` naming every character the font cannot draw."""
    cmap = _cmap(weight)
    missing = sorted({c for c in text if ord(c) not in cmap and c not in "\n\r\t" + _LRE + _PDF})
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        raise MissingGlyphError(
            f"the font (Amiri) has no glyph for {shown}{more}: remove or replace these "
            "characters; a missing glyph is never dropped silently"
        )


def fpdf_output(pdf: Any) -> bytes:
    """``pdf.output()`` as bytes.

    The embedded font subsets keep the glyph outlines and bounding boxes of the font file
    as they are (``recalcBBoxes=False``): fontTools otherwise decompiles and recompiles
    every kept glyph only to recompute boxes that the font already carries, which was
    about a quarter of a permit's rendering time. The pages drawn are identical.
    """
    for font in getattr(pdf, "fonts", {}).values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.recalcBBoxes = False
    return bytes(pdf.output())


def close_fonts(pdf: Any) -> None:
    """Close the font files fpdf2 keeps open (it opens TrueType files lazily and never
    closes them): call it in a ``finally`` so that errors do not leak handles either."""
    for font in getattr(pdf, "fonts", {}).values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def has_arabic(text: str) -> bool:
    """Whether ``text`` contains Arabic letters."""
    return any("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in text)


def ltr(text: str) -> str:
    """Mark a Latin value (name, address, reference, "312.40 m²") as one left-to-right
    run inside Arabic text: without it the bidi algorithm detaches the numbers that
    follow an Arabic word ("12 rue ..." came out as "rue ... 12")."""
    if has_arabic(text):
        return text
    return f"{_LRE}{text}{_PDF}"


def strip_controls(text: str) -> str:
    """The text without the bidi marks :func:`ltr` adds, for lines drawn unshaped."""
    return text.replace(_LRE, "").replace(_PDF, "")


def keep_together(text: str) -> str:
    """Join the words of ``text`` with no-break spaces: a date never wraps mid-way."""
    return text.replace(" ", _NBSP)


def shape_arabic(text: str) -> str:
    """Arabic text in visual order with contextual forms, for a left-to-right PDF."""
    try:
        import arabic_reshaper

        # the pure-Python implementation mirrors brackets in right-to-left runs (rule
        # L4); python-bidi's Rust binding (``bidi.get_display``) does not
        from bidi.algorithm import get_display
    except ImportError:  # pragma: no cover - the extra is installed in tests
        raise require_extra("arabic-reshaper / python-bidi", "documents") from None
    return str(get_display(arabic_reshaper.reshape(text), base_dir="R"))


_AR_MONTHS = (
    "محرم",
    "صفر",
    "ربيع الأول",
    "ربيع الآخر",
    "جمادى الأولى",
    "جمادى الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو القعدة",
    "ذو الحجة",
)


def hijri_date_ar(day: _dt.date, adjust_days: int = 0) -> str:
    """The Hijri date of ``day`` in Arabic ("19 جمادى الآخرة 1448 هـ").

    Computed from the Umm al-Qura tables (hijridate); ``adjust_days`` shifts it to
    Morocco's official calendar (moon sighting) when the two differ, usually by a day.
    """
    from hijridate import Gregorian

    try:
        h = Gregorian.fromdate(day + _dt.timedelta(days=adjust_days)).to_hijri()
    except (OverflowError, ValueError) as exc:
        raise InvalidInputError(
            f"{day.isoformat()} is outside the Hijri conversion range (1343-1500 AH, "
            f"1924-2077): {exc}"
        ) from None
    return f"{h.day} {_AR_MONTHS[h.month - 1]} {h.year} هـ"

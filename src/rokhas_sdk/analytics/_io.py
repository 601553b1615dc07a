"""Reading events: procedure journals and flat dossier exports (JSON Lines, CSV, Parquet).

Everything is normalised to one table of events, one row per event::

    dossier  str       the dossier's identifier
    commune  str       the commune's code
    kind     str|null  the procedure kind (``ProcedureKind`` value)
    scale    str|null  PETIT or GRAND (derived from ``kind`` when absent)
    event    str       the state the dossier reached (``SUBMITTED``, ``ISSUED``...)
    at       datetime  when, timezone-aware (stored in UTC)

The *flat export* format is exactly these columns (``kind`` or ``scale`` may be empty
but not both; ``at`` in ISO 8601 with an offset). A *journal* is the procedure room's
JSON Lines: one entry per transition, with the state reached and its time; dossier-level
fields (commune, kind) may be given once per dossier and are carried to its entries.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..models import registry
from ._errors import EventDataError
from ._polars import pl
from ._rules import CountingRules, default_rules

__all__ = [
    "EVENT_COLUMNS",
    "events_from_journal",
    "events_from_records",
    "normalise_events",
    "read_events",
    "write_events",
]

Communes = Mapping[str, str] | str | Path | None
"""Where journals' communes come from: a mapping dossier -> commune, or a CSV file."""

EVENT_COLUMNS: tuple[str, ...] = ("dossier", "commune", "kind", "scale", "event", "at")

_SCHEMA: dict[str, Any] = {
    "dossier": pl.String,
    "commune": pl.String,
    "kind": pl.String,
    "scale": pl.String,
    "event": pl.String,
    "at": pl.Datetime("us", "UTC"),
}

# Field names a journal entry may use for each of our columns, first match wins. The
# procedure room's journal names come first; the others let exports from other tools in.
_ALIASES: dict[str, tuple[str, ...]] = {
    "dossier": ("dossier", "dossier_id", "dossier_ref", "reference"),
    "commune": ("commune", "commune_code"),
    "kind": ("kind", "procedure_kind"),
    "scale": ("scale", "project_scale"),
    "event": ("event", "to_state", "state", "to"),
    "at": ("at", "time", "timestamp", "occurred_at"),
}
# Entries may carry the dossier-level fields nested under one of these keys.
_NESTED = ("dossier_info", "header", "meta")

_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_SUFFIXES = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def _pick(entry: Mapping[str, Any], column: str) -> Any:
    for name in _ALIASES[column]:
        if name in entry and entry[name] is not None:
            value = entry[name]
            if column == "event" and isinstance(value, Mapping):
                value = value.get("value") or value.get("name")
            return value
    for nest in _NESTED:
        inner = entry.get(nest)
        if isinstance(inner, Mapping):
            for name in _ALIASES[column]:
                if inner.get(name) is not None:
                    return inner[name]
    return None


def events_from_records(
    records: Iterable[Mapping[str, Any]], *, source: str = "<records>"
) -> pl.DataFrame:
    """Events from Python mappings: flat rows or journal entries (field aliases allowed).

    Entries without an event (a journal's dossier header, say) only contribute their
    dossier-level fields, which are then carried to every event of that dossier.
    """
    cols: dict[str, list[Any]] = {c: [] for c in EVENT_COLUMNS}
    known: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(records, start=1):
        if not isinstance(entry, Mapping):
            raise EventDataError(
                f"{source}: entry {i} is a {type(entry).__name__}, expected an object"
            )
        dossier = _pick(entry, "dossier")
        if dossier is None:
            raise EventDataError(
                f"{source}: entry {i} names no dossier (expected a 'dossier' field)"
            )
        info = known.setdefault(str(dossier), {})
        for column in ("commune", "kind", "scale"):
            value = _pick(entry, column)
            if value is not None:
                info.setdefault(column, str(value))
        event = _pick(entry, "event")
        if event is None:
            continue
        at = _pick(entry, "at")
        if at is None:
            raise EventDataError(
                f"{source}: entry {i} ({event}) has no time (expected an 'at' field)"
            )
        cols["dossier"].append(str(dossier))
        cols["event"].append(str(event))
        cols["at"].append(str(at))
        for column in ("commune", "kind", "scale"):
            cols[column].append(None)
    frame = pl.DataFrame(cols, schema={c: pl.String for c in EVENT_COLUMNS})
    if known:
        header = pl.DataFrame(
            {
                "dossier": list(known),
                **{c: [known[d].get(c) for d in known] for c in ("commune", "kind", "scale")},
            },
            schema={c: pl.String for c in ("dossier", "commune", "kind", "scale")},
        )
        frame = frame.drop("commune", "kind", "scale").join(header, on="dossier", how="left")
    return normalise_events(frame.select(EVENT_COLUMNS), source=source)


def normalise_events(
    frame: pl.DataFrame | pl.LazyFrame, *, source: str = "<frame>"
) -> pl.DataFrame:
    """Check and convert a table to the event schema (times parsed, labels upper-cased).

    Raises :class:`EventDataError` naming the first row at fault.
    """
    df = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    missing = [c for c in ("dossier", "commune", "event", "at") if c not in df.columns]
    if missing:
        raise EventDataError(
            f"{source}: missing column(s) {missing}; an events table needs {list(EVENT_COLUMNS)} "
            "(kind or scale may be empty)"
        )
    for c in ("kind", "scale"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    at = df.schema["at"]
    if at == pl.String:
        bad = df.with_row_index("row").filter(
            pl.col("at").is_null() | ~pl.col("at").str.contains(_OFFSET)
        )
        if bad.height:
            row = bad.row(0, named=True)
            raise EventDataError(
                f"{source}: row {row['row'] + 1} has time {row['at']!r} without a UTC offset; "
                "write times in ISO 8601 with an offset, e.g. 2026-07-01T09:30:00+01:00"
            )
        try:
            parsed = df["at"].str.to_datetime(time_zone="UTC", time_unit="us", strict=True)
        except pl.exceptions.PolarsError as exc:
            raise EventDataError(
                f"{source}: a time in column 'at' is not ISO 8601 ({str(exc).splitlines()[0]}); "
                "write e.g. 2026-07-01T09:30:00+01:00"
            ) from None
        df = df.with_columns(parsed.alias("at"))
    elif isinstance(at, pl.Datetime):
        if at.time_zone is None:
            raise EventDataError(
                f"{source}: column 'at' holds times without a time zone; give them their zone "
                "before ranking: UTC (.dt.replace_time_zone('UTC')) or ISO 8601 text with the "
                "offset (polars' own 'Africa/Casablanca' may predate Morocco's permanent UTC+0 "
                "of 2026-09-20)"
            )
        df = df.with_columns(pl.col("at").dt.convert_time_zone("UTC").dt.cast_time_unit("us"))
    else:
        raise EventDataError(
            f"{source}: column 'at' has type {at}; expected ISO 8601 text or a datetime"
        )
    try:
        df = df.select(
            pl.col("dossier").cast(pl.String),
            # One commune code: the first seed codes (141.01.01) become HCP's (06.141.01.0),
            # so a commune written both ways is ranked once; other codes are kept.
            pl.col("commune").cast(pl.String).replace(registry().aliases),
            pl.col("kind").cast(pl.String).str.strip_chars().str.to_uppercase(),
            pl.col("scale").cast(pl.String).str.strip_chars().str.to_uppercase(),
            pl.col("event").cast(pl.String).str.strip_chars().str.to_uppercase(),
            pl.col("at"),
        )
    except pl.exceptions.PolarsError as exc:
        raise EventDataError(
            f"{source}: columns cannot be read as text ({str(exc).splitlines()[0]})"
        ) from None
    nulls = df.select(pl.col("dossier", "commune", "event").null_count()).row(0, named=True)
    for column, count in nulls.items():
        if count:
            raise EventDataError(
                f"{source}: {count} row(s) have no {column}; every event needs one"
            )
    scales = set(df["scale"].drop_nulls().unique().to_list()) - {"PETIT", "GRAND"}
    if scales:
        raise EventDataError(
            f"{source}: unknown scale(s) {sorted(scales)}; use PETIT or GRAND (or leave empty)"
        )
    return df


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in {"csv", "parquet", "jsonl"}:
            raise EventDataError(f"unknown format {fmt!r}; use csv, parquet or jsonl")
        return fmt
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise EventDataError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; "
            "name it .csv, .parquet or .jsonl, or pass format="
        )
    return found


_HASH_KEY = b',"hash":"'


def _is_journal(first: Mapping[str, Any]) -> bool:
    return {"seq", "event", "prev", "hash"} <= set(first)


def _commune_map(communes: Communes) -> dict[str, str]:
    """Dossier -> commune, from a mapping or a CSV file with columns dossier, commune."""
    if communes is None:
        return {}
    if isinstance(communes, Mapping):
        return {str(k): str(v) for k, v in communes.items()}
    path = Path(communes)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise EventDataError(f"{path}: cannot read the dossier-commune table ({exc})") from None
    if rows and not {"dossier", "commune"} <= set(rows[0]):
        raise EventDataError(
            f"{path}: the dossier-commune table needs the columns dossier and commune"
        )
    return {row["dossier"].strip(): row["commune"].strip() for row in rows if row.get("dossier")}


def events_from_journal(
    lines: Iterable[bytes | str],
    *,
    source: str = "<journal>",
    communes: Communes = None,
    rules: CountingRules | None = None,
    verify: bool = True,
) -> pl.DataFrame:
    """Events from procedure journals (JSON Lines, hash-chained; docs/procedure.md).

    Line 0 of each journal (event ``open``) names the dossier and the procedure kind;
    several journals may follow each other in one stream. Journal event names become
    the state they reach (``rules.journal_events``: ``submit`` -> ``SUBMITTED``...).
    The journal does not carry the commune: it comes from ``communes`` (a mapping or a
    CSV file ``dossier,commune``) unless line 0 has one. With ``verify``, each line's
    hash and link to the previous line are checked (a full replay, with the procedure's
    rules, is ``rokhas procedure replay``).
    """
    r = rules or default_rules()
    mapping = _commune_map(communes)
    records: list[dict[str, Any]] = []
    dossier: str | None = None
    prev = ""
    count = 0
    for n, raw in enumerate(lines, start=1):
        line = raw.encode() if isinstance(raw, str) else raw
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise EventDataError(
                f"{source}: line {n} is not JSON ({exc}); a journal has one object per line"
            ) from None
        if not isinstance(entry, dict) or "event" not in entry or "at" not in entry:
            raise EventDataError(
                f"{source}: line {n} is not a journal entry (needs seq, at, event, prev, hash)"
            )
        if verify:
            cut = line.rfind(_HASH_KEY)
            digest = hashlib.sha256(line[:cut]).hexdigest() if cut > 0 else ""
            if not hmac.compare_digest(digest, str(entry.get("hash", ""))):
                raise EventDataError(
                    f"{source}: line {n} does not match its hash: the journal was changed; "
                    "check it with `rokhas procedure replay`"
                )
        if entry["event"] == "open":
            data = entry.get("data") or {}
            count += 1
            dossier = str(data.get("dossier") or (source if count == 1 else f"{source}#{count}"))
            commune = data.get("commune") or mapping.get(dossier)
            if commune is None:
                raise EventDataError(
                    f"{source}: the journal of dossier {dossier!r} names no commune; give a "
                    "dossier-commune table (communes=..., or --communes FILE with columns "
                    "dossier,commune)"
                )
            records.append({"dossier": dossier, "commune": commune, "kind": data.get("kind")})
        else:
            if dossier is None:
                raise EventDataError(f"{source}: line {n} comes before the journal's 'open' line")
            if verify and not hmac.compare_digest(str(entry.get("prev", "")), prev):
                raise EventDataError(
                    f"{source}: line {n} does not link to the line before it: entries were "
                    "removed, "
                    "added or reordered; check it with `rokhas procedure replay`"
                )
            event = str(entry["event"])
            records.append(
                {"dossier": dossier, "event": r.journal_events.get(event, event), "at": entry["at"]}
            )
        prev = str(entry.get("hash", ""))
    return events_from_records(records, source=source)


def _read_jsonl(path: Path, communes: Communes, rules: CountingRules | None) -> pl.DataFrame:
    # A flat export has exactly our columns on every line: polars reads it natively,
    # which matters at millions of lines. Journals and other shapes go line by line.
    with path.open("rb") as fh:
        first = next((line for line in fh if line.strip()), b"")
    try:
        head = json.loads(first) if first else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        head = {}
    keys = set(head) if isinstance(head, dict) else set()
    if keys and _is_journal(head):
        with path.open("rb") as fh:
            return events_from_journal(fh, source=str(path), communes=communes, rules=rules)
    if keys and {"dossier", "commune", "event", "at"} <= keys <= set(EVENT_COLUMNS):
        try:
            raw = pl.read_ndjson(path, schema={c: pl.String for c in EVENT_COLUMNS})
        except pl.exceptions.PolarsError:
            pass  # mixed content: the line-by-line reader says which line is wrong
        else:
            return normalise_events(raw, source=str(path))
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise EventDataError(
                    f"{path}: line {n} is not JSON ({exc.msg}); one JSON object per line"
                ) from None
    return events_from_records(records, source=str(path))


def read_events(
    source: str | Path | Sequence[str | Path],
    *,
    format: str | None = None,
    communes: Communes = None,
    rules: CountingRules | None = None,
) -> pl.DataFrame:
    """Read events from files or folders: CSV, Parquet, JSON Lines exports or journals.

    The format comes from the suffix (``.csv``, ``.parquet``, ``.jsonl``/``.ndjson``)
    unless ``format`` says otherwise; a folder means every ``.jsonl`` file in it (a
    folder of journals). Procedure journals are recognised by their first line;
    ``communes`` gives their dossiers' communes (see :func:`events_from_journal`).

    Example::

        events = read_events("journals/", communes="dossiers.csv")
    """
    paths = [Path(source)] if isinstance(source, (str, Path)) else [Path(p) for p in source]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in {".jsonl", ".ndjson"} and p.is_file()
            )
            if not found:
                raise EventDataError(f"{path}: the folder holds no .jsonl journal")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise EventDataError(
                f"{path}: no such file or folder; give a journal, an export or a folder of journals"
            )
    frames = []
    for path in files:
        fmt = _format_of(path, format)
        try:
            if fmt == "parquet":
                frames.append(normalise_events(pl.read_parquet(path), source=str(path)))
            elif fmt == "csv":
                raw = pl.read_csv(path, infer_schema=False)
                frames.append(normalise_events(raw, source=str(path)))
            else:
                frames.append(_read_jsonl(path, communes, rules))
        except EventDataError:
            raise
        except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
            raise EventDataError(
                f"{path}: cannot read it as {fmt} ({str(exc).splitlines()[0]})"
            ) from None
    return pl.concat(frames) if len(frames) > 1 else frames[0]


def write_events(frame: pl.DataFrame, path: str | Path, *, format: str | None = None) -> Path:
    """Write events as a flat export (CSV, Parquet or JSON Lines) that ``read_events`` reads."""
    target = Path(path)
    fmt = _format_of(target, format)
    df = normalise_events(frame)
    if fmt == "parquet":
        df.write_parquet(target)
        return target
    text = df.with_columns(pl.col("at").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00"))
    if fmt == "csv":
        text.write_csv(target)
    else:
        text.write_ndjson(target)
    return target

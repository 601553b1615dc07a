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

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._errors import EventDataError
from ._polars import pl

__all__ = [
    "EVENT_COLUMNS",
    "events_from_records",
    "normalise_events",
    "read_events",
    "write_events",
]

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
                f"{source}: column 'at' holds times without a time zone; give them a zone "
                "(e.g. .dt.replace_time_zone('Africa/Casablanca')) before ranking"
            )
        df = df.with_columns(pl.col("at").dt.convert_time_zone("UTC").dt.cast_time_unit("us"))
    else:
        raise EventDataError(
            f"{source}: column 'at' has type {at}; expected ISO 8601 text or a datetime"
        )
    try:
        df = df.select(
            pl.col("dossier").cast(pl.String),
            pl.col("commune").cast(pl.String),
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


def _read_jsonl(path: Path) -> pl.DataFrame:
    # A flat export has exactly our columns on every line: polars reads it natively,
    # which matters at millions of lines. Anything else goes through the journal reader.
    with path.open(encoding="utf-8") as fh:
        first = next((line for line in fh if line.strip()), "")
    try:
        keys = set(json.loads(first)) if first else set()
    except (json.JSONDecodeError, TypeError):
        keys = set()
    if keys and {"dossier", "commune", "event", "at"} <= keys <= set(EVENT_COLUMNS):
        try:
            raw = pl.read_ndjson(path, schema={c: pl.String for c in EVENT_COLUMNS})
        except pl.exceptions.PolarsError:
            pass  # mixed content: let the line-by-line reader say which line is wrong
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
    source: str | Path | Sequence[str | Path], *, format: str | None = None
) -> pl.DataFrame:
    """Read events from one or more files (CSV, Parquet, JSON Lines journals or exports).

    The format comes from the suffix (``.csv``, ``.parquet``, ``.jsonl``/``.ndjson``)
    unless ``format`` says otherwise. Several files are read and concatenated.
    """
    if isinstance(source, (str, Path)):
        paths = [Path(source)]
    else:
        paths = [Path(p) for p in source]
    frames = []
    for path in paths:
        if not path.is_file():
            raise EventDataError(f"{path}: no such file; give the path of a journal or export")
        fmt = _format_of(path, format)
        try:
            if fmt == "parquet":
                frames.append(normalise_events(pl.read_parquet(path), source=str(path)))
            elif fmt == "csv":
                raw = pl.read_csv(path, infer_schema=False)
                frames.append(normalise_events(raw, source=str(path)))
            else:
                frames.append(_read_jsonl(path))
        except EventDataError:
            raise
        except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
            raise EventDataError(
                f"{path}: cannot read it as {fmt} ({str(exc).splitlines()[0]})"
            ) from None
    return pl.concat(frames) if len(frames) > 1 else frames[0]


def write_events(frame: pl.DataFrame, path: str | Path, *, format: str | None = None) -> Path:
    """Write events as a flat export (CSV, Parquet or JSON Lines) that ``read_events`` reads back."""
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

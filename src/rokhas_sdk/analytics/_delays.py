"""Processing delay of each dossier, counted as the rules say.

One pass groups all events by dossier (filing, first decision, commune, kind); the
pauses for complements are computed on the few events that can open or close one, so
the cost stays close to a single group-by however many events there are.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from .._time import offset_changes
from ._polars import pl
from ._rules import CountingRules, default_rules

__all__ = ["DELAY_COLUMNS", "dossier_delays"]

_WEEK = (True, True, True, True, True, False, False)
_UTC = pl.Datetime("us", "UTC")
# Role flags of an event (see dossier_delays).
_START, _REQ, _END, _DECISION = 1, 2, 4, 8  # _DECISION * (type index + 1)
_TYPES = ("issued", "refused", "tacit")

DELAY_COLUMNS: tuple[str, ...] = (
    "dossier",
    "commune",
    "kind",
    "scale",
    "status",
    "decision",
    "filed_at",
    "decided_at",
    "quarter",
    "raw_days",
    "paused_days",
    "counted_days",
)
"""Columns of :func:`dossier_delays`. ``status``: decided, open, or invalid (a decision
without a filing, or before it); day counts and quarter are null unless decided."""


@functools.cache
def _holidays(first: int, last: int) -> tuple[dt.date, ...]:
    import holidays as hol  # lazily: only the working-day basis needs it

    return tuple(sorted(hol.country_holidays("MA", years=range(first, last + 1))))


_MICROSECOND = dt.timedelta(microseconds=1)
_HOUR_US = 3_600_000_000
_DAY_US = 86_400_000_000
# Above this many hours between the first and last event (about 57 years), the offset
# table is not worth building and each instant searches the list of changes instead.
_MAX_TABLE_HOURS = 500_000

LocalDate = Callable[[pl.Expr], pl.Expr]


def local_date_for(lo: dt.datetime | None, hi: dt.datetime | None) -> LocalDate:
    """A local-date expression for instants between ``lo`` and ``hi`` (inclusive).

    Polars converts time zones with the database compiled into it, which may predate
    Morocco's 2026 switch to permanent UTC+0 (polars 2.1 still says UTC+1 after
    2026-09-20); legal dates must come from the ``tzdata`` package like every other
    room's (``rokhas_sdk._time``). So the offsets in force over the range are listed
    once (a handful of Ramadan switches a year, none since 2026). Morocco's offset has
    changed only on whole hours, so the offset of every UTC hour in the range is
    tabled and each instant looks its hour up, several times cheaper than a search per
    row; a change off the hour, or a range too long to table, falls back to a sorted
    search per instant. Both give the dates a per-instant conversion gives.
    """
    if lo is None or hi is None:  # no rows: the expression is never evaluated on data
        return lambda expr: expr.dt.date()
    changes = offset_changes(lo, hi)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    starts = pl.Series([(since - epoch) // _MICROSECOND for since, _ in changes], dtype=pl.Int64)
    offsets = pl.Series([off // _MICROSECOND for _, off in changes], dtype=pl.Int64)

    def offset_of(us: pl.Expr | pl.Series) -> pl.Expr:
        found = pl.lit(starts).search_sorted(us, side="right").cast(pl.Int64)
        return pl.lit(offsets).gather((found - 1).clip(0))

    h0, h1 = int(starts[0]) // _HOUR_US, (hi - epoch) // _MICROSECOND // _HOUR_US
    on_the_hour = all(int(us) % _HOUR_US == 0 for us in starts[1:])
    if len(changes) == 1:
        table = None
    elif on_the_hour and h1 - h0 <= _MAX_TABLE_HOURS:
        hours = pl.int_range(h0, h1 + 1, eager=True, dtype=pl.Int64) * _HOUR_US
        table = pl.select(offset_of(hours)).to_series()
    else:
        table = None

    def local_date(expr: pl.Expr) -> pl.Expr:
        us = expr.dt.epoch("us")
        if len(changes) == 1:
            offset: pl.Expr = pl.lit(offsets[0])
        elif table is not None:
            offset = pl.lit(table).gather(us // _HOUR_US - h0)
        else:
            offset = offset_of(us)
        return ((us + offset) // _DAY_US).cast(pl.Int32).cast(pl.Date)

    return local_date


def _count(s: pl.Expr, e: pl.Expr, rules: CountingRules, years: tuple[int, int]) -> pl.Expr:
    """Whole days between two dates, calendar or working as the rules say."""
    if rules.day_basis == "working":
        return pl.business_day_count(s, e, week_mask=_WEEK, holidays=_holidays(*years))
    return (e - s).dt.total_days()


def dossier_delays(
    events: pl.DataFrame | pl.LazyFrame, rules: CountingRules | None = None
) -> pl.DataFrame:
    """One row per dossier: filing, decision, raw, paused and counted days, quarter.

    ``events`` is a normalised events table (:func:`read_events`,
    :func:`normalise_events`). Days are whole days between local (Africa/Casablanca)
    dates. A pause runs from a complement request to the answer (or to the decision if
    none came), clipped to the filing-decision interval; with ``complement_effect``
    "suspend" paused days are subtracted, with "restart" the clock starts again at the
    last answer before the decision. Dossiers with no event that counts (drafts never
    filed) are not listed.

    Example::

        delays = dossier_delays(read_events("journal.jsonl"))
        delays.filter(pl.col("status") == "decided").select("dossier", "counted_days")
    """
    r = rules or default_rules()
    frame = events.collect() if isinstance(events, pl.LazyFrame) else events
    years = (2000, 2001)
    lo: dt.datetime | None = None
    hi: dt.datetime | None = None
    if frame.height:
        lo, hi = frame.select(pl.col("at").min().alias("lo"), pl.col("at").max().alias("hi")).row(0)
    if r.day_basis == "working" and lo is not None and hi is not None:
        years = (lo.year - 1, hi.year + 1)
    local_date = local_date_for(lo, hi)

    # Each event gets flags for its roles (an event may both start the clock and answer
    # a complement request); events with no role (drafts, commission steps) are dropped
    # before grouping. The group-by then takes only minima: of masked times, and of a
    # decision key (time * 4 + decision type) that yields the first decision and its
    # type at once. Commune, kind and scale are gathered afterwards from the row of each
    # dossier's first kept event: string "first" aggregations cost more than the rest.
    flags: dict[str, int] = {}
    for e in r.clock_start_events:
        flags[e] = flags.get(e, 0) | _START
    for e, t in r.decision_events.items():
        flags[e] = flags.get(e, 0) | (_TYPES.index(t) + 1) * _DECISION
    for e in r.pause_start_events:
        flags[e] = flags.get(e, 0) | _REQ
    for e in r.pause_end_events:
        flags[e] = flags.get(e, 0) | _END
    rel = (
        frame.lazy()
        .with_row_index("_row")
        .select("_row", "dossier", "at", "event")
        .filter(pl.col("event").is_in(list(flags)))
        .select(
            "_row",
            "dossier",
            "at",
            pl.col("event").replace_strict(flags, return_dtype=pl.Int64).alias("_f"),
        )
        .collect()
    )
    at_us = pl.col("at").dt.epoch("us")
    grouped = (
        rel.lazy()
        .select(
            "_row",
            "dossier",
            pl.when((pl.col("_f") & _START) != 0).then(at_us).alias("_filed"),
            pl.when(pl.col("_f") >= _DECISION)
            .then(at_us * 4 + pl.col("_f") // _DECISION - 1)
            .alias("_dkey"),
            pl.when((pl.col("_f") & _REQ) != 0).then(pl.col("at")).alias("_req"),
        )
        .group_by("dossier")
        .agg(pl.col("_row", "_filed", "_dkey", "_req").min())
        .collect()
    )
    attrs = frame.select("commune", "kind", "scale")[grouped["_row"]]

    kind_scale = pl.col("kind").replace_strict(
        {k: s.value for k, s in r.scales.items()}, default=None, return_dtype=pl.String
    )
    filed = pl.from_epoch("_filed", "us").dt.replace_time_zone("UTC")
    decided = pl.from_epoch(pl.col("_dkey") // 4, "us").dt.replace_time_zone("UTC")
    which = pl.col("_dkey") % 4
    per = (
        grouped.rename({"_row": "_key"})  # the dossier's first kept row: a unique integer
        .hstack(attrs)
        .lazy()
        .with_columns(filed.alias("filed_at"), decided.alias("decided_at"))
        .with_columns(
            pl.coalesce("scale", kind_scale).alias("scale"),
            pl.when(pl.col("filed_at").is_not_null() & (pl.col("decided_at") >= pl.col("filed_at")))
            .then(pl.lit("decided"))
            .when(pl.col("decided_at").is_null() & pl.col("filed_at").is_not_null())
            .then(pl.lit("open"))
            .otherwise(pl.lit("invalid"))
            .alias("status"),
        )
        .with_columns(
            pl.when(pl.col("status") == "decided")
            .then(which.replace_strict(dict(enumerate(_TYPES)), return_dtype=pl.String))
            .alias("decision")
        )
        .drop("_filed", "_dkey")
        .collect()
    )

    # Pauses only concern decided dossiers with a complement request, and only the
    # pause events from their first request on (earlier answers close nothing).
    paused = (
        per.lazy()
        .filter((pl.col("status") == "decided") & pl.col("_req").is_not_null())
        .select("dossier", "_key", "filed_at", "decided_at", "_req")
    )
    if r.pause_start_events:
        clipped = (
            _pause_intervals(rel.lazy(), paused)
            .with_columns(
                pl.max_horizontal("_ps", "filed_at").alias("_s"),
                pl.min_horizontal(
                    pl.col("_pe").fill_null(pl.col("decided_at")), "decided_at"
                ).alias("_e"),
            )
            .filter(pl.col("_e") > pl.col("_s"))
        )
        agg = (
            clipped.with_columns(
                _count(local_date(pl.col("_s")), local_date(pl.col("_e")), r, years).alias("_pd")
            )
            .group_by("dossier")
            .agg(
                pl.col("_pd").sum().alias("_paused"),
                # the last answer that came before the decision (restart mode)
                pl.col("_pe").filter(pl.col("_pe") <= pl.col("decided_at")).max().alias("_restart"),
            )
        )
        per = per.join(agg.collect(), on="dossier", how="left")
    else:
        per = per.with_columns(
            pl.lit(0, dtype=pl.Int64).alias("_paused"), pl.lit(None, dtype=_UTC).alias("_restart")
        )

    decided_ok = pl.col("status") == "decided"
    per = per.with_columns(
        local_date(pl.col("filed_at")).alias("_fd"), local_date(pl.col("decided_at")).alias("_dd")
    )
    raw = _count(pl.col("_fd"), pl.col("_dd"), r, years)
    if r.complement_effect == "suspend":
        paused_days = pl.col("_paused").fill_null(0)
        counted = raw - paused_days
    else:
        restart = pl.max_horizontal("filed_at", pl.col("_restart").fill_null(pl.col("filed_at")))
        counted = _count(local_date(restart), pl.col("_dd"), r, years)
        paused_days = raw - counted
    # Quarter labels from a small lookup of the quarters present, not a string built per row.
    qkey = pl.col("_dd").dt.year().cast(pl.Int32) * 10 + pl.col("_dd").dt.quarter().cast(pl.Int32)
    keys = per.select(qkey.unique().drop_nulls())[:, 0].to_list()
    labels = {k: f"{k // 10}Q{k % 10}" for k in keys}
    out = per.lazy().with_columns(
        pl.when(decided_ok)
        .then(qkey.replace_strict(labels, default=None, return_dtype=pl.String))
        .alias("quarter"),
        pl.when(decided_ok).then(raw).cast(pl.Int64).alias("raw_days"),
        pl.when(decided_ok).then(paused_days).cast(pl.Int64).alias("paused_days"),
        pl.when(decided_ok).then(counted).cast(pl.Int64).alias("counted_days"),
    )
    return out.select(DELAY_COLUMNS).collect()


def _pause_intervals(rel: pl.LazyFrame, paused: pl.LazyFrame) -> pl.LazyFrame:
    """Pause intervals (dossier, _ps, _pe, filed_at, decided_at) of the ``paused`` dossiers.

    The state after any pause-related event depends on that event alone (a request
    leaves the dossier paused, an answer leaves it running), so a request opens a pause
    unless the previous such event was a request, and an answer closes one only if the
    previous was a request. The kept rows alternate; each pause ends at the next kept
    row, or stays open (``_pe`` null) until the decision.
    """
    # A request and an answer at the same instant: the request first (a zero-length pause).
    rows = (
        rel.filter((pl.col("_f") & (_REQ | _END)) != 0)
        .select("dossier", "at", ((pl.col("_f") & _REQ) != 0).alias("_isreq"))
        .join(paused, on="dossier", how="inner")
        .filter((pl.col("at") >= pl.col("_req")) & (pl.col("at") <= pl.col("decided_at")))
        # Sorted on the dossier's integer key rather than its name: the same order of
        # dossiers' rows, at a fraction of a string sort's cost.
        .sort(["_key", "at", "_isreq"], descending=[False, False, True])
    )
    prev_req = ((pl.col("_key") == pl.col("_key").shift(1)) & pl.col("_isreq").shift(1)).fill_null(
        False
    )
    kept = rows.filter(pl.col("_isreq") ^ prev_req)
    next_same = (pl.col("_key") == pl.col("_key").shift(-1)).fill_null(False)
    return (
        kept.with_columns(pl.when(next_same).then(pl.col("at").shift(-1)).alias("_pe"))
        .filter(pl.col("_isreq"))
        .select("dossier", pl.col("at").alias("_ps"), "_pe", "filed_at", "decided_at")
    )

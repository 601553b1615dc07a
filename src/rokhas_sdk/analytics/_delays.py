"""Processing delay of each dossier, counted as the rules say.

One pass groups all events by dossier (filing, first decision, commune, kind); the
pauses for complements are computed on the few events that can open or close one, so
the cost stays close to a single group-by however many events there are.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from ._polars import pl
from ._rules import CountingRules, default_rules

__all__ = ["DELAY_COLUMNS", "dossier_delays"]

TZ = "Africa/Casablanca"
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


_HOUR_US = 3_600_000_000
_DAY_US = 86_400_000_000
# Above this many hours between the first and last event (about 57 years), the offset
# table is not worth building and every instant is converted on its own.
_MAX_TABLE_HOURS = 500_000

LocalDate = Callable[[pl.Expr], pl.Expr]


def local_date_expr(expr: pl.Expr) -> pl.Expr:
    return expr.dt.convert_time_zone(TZ).dt.date()


def _local_date_for(lo: dt.datetime | None, hi: dt.datetime | None) -> LocalDate:
    """A local-date expression for instants between ``lo`` and ``hi`` (inclusive).

    Converting each instant through the time-zone database costs about 0.1 µs a row,
    several times over per dossier. Morocco's offset changes only on whole hours (the
    Ramadan switch between UTC+1 and UTC+0), so the offset of every UTC hour in the
    range is computed once and each instant looks its hour up: seven times faster, the
    same dates. Where an offset would change inside an hour (not so in the time-zone
    database today, but it is data), the exact per-instant conversion is used.
    """
    if lo is None or hi is None:
        return local_date_expr
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    h0 = (lo - epoch) // dt.timedelta(microseconds=1) // _HOUR_US
    h1 = (hi - epoch) // dt.timedelta(microseconds=1) // _HOUR_US
    if h1 - h0 > _MAX_TABLE_HOURS:
        return local_date_expr
    hours = pl.int_range(h0, h1 + 1, eager=True, dtype=pl.Int64)

    def offsets(at_us: pl.Series) -> pl.Series:
        utc = pl.from_epoch(at_us, "us").dt.replace_time_zone("UTC")
        local = utc.dt.convert_time_zone(TZ).dt.replace_time_zone(None).dt.epoch("us")
        return local - at_us

    table = offsets(hours * _HOUR_US)
    if not table.equals(offsets(hours * _HOUR_US + (_HOUR_US - 1))):
        return local_date_expr

    def local_date(expr: pl.Expr) -> pl.Expr:
        us = expr.dt.epoch("us")
        offset = pl.lit(table).gather(us // _HOUR_US - h0)
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
    local_date = _local_date_for(lo, hi)

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

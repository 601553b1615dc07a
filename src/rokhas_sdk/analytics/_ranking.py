"""Per commune and quarter statistics, and the Ministry's ranking (best and 10 worst).

The Interior ministry ranks communes every quarter on the average processing delay of
urban authorisations, petits and grands projets apart, and publishes the best and the
10 worst for each criterion (see docs/legal-sources.md). We add, as further criteria,
the share of dossiers decided within each legal target.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import TypeAdapter

from .._errors import InvalidInputError
from .._time import CASABLANCA
from ..models import ProjectScale
from ._delays import dossier_delays, local_date_for
from ._polars import pl
from ._report import CommuneStats, Criterion, RankedCommune, RankingReport
from ._rules import CountingRules, default_rules

__all__ = ["commune_stats", "rank_communes"]

_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")
_PLURAL_FR = {ProjectScale.PETIT: "petits projets", ProjectScale.GRAND: "grands projets"}
_PLURAL_AR = {ProjectScale.PETIT: "المشاريع الصغرى", ProjectScale.GRAND: "المشاريع الكبرى"}
_ROWS: TypeAdapter[tuple[CommuneStats, ...]] = TypeAdapter(tuple[CommuneStats, ...])
_QUANTILES = {
    "p10_days": 0.10,
    "q1_days": 0.25,
    "median_days": 0.5,
    "q3_days": 0.75,
    "p90_days": 0.90,
}


def _check_quarter(quarter: str) -> str:
    m = _QUARTER.match(quarter.strip().upper())
    if not m:
        raise InvalidInputError(
            f"quarter {quarter!r} is not like 2026Q3; write the year, Q and 1 to 4"
        )
    return f"{m.group(1)}Q{m.group(2)}"


def _quarter_end(q: str) -> dt.datetime:
    year, n = int(q[:4]), int(q[-1])
    first_of_next = dt.date(year + (n == 4), 1 if n == 4 else 3 * n + 1, 1)
    return dt.datetime.combine(first_of_next, dt.time(), tzinfo=CASABLANCA)


def _default_quarter(quarters: list[str], events: pl.DataFrame | pl.LazyFrame) -> str:
    """The latest quarter the data covers to its end; else the latest with decisions."""
    last = events.lazy().select(pl.col("at").max()).collect().item()
    complete = [q for q in quarters if last is not None and _quarter_end(q) <= last]
    return complete[-1] if complete else quarters[-1]


def commune_stats(
    delays: pl.DataFrame, rules: CountingRules | None = None, *, quarter: str | None = None
) -> pl.DataFrame:
    """Aggregate :func:`dossier_delays` per commune, quarter and scale.

    Columns: counts (decided, issued, refused, tacit), mean/median/quantiles of
    counted days, mean raw and paused days, and for each target ``within_<id>`` (the
    share of the dossiers filed under that target decided within it; null where the
    target does not apply). ``quarter`` keeps only that quarter.
    """
    r = rules or default_rules()
    d = delays.lazy().filter((pl.col("status") == "decided") & pl.col("scale").is_not_null())
    if quarter is not None:
        d = d.filter(pl.col("quarter") == _check_quarter(quarter))
    lo, hi = delays.select(
        pl.col("filed_at").min().alias("lo"), pl.col("filed_at").max().alias("hi")
    ).row(0)
    d = d.with_columns(local_date_for(lo, hi)(pl.col("filed_at")).alias("_filed"))
    filed = pl.col("_filed")
    target_cols: list[pl.Expr] = []
    for t in r.targets:
        applies = (pl.col("scale") == t.scale.value) & (filed >= t.effective_from)
        if t.effective_to is not None:
            applies = applies & (filed < t.effective_to)
        target_cols += [
            applies.alias(f"_app_{t.id}"),
            (applies & (pl.col("counted_days") <= t.days)).alias(f"_in_{t.id}"),
        ]
    d = d.with_columns(target_cols)
    aggs: list[pl.Expr] = [
        pl.len().alias("decided"),
        (pl.col("decision") == "issued").sum().alias("issued"),
        (pl.col("decision") == "refused").sum().alias("refused"),
        (pl.col("decision") == "tacit").sum().alias("tacit"),
        pl.col("counted_days").mean().alias("mean_days"),
        *[pl.col("counted_days").quantile(q, "linear").alias(n) for n, q in _QUANTILES.items()],
        pl.col("counted_days").min().alias("min_days"),
        pl.col("counted_days").max().alias("max_days"),
        pl.col("raw_days").mean().alias("mean_raw_days"),
        pl.col("paused_days").mean().alias("mean_paused_days"),
    ]
    for t in r.targets:
        aggs.append(
            pl.when(pl.col(f"_app_{t.id}").sum() > 0)
            .then(pl.col(f"_in_{t.id}").sum() / pl.col(f"_app_{t.id}").sum())
            .alias(f"within_{t.id}")
        )
    return (
        d.group_by("commune", "quarter", "scale")
        .agg(aggs)
        .sort("quarter", "scale", "commune")
        .collect()
    )


def _criteria(rules: CountingRules, scales: list[str]) -> list[Criterion]:
    out: list[Criterion] = []
    for s in scales:
        scale = ProjectScale(s)
        out.append(
            Criterion(
                id=f"{s.lower()}_mean_days",
                scale=scale,
                metric="mean_days",
                better="lower",
                label_fr=f"Délai moyen de traitement, {_PLURAL_FR[scale]} (jours)",
                label_ar=f"متوسط أجل المعالجة، {_PLURAL_AR[scale]} (بالأيام)",
            )
        )
        for t in rules.targets_for(scale):
            out.append(
                Criterion(
                    id=f"{s.lower()}_within_{t.id}",
                    scale=scale,
                    metric=f"within_{t.id}",
                    better="higher",
                    target_id=t.id,
                    label_fr=(
                        f"Part des {_PLURAL_FR[scale]} décidés en {t.days} jours au plus "
                        f"({t.regime})"
                    ),
                    label_ar=f"نسبة {_PLURAL_AR[scale]} المبتوت فيها داخل أجل {t.days} يوما",
                )
            )
    return out


def rank_communes(
    events: pl.DataFrame | pl.LazyFrame,
    *,
    quarter: str | None = None,
    rules: CountingRules | None = None,
    best: int = 10,
    worst: int = 10,
    min_decided: int = 1,
) -> RankingReport:
    """The quarterly ranking of communes, from events (journals or exports).

    ``quarter`` like "2026Q3" (default: the latest quarter that the data covers to its
    end, i.e. with an event after it; else the latest with decisions). Communes
    with fewer than ``min_decided`` decided dossiers of a scale are not ranked on that
    scale's criteria. Ties are broken by more dossiers decided, then commune code.

    Example::

        report = rank_communes(read_events("export.parquet"), quarter="2026Q3")
        print(report.table())
        report.write_chart("delays.svg")
    """
    if best < 0 or worst < 0 or min_decided < 1:
        raise InvalidInputError("best and worst must be >= 0 and min_decided >= 1")
    r = rules or default_rules()
    delays = dossier_delays(events, r)
    quarters = sorted(q for q in delays["quarter"].unique().to_list() if q is not None)
    if quarter is None:
        if not quarters:
            raise InvalidInputError(
                "no decided dossier in the data: a ranking needs dossiers with a filing and "
                "a decision event"
            )
        q = _default_quarter(quarters, events)
    else:
        q = _check_quarter(quarter)
        if q not in quarters:
            raise InvalidInputError(
                f"no dossier decided in {q}; the data has decisions in "
                f"{', '.join(quarters) or 'no quarter'}"
            )
    sq = commune_stats(delays, r, quarter=q)
    scales = [s for s in ("PETIT", "GRAND") if s in set(sq["scale"].to_list())]
    criteria = _criteria(r, scales)
    rankings: dict[str, tuple[list[RankedCommune], list[RankedCommune], int]] = {}
    positions: dict[tuple[str, str], dict[str, int]] = {}
    for c in criteria:
        pool = sq.filter(
            (pl.col("scale") == c.scale.value) & (pl.col("decided") >= min_decided)
        ).drop_nulls(c.metric)
        order = pool.sort(
            [c.metric, "decided", "commune"],
            descending=[c.better == "higher", True, False],
        ).select("commune", pl.col(c.metric).cast(pl.Float64).alias("value"), "decided")
        n = order.height
        for i, code in enumerate(order["commune"].to_list()):
            positions.setdefault((code, c.scale.value), {})[c.id] = i + 1
        ranked = [
            RankedCommune(position=i + 1, commune=row[0], value=row[1], decided=row[2])
            for i, row in enumerate(order.head(best).iter_rows())
        ]
        tail = order.tail(min(worst, n)).reverse()
        worst_rows = [
            RankedCommune(position=n - i, commune=row[0], value=row[1], decided=row[2])
            for i, row in enumerate(tail.iter_rows())
        ]
        rankings[c.id] = (ranked, worst_rows, n)
    counts = delays.group_by("status").len()
    by_status = dict(zip(counts["status"].to_list(), counts["len"].to_list(), strict=True))
    target_ids = [t.id for t in r.targets]
    # One validation call for all rows (in pydantic's core), not one per row.
    within_cols = [f"within_{t}" for t in target_ids]
    dicts = sq.to_dicts()
    for row in dicts:
        row["within"] = {
            t: v
            for t, c in zip(target_ids, within_cols, strict=True)
            if (v := row.pop(c)) is not None
        }
        row["positions"] = positions.get((row["commune"], row["scale"]), {})
    rows = _ROWS.validate_python(dicts)
    scope: Literal["decided"] = "decided"
    return RankingReport(
        quarter=q,
        quarters_available=tuple(quarters),
        rules=r,
        dossiers=delays.height,
        decided_in_quarter=int(sq["decided"].sum()),
        open_dossiers=by_status.get("open", 0),
        invalid_dossiers=by_status.get("invalid", 0),
        unscaled_dossiers=delays.filter(
            (pl.col("status") == scope) & pl.col("scale").is_null()
        ).height,
        min_decided=min_decided,
        criteria=tuple(criteria),
        best={k: tuple(v[0]) for k, v in rankings.items()},
        worst={k: tuple(v[1]) for k, v in rankings.items()},
        ranked={k: v[2] for k, v in rankings.items()},
        communes=tuple(rows),
    )

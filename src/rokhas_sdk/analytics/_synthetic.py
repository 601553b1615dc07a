"""A seeded generator of realistic-looking events, for tests, demos and the benchmark.

Each commune gets a speed factor, so rankings have a shape; each dossier walks the
urban procedure (draft, plans signed, filing, receipt, completeness check, maybe one
complement request, dispatch, commission, minutes, signature, decision). The same
seed gives the same events, on any machine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from .._errors import InvalidInputError
from ._polars import pl

__all__ = ["synthetic_events"]

_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000
_KINDS_PETIT = ("URB_PERMIS_CONSTRUIRE_PETIT_PROJET",)
_KINDS_GRAND = (
    "URB_PERMIS_CONSTRUIRE_GRAND_PROJET",
    "URB_AUTORISATION_LOTIR",
    "URB_AUTORISATION_GROUPE_HABITATIONS",
    "URB_AUTORISATION_MORCELER",
)


def synthetic_events(
    *,
    communes: int = 50,
    dossiers: int = 2_000,
    year: int = 2026,
    seed: int = 0,
    complement_rate: float = 0.2,
    open_rate: float = 0.05,
    grand_share: float = 0.2,
    order: Literal["time", "dossier"] = "time",
) -> pl.DataFrame:
    """A normalised events table for ``dossiers`` dossiers filed in ``year``.

    Commune codes are ``SYN0001``...: synthetic, never real communes. About 10.3
    events per dossier with the defaults. Rows come in time order, as a platform's log
    would (``order="dossier"`` groups them by dossier, as an export might).
    Reproducible: same arguments, same table.

    Example::

        events = synthetic_events(communes=1_500, dossiers=400_000, seed=7)
    """
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with polars' and matplotlib's extras
        from .._errors import require_extra

        raise require_extra("numpy", "analytics") from None
    if communes < 1 or dossiers < 1:
        raise InvalidInputError("communes and dossiers must be at least 1")
    for name, rate in (
        ("complement_rate", complement_rate),
        ("open_rate", open_rate),
        ("grand_share", grand_share),
    ):
        if not 0.0 <= rate <= 1.0:
            raise InvalidInputError(f"{name} must be between 0 and 1, not {rate}")
    rng = np.random.default_rng(seed)
    n = dossiers
    speed = rng.lognormal(0.0, 0.45, communes)
    commune = rng.integers(0, communes, n)
    grand = rng.random(n) < grand_share
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    start_us = int(start.timestamp() * 1_000_000)
    # Filing spread over the year, in office hours (08:00-16:00 UTC, close to local).
    day = rng.integers(0, 365, n)
    filed = start_us + day * _DAY_US + 8 * _HOUR_US + rng.integers(0, 8 * _HOUR_US, n)

    def days(mean: float) -> Any:
        return rng.gamma(2.0, mean / 2.0, n)

    def us(d: Any) -> Any:
        return (d * _DAY_US).astype(np.int64)

    base = np.where(grand, 22.0, 8.0) * speed[commune]
    t: dict[str, Any] = {}
    t["DRAFT"] = filed - us(days(6.0)) - _HOUR_US
    t["PLANS_SIGNED"] = filed - us(rng.random(n) * 2.0) - 1
    t["SUBMITTED"] = filed
    t["RECEIPT_ISSUED"] = filed + us(rng.random(n) * 1.0)
    t["COMPLETENESS_CHECK"] = t["RECEIPT_ISSUED"] + us(rng.random(n) * 0.5)
    has_complement = rng.random(n) < complement_rate
    req = t["COMPLETENESS_CHECK"] + us(rng.random(n) * 3.0)
    answer = req + us(days(7.0))
    pause = np.where(has_complement, answer - t["RECEIPT_ISSUED"], 0)
    t["COMPLEMENT_REQUESTED"] = req
    t["COMPLEMENT_PROVIDED"] = answer
    work = us(base * rng.gamma(4.0, 0.25, n))
    t["DISPATCHED"] = t["RECEIPT_ISSUED"] + pause + work // 6
    t["IN_COMMISSION"] = t["DISPATCHED"] + work // 6
    t["COMMISSION_CONCLUDED"] = t["IN_COMMISSION"] + work // 2
    t["PENDING_SIGNATURE"] = t["COMMISSION_CONCLUDED"] + work // 12
    decision_at = t["RECEIPT_ISSUED"] + pause + work
    is_open = rng.random(n) < open_rate
    refused = rng.random(n) < 0.1
    deadline = np.where(grand, 30, 15)
    tacit = (~refused) & (work > deadline * _DAY_US) & (rng.random(n) < 0.3)
    decision_at = np.where(tacit, filed + pause + deadline * _DAY_US, decision_at)
    decision = np.where(tacit, 2, np.where(refused, 1, 0))

    steps = list(t)
    names = [*steps, "ISSUED", "REFUSED", "TACITLY_APPROVED"]
    idx_parts, ev_parts, at_parts = [], [], []
    for code, step in enumerate(steps):
        mask = np.ones(n, dtype=bool)
        if step.startswith("COMPLEMENT"):
            mask = has_complement
        elif step == "PENDING_SIGNATURE":
            mask = ~tacit
        idx = np.nonzero(mask)[0]
        idx_parts.append(idx)
        ev_parts.append(np.full(idx.size, code, dtype=np.int8))
        at_parts.append(t[step][idx])
    decided = np.nonzero(~is_open)[0]
    idx_parts.append(decided)
    ev_parts.append((len(steps) + decision[decided]).astype(np.int8))
    at_parts.append(decision_at[decided])
    idx_all = np.concatenate(idx_parts)
    ev_all = np.concatenate(ev_parts)
    at_all = np.concatenate(at_parts)
    if order not in ("time", "dossier"):
        raise InvalidInputError(f"order must be 'time' or 'dossier', not {order!r}")
    perm = np.lexsort((idx_all, at_all)) if order == "time" else np.lexsort((at_all, idx_all))
    idx_all, ev_all, at_all = idx_all[perm], ev_all[perm], at_all[perm]

    dossier_names = pl.Series([f"SYN-{year}-{i:07d}" for i in range(n)], dtype=pl.String)
    commune_names = pl.Series([f"SYN{c + 1:04d}" for c in range(communes)], dtype=pl.String)
    kind_p = rng.integers(0, len(_KINDS_GRAND), n)
    kinds = pl.Series([*_KINDS_PETIT, *_KINDS_GRAND], dtype=pl.String)
    kind_idx = np.where(grand, 1 + kind_p, 0)
    event_names = pl.Series(names, dtype=pl.String)
    return pl.DataFrame(
        {
            "dossier": dossier_names.gather(idx_all),
            "commune": commune_names.gather(commune[idx_all]),
            "kind": kinds.gather(kind_idx[idx_all]),
            "scale": pl.Series(np.where(grand[idx_all], "GRAND", "PETIT"), dtype=pl.String),
            "event": event_names.gather(ev_all),
            "at": pl.Series(at_all, dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
        }
    )

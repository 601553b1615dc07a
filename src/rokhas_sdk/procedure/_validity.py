"""The last day a delivered permit is valid, by the kind's validity clock rule.

A permit's ``valid_until`` is the due date of its ``validity`` clock started on the day
of issue, computed by the same code as :func:`~rokhas_sdk.procedure.deadlines`, so the
printed date and the ``lapse`` guard agree. Rules tagged [U] (the 12-month validity of
building permits) stay configuration: override them with a :class:`ClockPolicy`.
"""

from __future__ import annotations

import datetime as dt

from ..models import ProcedureKind
from ._clocks import DEFAULT_POLICY, ClockPolicy, _due, rules_in_force

__all__ = ["validity_end"]


def validity_end(
    kind: ProcedureKind | str,
    issued_on: dt.date,
    *,
    filed_on: dt.date | None = None,
    flags: frozenset[str] = frozenset(),
    policy: ClockPolicy = DEFAULT_POLICY,
) -> dt.date | None:
    """The last day of validity of a permit of ``kind`` issued on ``issued_on``.

    ``None`` when no validity rule is in force for the kind (economic licences, permis
    d'habiter). The rule is chosen as the clocks choose it: by the filing date
    (``filed_on``, default the issue date), the dossier's flags and ``policy``. The
    permit is valid through the returned day; it lapses at the next midnight.

    >>> import datetime as dt
    >>> validity_end("URB_PERMIS_DEMOLITION", dt.date(2026, 11, 28))
    datetime.date(2027, 5, 28)
    """
    from ..models import procedure_kind_info

    info = procedure_kind_info(kind)  # NotFoundError naming the known kinds
    rules = rules_in_force(info.kind, flags, filed_on or issued_on, policy)
    rule = next((r for r in rules if r.purpose == "validity"), None)
    if rule is None:
        return None
    due, _ = _due(
        rule,
        rule.length,
        [(issued_on, None)],
        "running",
        policy.working_calendar,
        policy,
        issued_on,
    )
    return due

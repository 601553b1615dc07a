"""How communes PERFORM: processing delays and the Ministry's quarterly ranking.

Read events from procedure journals or flat dossier exports (JSON Lines, CSV, Parquet),
count each dossier's processing delay as the rules say (filing to decision, pauses for
complements excluded), aggregate per commune, quarter and scale (petits and grands
projets apart), check the legal targets, count tacit approvals, and rank::

    from rokhas_sdk.analytics import rank_communes, read_events

    report = rank_communes(read_events("export.parquet"), quarter="2026Q3")
    print(report.table())
    report.write_chart("delays.png")

Targets and counting rules are data (:func:`default_rules`), each with its source and
confidence tag. Needs the ``analytics`` extra (polars, matplotlib for charts).
"""

from __future__ import annotations

from .._lazy import set_public_module
from ._delays import DELAY_COLUMNS as DELAY_COLUMNS
from ._delays import dossier_delays as dossier_delays
from ._errors import EventDataError as EventDataError
from ._io import EVENT_COLUMNS as EVENT_COLUMNS
from ._io import events_from_journal as events_from_journal
from ._io import events_from_records as events_from_records
from ._io import normalise_events as normalise_events
from ._io import read_events as read_events
from ._io import write_events as write_events
from ._ranking import commune_stats as commune_stats
from ._ranking import rank_communes as rank_communes
from ._report import CommuneStats as CommuneStats
from ._report import Criterion as Criterion
from ._report import RankedCommune as RankedCommune
from ._report import RankingReport as RankingReport
from ._rules import CountingRules as CountingRules
from ._rules import DelayTarget as DelayTarget
from ._rules import RuleSource as RuleSource
from ._rules import default_rules as default_rules
from ._synthetic import synthetic_events as synthetic_events

__all__ = [
    "DELAY_COLUMNS",
    "EVENT_COLUMNS",
    "CommuneStats",
    "CountingRules",
    "Criterion",
    "DelayTarget",
    "EventDataError",
    "RankedCommune",
    "RankingReport",
    "RuleSource",
    "commune_stats",
    "default_rules",
    "dossier_delays",
    "events_from_journal",
    "events_from_records",
    "normalise_events",
    "rank_communes",
    "read_events",
    "synthetic_events",
    "write_events",
]

set_public_module(__name__, globals(), __all__)

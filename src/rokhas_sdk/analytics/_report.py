"""The ranking report: rows per commune, best and worst per criterion; table, JSON, CSV, chart."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from .._errors import InvalidInputError, require_extra
from ..models import ProjectScale, ValueObject
from ._rules import CountingRules

__all__ = ["CommuneStats", "Criterion", "RankedCommune", "RankingReport"]


class Criterion(ValueObject):
    """One ranking criterion: a metric of one scale, and which direction is better."""

    id: str
    scale: ProjectScale
    metric: str
    better: Literal["lower", "higher"]
    target_id: str | None = None
    label_fr: str
    label_ar: str


class RankedCommune(ValueObject):
    """A commune's place on one criterion (1 = best) and its value."""

    position: int = Field(ge=1)
    commune: str
    value: float
    decided: int


class CommuneStats(ValueObject):
    """One commune, one quarter, one scale: delays (counted days) and decisions.

    ``within`` maps a target id to the share of dossiers decided within it (only the
    targets in force when the dossiers were filed). ``positions`` maps a criterion id
    to the commune's place (absent when not ranked on it).
    """

    commune: str
    quarter: str
    scale: ProjectScale
    decided: int
    issued: int
    refused: int
    tacit: int
    mean_days: float
    median_days: float
    p10_days: float
    q1_days: float
    q3_days: float
    p90_days: float
    min_days: int
    max_days: int
    mean_raw_days: float
    mean_paused_days: float
    within: dict[str, float] = Field(default_factory=dict)
    positions: dict[str, int] = Field(default_factory=dict)


_PLURAL = {ProjectScale.PETIT: "Petits projets", ProjectScale.GRAND: "Grands projets"}

_CSV_BASE = (
    "commune",
    "quarter",
    "scale",
    "decided",
    "issued",
    "refused",
    "tacit",
    "mean_days",
    "median_days",
    "p10_days",
    "q1_days",
    "q3_days",
    "p90_days",
    "min_days",
    "max_days",
    "mean_raw_days",
    "mean_paused_days",
)


class RankingReport(ValueObject):
    """A quarter's ranking: every commune's figures, and per criterion the best and worst.

    ``best[c]`` lists the best communes on criterion ``c`` (best first); ``worst[c]``
    the worst (worst first); ``ranked[c]`` how many communes were ranked on it.
    """

    quarter: str
    quarters_available: tuple[str, ...]
    rules: CountingRules
    dossiers: int
    decided_in_quarter: int
    open_dossiers: int
    invalid_dossiers: int
    unscaled_dossiers: int
    min_decided: int
    criteria: tuple[Criterion, ...]
    best: dict[str, tuple[RankedCommune, ...]]
    worst: dict[str, tuple[RankedCommune, ...]]
    ranked: dict[str, int]
    communes: tuple[CommuneStats, ...]

    def stats_for(self, commune: str, scale: ProjectScale | str) -> CommuneStats | None:
        """The row of one commune and scale, or None if it decided nothing of that scale."""
        s = ProjectScale(scale)
        return next((c for c in self.communes if c.commune == commune and c.scale is s), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape of :meth:`to_json`)."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """The whole report as one JSON document."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_csv(self, path: str | Path | None = None) -> str:
        """One CSV row per commune and scale; also written to ``path`` when given."""
        targets = [t.id for t in self.rules.targets]
        crit = [c.id for c in self.criteria]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([*_CSV_BASE, *(f"within_{t}" for t in targets), *(f"rank_{c}" for c in crit)])
        for row in self.communes:
            data = row.model_dump(mode="json")
            w.writerow(
                [
                    *(data[k] for k in _CSV_BASE),
                    *(row.within.get(t, "") for t in targets),
                    *(row.positions.get(c, "") for c in crit),
                ]
            )
        text = buf.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def table(self, *, lang: Literal["fr", "ar"] = "fr") -> str:
        """A plain-text table: per criterion, the best and the worst communes."""
        basis = "jours ouvrés" if self.rules.day_basis == "working" else "jours calendaires"
        lines = [
            f"Classement des communes — {self.quarter} ({self.decided_in_quarter} dossiers "
            f"décidés; règles {self.rules.version}, {basis})",
        ]
        for c in self.criteria:
            label = c.label_ar if lang == "ar" else c.label_fr
            unit = "%" if c.better == "higher" else "j"
            lines.append("")
            lines.append(f"{label}  [{self.ranked[c.id]} communes classées]")
            for title, rows in (
                ("meilleures", self.best[c.id]),
                ("10 moins bonnes", self.worst[c.id]),
            ):
                if not rows:
                    continue
                lines.append(f"  {title}:")
                for rc in rows:
                    value = rc.value * 100 if unit == "%" else rc.value
                    lines.append(
                        f"    {rc.position:>5}  {rc.commune:<16} {value:8.1f} {unit}  "
                        f"({rc.decided} dossiers)"
                    )
        return "\n".join(lines)

    def write_chart(self, path: str | Path, *, per_side: int = 10) -> Path:
        """Box plots of counted delays for the best and worst communes of each scale.

        PNG or SVG, from the suffix of ``path``. Boxes span the quartiles, whiskers the
        10th and 90th percentiles; dashed lines are the legal targets.
        """
        target = Path(path)
        fmt = target.suffix.lower().lstrip(".")
        if fmt not in {"png", "svg"}:
            raise InvalidInputError(f"chart path {str(target)!r} must end in .png or .svg")
        try:
            from matplotlib.figure import Figure
        except ImportError:  # pragma: no cover - the analytics extra brings it
            raise require_extra("matplotlib", "analytics") from None
        panels = [c for c in self.criteria if c.metric == "mean_days"]
        fig = Figure(
            figsize=(9, 0.9 + 0.32 * 2 * per_side * max(1, len(panels))), layout="constrained"
        )
        axes = fig.subplots(max(1, len(panels)), 1, squeeze=False)[:, 0]
        for ax, c in zip(axes, panels, strict=False):
            chosen: list[str] = []
            for rc in (*self.best[c.id][:per_side], *reversed(self.worst[c.id][:per_side])):
                if rc.commune not in chosen:
                    chosen.append(rc.commune)
            boxes = []
            for code in chosen:
                s = self.stats_for(code, c.scale)
                if s is None:  # pragma: no cover - ranked communes have stats
                    continue
                boxes.append(
                    {
                        "label": f"{code} (n={s.decided})",
                        "whislo": s.p10_days,
                        "q1": s.q1_days,
                        "med": s.median_days,
                        "q3": s.q3_days,
                        "whishi": s.p90_days,
                        "mean": s.mean_days,
                        "fliers": [],
                    }
                )
            if boxes:
                ax.bxp(boxes[::-1], orientation="horizontal", showmeans=True)
            for t in self.rules.targets_for(c.scale):
                ax.axvline(
                    t.days,
                    linestyle="--",
                    linewidth=1,
                    color="tab:red" if "order" in t.id else "tab:gray",
                )
                ax.annotate(
                    f"{t.days} j", (t.days, 1.0), xycoords=("data", "axes fraction"), fontsize=8
                )
            ax.set_title(
                f"{_PLURAL[c.scale]} — {self.quarter}: les {per_side} meilleures (en haut) "
                "et moins bonnes communes",
                fontsize=10,
            )
            ax.set_xlabel(
                f"délai compté ({'jours ouvrés' if self.rules.day_basis == 'working' else 'jours'})"
            )
        if not panels:
            axes[0].text(0.5, 0.5, "aucun dossier classé", ha="center", transform=axes[0].transAxes)
        fig.savefig(target, format=fmt)
        return target

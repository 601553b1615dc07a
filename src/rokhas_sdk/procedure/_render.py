"""Generated documentation: Mermaid state diagrams and the (state, event, role) matrix.

Both are pure functions of the tables; ``docs/procedure/*.md`` holds their output and a
test fails when the committed files drift from what these functions produce.
"""

from __future__ import annotations

from . import _data
from ._definitions import ProcedureDefinition, definition, definitions

__all__ = ["clocks_markdown", "matrix_markdown", "mermaid", "render_docs"]


def clocks_markdown() -> str:
    """Every clock rule, filing window and announced holiday date, as Markdown."""
    rules, windows = _data.clock_rules()
    out = [
        "# Legal clocks (generated)",
        "",
        "From `procedure/data/clocks.json` and `holidays_ma.json`; do not edit by hand. "
        "Rules switched off by default are [U] in the domain brief: enable them with "
        "`ClockPolicy(enable={...})`.",
        "",
        "| Rule | Clock | Purpose | Kinds | When | Length | Starts | Pauses / resumes | Stops "
        "| Regime, in force from | Default | Tacit | Conf. | Source |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rules:
        kinds = ", ".join(k.replace("URB_", "").replace("ECO_", "eco ") for k in r.kinds)
        when = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in r.when.items()) or "—"
        pauses = (", ".join(r.pause_on) + " / " + ", ".join(r.resume_on)) if r.pause_on else "—"
        unit = {"calendar_days": "days", "working_days": "working days", "months": "months"}[r.unit]
        source = f"[{r.source}]({r.source_url})" if r.source_url else r.source
        out.append(
            f"| `{r.id}` | {r.clock} | {r.purpose} | {kinds} | {when} | {r.length} {unit} "
            f"| {', '.join(r.start_on)} | {pauses} | {', '.join(r.stop_on)} "
            f"| {r.regime}, {r.effective_from.isoformat()} | {'on' if r.enabled else 'off'} "
            f"| {'yes' if r.tacit_approval else ''} | {r.confidence} | {source} |"
        )
    out += [
        "",
        "## Filing windows",
        "",
        "| Window | Kinds | From | To | Conf. | Note |",
        "|---|---|---|---|---|---|",
    ]
    for w in windows:
        out.append(
            f"| `{w.id}` | {', '.join(w.kinds)} | {w.from_.isoformat()} | {w.to.isoformat()} "
            f"| {w.confidence} | {w.note or ''} |"
        )
    out += [
        "",
        "## Announced Hijri holiday dates (override the `holidays` package's estimates)",
        "",
        "| Holiday | Year | Dates | Conf. | Source |",
        "|---|---|---|---|---|",
    ]
    for h in _data.holiday_overrides():
        dates = ", ".join(d.isoformat() for d in h.dates)
        out.append(f"| {h.holiday} | {h.year} | {dates} | {h.confidence} | {h.source_url} |")
    return "\n".join(out) + "\n"


def mermaid(which: ProcedureDefinition | str) -> str:
    """The graph as a Mermaid ``stateDiagram-v2`` (French labels on edges)."""
    d = which if isinstance(which, ProcedureDefinition) else definition(which)
    lines = ["stateDiagram-v2", f"    [*] --> {d.initial}"]
    for sid, info in d.states.items():
        lines.append(f'    state "{info.label_fr}" as {sid}')
    for t in d.transitions.values():
        roles = ", ".join(sorted(r.value for r in t.roles))
        lines.append(f"    {t.source} --> {t.target}: {t.event} [{roles}]")
    for sid, info in d.states.items():
        if info.terminal:
            lines.append(f"    {sid} --> [*]")
    return "\n".join(lines) + "\n"


def matrix_markdown(which: ProcedureDefinition | str) -> str:
    """The complete (state, event, role) matrix of a graph, as Markdown.

    Every triple not listed as allowed is refused: with ``role_not_permitted`` when the
    pair (state, event) is a transition for other roles, ``terminal_state`` from a final
    state, ``event_not_allowed`` otherwise. Allowed triples may still be refused by the
    guards listed (e.g. ``fees_paid``).
    """
    d = which if isinstance(which, ProcedureDefinition) else definition(which)
    out = [
        f"# {d.label_fr} — matrice (état, événement, rôle)",
        "",
        f"Graphe `{d.name}` — {d.label_ar}. Généré depuis `procedure/data/graphs.json`; "
        "ne pas éditer à la main.",
        "",
        "Each row is a transition: the roles listed may trigger it (subject to the guards). "
        "Every other (state, event, role) triple is refused: `role_not_permitted` for a "
        "role not listed on the row, `terminal_state` from a final state, "
        "`event_not_allowed` for any other pair.",
        "",
        "| État | Événement | Vers | Rôles autorisés | Gardes | Source | Conf. |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in d.transitions.values():
        roles = ", ".join(sorted(r.value for r in t.roles))
        guards = ", ".join(f"`{g}`" for g in t.guards) or "—"
        out.append(
            f"| {t.source} | `{t.event}` | {t.target} | {roles} | {guards} "
            f"| {t.evidence} | {t.confidence} |"
        )
    out += ["", "## Grille état × événement", ""]
    events = list(d.events)
    out.append("| État \\ Événement | " + " | ".join(f"`{e}`" for e in events) + " |")
    out.append("|---" * (len(events) + 1) + "|")
    for sid, info in d.states.items():
        cells = []
        for e in events:
            cell = d.transitions.get((sid, e))
            if cell is not None:
                who = ", ".join(sorted(r.value for r in cell.roles))
                cells.append(f"→ {cell.target} ({who})")
            elif info.terminal:
                cells.append("terminal_state")
            else:
                cells.append("event_not_allowed")
        out.append(f"| {sid} | " + " | ".join(cells) + " |")
    out += [
        "",
        "## États",
        "",
        "| État | Libellé (fr) | Libellé (ar) | Final |",
        "|---|---|---|---|",
    ]
    for sid, info in d.states.items():
        out.append(
            f"| {sid} | {info.label_fr} | {info.label_ar} | {'oui' if info.terminal else ''} |"
        )
    out += ["", "## Événements", "", "| Événement | Libellé (fr) | Libellé (ar) |", "|---|---|---|"]
    for e, ev in d.events.items():
        out.append(f"| `{e}` | {ev.label_fr} | {ev.label_ar} |")
    return "\n".join(out) + "\n"


def render_docs() -> dict[str, str]:
    """File name (under ``docs/procedure/``) -> content, for every graph."""
    files: dict[str, str] = {}
    index = [
        "# Procedure graphs",
        "",
        "Generated from `src/rokhas_sdk/procedure/data/*.json` by "
        "`rokhas_sdk.procedure.render_docs()`; a test fails when these pages drift.",
        "",
    ]
    for d in definitions():
        files[f"{d.name}.md"] = (
            f"# {d.label_fr}\n\n{d.label_ar}\n\n"
            + (f"Kinds: {', '.join(k.value for k in d.kinds)}\n\n" if d.kinds else "")
            + "```mermaid\n"
            + mermaid(d)
            + "```\n\n"
            + matrix_markdown(d).split("\n", 2)[2]
        )
        index.append(f"- [{d.label_fr}]({d.name}.md) (`{d.name}`)")
    files["clocks.md"] = clocks_markdown()
    index.append("- [Legal clocks](clocks.md)")
    files["index.md"] = "\n".join(index) + "\n"
    return files

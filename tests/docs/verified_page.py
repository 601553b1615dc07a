"""Build the generated part of docs/verified-vs-configurable.md from the rule data files.

Every rule the SDK encodes lives in a data file row with a confidence tag. This module
reads those rows and writes, room by room, which are verified against a source (C, S)
and which are configurable defaults (I, U, X). Run it to refresh the page::

    PYTHONPATH=src python tests/docs/verified_page.py

``tests/docs/test_reference.py`` fails when the page and the data disagree.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "rokhas_sdk"
PAGE = ROOT / "docs" / "verified-vs-configurable.md"
START, END = "<!-- generated:start -->", "<!-- generated:end -->"
VERIFIED = {"C", "S"}


def _load(rel: str) -> Any:
    return json.loads((PKG / rel).read_text(encoding="utf-8"))


def _cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _split(
    rows: list[tuple[str, str, str, str]], title: str, head: tuple[str, str, str]
) -> list[str]:
    """Two tables: verified rows, then configurable defaults. rows: (conf, a, b, c)."""
    out = [f"### {title}", ""]
    for label, keep in (("Verified against a source", True), ("Configurable defaults", False)):
        chosen = [r for r in rows if (r[0] in VERIFIED) is keep]
        out.append(f"**{label}** ({len(chosen)})")
        out.append("")
        if not chosen:
            out += ["None.", ""]
            continue
        out.append(f"| {head[0]} | {head[1]} | {head[2]} | conf. |")
        out.append("|---|---|---|---|")
        out += [f"| {_cell(a)} | {_cell(b)} | {_cell(c)} | {conf} |" for conf, a, b, c in chosen]
        out.append("")
    return out


def generate() -> str:
    lines: list[str] = []
    counts: Counter[str] = Counter()

    clocks = _load("procedure/data/clocks.json")
    rows = [
        (
            r["confidence"],
            f"`{r['id']}`",
            f"{r['length']} {r['unit'].replace('_', ' ')}",
            r["legal_text"],
        )
        for r in clocks["rules"]
    ]
    rows += [
        (w["confidence"], f"`{w['id']}`", f"{w['from']} → {w['to']}", w["legal_text"])
        for w in clocks["filing_windows"]
    ]
    lines += _split(
        rows,
        "Legal clocks and filing windows (`procedure/data/clocks.json`)",
        ("rule", "length", "legal text"),
    )
    counts.update(r[0] for r in rows)

    graphs = _load("procedure/data/graphs.json")["graphs"]
    rows = []
    for name, g in graphs.items():
        for t in g["transitions"]:
            src = ", ".join(t["from"])
            rows.append(
                (
                    t["confidence"],
                    f"{name}: {src} → {t['to']}",
                    f"`{t['event']}`",
                    ", ".join(t["roles"]),
                )
            )
    verified = sum(r[0] in VERIFIED for r in rows)
    lines += [
        "### Procedure transitions (`procedure/data/graphs.json`)",
        "",
        f"{verified} of {len(rows)} transitions are verified (C/S); the others, listed here, are "
        "our reading where the sources are silent. Every transition with its evidence is on the "
        "[procedure graphs](procedure/index.md).",
        "",
        "| transition | event | roles | conf. |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {_cell(a)} | {_cell(b)} | {_cell(c)} | {conf} |"
        for conf, a, b, c in rows
        if conf not in VERIFIED
    ]
    lines.append("")
    counts.update(r[0] for r in rows)

    kinds = _load("procedure/data/kinds.json")["kinds"]
    rows = [
        (
            k["confidence"],
            f"`{name}`",
            "commission: "
            + (", ".join(k["required_opinions"]) if k.get("requires_commission") else "none"),
            k.get("note", ""),
        )
        for name, k in kinds.items()
    ]
    lines += _split(
        rows,
        "Commission per procedure kind (`procedure/data/kinds.json`)",
        ("kind", "setting", "note"),
    )
    counts.update(r[0] for r in rows)

    catalogue = _load("models/data/procedure_kinds.json")["kinds"]
    rows = [
        (k["confidence"], f"`{k['kind']}`", "; ".join(k["legal_basis"]), k.get("note", ""))
        for k in catalogue
    ]
    lines += _split(
        rows,
        "Procedure catalogue: legal bases and pieces (`models/data/procedure_kinds.json`)",
        ("kind", "legal basis", "note"),
    )
    counts.update(r[0] for r in rows)

    bounds = _load("payments/data/legal_bounds.json")
    rows = [
        (b["confidence"], f"`{b['rubric']}`", f"{b['min']}–{b['max']} {b['unit']}", b["legal_text"])
        for b in bounds["bounds"]
    ]
    rows += [
        (e["confidence"], f"`{e['code']}`", "exemption", e["legal_text"])
        for e in bounds["exemptions"]
    ]
    rows += [
        (p["confidence"], f"`{p['kind']}`", "penalty", p["legal_text"]) for p in bounds["penalties"]
    ]
    rows += [
        (
            t["confidence"],
            f"`{t['tax']}`",
            f"due {t['due']}; applies to {len(t['kinds'])} kinds",
            t.get("note", ""),
        )
        for t in bounds["taxes"]
    ]
    rows += [
        (u["confidence"], f"`{u['use']}`", "rubric " + ", ".join(u["rubrics"]), "")
        for u in bounds["use_rubrics"]
    ]
    pol = bounds["default_policy"]
    rows.append(
        (
            pol["confidence"],
            "default rounding and saillies policy",
            f"{pol['saillie_mode']}, {pol['area_rounding']}, {pol['money_rounding']}",
            pol.get("note", ""),
        )
    )
    lines += _split(
        rows,
        "Fees: national rules (`payments/data/legal_bounds.json`)",
        ("rule", "value", "legal text or note"),
    )
    counts.update(r[0] for r in rows)

    rows = []
    for path in sorted((PKG / "payments" / "data").glob("tariffs-*.json")):
        t = json.loads(path.read_text(encoding="utf-8"))
        for row in t["tariffs"]:
            conf = "U" if row.get("illustrative") or t.get("illustrative") else row["confidence"]
            flag = " (illustrative)" if conf == "U" and row["confidence"] != "U" else ""
            rows.append(
                (
                    conf,
                    f"{t['name']} `{row['rubric']}`",
                    f"{row['value']}{flag}",
                    row.get("arrete_ref", ""),
                )
            )
    lines += _split(
        rows,
        "Fees: commune tariffs (`payments/data/tariffs-*.json`)",
        ("commune, rubric", "value", "arrêté"),
    )
    counts.update(r[0] for r in rows)

    visas = _load("models/data/permit_visas.json")
    used: dict[str, list[str]] = {}
    for kind, ids in visas["kinds"].items():
        for visa_id in ids:
            used.setdefault(visa_id, []).append(kind)
    rows = [
        (
            v["confidence"],
            f"`{visa_id}`",
            f"{len(used.get(visa_id, []))} kinds",
            v["legal_text"] + (f" ({v['note']})" if v.get("note") else ""),
        )
        for visa_id, v in visas["visas"].items()
    ]
    lines += _split(
        rows,
        "Permit visas (`models/data/permit_visas.json`)",
        ("visa", "printed on", "legal text"),
    )
    counts.update(r[0] for r in rows)

    rules = _load("analytics/data/rules.json")
    rows = [
        (t["confidence"], f"`{t['id']}`", f"{t['days']} days ({t['scale']})", t["regime"])
        for t in rules["targets"]
    ]
    rows += [
        (
            c["confidence"],
            f"`{c['id']}`",
            json.dumps(c["value"], ensure_ascii=False),
            c["legal_text"],
        )
        for c in rules["counting"]
    ]
    lines += _split(
        rows,
        "Rankings: targets and counting rules (`analytics/data/rules.json`)",
        ("rule", "value", "legal text"),
    )
    counts.update(r[0] for r in rows)

    manifest = _load("signing/data/trust/manifest.json")
    rows = [
        (
            manifest["confidence"],
            "bundled trust anchors",
            f"{len(manifest['anchors'])} anchors",
            manifest["note"],
        )
    ]
    lines += _split(
        rows, "Trust anchors (`signing/data/trust/manifest.json`)", ("what", "value", "note")
    )
    counts.update(r[0] for r in rows)

    total = sum(counts.values())
    ver = sum(v for k, v in counts.items() if k in VERIFIED)
    summary = [
        f"In all, **{ver} of {total}** rule rows are verified against a source (C or S); "
        f"**{total - ver}** are configurable defaults (I, U or X). By tag: "
        + ", ".join(f"{k} {counts[k]}" for k in sorted(counts))
        + ".",
        "",
    ]
    return "\n".join([START, "", *summary, *lines, END])


def refresh() -> None:
    text = PAGE.read_text(encoding="utf-8")
    new = re.sub(
        re.escape(START) + r".*?" + re.escape(END), lambda _m: generate(), text, flags=re.S
    )
    PAGE.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    refresh()

"""Journal replay vs plain ``json.loads`` of the same lines.

10,000 journals of 30 events each (plus the opening line) are generated through
``Journal.record``; then, in the same run, we time (a) ``json.loads`` of every line
(the baseline: the least any reader of a JSON Lines journal must do) and (b)
``rokhas_sdk.procedure.replay`` of every journal (parse, verify both hashes and the
chain, re-apply every event through the engine's guards), alternating slices of 500
journals so that both see the same machine load. Medians over rounds; the ratio
(b)/(a) is printed in one JSON line. Target: <= 3.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import statistics
import sys
import time

from rokhas_sdk.models import CommissionBody, Opinion, ProcedureKind, Role
from rokhas_sdk.procedure import CASABLANCA as CASA  # from tzdata, never the host
from rokhas_sdk.procedure import Context, Journal, replay

JOURNALS = 10_000
EVENTS = 30
ROUNDS = 3
BODIES = [
    CommissionBody.COMMUNE,
    CommissionBody.PROVINCE,
    CommissionBody.AGENCE_URBAINE,
    CommissionBody.OCCASIONAL,
]


def _journal(i: int) -> list[bytes]:
    t = dt.datetime(2024, 1, 1, 9, tzinfo=CASA) + dt.timedelta(hours=7 * i)
    step = dt.timedelta(hours=5)
    j = Journal.open(
        ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET, at=t, actor="system", dossier=f"D-{i}"
    )

    def rec(event: str, role: Role, ctx: Context | None = None) -> None:
        nonlocal t
        t += step
        j.record(event, role=role, actor=f"actor-{i % 97}", at=t, context=ctx)

    rec("sign_plans", Role.ARCHITECTE)
    rec("submit", Role.ARCHITECTE, Context(missing_pieces=()))
    rec("issue_receipt", Role.SYSTEM)
    rec("request_complement", Role.GUICHET_AGENT)
    rec("submit_complement", Role.PETITIONNAIRE)
    rec("dispatch", Role.GUICHET_AGENT)
    rec("open_commission", Role.SYSTEM)
    opinions = EVENTS - 14
    for k in range(opinions):
        ctx = Context(body=BODIES[k % len(BODIES)], opinion=Opinion.FAVORABLE)
        rec("enter_opinion", Role.COMMISSION_MEMBER, ctx)
    rec("conclude_commission", Role.GUICHET_AGENT)
    rec("send_to_president", Role.GUICHET_AGENT)
    rec("refuse", Role.PRESIDENT_COMMUNE, Context(reason="hauteur non conforme"))
    rec("appeal", Role.PETITIONNAIRE)
    rec("grant_appeal", Role.GOUVERNEUR)
    rec("issue", Role.PRESIDENT_COMMUNE, Context(fees_paid=True))
    rec("open_works", Role.ARCHITECTE)
    assert len(j) == EVENTS + 1, len(j)
    return list(j.lines)


CHUNK = 500  # journals per timed slice


def main() -> None:
    t0 = time.perf_counter()
    journals = [_journal(i) for i in range(JOURNALS)]
    built = time.perf_counter() - t0
    lines = [line for j in journals for line in j]
    events = len(lines) - JOURNALS
    assert events == JOURNALS * EVENTS, events
    loads = json.loads
    chunks = [journals[i : i + CHUNK] for i in range(0, JOURNALS, CHUNK)]
    perf = time.perf_counter

    # The machine is shared: load changes within seconds. Baseline and replay are
    # therefore timed slice by slice, alternately (json.loads of 500 journals' lines,
    # then replay of the same 500 journals), so both see the same load; each round
    # covers all 10,000 journals, and the medians over rounds are reported.
    round_base, round_ours, round_ratio = [], [], []
    for _ in range(ROUNDS):
        gc.collect()
        base = ours = 0.0
        for chunk in chunks:
            start = perf()
            for j in chunk:
                for line in j:
                    loads(line)
            middle = perf()
            for j in chunk:
                replay(j)
            end = perf()
            base += middle - start
            ours += end - middle
        round_base.append(base)
        round_ours.append(ours)
        round_ratio.append(ours / base)
    base, mine = statistics.median(round_base), statistics.median(round_ours)
    print(
        json.dumps(
            {
                "bench": "procedure.replay",
                "journals": JOURNALS,
                "events_per_journal": EVENTS,
                "lines": len(lines),
                "rounds": ROUNDS,
                "baseline_json_loads_s": round(base, 4),
                "replay_s": round(mine, 4),
                "replay_us_per_line": round(mine / len(lines) * 1e6, 2),
                "json_loads_us_per_line": round(base / len(lines) * 1e6, 2),
                "ratio": round(statistics.median(round_ratio), 2),
                "ratios_per_round": [round(r, 2) for r in round_ratio],
                "target_ratio": 3.0,
                "build_s": round(built, 2),
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()

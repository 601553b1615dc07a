"""``rokhas demo``: a building permit from draft to a signed, verified permit.

Everything runs on embedded defaults, in one process, with no network: a throw-away
PKI, the sandbox platform in-process, the SDK's own client talking to it, the CMI
payment simulator, the president's PAdES signature and an offline verification. The
artefacts land in a folder that is named at the end, each in the format the CLI reads:

- ``dossier.json``: the plain ``models.Dossier`` (``rokhas fees quote dossier.json``,
  ``rokhas permit receipt dossier.json receipt.pdf``);
- ``journal.jsonl``: the procedure journal, hash-chained, in the ``procedure`` room's
  format (``rokhas procedure replay journal.jsonl``);
- ``permit.pdf`` and ``trust-root.pem`` (``rokhas verify permit.pdf --trust
  trust-root.pem``), ``permit.json`` (``rokhas permit render permit.json out.pdf``);
- ``fee-quote.json``, ``verification-report.json``: the platform's quote, the verdict;
- ``platform-dossier.json`` and ``platform-journal.jsonl``: the platform's own view
  (the API resource with its id, state and version; the API's event log).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..procedure import Journal

KIND = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"
COMMUNE = "06.141.01.0"  # Casablanca (HCP code)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "demo",
        help="walk a building permit from draft to a signed, verified permit (no network)",
        description=(
            "Make a throw-away PKI, start the sandbox platform in-process, walk a building "
            "permit from draft to signed permit with its fees paid through the payment "
            "simulator, verify the permit, and write the artefacts to a folder."
        ),
    )
    p.add_argument(
        "--out", type=Path, help="folder for the artefacts (default: a new temporary folder)"
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON summary instead of the progress display"
    )
    p.set_defaults(handler=_run)


def sample_dossier_data() -> dict[str, Any]:
    """An individual house (R+2) in Casablanca, as a portal would send it before the pieces.

    The architect's order number is the one the sandbox seeds for Casablanca, so that the
    seeded architect's account sees the dossier and can sign its plans.
    """
    from ..models import get_commune

    architect_order = f"ARC-{get_commune(COMMUNE).code.replace('.', '')}-1"
    return {
        "reference": "DEMO-2026-0001",
        "kind": KIND,
        "commune": COMMUNE,
        "applicant": {
            "type": "natural",
            "first_name": "Amina",
            "last_name": "El Idrissi",
            "first_name_ar": "أمينة",
            "last_name_ar": "الإدريسي",
            "cin": "BE 123456",
            "contact": {"phone": "0612345678", "email": "amina.elidrissi@example.ma"},
        },
        "architect": {
            "person": {"first_name": "Youssef", "last_name": "Benjelloun", "cin": "A654321"},
            "order_number": architect_order,
        },
        "parcel": {
            "commune": COMMUNE,
            "address": "Lot 12, lotissement Al Amal, Hay Hassani, Casablanca",
            "titre_foncier": "TF 48213/63",
            "land_area": "160",
        },
        "project": {
            "use": "INDIVIDUAL_HOUSING",
            "description": "Maison individuelle R+2",
            "covered_area": "312.40",
            "levels": [
                {"name": "RDC", "floor_area": "104.20"},
                {"name": "R+1", "floor_area": "104.10"},
                {"name": "R+2", "floor_area": "104.10"},
            ],
            "saillies_public_domain_area": "6.5",
            "works_cost_ht": "950000.00",
        },
    }


class _ProcedureLog:
    """The walk as the procedure room records it: one hash-chained line per event.

    The demo states, next to each platform call, the procedure event that call performs
    and the facts it carries, so ``journal.jsonl`` replays to the platform's state with
    ``rokhas procedure replay``. A mismatch with the platform fails the demo's tests.
    """

    def __init__(self, at: datetime, actor: str, reference: str) -> None:
        from ..procedure import Journal

        self.at = at
        self.journal: Journal = Journal.open(KIND, at=at, actor=actor, dossier=reference)

    def record(self, event: str, role: str, actor: str, **facts: Any) -> None:
        self.journal.record(event, role=role, actor=actor, at=self.at, context=facts or None)


@dataclass
class DemoResult:
    """What the demo did and where it put the artefacts."""

    out_dir: Path
    dossier_id: str = ""
    permit_number: str = ""
    state: str = ""
    fees_total: str = ""
    indication: str = ""
    steps: list[tuple[str, float]] = field(default_factory=list)
    artefacts: dict[str, str] = field(default_factory=dict)


class _Steps:
    """Shows each step as it runs (a spinner, then a tick and its duration)."""

    def __init__(self, console: Any | None, result: DemoResult) -> None:
        self.console = console
        self.result = result

    @contextmanager
    def step(self, title: str) -> Iterator[Callable[[str], None]]:
        notes: list[str] = []
        start = time.perf_counter()
        if self.console is None:
            yield notes.append
        else:
            with self.console.status(f"{title}…"):
                yield notes.append
        elapsed = time.perf_counter() - start
        self.result.steps.append((title, elapsed))
        if self.console is not None:
            self.console.print(f"[green]✓[/] {title} [dim]({elapsed:.2f} s)[/]")
            for note in notes:
                self.console.print(f"    {note}")


def run_demo(out_dir: Path, console: Any | None = None) -> DemoResult:
    """Run the whole walk; ``console`` is a ``rich.console.Console`` or ``None`` (quiet)."""
    import httpx

    from ..client import RokhasClient
    from ..models import get_commune, permit_number
    from ..procedure import CASABLANCA as casa
    from ..procedure import kind_info
    from ..sandbox import Sandbox, SandboxClock
    from ..signing import TrustStore, verify_pdf
    from ..testing import pay_with_cmi_simulator, piece_files, sandbox_signing

    out_dir.mkdir(parents=True, exist_ok=True)
    result = DemoResult(out_dir=out_dir)
    ui = _Steps(console, result)

    with ui.step("Throw-away PKI: root, qualified CA, the commune president's key") as note:
        signer, root_pem = sandbox_signing()
        (out_dir / "trust-root.pem").write_bytes(root_pem)
        note("trust root written to trust-root.pem")

    with ui.step("Sandbox platform started in-process (no sockets, no network)") as note:
        now = datetime.now(casa).replace(microsecond=0)
        sb = Sandbox(
            clock=SandboxClock(now, frozen=True),
            permit_signer=signer,
            trust_root_pem=root_pem,
            deliver_webhooks=False,
        )
        clients: dict[tuple[str, str | None], RokhasClient] = {}

        def who(role: str, body: str | None = None) -> str:
            return sb.user_for(role, body=body).id if body else sb.user_for(role).id

        def as_(role: str, body: str | None = None) -> RokhasClient:
            if (role, body) not in clients:
                token = sb.token_for(role, body=body) if body else sb.token_for(role)
                clients[(role, body)] = RokhasClient(
                    base_url=sb.base_url, token=token, transport=sb.transport(), max_retries=0
                )
            return clients[(role, body)]

        note(f"platform clock: {now.isoformat()}")

    try:
        app = as_("PETITIONNAIRE")
        with ui.step("Draft dossier filed by the applicant") as note:
            res = app.dossiers.create(sample_dossier_data())
            did = result.dossier_id = res.id
            log = _ProcedureLog(now, who("PETITIONNAIRE"), res.dossier.reference)
            note(f"dossier {did}: {res.dossier.kind.label_fr} · {res.dossier.scale.label_fr}")
            note(f"missing before submission: {len(res.missing)} items")
        with ui.step("Pieces uploaded (SHA-256 checked) and plans signed by the architect") as note:
            for piece_type, name, data in piece_files(KIND, salt=did):
                app.pieces.upload(
                    did, data, type=piece_type, file_name=name, media_type="application/pdf"
                )
            as_("ARCHITECTE").dossiers.record_event(did, {"event": "sign_plans"})
            log.record("sign_plans", "ARCHITECTE", who("ARCHITECTE"))
            note(f"missing before submission: {len(app.dossiers.get(did).missing)} items")
        with ui.step("Submitted; receipt issued by the guichet unique") as note:
            submitted = app.dossiers.submit(did)
            log.record(
                "submit",
                "PETITIONNAIRE",
                who("PETITIONNAIRE"),
                grand_projet=submitted.dossier.scale.value == "GRAND",
            )
            guichet = as_("GUICHET_AGENT")
            agent = who("GUICHET_AGENT")
            guichet.dossiers.record_event(did, {"event": "issue_receipt"})
            log.record("issue_receipt", "GUICHET_AGENT", agent)
            current = guichet.dossiers.get(did)
            note(f"state {current.state.value}; legal deadline of this step: {current.due_at}")
        with ui.step("Instruction: commission opinions, minutes sent to the president") as note:
            allowed = [e.value for e in current.allowed_events]
            if "dispatch_to_commission" in allowed:
                guichet.dossiers.record_event(did, {"event": "dispatch_to_commission"})
                log.record("dispatch", "GUICHET_AGENT", agent)
            if "schedule_commission" in [e.value for e in guichet.dossiers.get(did).allowed_events]:
                guichet.dossiers.record_event(
                    did, {"event": "schedule_commission", "session_at": sb.clock.now().isoformat()}
                )
                log.record("open_commission", "GUICHET_AGENT", agent)
                for body in kind_info(KIND).required_opinions:
                    as_("COMMISSION_MEMBER", body).dossiers.record_event(
                        did,
                        {
                            "event": "record_opinion",
                            "body": body,
                            "member_name": "Membre",
                            "opinion": "FAVORABLE",
                        },
                    )
                    log.record(
                        "enter_opinion",
                        "COMMISSION_MEMBER",
                        who("COMMISSION_MEMBER", body),
                        body=body,
                        opinion="FAVORABLE",
                    )
                    note(f"opinion of {body}: FAVORABLE")
                guichet.dossiers.record_event(
                    did, {"event": "conclude_commission", "opinion": "FAVORABLE"}
                )
                log.record("conclude_commission", "GUICHET_AGENT", agent)
            guichet.dossiers.record_event(did, {"event": "send_for_signature"})
            log.record("send_to_president", "GUICHET_AGENT", agent)
            note(f"state {guichet.dossiers.get(did).state.value}")
        with ui.step(
            "Fees quoted within the legal bounds and paid on the CMI payment page"
        ) as note:
            quote = app.fees.quote(did)
            for line in quote.lines:
                note(f"{line.label_fr}: {line.amount.amount} MAD")
            result.fees_total = str(quote.total.amount)
            (out_dir / "fee-quote.json").write_text(
                quote.model_dump_json(indent=2), encoding="utf-8"
            )
            if quote.total.amount > 0:
                order = app.fees.create_order(did)
                payment = app.payments.create(order.id)
                with httpx.Client(transport=sb.transport(), base_url=sb.base_url) as browser:
                    _, title = pay_with_cmi_simulator(browser, payment.redirect_url or "")
                note(f"payment page: {title}; order {app.fees.get_order(order.id).status.value}")
        with ui.step("Decision signed by the commune president (PAdES, certification)") as note:
            dossier = app.dossiers.get(did).dossier
            commune = get_commune(dossier.commune)
            number = permit_number(commune.code, now.year, did[-6:])
            permit = {
                "number": number,
                "dossier_reference": dossier.reference,
                "kind": dossier.kind.value,
                "commune": commune.code,
                "commune_name_fr": commune.name_fr,
                "commune_name_ar": commune.name_ar,
                "beneficiary_name": dossier.applicant.display_name,
                "beneficiary_id": getattr(dossier.applicant, "cin", None) or "-",
                "object_fr": "Construction d'une maison individuelle R+2",
                "object_ar": "بناء منزل فردي من ثلاثة مستويات",
                "address": dossier.parcel.address if dossier.parcel else "-",
                "land_reference": dossier.parcel.titre_foncier if dossier.parcel else None,
                "architect_name": "Youssef Benjelloun",
                "surfaces": {
                    "land_area": "160",
                    "covered_area": "312.40",
                    "floor_area": "312.40",
                    "levels": 3,
                },
                "issued_on": sb.clock.now().date().isoformat(),
                "signatory": {
                    "name": "Karim Bennani",
                    "title_fr": "Président du conseil communal",
                    "title_ar": "رئيس المجلس الجماعي",
                },
            }
            as_("PRESIDENT_COMMUNE").dossiers.record_event(
                did, {"event": "issue_decision", "decision": "granted", "permit": permit}
            )
            log.record("issue", "PRESIDENT_COMMUNE", who("PRESIDENT_COMMUNE"), fees_paid=True)
            (out_dir / "permit.json").write_text(
                json.dumps(permit, ensure_ascii=False, indent=2), encoding="utf-8"
            )
            result.permit_number = number
            result.state = app.dossiers.get(did).state.value
            note(f"permit {number}; dossier {result.state}")
        with ui.step(
            "Signed permit downloaded and verified offline against the trust root"
        ) as note:
            pdf = app.permits.read_pdf(did)
            (out_dir / "permit.pdf").write_bytes(pdf)
            from cryptography import x509
            from cryptography.hazmat.primitives.serialization import Encoding

            trust = TrustStore(
                [c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(root_pem)]
            )
            report = verify_pdf(pdf, trust=trust)
            result.indication = report.document.indication.value
            (out_dir / "verification-report.json").write_text(
                report.model_dump_json(indent=2), encoding="utf-8"
            )
            note(f"{len(pdf):,} bytes; verdict {result.indication}")
            if report.permit is not None:
                note(f"embedded permit data covered by the signature: {report.permit.covered}")
        with ui.step("Journal and dossier exported") as note:
            # What the CLI reads: the procedure journal and the plain dossier ...
            if log.journal.state.state != result.state:
                raise RuntimeError(  # a demo bug, not bad input: the walks disagree
                    f"the procedure journal ends in {log.journal.state.state}, "
                    f"the platform in {result.state}"
                )
            log.journal.save(out_dir / "journal.jsonl")
            resource = app.dossiers.get(did)
            (out_dir / "dossier.json").write_text(
                resource.dossier.model_dump_json(indent=2), encoding="utf-8"
            )
            # ... and beside them, under names that say so, the platform's own view.
            records = list(app.dossiers.journal(did))
            with open(out_dir / "platform-journal.jsonl", "w", encoding="utf-8") as fh:
                for rec in records:
                    fh.write(rec.model_dump_json() + "\n")
            (out_dir / "platform-dossier.json").write_text(
                resource.model_dump_json(indent=2), encoding="utf-8"
            )
            note(f"journal.jsonl: {len(log.journal)} procedure events, hash-chained")
            note(f"platform-journal.jsonl: {len(records)} platform events")
    finally:
        for c in clients.values():
            c.close()
        sb.close()
    result.artefacts = {p.name: str(p) for p in sorted(out_dir.iterdir())}
    return result


def _run(args: argparse.Namespace) -> int:
    out_dir: Path = args.out or Path(tempfile.mkdtemp(prefix="rokhas-demo-"))
    if args.json:
        result = run_demo(out_dir)
        print(
            json.dumps(
                {
                    "out_dir": str(result.out_dir),
                    "dossier_id": result.dossier_id,
                    "permit_number": result.permit_number,
                    "state": result.state,
                    "fees_total": result.fees_total,
                    "indication": result.indication,
                    "steps": [{"step": s, "seconds": round(t, 3)} for s, t in result.steps],
                    "artefacts": result.artefacts,
                },
                ensure_ascii=False,
            )
        )
    else:
        from rich.console import Console

        console = Console()
        console.rule("[bold]rokhas demo: a building permit, from draft to signed permit")
        result = run_demo(out_dir, console)
        total = sum(t for _, t in result.steps)
        console.rule()
        console.print(
            f"Verdict on the signed permit: [bold]{result.indication}[/] ({total:.1f} s in all)"
        )
        console.print(f"Artefacts written to [bold]{result.out_dir}[/]:")
        for name in result.artefacts:
            console.print(f"  {name}")
    return 0 if result.indication == "TOTAL_PASSED" else 1

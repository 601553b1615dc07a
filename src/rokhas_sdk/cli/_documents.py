"""``rokhas permit render|receipt|extract``: permits and receipts as bilingual PDFs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .._errors import InvalidInputError
from ._input import bounded_int, load_json


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``rokhas permit ...``."""
    p = sub.add_parser("permit", help="render permits and filing receipts as bilingual PDFs")
    psub = p.add_subparsers(dest="permit_command", metavar="ACTION")

    r = psub.add_parser("render", help="render PERMIT.json (a models.Permit) to an A4 PDF")
    r.add_argument("permit", type=Path, help="the permit as JSON")
    r.add_argument("output", type=Path, help="where to write the PDF")
    r.add_argument(
        "--cosigner",
        action="append",
        default=[],
        metavar="FIELD:LABEL_FR:LABEL_AR",
        help="an extra signature box after the president's (repeatable)",
    )
    r.add_argument(
        "--hijri-adjust",
        type=bounded_int(-30, 30),
        default=0,
        help="shift the Hijri dates by N days (-30 to 30)",
    )
    r.add_argument("--json", action="store_true", help="print one JSON document")
    r.set_defaults(handler=_render)

    rc = psub.add_parser("receipt", help="render the filing receipt of DOSSIER.json")
    rc.add_argument("dossier", type=Path)
    rc.add_argument("output", type=Path)
    rc.add_argument("--json", action="store_true", help="print one JSON document")
    rc.set_defaults(handler=_receipt)

    x = psub.add_parser("extract", help="print the permit JSON attached to a (signed) PDF")
    x.add_argument("pdf", type=Path)
    x.set_defaults(handler=_extract)
    p.set_defaults(handler=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _load_json(path: Path, what: str) -> Any:
    return load_json(path, what)


def _render(args: argparse.Namespace) -> int:
    from ..documents import render_permit
    from ..models import Permit

    permit = Permit.model_validate(_load_json(args.permit, "permit"))
    cosigners = []
    for spec in args.cosigner:
        parts = spec.split(":")
        if len(parts) != 3 or not all(parts):
            raise InvalidInputError(
                f"--cosigner {spec!r}: expected FIELD:LABEL_FR:LABEL_AR, "
                "e.g. architect:L'architecte:المهندس المعماري"
            )
        cosigners.append((parts[0], parts[1], parts[2]))
    layout = render_permit(permit, cosigners=cosigners, hijri_adjust_days=args.hijri_adjust)
    args.output.write_bytes(layout.pdf)
    result = {
        "output": str(args.output),
        "bytes": len(layout.pdf),
        "permit": permit.number,
        "json_sha256": layout.json_sha256,
        "qr": layout.qr_payload,
        "signature_fields": [
            {"name": b.name, "page": b.page, "box": list(b.box)} for b in layout.signature_boxes
        ],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        fields = ", ".join(b.name for b in layout.signature_boxes)
        print(f"permit {permit.number} -> {args.output} ({len(layout.pdf)} bytes)")
        print(f"signature fields: {fields}")
        print(f"permit.json sha256: {layout.json_sha256}")
    return 0


def _receipt(args: argparse.Namespace) -> int:
    from ..documents import render_receipt
    from ._input import load_dossier

    dossier = load_dossier(args.dossier)
    pdf = render_receipt(dossier)
    args.output.write_bytes(pdf)
    if args.json:
        print(json.dumps({"output": str(args.output), "bytes": len(pdf)}))
    else:
        print(f"receipt {dossier.reference} -> {args.output} ({len(pdf)} bytes)")
    return 0


def _extract(args: argparse.Namespace) -> int:
    from ..documents import extract_permit_json
    from ..models import Permit

    raw = extract_permit_json(args.pdf.read_bytes())
    permit = Permit.model_validate_json(raw)  # refuse attachments that are not permits
    del permit
    sys.stdout.write(raw.decode("utf-8") + "\n")
    return 0

"""The permit PDF: the bilingual ``documents.render_permit``, or a plain stand-in.

``renderer="documents"`` (the default) is the real bilingual permit of the documents
room. ``"stand-in"`` is a one-page A4 PDF (fpdf2, core font, French only) that embeds the
``models.Permit`` JSON as ``permit.json``: useful where the documents extra (fonts) is
not installed. Both sign and verify TOTAL_PASSED (``tests/sandbox/test_render.py``).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["init_worker", "render_and_sign", "render_permit_pdf", "warm_worker"]

# The signer of this process when it is one of the sandbox's signing workers.
_WORKER_SIGNER: Any = None


DEFAULT_RENDERER = "documents"


def render_permit_pdf(permit: Any, renderer: str = DEFAULT_RENDERER) -> bytes:
    """A PDF of ``permit`` (a ``models.Permit``), with its JSON embedded."""
    if renderer == "documents":
        from ..documents import render_permit

        return bytes(render_permit(permit).pdf)
    if renderer != "stand-in":
        raise ValueError(f"unknown permit renderer {renderer!r}: 'documents' or 'stand-in'")
    return _stand_in(permit)


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _stand_in(permit: Any) -> bytes:
    from fpdf import FPDF

    data = permit.model_dump(mode="json")
    pdf = FPDF(format="A4")
    pdf.set_creator("rokhas-sdk sandbox")
    pdf.set_title(_latin(f"Autorisation {permit.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"Commune de {permit.commune_name_fr}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    lines = [
        f"Autorisation n° {permit.number}",
        f"Objet : {permit.object_fr}",
        f"Bénéficiaire : {permit.beneficiary_name} ({permit.beneficiary_id})",
        f"Adresse : {permit.address}",
        f"Dossier : {permit.dossier_reference}",
        f"Décision : {'accordée' if permit.decision == 'granted' else 'accord tacite'} le "
        f"{permit.issued_on.isoformat()}",
        f"Signataire : {permit.signatory.name}, {permit.signatory.title_fr}",
        "Document émis par le sandbox rokhas-sdk : sans valeur légale.",
    ]
    for line in lines:
        pdf.multi_cell(0, 8, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.embed_file(
        basename="permit.json",
        bytes=json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        desc="Permit data (rokhas_sdk.models.Permit, JSON)",
        compress=False,
    )
    return bytes(pdf.output())


# -- signing workers (processes started by Sandbox.start_workers) ----------------------
def init_worker(signer: Any) -> None:
    """Keep the sandbox's permit signer in this worker process."""
    import signal

    # Ctrl-C in a terminal reaches the whole process group: the server shuts its workers
    # down itself, so they must not die mid-task with a traceback of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORKER_SIGNER
    _WORKER_SIGNER = signer
    _exit_with_parent()


def _exit_with_parent() -> None:
    """End this worker when the server process ends, however it ends.

    A process pool's worker waits on a queue whose write end it holds itself, so it
    never sees its server die: killed with SIGKILL, or by the SIGTERM that uvicorn
    re-raises after its graceful shutdown (before any ``finally`` runs), the server
    would leave its workers behind for good. The parent's sentinel becomes ready when
    the parent is gone.
    """
    import multiprocessing
    import multiprocessing.connection
    import os
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - only ever called in a spawned worker
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="rokhas-worker-parent-watch", daemon=True).start()


def warm_worker() -> None:
    """Import what rendering and signing need, so the first permit does not wait for it."""
    from ..documents import render_permit  # noqa: F401
    from ..models import Permit  # noqa: F401
    from ..signing import SigningSession  # noqa: F401


def render_and_sign(permit_data: dict[str, Any], renderer: str) -> bytes:
    """Render the permit and sign it with this worker's signer (runs in a worker)."""
    from ..models import Permit

    if _WORKER_SIGNER is None:
        raise RuntimeError("render_and_sign runs in a signing worker (see init_worker)")
    pdf = render_permit_pdf(Permit.model_validate(permit_data), renderer)
    signed: bytes = _WORKER_SIGNER(pdf)
    return signed

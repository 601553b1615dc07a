"""A file with nothing but a document timestamp is not a signed document.

Regression: a forged permit time-stamped by any TSA that chains to the trust store was
TOTAL_PASSED (and ``rokhas verify`` exited 0). A timestamp proves when, not who.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers, timestamps

from rokhas_sdk.cli import main
from rokhas_sdk.signing import Indication, SignatureKind, SubIndication, TrustStore, verify_pdf
from rokhas_sdk.testing.pki import PKIService

from .verify_corpus import Signing, base_pdf


def _timestamped(pdf: bytes, service: PKIService) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stamper = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(service.tsa_url))
    return bytes(stamper.timestamp_pdf(w, "sha256").getvalue())


def test_timestamp_alone_is_not_a_valid_document(
    pki_service: PKIService, trust: TrustStore
) -> None:
    forged = _timestamped(base_pdf("Permis de construire PC-2026-6666"), pki_service)
    rep = verify_pdf(forged, trust=trust)
    (ts,) = rep.signatures
    assert ts.kind is SignatureKind.DOCUMENT_TIMESTAMP
    assert ts.indication is Indication.TOTAL_PASSED  # the timestamp itself is fine
    assert rep.document.indication is Indication.INDETERMINATE
    assert rep.document.subindication is SubIndication.SIGNED_DATA_NOT_FOUND
    assert rep.document.errors[0].startswith("the file carries no signature")
    assert not rep.passed


def test_cli_exit_1_for_a_timestamp_alone(
    tmp_path: Path, pki_service: PKIService, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "forged.pdf"
    path.write_bytes(_timestamped(base_pdf(), pki_service))
    root = tmp_path / "root.pem"
    root.write_bytes(pki_service.pki.root.certificate_pem())
    assert main(["verify", str(path), "--trust", str(root), "--json"]) == 1
    (doc,) = json.loads(capsys.readouterr().out)["files"]
    assert doc["file"] == str(path)
    assert doc["document"]["indication"] == "INDETERMINATE"
    assert doc["document"]["subindication"] == "SIGNED_DATA_NOT_FOUND"
    assert [s["indication"] for s in doc["signatures"]] == ["TOTAL_PASSED"]


def test_signature_then_timestamp_still_passes(
    signing: Signing, pki_service: PKIService, trust: TrustStore
) -> None:
    data = _timestamped(signing.sign(base_pdf()), pki_service)
    rep = verify_pdf(data, trust=trust)
    assert [s.kind for s in rep.signatures] == [
        SignatureKind.SIGNATURE,
        SignatureKind.DOCUMENT_TIMESTAMP,
    ]
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
    assert rep.passed

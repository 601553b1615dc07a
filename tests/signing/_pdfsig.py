"""poppler's ``pdfsig`` as an independent verifier of what we sign."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from conftest import require_tool
from rokhas_sdk.testing.pki import TestPKI


@dataclass
class PdfsigSignature:
    """One ``Signature #n`` block of pdfsig's report."""

    fields: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.fields.get("Signature Validation") == "Signature is Valid."

    @property
    def trusted(self) -> bool:
        return self.fields.get("Certificate Validation") == "Certificate is Trusted."

    @property
    def covers_whole_file(self) -> bool:
        return "Total document signed" in self.fields

    @property
    def common_name(self) -> str:
        return self.fields.get("Signer Certificate Common Name", "")

    @property
    def is_document_timestamp(self) -> bool:
        return self.common_name.endswith("Time-Stamping Authority")


def nss_db(directory: Path, pki: TestPKI) -> Path:
    """An NSS database in ``directory`` that trusts the PKI's root (for pdfsig)."""
    require_tool("certutil")
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / "cert9.db").exists():
        subprocess.run(
            ["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"],
            check=True,
            capture_output=True,
        )
        root = directory / "root.pem"
        root.write_bytes(pki.root.certificate_pem())
        subprocess.run(
            [
                "certutil",
                "-A",
                "-d",
                f"sql:{directory}",
                "-n",
                "rokhas-test-root",
                "-t",
                "CT,C,C",
                "-i",
                str(root),
            ],
            check=True,
            capture_output=True,
        )
    return directory


def pdfsig(
    pdf: Path | bytes, *, nssdir: Path | None = None, tmp: Path | None = None
) -> list[PdfsigSignature]:
    """Run pdfsig on a file (or bytes, written to ``tmp``) and parse its report."""
    require_tool("pdfsig")
    if isinstance(pdf, bytes):
        assert tmp is not None
        path = tmp / "pdfsig-input.pdf"
        path.write_bytes(pdf)
    else:
        path = pdf
    # not -no-ocsp: poppler 22.12 then reports every certificate as "Unknown issue";
    # OCSP URLs in our test certificates point at the 127.0.0.1 service anyway.
    cmd = ["pdfsig"]
    cmd += ["-nssdir", f"sql:{nssdir}"] if nssdir else ["-nocert"]
    proc = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=False)
    sigs: list[PdfsigSignature] = []
    for line in proc.stdout.splitlines():
        if re.match(r"^Signature #\d+:", line):
            sigs.append(PdfsigSignature())
        elif line.startswith("  - ") and sigs:
            key, _, value = line[4:].partition(": ")
            sigs[-1].fields[key.strip()] = value.strip()
    # pdfsig also lists empty signature fields (name only): keep the signed ones
    sigs = [
        s
        for s in sigs
        if "Signature Validation" in s.fields or "Signer Certificate Common Name" in s.fields
    ]
    assert sigs, f"pdfsig found no signature: {proc.stdout}\n{proc.stderr}"
    return sigs

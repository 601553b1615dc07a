# mypy: disable-error-code="no-untyped-call"
"""Benchmark of rokhas_sdk.signing.verify_pdf / verify_many against their baselines.

Measured in one run (medians):

* ``verify_pdf`` on a ~1 MB PAdES B-B permit / raw pyHanko ``validate_pdf_signature``
  on the same file (same trust root, same diff analysis) -- goal <= 1.3;
* ``verify_pdf`` on a ~20 MB permit / ``hashlib.sha256`` of the file -- goal <= 2.5;
* the whole development corpus (``../shared/verify-corpus/files``, real signed PDFs of
  other producers): wall and CPU time of ``verify_pdf`` over every file / raw pyHanko
  over the same files (tolerant reader, empty password, ``validate_pdf_signature`` or
  ``validate_pdf_timestamp`` per embedded signature, no trust roots) -- reported;
* ``verify_many`` over 500 permits: throughput with 2 workers / with 1 worker -- goal >= 1.7.

Run: ``PYTHONPATH=src python bench/verify.py`` (prints one JSON line).
Env: ROKHAS_BENCH_FILES (default 500), ROKHAS_BENCH_REPEAT (default 15),
ROKHAS_BENCH_ROUNDS (default 3 alternating 1-worker/2-worker rounds; median ratio; 0
skips the verify_many rounds), ROKHAS_BENCH_CORPUS (the corpus folder, default
../shared/verify-corpus/files beside the repository; the corpus rows are left out when
it is missing), ROKHAS_BENCH_CORPUS_ROUNDS (default 3 alternating rounds).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _pdf(payload_bytes: int, text: str) -> bytes:
    """A one-page PDF carrying an incompressible image of ``payload_bytes``."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    w = PdfFileWriter(stream_xrefs=False)
    font = w.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
            }
        )
    )
    side = max(1, int((payload_bytes / 3) ** 0.5))
    image = w.add_object(
        generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): generic.NumberObject(side),
                pdf_name("/Height"): generic.NumberObject(side),
                pdf_name("/ColorSpace"): pdf_name("/DeviceRGB"),
                pdf_name("/BitsPerComponent"): generic.NumberObject(8),
            },
            stream_data=os.urandom(side * side * 3),
        )
    )
    resources = generic.DictionaryObject(
        {
            pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font}),
            pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/Im1"): image}),
        }
    )
    content = f"q 200 0 0 200 72 500 cm /Im1 Do Q BT /F1 14 Tf 72 750 Td ({text}) Tj ET"
    page = PageObject(
        contents=w.add_object(generic.StreamObject(stream_data=content.encode())),
        media_box=[0, 0, 595, 842],
        resources=resources,
    )
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _paired(
    ours: Callable[[], object], baseline: Callable[[], object], repeat: int
) -> dict[str, float]:
    """Median wall and CPU times of ``ours`` and ``baseline``, measured alternately.

    Alternating the two keeps them under the same machine load (the benchmark machine
    is shared); CPU time (process_time) is the figure least disturbed by other work.
    """
    ours()
    baseline()  # warm-up (imports, caches)
    wall: dict[str, list[float]] = {"ours": [], "base": []}
    cpu: dict[str, list[float]] = {"ours": [], "base": []}
    for _ in range(repeat):
        for key, fn in (("ours", ours), ("base", baseline)):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[key].append(time.perf_counter() - w0)
            cpu[key].append(time.process_time() - c0)
    med = statistics.median
    return {
        "ours_wall": med(wall["ours"]),
        "base_wall": med(wall["base"]),
        "ours_cpu": med(cpu["ours"]),
        "base_cpu": med(cpu["base"]),
    }


def _raw_pyhanko_lenient(data: bytes) -> int:
    """What a bare pyHanko integration does with a file of unknown origin; returns the
    number of entries it could validate. Every failure is swallowed, as such a loop must."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            reader.decrypt(b"")
        embedded = list(reader.embedded_signatures)
    except Exception:
        return 0
    done = 0
    for emb in embedded:
        vc = ValidationContext(trust_roots=[], allow_fetching=False)
        try:
            if emb.sig_object_type == "/DocTimeStamp":
                validate_pdf_timestamp(emb, validation_context=vc)
            else:
                validate_pdf_signature(emb, signer_validation_context=vc)
            done += 1
        except Exception:  # the baseline gives up on this entry, as ours reports it
            continue
    return done


def _corpus(folder: Path, rounds: int) -> dict[str, float | int]:
    """Ours and raw pyHanko over every file of the corpus, alternating whole passes."""
    from rokhas_sdk.signing import TrustStore, verify_pdf

    files = [p.read_bytes() for p in sorted(folder.glob("*.pdf"))]
    no_anchors = TrustStore()

    def ours() -> None:
        for data in files:
            verify_pdf(data, trust=no_anchors)

    def baseline() -> None:
        for data in files:
            _raw_pyhanko_lenient(data)

    timed = _paired(ours, baseline, rounds)
    return {
        "corpus_files": len(files),
        "corpus_bytes": sum(len(d) for d in files),
        "corpus_ours_wall_s": round(timed["ours_wall"], 3),
        "corpus_pyhanko_wall_s": round(timed["base_wall"], 3),
        "ratio_corpus_vs_pyhanko_wall": round(timed["ours_wall"] / timed["base_wall"], 3),
        "corpus_ours_cpu_s": round(timed["ours_cpu"], 3),
        "corpus_pyhanko_cpu_s": round(timed["base_cpu"], 3),
        "ratio_corpus_vs_pyhanko_cpu": round(timed["ours_cpu"] / timed["base_cpu"], 3),
        "corpus_rounds": rounds,
    }


def main() -> None:
    """Build the test permits, time ours and the baselines, print one JSON line."""
    from asn1crypto import x509 as a_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from rokhas_sdk.signing import Pkcs12Signer, TrustStore, sign_pdf, verify_many, verify_pdf
    from rokhas_sdk.testing.pki import TestPKI

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    n_files = int(os.environ.get("ROKHAS_BENCH_FILES", "500"))
    repeat = int(os.environ.get("ROKHAS_BENCH_REPEAT", "15"))
    pki = TestPKI.create(key_type="ecdsa")
    signer = Pkcs12Signer.from_bytes(pki.identity("president", "ecdsa").pkcs12("bench"), "bench")
    trust = TrustStore([pki.root.certificate_der()])
    root = a_x509.Certificate.load(pki.root.certificate_der())

    one_mb = sign_pdf(_pdf(1_000_000, "PC-2026-1MB"), signer, level="B-B")
    twenty_mb = sign_pdf(_pdf(20_000_000, "PC-2026-20MB"), signer, level="B-B")

    def raw_pyhanko(data: bytes) -> None:
        reader = PdfFileReader(io.BytesIO(data))
        vc = ValidationContext(trust_roots=[root], allow_fetching=False)
        for sig in reader.embedded_signatures:
            status = validate_pdf_signature(sig, vc)
            assert status.bottom_line

    def ours(data: bytes) -> None:
        report = verify_pdf(data, trust=trust)
        assert report.passed, report.document.errors

    one = _paired(lambda: ours(one_mb), lambda: raw_pyhanko(one_mb), repeat)
    twenty = _paired(lambda: ours(twenty_mb), lambda: hashlib.sha256(twenty_mb).digest(), repeat)

    default_corpus = Path(__file__).resolve().parents[2] / "shared" / "verify-corpus" / "files"
    corpus_dir = Path(os.environ.get("ROKHAS_BENCH_CORPUS", str(default_corpus)))
    corpus_rounds = int(os.environ.get("ROKHAS_BENCH_CORPUS_ROUNDS", "3"))
    corpus = _corpus(corpus_dir, corpus_rounds) if corpus_dir.is_dir() else {}

    rounds = int(os.environ.get("ROKHAS_BENCH_ROUNDS", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        small = sign_pdf(_pdf(20_000, "PC-2026-BATCH"), signer, level="B-B", visible=False)
        paths = []
        for i in range(n_files):
            p = Path(tmp) / f"permit-{i:04d}.pdf"
            p.write_bytes(small)
            paths.append(p)

        def batch(jobs: int) -> float:
            t0 = time.perf_counter()
            count = sum(1 for r in verify_many(paths, trust=trust, jobs=jobs) if r.passed)
            elapsed = time.perf_counter() - t0
            assert count == n_files
            return n_files / elapsed

        # alternate 1-worker and 2-worker rounds so both see the same machine load
        pairs = [(batch(1), batch(2)) for _ in range(rounds)]
        many = (
            {
                "files": n_files,
                "many_1_worker_files_per_s": round(statistics.median(p[0] for p in pairs), 1),
                "many_2_workers_files_per_s": round(statistics.median(p[1] for p in pairs), 1),
                "ratio_2_vs_1_workers": round(statistics.median(p[1] / p[0] for p in pairs), 3),
                "rounds": rounds,
            }
            if pairs
            else {}
        )

    figures = {
        "verify_1mb_cpu_ms": round(one["ours_cpu"] * 1000, 2),
        "raw_pyhanko_1mb_cpu_ms": round(one["base_cpu"] * 1000, 2),
        "ratio_1mb_vs_pyhanko": round(one["ours_cpu"] / one["base_cpu"], 3),
        "ratio_1mb_vs_pyhanko_wall": round(one["ours_wall"] / one["base_wall"], 3),
        "verify_20mb_cpu_ms": round(twenty["ours_cpu"] * 1000, 2),
        "sha256_20mb_cpu_ms": round(twenty["base_cpu"] * 1000, 2),
        "ratio_20mb_vs_sha256": round(twenty["ours_cpu"] / twenty["base_cpu"], 3),
        "ratio_20mb_vs_sha256_wall": round(twenty["ours_wall"] / twenty["base_wall"], 3),
        **corpus,
        **many,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "size_1mb": len(one_mb),
        "size_20mb": len(twenty_mb),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

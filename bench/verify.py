# mypy: disable-error-code="no-untyped-call"
"""Benchmark of rokhas_sdk.signing.verify_pdf / verify_many against their baselines.

Three ratios, measured in one run (medians):

* ``verify_pdf`` on a ~1 MB PAdES B-B permit / raw pyHanko ``validate_pdf_signature``
  on the same file (same trust root, same diff analysis) -- goal <= 1.3;
* ``verify_pdf`` on a ~20 MB permit / ``hashlib.sha256`` of the file -- goal <= 3;
* ``verify_many`` over 500 permits: throughput with 2 workers / with 1 worker -- goal >= 1.7.

Run: ``PYTHONPATH=src python bench/verify.py`` (prints one JSON line).
Env: ROKHAS_BENCH_FILES (default 500), ROKHAS_BENCH_REPEAT (default 15),
ROKHAS_BENCH_ROUNDS (default 3 alternating 1-worker/2-worker rounds; median ratio).
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
        rounds = int(os.environ.get("ROKHAS_BENCH_ROUNDS", "3"))
        pairs = [(batch(1), batch(2)) for _ in range(rounds)]
        thr_1 = statistics.median(p[0] for p in pairs)
        thr_2 = statistics.median(p[1] for p in pairs)
        ratio_many = statistics.median(p[1] / p[0] for p in pairs)

    figures = {
        "verify_1mb_cpu_ms": round(one["ours_cpu"] * 1000, 2),
        "raw_pyhanko_1mb_cpu_ms": round(one["base_cpu"] * 1000, 2),
        "ratio_1mb_vs_pyhanko": round(one["ours_cpu"] / one["base_cpu"], 3),
        "ratio_1mb_vs_pyhanko_wall": round(one["ours_wall"] / one["base_wall"], 3),
        "verify_20mb_cpu_ms": round(twenty["ours_cpu"] * 1000, 2),
        "sha256_20mb_cpu_ms": round(twenty["base_cpu"] * 1000, 2),
        "ratio_20mb_vs_sha256": round(twenty["ours_cpu"] / twenty["base_cpu"], 3),
        "ratio_20mb_vs_sha256_wall": round(twenty["ours_wall"] / twenty["base_wall"], 3),
        "files": n_files,
        "many_1_worker_files_per_s": round(thr_1, 1),
        "many_2_workers_files_per_s": round(thr_2, 1),
        "ratio_2_vs_1_workers": round(ratio_many, 3),
        "rounds": rounds,
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "size_1mb": len(one_mb),
        "size_20mb": len(twenty_mb),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

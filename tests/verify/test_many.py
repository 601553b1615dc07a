"""verify_many: any Executor, reports as they finish, a bad file never stops the batch."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

from rokhas_sdk.signing import Indication, TrustStore, verify_many

from .verify_corpus import Signing, base_pdf


def _batch(tmp_path: Path, signing: Signing) -> list[Path]:
    good = tmp_path / "good.pdf"
    good.write_bytes(signing.sign(base_pdf()))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(good.read_bytes()[:500])
    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf")
    return [good, broken, text, tmp_path / "missing.pdf"]


def test_thread_pool_and_bad_files(tmp_path: Path, signing: Signing, trust: TrustStore) -> None:
    paths = _batch(tmp_path, signing)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        reports = list(verify_many(paths, trust=trust, executor=pool, max_pending=2))
    by_name = {Path(r.file or "").name: r for r in reports}
    assert set(by_name) == {p.name for p in paths}
    assert by_name["good.pdf"].document.indication is Indication.TOTAL_PASSED
    for bad in ("broken.pdf", "notes.pdf", "missing.pdf"):
        assert by_name[bad].document.indication is not Indication.TOTAL_PASSED
        assert by_name[bad].document.errors
    assert "missing.pdf" in by_name["missing.pdf"].document.errors[0]


def test_default_process_pool(tmp_path: Path, signing: Signing, trust: TrustStore) -> None:
    paths = []
    for i in range(3):
        p = tmp_path / f"p{i}.pdf"
        p.write_bytes(signing.sign(base_pdf(f"Permis {i}")))
        paths.append(p)
    reports = list(verify_many(iter(paths), trust=trust, jobs=2))
    assert sorted(Path(r.file or "").name for r in reports) == ["p0.pdf", "p1.pdf", "p2.pdf"]
    assert all(r.passed for r in reports)


def test_empty_batch_and_bad_jobs(trust: TrustStore) -> None:
    import pytest

    from rokhas_sdk import InvalidInputError

    assert (
        list(verify_many([], trust=trust, executor=concurrent.futures.ThreadPoolExecutor(1))) == []
    )
    with pytest.raises(InvalidInputError):
        list(verify_many([], trust=trust, jobs=0))

"""async_verify_pdf: the same report as verify_pdf, and the event loop keeps running."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
from pathlib import Path

import pytest

from rokhas_sdk import InvalidInputError
from rokhas_sdk.signing import Indication, TrustStore, VerifyLimits, async_verify_pdf, verify_pdf

from .verify_corpus import Signing, base_pdf


# pyHanko's signing runs its own event loop: sign outside the tests' loop
@pytest.fixture(scope="module")
def permits(signing: Signing) -> list[bytes]:
    return [signing.sign(base_pdf(f"Permis de construire PC-2026-{i:04d}")) for i in range(3)]


async def test_the_loop_keeps_running(permits: list[bytes], trust: TrustStore) -> None:
    pdfs = permits
    ticks = 0
    running = True

    async def ticker() -> None:
        nonlocal ticks
        while running:
            ticks += 1
            await asyncio.sleep(0.001)

    beat = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker has started
    before = ticks
    reports = await asyncio.gather(*(async_verify_pdf(p, trust=trust) for p in pdfs))
    during = ticks - before
    running = False
    await beat
    assert all(r.passed for r in reports), [r.document.errors for r in reports]
    # verify_pdf on the loop itself would have frozen the ticker for the whole batch
    assert during >= 2, f"the event loop was blocked during verification ({during} ticks)"
    direct = await asyncio.to_thread(verify_pdf, pdfs[0], trust=trust)
    assert reports[0].signatures[0].signer == direct.signatures[0].signer


async def test_process_pool_path_bytes_and_tampered(
    tmp_path: Path, permits: list[bytes], trust: TrustStore
) -> None:
    honest = permits[0]
    path = tmp_path / "permit.pdf"
    path.write_bytes(honest)
    forged = honest.replace(b"PC-2026-0000", b"PC-2026-0666", 1)
    assert forged != honest
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        by_path = await async_verify_pdf(path, trust=trust, executor=pool)
        by_view = await async_verify_pdf(memoryview(honest), trust=trust, executor=pool)
        bad = await async_verify_pdf(forged, trust=trust, executor=pool)
    assert by_path.passed
    assert by_path.file == str(path)
    assert by_view.passed
    assert bad.document.indication is not Indication.TOTAL_PASSED
    assert bad.signatures[0].indication is Indication.TOTAL_FAILED


async def test_limits_are_passed_on(permits: list[bytes], trust: TrustStore) -> None:
    with pytest.raises(InvalidInputError, match="100 byte limit"):
        await async_verify_pdf(
            io.BytesIO(permits[0]), trust=trust, limits=VerifyLimits(max_file_size=100)
        )


async def test_bad_arguments_raise(permits: list[bytes], trust: TrustStore) -> None:
    pdf = permits[0]
    with pytest.raises(InvalidInputError, match="TrustStore"):
        await async_verify_pdf(pdf, trust="root.pem")  # type: ignore[arg-type]
    with (
        concurrent.futures.ProcessPoolExecutor(1) as pool,
        pytest.raises(InvalidInputError, match="file object"),
    ):
        await async_verify_pdf(io.BytesIO(pdf), trust=trust, executor=pool)

"""Permits rendered and signed in worker processes when the sandbox is served over HTTP.

A permit costs a hundred-odd milliseconds of CPU; ``Sandbox(signing_workers=N)`` keeps
that off the server's event loop. These tests run the real server (uvicorn on
127.0.0.1), real worker processes and the test PKI, and check that what comes out is the
same signed permit the inline path gives: verified TOTAL_PASSED, the same bytes on every
download, and an answer even when a worker dies.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rokhas_sdk import InvalidInputError
from rokhas_sdk.sandbox import Sandbox
from rokhas_sdk.signing import verify_pdf
from rokhas_sdk.testing import SandboxServer
from rokhas_sdk.testing._walk import PlatformWalker

from .conftest import signed_sandbox, trust_store


@pytest.fixture
def worker_sb(signing: tuple[Any, bytes]) -> Iterator[Sandbox]:
    sandbox = signed_sandbox(signing, signing_workers=1)
    yield sandbox
    sandbox.close()


def _over_http(url: str) -> Callable[[str | None], httpx.Client]:
    def factory(token: str | None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=url, headers=headers, timeout=60)

    return factory


@pytest.fixture
def http_walker(worker_sb: Sandbox) -> Iterator[tuple[PlatformWalker, SandboxServer]]:
    with SandboxServer(worker_sb) as srv:
        w = PlatformWalker(_over_http(srv.url), worker_sb.token_for)
        yield w, srv
        w.close()


def _download(srv: SandboxServer, sb: Sandbox, dossier_id: str) -> httpx.Response:
    return httpx.get(
        f"{srv.url}/v1/dossiers/{dossier_id}/permit/pdf",
        headers={"authorization": f"Bearer {sb.token_for('PETITIONNAIRE')}"},
        timeout=60,
    )


def test_a_worker_signs_the_permit_and_every_download_gets_the_same_bytes(
    worker_sb: Sandbox, http_walker: tuple[PlatformWalker, SandboxServer], signing: Any
) -> None:
    walker, srv = http_walker
    walk = walker.walk(download=True)
    assert walk.permit_pdf is not None
    assert worker_sb.worker_jobs_done == 1  # made in the worker, not inline
    report = verify_pdf(walk.permit_pdf, trust=trust_store(signing[1]))
    assert report.document.indication.value == "TOTAL_PASSED", report.document.errors
    again = _download(srv, worker_sb, walk.dossier_id)
    assert again.status_code == 200
    assert again.content == walk.permit_pdf
    assert worker_sb.worker_jobs_done == 1  # kept, not signed twice


def test_a_dead_worker_costs_no_answer(
    worker_sb: Sandbox, http_walker: tuple[PlatformWalker, SandboxServer], signing: Any
) -> None:
    walker, srv = http_walker
    walk = walker.walk(download=False)
    worker_sb.start_workers()
    pool = worker_sb._workers
    pool.submit(os.getpid).result(timeout=60)  # the worker is up
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    r = _download(srv, worker_sb, walk.dossier_id)
    assert r.status_code == 200, r.text
    assert worker_sb.worker_jobs_done == 0  # answered inline
    report = verify_pdf(r.content, trust=trust_store(signing[1]))
    assert report.document.indication.value == "TOTAL_PASSED", report.document.errors
    # The next permit gets a fresh pool.
    second = walker.walk(download=True)
    assert second.permit_pdf is not None
    assert worker_sb.worker_jobs_done == 1


def test_the_in_process_transport_signs_inline(worker_sb: Sandbox, signing: Any) -> None:
    def factory(token: str | None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            transport=worker_sb.transport(), base_url=worker_sb.base_url, headers=headers
        )

    w = PlatformWalker(factory, worker_sb.token_for)
    try:
        walk = w.walk(download=True)
    finally:
        w.close()
    assert walk.permit_pdf is not None
    assert worker_sb.worker_jobs_done == 0
    assert worker_sb._workers is None  # no process was started for it


def test_workers_need_a_signer_that_can_travel_to_them() -> None:
    with pytest.raises(InvalidInputError, match="pickled") as err:
        Sandbox(permit_signer=lambda pdf: pdf, signing_workers=1)
    assert "signing_workers=0" in str(err.value)
    with pytest.raises(InvalidInputError, match="signing_workers is -1"):
        Sandbox(signing_workers=-1)


def test_the_signer_travels_without_showing_its_passphrase(signing: Any) -> None:
    import pickle

    signer = signing[0]
    clone = pickle.loads(pickle.dumps(signer))
    assert clone._passphrase.get_secret_value() == signer._passphrase.get_secret_value()
    assert signer._passphrase.get_secret_value() not in repr(signer)
    assert "pkcs12=<" in repr(clone)


class _UndrawableName(PlatformWalker):
    """Grants a permit whose beneficiary's name the permit font cannot draw."""

    def _permit_data(self, walk: Any) -> dict[str, Any]:
        data = super()._permit_data(walk)
        data["beneficiary_name"] = "Société 漢字"
        return data


def test_a_permit_the_worker_cannot_render_gets_the_inline_answer(
    worker_sb: Sandbox, http_walker: tuple[PlatformWalker, SandboxServer]
) -> None:
    _, srv = http_walker
    w = _UndrawableName(_over_http(srv.url), worker_sb.token_for)
    try:
        walk = w.walk(download=False)
    finally:
        w.close()
    r = _download(srv, worker_sb, walk.dossier_id)
    # The worker failed the same way the inline path does; the caller gets the typed
    # problem (a glyph the font lacks is never dropped), not a 500 or a hang.
    assert r.status_code == 422, r.text
    assert "U+6F22" in r.json()["message_fr"]
    assert worker_sb.worker_jobs_done == 0


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for kid in map(int, kids):
        found |= {kid} | _descendants(kid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's reaping is left


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_their_server_however_it_ends(tmp_path: Path, how: int) -> None:
    src = str(Path(__file__).resolve().parents[2] / "src")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "rokhas_sdk", "sandbox", "serve", "--port", str(port)],
        env={**os.environ, "PYTHONPATH": src},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and not workers:
            workers = {
                p
                for p in _descendants(proc.pid)
                if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()
            }
            time.sleep(0.1)
        assert workers, "the server started no signing worker"
        proc.send_signal(how)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers), f"workers left behind: {workers}"
    finally:
        if proc.poll() is None:
            proc.kill()

# mypy: disable-error-code="no-untyped-call"
"""verify_many on a real Dask cluster: a LocalCluster with two worker processes.

The batch holds honest permits, a tampered copy, a file that is not a PDF and a missing
path; the tampered copy must not pass, the honest ones must, and nothing may stay
behind (worker processes, warnings) once the cluster is closed.
"""

from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path

import psutil
import pytest
from distributed import Client, LocalCluster

from rokhas_sdk.signing import Indication, TrustStore, VerificationReport, verify_many

from .verify_corpus import Signing, base_pdf

# Spawning two interpreters that import pyHanko takes a few seconds on a quiet machine;
# the bound is generous for a loaded CI box, and keeps a hung cluster from hanging CI.
BATCH_TIMEOUT = 180


def _batch(tmp_path: Path, signing: Signing) -> tuple[list[Path], Path]:
    paths = []
    for i in range(4):
        p = tmp_path / f"permit-{i}.pdf"
        p.write_bytes(signing.sign(base_pdf(f"Permis de construire PC-2026-{i:04d}")))
        paths.append(p)
    honest = paths[0].read_bytes()
    # same length, inside the signed bytes: the page now grants another permit number
    tampered = honest.replace(b"PC-2026-0000", b"PC-2026-9999", 1)
    assert tampered != honest
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(tampered)
    notes = tmp_path / "notes.pdf"
    notes.write_text("not a pdf")
    return [*paths, forged, notes, tmp_path / "missing.pdf"], forged


def test_verify_many_on_a_local_cluster(
    tmp_path: Path, signing: Signing, trust: TrustStore
) -> None:
    paths, forged = _batch(tmp_path, signing)
    me = psutil.Process(os.getpid())
    before = {c.pid for c in me.children(recursive=True)}

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        worker_pids = set(client.run(os.getpid).values())
        assert len(worker_pids) == 2
        assert os.getpid() not in worker_pids
        with (
            client.get_executor() as executor,
            concurrent.futures.ThreadPoolExecutor(1) as waiter,
        ):
            # verify_many is a generator: drain it on a thread so a stuck cluster fails the
            # test after BATCH_TIMEOUT instead of hanging it
            run = waiter.submit(
                lambda: list(verify_many(paths, trust=trust, executor=executor, max_pending=4))
            )
            reports: list[VerificationReport] = run.result(timeout=BATCH_TIMEOUT)

    by_name = {Path(r.file or "").name: r for r in reports}
    assert set(by_name) == {p.name for p in paths}
    for i in range(4):
        rep = by_name[f"permit-{i}.pdf"]
        assert rep.passed, rep.document.errors
    bad = by_name[forged.name]
    assert bad.document.indication is not Indication.TOTAL_PASSED
    assert all(s.indication is not Indication.TOTAL_PASSED for s in bad.signatures)
    for name in ("notes.pdf", "missing.pdf"):
        assert by_name[name].document.indication is not Indication.TOTAL_PASSED
        assert by_name[name].document.errors

    # the cluster took its worker processes (and their nanny processes) down with it
    _gone, alive = psutil.wait_procs(
        [psutil.Process(pid) for pid in worker_pids if psutil.pid_exists(pid)], timeout=30
    )
    assert not alive, f"worker processes left behind: {[p.pid for p in alive]}"
    left = [c for c in me.children(recursive=True) if c.pid not in before]
    still = [" ".join(c.cmdline()) for c in left if _lingers(c)]
    assert not still, f"processes left behind by the cluster: {still}"


def _lingers(proc: psutil.Process) -> bool:
    """A child process that outlives the cluster, other than multiprocessing's resource
    tracker (one per interpreter, started by the first spawned process, it ends with us)."""
    try:
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return "multiprocessing.resource_tracker" not in " ".join(proc.cmdline())
    except psutil.NoSuchProcess:
        return False


def test_the_cluster_extra_is_declared() -> None:
    """`pip install rokhas-sdk[cluster]` brings dask.distributed, and [all] includes it."""
    import tomllib

    pyproject = tomllib.loads(
        (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    )
    extras = pyproject["project"]["optional-dependencies"]
    assert any(d.startswith("dask[distributed]") for d in extras["cluster"])
    assert "cluster" in extras["all"][0]
    pytest.importorskip("distributed")

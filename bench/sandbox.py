"""Replay one national day of Rokhas traffic through the sandbox's HTTP server.

About 1,250 dossiers go through their full procedure (draft, pieces, plan signatures,
filing, receipt, commission and opinions, fees paid through the CMI simulator pages,
decision, permit read, and for a share of permits the signed PDF downloaded), about
36,500 requests (the issue's "about 40,000"), sent by six concurrent portal threads
to ``rokhas sandbox serve`` on 127.0.0.1 (a separate process, SQLite WAL on disk). The
portals speak through ``_wire.WireClient`` (http.client,
keep-alive), a lean load generator, so that the client's CPU does not crowd the server
on a two-core machine. The baseline is a minimal endpoint (``GET /_sandbox/ping``) of the
same server stack (uvicorn with httptools and uvloop, the sandbox's ASGI app) hit by the
same clients in the same run.

Prints one JSON line. ``ROKHAS_BENCH_DOSSIERS`` scales the day (default 1250);
``ROKHAS_BENCH_PDF_SHARE`` is the share of delivered permits whose signed PDF is
downloaded during the replay (default 0.1); ``ROKHAS_BENCH_SIGNING_WORKERS`` the server's
signing worker processes (default 1, as ``serve``; 0 signs inside the server process). A
permit is rendered and signed at its first download, a cost of its own (over a hundred
milliseconds of CPU per permit on this machine): the workers' CPU is reported apart as
``signing_cpu_seconds_per_permit`` and extrapolated to every permit of the day as
``signing_all_permits_cpu_seconds``.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from _wire import WireClient
from rokhas_sdk.models import ProcedureKind
from rokhas_sdk.sandbox._users import seed_users
from rokhas_sdk.testing._walk import PlatformWalker

SEED = "bench"
# A day's mix of procedures (illustrative shares; Rokhas publishes yearly totals only).
MIX = (
    (ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET, 52),
    (ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET, 6),
    (ProcedureKind.ECO_ACTIVITE_COURANTE, 18),
    (ProcedureKind.URB_PERMIS_REFECTION, 6),
    (ProcedureKind.URB_PERMIS_HABITER, 7),
    (ProcedureKind.URB_PERMIS_DEMOLITION, 3),
    (ProcedureKind.URB_AUTORISATION_LOTIR, 3),
    (ProcedureKind.URB_PERMIS_REGULARISATION, 2),
    (ProcedureKind.ECO_SIMPLE_DECLARATION, 3),
)
THREADS = 6
# Processes that render and sign permits beside the server (`--signing-workers`).
SIGNING_WORKERS = int(os.environ.get("ROKHAS_BENCH_SIGNING_WORKERS", "1"))


def _start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    cmd = [
        sys.executable,
        "-m",
        "rokhas_sdk",
        "sandbox",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        str(db),
        "--sync",
        "NORMAL",
        "--seed",
        SEED,
        "--quiet",  # no request log: stderr is a pipe nobody reads until the end
        "--clock",
        "2024-06-03T09:00:00+01:00",
        "--frozen-clock",
        "--signing-workers",
        str(SIGNING_WORKERS),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError(
                f"sandbox server exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
    proc.kill()
    raise RuntimeError("sandbox server did not start within 120 s")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds(pid: int) -> float:
    """CPU time of a process's living descendants (the server's signing workers)."""
    total = 0.0
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    for kid in map(int, kids):
        try:
            total += _cpu_seconds(kid) + _children_cpu_seconds(kid)
        except OSError:
            continue
    return total


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ping(url: str, total: int) -> float:
    """Requests per second on the minimal endpoint, THREADS clients."""
    per = total // THREADS

    def run() -> None:
        c = WireClient(url)
        try:
            for _ in range(per):
                c.get("/_sandbox/ping")
        finally:
            c.close()

    ts = [threading.Thread(target=run) for _ in range(THREADS)]
    t = time.perf_counter()
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return per * THREADS / (time.perf_counter() - t)


def _replay(
    url: str, kinds: list[ProcedureKind], pdf_share: float = 1.0
) -> tuple[int, float, list[float], list[float]]:
    users = seed_users(SEED)

    def token(role: str, *, commune: str = "06.141.01.0", body: str | None = None) -> str:
        return users.find(role, commune=commune, body=body).token.get_secret_value()

    counts: list[int] = []
    lock = threading.Lock()
    queue = list(enumerate(kinds))
    walk_times: list[float] = []
    downloads: list[float] = []
    errors: list[str] = []
    pick = random.Random(7)

    def worker(commune: str) -> None:
        w = PlatformWalker(
            lambda tok: WireClient(
                url, headers={"authorization": f"Bearer {tok}"} if tok else {}, timeout=60
            ),
            token,
            commune=commune,
        )
        n = 0
        try:
            while True:
                with lock:
                    if not queue:
                        break
                    _, kind = queue.pop()
                    download = pick.random() < pdf_share
                t0 = time.perf_counter()
                try:
                    walk = w.walk(kind, download=download)
                    n += walk.requests
                    if download:
                        downloads.append(walk.download_seconds)
                except AssertionError as exc:
                    errors.append(str(exc)[:300])
                walk_times.append(time.perf_counter() - t0)
        finally:
            w.close()
            with lock:
                counts.append(n)

    communes = ["06.141.01.0", "04.421.01.0", "07.351.01.0"]
    ts = [threading.Thread(target=worker, args=(communes[i % 3],)) for i in range(THREADS)]
    t = time.perf_counter()
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    elapsed = time.perf_counter() - t
    if errors:
        raise RuntimeError(f"{len(errors)} walks failed, first: {errors[0]}")
    return sum(counts), elapsed, walk_times, downloads


def _stop_on_sigterm() -> None:
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main() -> None:
    _stop_on_sigterm()
    n = int(os.environ.get("ROKHAS_BENCH_DOSSIERS", "1250"))
    pdf_share = float(os.environ.get("ROKHAS_BENCH_PDF_SHARE", "0.1"))
    rng = random.Random(1250)
    population = [k for k, w in MIX for _ in range(w)]
    kinds = [rng.choice(population) for _ in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        proc = _start_server(Path(tmp) / "bench.sqlite", port)
        url = f"http://127.0.0.1:{port}"
        try:
            # Warm up both paths (first signature, schedule loading) outside the timings.
            _replay(url, [ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET] * THREADS)
            _ping(url, 600)
            baseline = _ping(url, 6000)
            server_cpu0 = _cpu_seconds(proc.pid)
            workers_cpu0 = _children_cpu_seconds(proc.pid)
            client_cpu0 = time.process_time()
            requests, elapsed, walks, downloads = _replay(url, kinds, pdf_share)
            server_cpu = _cpu_seconds(proc.pid) - server_cpu0
            workers_cpu = _children_cpu_seconds(proc.pid) - workers_cpu0
            client_cpu = time.process_time() - client_cpu0
            baseline_after = _ping(url, 6000)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    rps = requests / elapsed
    ping = statistics.median([baseline, baseline_after])
    per_permit = statistics.median(downloads) if downloads else None
    cpu_per_permit = workers_cpu / len(downloads) if downloads and workers_cpu else None
    load = os.getloadavg()[0]
    print(
        json.dumps(
            {
                "bench": "sandbox",
                "dossiers": n,
                "requests": requests,
                "seconds": round(elapsed, 2),
                "requests_per_second": round(rps, 1),
                "baseline_ping_rps": round(ping, 1),
                "ratio_vs_minimal_endpoint": round(rps / ping, 3),
                "median_walk_seconds": round(statistics.median(walks), 3),
                "pdf_share": pdf_share,
                "permits_downloaded": len(downloads),
                # Latency of a first download (render + sign in a worker, queueing included).
                "seconds_per_signed_permit": round(per_permit, 3) if per_permit else None,
                "signing_workers": SIGNING_WORKERS,
                "signing_workers_cpu_seconds": round(workers_cpu, 1),
                "signing_cpu_seconds_per_permit": round(cpu_per_permit, 3)
                if cpu_per_permit
                else None,
                # What signing every permit of the day would cost, in CPU seconds.
                "signing_all_permits_cpu_seconds": round(cpu_per_permit * n, 1)
                if cpu_per_permit
                else None,
                "load_average_1min": round(load, 2),
                # The machine is shared: CPU time says what the replay costs whatever the load.
                "server_cpu_seconds": round(server_cpu, 1),
                "client_cpu_seconds": round(client_cpu, 1),
                "server_requests_per_cpu_second": round(requests / server_cpu, 1)
                if server_cpu
                else None,
                "client_threads": THREADS,
                "target_seconds": 60,
                "within_target": elapsed < 60,
            }
        )
    )


if __name__ == "__main__":
    main()

"""``rokhas sandbox serve --db``: kill -9 under load, restart, every acknowledged write is there.

A real server process (the CLI) with a SQLite file in WAL mode; several writer threads
create dossiers and upload pieces as fast as they can; each write whose 2xx answer
arrived is recorded as acknowledged. The process is killed with SIGKILL mid-load,
restarted on the same file, and every acknowledged dossier and piece is read back,
byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from rokhas_sdk.sandbox._users import seed_users
from rokhas_sdk.testing import dossier_data, piece_bytes

SRC = str(Path(__file__).resolve().parents[2] / "src")
SEED = "durability"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC}
    log = db.with_suffix(".log")
    with open(log, "ab") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rokhas_sdk",
                "sandbox",
                "serve",
                "--port",
                str(port),
                "--db",
                str(db),
                "--seed",
                SEED,
                "--no-pki",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


def test_kill_9_under_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite"
    port = _port()
    url = f"http://127.0.0.1:{port}"
    token = seed_users(SEED).find("PETITIONNAIRE", commune="141.01.01").token.get_secret_value()
    proc = _serve(db, port)
    acked_dossiers: list[str] = []
    acked_pieces: list[tuple[str, str, str]] = []
    lock = threading.Lock()
    stop = threading.Event()
    started = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(
            base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=10
        ) as c:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    r = c.post(
                        "/v1/dossiers",
                        json=dossier_data("ECO_ACTIVITE_COURANTE", reference=f"KILL-{n}-{i}"),
                    )
                    if r.status_code != 201:
                        continue
                    did = r.json()["id"]
                    with lock:
                        acked_dossiers.append(did)
                    data = piece_bytes("DEMANDE", f"{n}-{i}")
                    r = c.post(
                        f"/v1/dossiers/{did}/pieces",
                        params={"type": "DEMANDE", "file_name": "demande.pdf"},
                        content=data,
                        headers={"content-type": "application/pdf"},
                    )
                    if r.status_code == 201:
                        with lock:
                            acked_pieces.append(
                                (did, r.json()["id"], hashlib.sha256(data).hexdigest())
                            )
                    started.set()
                except httpx.HTTPError:
                    return  # the server died under us: what was acknowledged is recorded

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        assert started.wait(60), "no write was acknowledged"
        deadline = time.monotonic() + 60
        while len(acked_pieces) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # no clean shutdown, no checkpoint
        proc.wait(timeout=10)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert len(acked_dossiers) >= 10
    assert Path(str(db) + "-wal").exists() or db.exists()

    proc = _serve(db, port)
    try:
        with httpx.Client(
            base_url=url, headers={"authorization": f"Bearer {token}"}, timeout=10
        ) as c:
            for did in acked_dossiers:
                r = c.get(f"/v1/dossiers/{did}")
                assert r.status_code == 200, f"acknowledged dossier {did} lost after kill -9"
            for did, pid, sha in acked_pieces:
                r = c.get(f"/v1/dossiers/{did}/pieces/{pid}/content")
                assert r.status_code == 200, f"acknowledged piece {pid} lost after kill -9"
                assert hashlib.sha256(r.content).hexdigest() == sha == r.headers["x-content-sha256"]
            # The platform keeps working on the recovered file.
            assert (
                c.post(
                    "/v1/dossiers",
                    json=dossier_data("ECO_ACTIVITE_COURANTE", reference="AFTER-RESTART"),
                ).status_code
                == 201
            )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            pytest.fail("the server did not stop on SIGTERM")

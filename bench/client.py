"""Per-request overhead of the SDK clients against raw httpx, same loopback server.

A tiny ASGI app (uvicorn, separate process, 127.0.0.1) answers ``GET /v1/health`` and
``GET /v1/dossiers/{id}`` with fixed, contract-valid JSON. In the same run, interleaved
in short alternating batches so that machine noise hits both sides alike:

- baseline: a raw ``httpx.Client`` sending the same request (same headers) and decoding
  the JSON (``response.json()``), as an integrator without the SDK would;
- ours: ``RokhasClient.health()`` / ``.dossiers.get(id)``, which also builds the
  request from the operation table, adds auth and retry headers, runs the retry loop
  and validates the body into the pydantic models;
- the async pair: ``httpx.AsyncClient`` vs ``AsyncRokhasClient``;
- for reference, raw httpx plus the same pydantic validation vs ours: the difference is
  the client's own machinery alone.

Prints one JSON line; the ratio is median(ours) / median(raw httpx), target <= 1.15.
``ROKHAS_BENCH_CLIENT_N`` sets the requests per side (default 3000).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from rokhas_sdk.api import DossierResource
from rokhas_sdk.client import AsyncRokhasClient, RokhasClient

N = int(os.environ.get("ROKHAS_BENCH_CLIENT_N", "3000"))
BATCH = 10  # short alternating batches: both sides see the same machine load

DOSSIER = {
    "id": "dos_bench",
    "state": "DRAFT",
    "version": 3,
    "dossier": {
        "reference": "BENCH-1",
        "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "commune": "06.141.01.0",
        "applicant": {
            "type": "natural",
            "first_name": "Amina",
            "last_name": "Alaoui",
            "cin": "BE123456",
        },
        "parcel": {"commune": "06.141.01.0", "address": "12 rue des Orangers", "land_area": "250"},
        "project": {"use": "INDIVIDUAL_HOUSING", "description": "Villa R+1", "covered_area": "120"},
    },
    "created_at": "2026-11-29T10:00:00Z",
    "updated_at": "2026-11-29T10:00:00Z",
}
HEALTH = {
    "status": "ok",
    "api_version": "v1",
    "contract_version": "1.1.0",
    "server_time": "2026-11-29T10:00:00Z",
}

SERVER = """
import json, sys, uvicorn
health = json.dumps(%r).encode()
dossier = json.dumps(%r).encode()
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = health if scope["path"] == "/v1/health" else dossier
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"x-request-id", b"req_bench")]})
    await send({"type": "http.response.body", "body": body})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", access_log=False,
            lifespan="off", http="h11", ws="none")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER % (HEALTH, DOSSIER), str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/v1/health", timeout=0.5)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("bench server did not start")


def _timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _pair(raw: Callable[[], Any], ours: Callable[[], Any]) -> dict[str, float]:
    for _ in range(200):  # warm both connections and code paths
        raw()
        ours()
    a: list[float] = []
    b: list[float] = []
    for i in range(N // BATCH):
        # Alternate which side goes first so drifts do not favour one.
        first, second = (raw, ours) if i % 2 == 0 else (ours, raw)
        t1 = _timed(first, BATCH)
        t2 = _timed(second, BATCH)
        (a, b)[0 if first is raw else 1].extend(t1)
        (a, b)[1 if first is raw else 0].extend(t2)
    ma, mb = statistics.median(a), statistics.median(b)
    return {
        "raw_httpx_us": round(ma * 1e6, 1),
        "rokhas_us": round(mb * 1e6, 1),
        "ratio": round(mb / ma, 3),
    }


async def _apair(raw: Callable[[], Any], ours: Callable[[], Any]) -> dict[str, float]:
    async def timed(fn: Callable[[], Any], n: int) -> list[float]:
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            await fn()
            out.append(time.perf_counter() - t0)
        return out

    for _ in range(200):
        await raw()
        await ours()
    a: list[float] = []
    b: list[float] = []
    for i in range(N // BATCH):
        if i % 2 == 0:
            a += await timed(raw, BATCH)
            b += await timed(ours, BATCH)
        else:
            b += await timed(ours, BATCH)
            a += await timed(raw, BATCH)
    ma, mb = statistics.median(a), statistics.median(b)
    return {
        "raw_httpx_us": round(ma * 1e6, 1),
        "rokhas_us": round(mb * 1e6, 1),
        "ratio": round(mb / ma, 3),
    }


def main() -> None:
    """Run the benchmark and print one JSON line."""
    proc, url = _start_server()
    headers = {"Authorization": "Bearer bench-token", "Accept": "application/json"}
    try:
        figures: dict[str, Any] = {"bench": "client", "n_per_side": N}
        with (
            httpx.Client(base_url=url, headers=headers) as raw,
            RokhasClient(base_url=url, token="bench-token") as ours,
        ):
            figures["sync_get_dossier"] = _pair(
                lambda: raw.get("/v1/dossiers/dos_bench").json(),
                lambda: ours.dossiers.get("dos_bench"),
            )
            figures["sync_health"] = _pair(lambda: raw.get("/v1/health").json(), ours.health)
            # The same, against raw httpx plus the same pydantic validation: what remains is
            # the client's own machinery (operation table, headers, retry loop).
            figures["sync_get_dossier_vs_raw_plus_validation"] = _pair(
                lambda: DossierResource.model_validate_json(
                    raw.get("/v1/dossiers/dos_bench").content
                ),
                lambda: ours.dossiers.get("dos_bench"),
            )

        async def run_async() -> None:
            async with (
                httpx.AsyncClient(base_url=url, headers=headers) as araw,
                AsyncRokhasClient(base_url=url, token="bench-token") as aours,
            ):

                async def raw_get() -> Any:
                    return (await araw.get("/v1/dossiers/dos_bench")).json()

                async def ours_get() -> Any:
                    return await aours.dossiers.get("dos_bench")

                figures["async_get_dossier"] = await _apair(raw_get, ours_get)

        asyncio.run(run_async())
        figures["target_ratio"] = 1.15
        figures["worst_ratio"] = max(
            v["ratio"] for k, v in figures.items() if isinstance(v, dict) and "vs_raw_plus" not in k
        )
        figures["load_average_1m"] = os.getloadavg()[0]
        print(json.dumps(figures))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()

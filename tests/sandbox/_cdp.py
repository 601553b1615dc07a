"""A tiny Chrome DevTools Protocol driver over ``--remote-debugging-pipe`` (no extra package).

Chromium reads commands on fd 3 and writes answers on fd 4, each message a JSON object
ended by a NUL byte. Enough to open a page, evaluate JavaScript and wait for a title.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)


class Chromium:
    def __init__(self, executable: str, profile: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        cmd = " ".join(
            [
                shlex.quote(executable),
                *FLAGS,
                f"--user-data-dir={shlex.quote(str(profile))}",
                "about:blank",
            ]
        )
        # bash puts our pipe ends on fds 3 and 4, where Chromium expects them.
        self.proc = subprocess.Popen(
            ["bash", "-c", f"exec {cmd} 3<&{to_child_r} 4>&{from_child_w}"],
            pass_fds=(to_child_r, from_child_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next = 0
        self.session: str | None = None

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30
    ) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if self.session is not None and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for answer in self._read(deadline - time.monotonic()):
                if answer.get("id") == self._next:
                    if "error" in answer:
                        raise RuntimeError(f"CDP {method}: {answer['error']}")
                    return dict(answer.get("result", {}))
        raise TimeoutError(f"no CDP answer to {method} within {timeout} s")

    def _read(self, timeout: float) -> list[dict[str, Any]]:
        ready, _, _ = select.select([self._from_child], [], [], max(timeout, 0))
        if not ready:
            return []
        chunk = os.read(self._from_child, 1 << 16)
        if not chunk:
            raise RuntimeError("chromium closed the DevTools pipe")
        self._buf += chunk
        out = []
        while b"\0" in self._buf:
            raw, self._buf = self._buf.split(b"\0", 1)
            out.append(json.loads(raw))
        return out

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Page.enable")
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self.evaluate(expression)
            except RuntimeError:
                last = None  # the page is navigating
            if last:
                return last
            time.sleep(0.1)
        raise TimeoutError(f"{expression!r} stayed falsy for {timeout} s (last: {last!r})")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self._to_child)
        os.close(self._from_child)

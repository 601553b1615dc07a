"""Run one page's examples in order, in the current folder: ``python run_page.py PAGE``.

Started by test_examples.py in a fresh interpreter and an empty folder per page. The
page's setup (setups.py) runs first and provides what the page takes as given (a
dossier, a signed permit, a trust root...). Prints ``DOCS-TEST: N blocks ran``; on a
failure prints which block of which page (file and line) and exits 1.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

# tests/docs is the package "docs" (as pytest imports it): make it importable here too
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docs.examples import ROOT, Block, Command, blocks_of, pattern
from docs.setups import SETUPS, stop_services

SANDBOX_PORT = "8000"  # the documented default; the runner swaps in a free port


class ExampleFailed(Exception):
    pass


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def check_output(expected: tuple[str, ...], output: str, where: str) -> None:
    """Every expected text appears in the output, in order."""
    position = 0
    for text in expected:
        found = re.compile(pattern(text), re.S).search(output, position)
        if found is None:
            raise ExampleFailed(
                f"{where}: the page shows {text!r}, which is not in the output:\n{output[-3000:]}"
            )
        position = found.end()


class Page:
    def __init__(self, name: str) -> None:
        self.name = name
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self.background: list[subprocess.Popen[str]] = []
        self.port = _free_port()
        os.environ["DOCS_TEST_PORT"] = self.port

    @property
    def env(self) -> dict[str, str]:
        # Read at each command: the page's setup may have set variables (TSA_URL...).
        bin_dir = str(Path(sys.executable).parent)
        return {
            **os.environ,
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
            "COLUMNS": "200",
        }

    def run_python(self, block: Block) -> None:
        out = io.StringIO()
        source = self._localise(block.code)
        code = compile("\n" * (block.line - 1) + source, block.page, "exec")
        with contextlib.redirect_stdout(out):
            exec(code, self.namespace)
        sys.stdout.write(out.getvalue())
        check_output(block.expected, out.getvalue(), f"{block.page}:{block.line}")

    def _localise(self, text: str) -> str:
        return text.replace(f"--port {SANDBOX_PORT}", f"--port {self.port}").replace(
            f"127.0.0.1:{SANDBOX_PORT}", f"127.0.0.1:{self.port}"
        )

    def run_command(self, page: str, command: Command) -> None:
        where = f"{page}:{command.line}: {command.text}"
        argv = self._localise(command.text)
        expected = tuple(self._localise(e) for e in command.expected)
        print(f"$ {argv}")
        if command.background:
            self._start(argv, expected, where)
            return
        done = subprocess.run(
            ["bash", "-c", argv], capture_output=True, text=True, env=self.env, timeout=600
        )
        output = done.stdout + done.stderr
        sys.stdout.write(output)
        if done.returncode != command.exit_status:
            raise ExampleFailed(
                f"{where}: exit status {done.returncode}, the page says {command.exit_status}"
                f"\n{output[-3000:]}"
            )
        check_output(expected, output, where)

    def _start(self, argv: str, expected: tuple[str, ...], where: str) -> None:
        """A server: started in the background; what the page shows must appear, in time."""
        process = subprocess.Popen(
            ["bash", "-c", "exec " + argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
            start_new_session=True,
        )
        self.background.append(process)
        assert process.stdout is not None
        # Read as many lines as the page shows (at least one), within a minute. A thread
        # reads: select() on the pipe would miss lines already in the file's buffer.
        lines: queue.Queue[str] = queue.Queue()
        stream = process.stdout

        def pump() -> None:
            for line in iter(stream.readline, ""):
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 60
        output = ""
        for _ in range(max(1, len(expected))):
            try:
                output += lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
        sys.stdout.write(output)
        if not output:
            raise ExampleFailed(f"{where}: the command printed nothing within a minute")
        check_output(expected, output, where)

    def close(self) -> None:
        for process in self.background:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main(page_path: str) -> int:
    path = ROOT / page_path
    everything = blocks_of(path)
    blocks = [b for b in everything if b.skip is None and b.elsewhere is None and b.lang != "json"]
    only = os.environ.get("DOCS_TEST_LANGS")
    if only:
        blocks = [b for b in blocks if b.lang in only.split(",")]
    page = Page(page_path)
    setup = SETUPS.get(page_path)
    try:
        if setup is not None:
            page.namespace.update(setup())
        for block in everything:
            if block.file is not None:  # a file the page shows, which later examples use
                Path(block.file).write_text(block.code, encoding="utf-8")
        for block in blocks:
            try:
                if block.lang == "python":
                    page.run_python(block)
                else:
                    for command in block.commands:
                        page.run_command(block.page, command)
            except BaseException:
                traceback.print_exc()
                print(
                    f"DOCS-TEST: the {block.lang} block at {block.page}:{block.line} failed",
                    file=sys.stderr,
                )
                return 1
    finally:
        page.close()
        stop_services()
    print(f"DOCS-TEST: {len(blocks)} blocks ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

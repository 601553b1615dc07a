"""Read the fenced examples of README.md and docs/ (the conventions are in CONTRIBUTING.md).

* ``python`` blocks run, a page's blocks in order in one namespace. A comment
  ``# -> TEXT`` on a line says what the block prints: every such TEXT must appear in the
  block's output, in the order of the comments.
* ``console``, ``bash``, ``sh`` and ``shell`` blocks run their commands in the page's
  working folder. Lines starting with ``$ `` are commands and the lines after them, up
  to the next command, are the output the page shows (``...`` stands for anything); in
  a block without ``$ `` every non-comment line is a command. A command exits 0 unless it
  ends with ``# exit N``; a command ending in ``&`` keeps running in the background
  until the page ends (``rokhas sandbox serve ... &``).
* ``json`` blocks must parse. ``text``, ``mermaid`` and unlabelled blocks are not
  examples (usage synopses, trees, generated graphs).
* ``<!-- docs-test: skip REASON -->`` on the line before a block: not run; the reason
  is required and every skipped block is listed by the test.
* ``<!-- docs-test: elsewhere tests/PATH.py -->`` on the line before a block: another
  test runs it (a section with its own set-up, a script run as a file); the file must
  exist, and the block is counted as run there.
* ``<!-- docs-test: file NAME -->`` on the line before a block (JSON, say): the block is
  written to NAME in the page's folder before the page runs, so the page's commands
  work on the very file it shows.
* The sandbox's documented port 8000 (``--port 8000``, ``127.0.0.1:8000``) is replaced
  by a free port when the examples run, so parallel runs do not collide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
SKIP = re.compile(r"<!--\s*docs-test:\s*skip\b(.*?)-->\s*$")
ELSEWHERE = re.compile(r"<!--\s*docs-test:\s*elsewhere\s+([\w./-]+)\s*-->\s*$")
FILE = re.compile(r"<!--\s*docs-test:\s*file\s+([\w./-]+)\s*-->\s*$")
EXPECT = re.compile(r"#\s*->\s*(.+?)\s*$")
BACKGROUND = re.compile(r"\s&\s*(#[^'\"]*)?$")
EXIT = re.compile(r"\s#\s*exit\s+(\d+)\s*$")

RUNNABLE = {
    "python": "python",
    "console": "shell",
    "bash": "shell",
    "sh": "shell",
    "shell": "shell",
}
PARSED = {"json"}


@dataclass(frozen=True)
class Command:
    """One shell command of a console block, with what the page says it prints."""

    line: int
    text: str
    expected: tuple[str, ...] = ()
    exit_status: int = 0
    background: bool = False


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # the first code line, 1-based
    lang: str  # "python", "shell" or "json"
    code: str
    skip: str | None = None  # the reason, when the page marks the block skipped
    file: str | None = None  # written to this file of the page's folder before it runs
    elsewhere: str | None = None  # the test file that runs this block instead
    expected: tuple[str, ...] = ()  # python: the ``# -> TEXT`` comments, in order
    commands: tuple[Command, ...] = field(default_factory=tuple)


def page_name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def _commands(code: str, first_line: int) -> tuple[Command, ...]:
    # Join backslash continuations first, keeping the line number of the first piece.
    logical: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for i, raw in enumerate(code.splitlines()):
        if pending is not None:
            start, text = pending
            text += " " + raw.strip()
        else:
            start, text = first_line + i, raw
        if text.rstrip().endswith("\\"):
            pending = (start, text.rstrip()[:-1].rstrip())
            continue
        pending = None
        logical.append((start, text))
    prompted = any(text.startswith("$ ") for _, text in logical)
    commands: list[Command] = []
    for line, text in logical:
        if prompted and not text.startswith("$ "):
            if commands and text.strip():
                last = commands[-1]
                commands[-1] = Command(
                    last.line,
                    last.text,
                    (*last.expected, text.strip()),
                    last.exit_status,
                    last.background,
                )
            continue
        command = text[2:] if prompted else text
        if not command.strip() or command.strip().startswith("#"):
            continue
        status = 0
        found = EXIT.search(command)
        if found:
            status = int(found.group(1))
            command = command[: found.start()]
        trailing = BACKGROUND.search(command)
        background = trailing is not None
        if trailing is not None:
            command = command[: trailing.start()]
        commands.append(Command(line, command.strip(), (), status, background))
    return tuple(commands)


def blocks_of(path: Path) -> list[Block]:
    """Every example block of a page, the skipped ones included (with their reason)."""
    text = path.read_text(encoding="utf-8")
    found: list[Block] = []
    for m in FENCE.finditer(text):
        lang = RUNNABLE.get(m.group(1), m.group(1) if m.group(1) in PARSED else "")
        if not lang:
            continue
        line = text.count("\n", 0, m.start(2)) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.search(before)
        as_file = FILE.search(before)
        other = ELSEWHERE.search(before)
        code = m.group(2)
        found.append(
            Block(
                page=page_name(path),
                line=line,
                lang=lang,
                code=code,
                skip=skip.group(1).strip() if skip else None,
                file=as_file.group(1) if as_file else None,
                elsewhere=other.group(1) if other else None,
                expected=tuple(e.group(1) for e in map(EXPECT.search, code.splitlines()) if e)
                if lang == "python"
                else (),
                commands=_commands(code, line) if lang == "shell" else (),
            )
        )
    return found


def pages() -> list[Path]:
    """README.md and every page of docs/ (generated procedure graphs included)."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def matches(expected: str, output: str) -> bool:
    """Whether a line the page shows appears in the output; ``...`` matches anything."""
    return re.search(pattern(expected), output, flags=re.S) is not None


def pattern(expected: str) -> str:
    """Runs of blanks match any blanks (tables are aligned); ``...`` matches anything."""
    return r".*?".join(
        r"\s+".join(re.escape(word) for word in part.split()) for part in expected.split("...")
    )

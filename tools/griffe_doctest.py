"""griffe extension: doctest examples in docstrings render as code, not as quotes.

Markdown reads ``>>> x`` as a quote nested three deep, so a docstring's doctest example
showed up on the site as flattened quoted text. Before mkdocstrings renders a
docstring, each doctest block (a run of ``>>>`` / ``...`` lines and the output lines
after them, up to a blank line) is wrapped in a ``pycon`` fence; ``# doctest:``
directives are dropped from what readers see.
"""

from __future__ import annotations

import re
from typing import Any

try:
    import griffe
except ImportError:  # the test suite (without the docs extra) only uses fence_doctests
    griffe = None

_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")


def fence_doctests(text: str) -> str:
    """The docstring text with every doctest block inside a ``pycon`` fence."""
    out: list[str] = []
    lines = text.split("\n")
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        if in_fence or not stripped.startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(stripped)]
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(_DIRECTIVE.sub("", lines[i]))
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)


if griffe is not None:

    class DoctestFences(griffe.Extension):
        """Wrap doctest blocks of every docstring in code fences."""

        def on_object(self, *, obj: Any, **kwargs: Any) -> None:
            if obj.docstring is not None and ">>>" in obj.docstring.value:
                obj.docstring.value = fence_doctests(obj.docstring.value)

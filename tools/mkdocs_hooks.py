"""mkdocs hooks: make reST habits in our docstrings read well in the Markdown site.

Docstrings across rooms use Sphinx roles (``:class:`Name```) and ``Example::`` literal
block markers, which Markdown renders literally. After mkdocstrings has rendered a page,
the role prefix is dropped (the name stays as inline code, its last part only when the
role asked for it with ``~``, as Sphinx does) and ``::`` before a code block becomes
``:``. Doctest examples are turned into code blocks earlier, by the griffe extension in
``tools/griffe_doctest.py``.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj|const|term|ref):(?=<code>)")
_TILDE = re.compile(r"<code>~(?:[\w]+\.)*(\w+)</code>")
_LITERAL = re.compile(r"::(</p>\s*<div class=\"(?:language-|highlight))")


def on_page_content(html: str, **_: Any) -> str:
    """Drop Sphinx role prefixes and literal-block markers from the rendered page."""
    return _TILDE.sub(r"<code>\1</code>", _LITERAL.sub(r":\1", _ROLE.sub("", html)))

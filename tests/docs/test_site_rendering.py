"""The docs site renders our docstrings' reST habits as readers expect (tools/)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_doctest_blocks_become_code_fences() -> None:
    fence = _tool("griffe_doctest").fence_doctests
    text = (
        "Sign a test delivery.\n\n"
        "    >>> body, headers = sign(b'{}', 's')  # doctest: +SKIP\n"
        "    >>> headers['x']\n"
        "    'y'\n\n"
        "After the example.\n"
        "```python\n>>> inside_a_fence_stays()\n```\n"
    )
    assert fence(text) == (
        "Sign a test delivery.\n\n"
        "    ```pycon\n"
        "    >>> body, headers = sign(b'{}', 's')\n"
        "    >>> headers['x']\n"
        "    'y'\n"
        "    ```\n\n"
        "After the example.\n"
        "```python\n>>> inside_a_fence_stays()\n```\n"
    )


def test_sphinx_roles_show_the_name_as_code() -> None:
    hook = _tool("mkdocs_hooks").on_page_content
    html = (
        "<p>a :class:<code>~rokhas_sdk.sandbox.Sandbox</code> and "
        ":func:<code>rokhas_sdk.signing.verify_pdf</code></p>"
    )
    assert hook(html) == (
        "<p>a <code>Sandbox</code> and <code>rokhas_sdk.signing.verify_pdf</code></p>"
    )

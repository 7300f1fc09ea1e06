"""Writing small hand-made trees for tests: one helper for every test module that builds one."""

from __future__ import annotations

import textwrap
from pathlib import Path

__all__ = ["write_files"]


def write_files(root: Path, files: dict[str, str], *, dedent: bool = False) -> Path:
    """Write ``files`` (path relative to ``root`` -> text) under ``root``, making folders; ``dedent``:
    the texts are indented triple-quoted strings (dedented, leading newline dropped). Returns root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n") if dedent else text)
    return root

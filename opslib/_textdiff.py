"""One unified diff of a file's text, as ``diff -u`` and ``git apply`` read it."""

from __future__ import annotations

import difflib

__all__ = ["unified_diff"]


def unified_diff(before: str, after: str, name: str) -> str:
    """``a/name`` → ``b/name``; a last line without a newline is marked the way git marks it."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    out = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)

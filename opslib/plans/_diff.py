"""Attribute paths that differ between a change's ``before`` and ``after``.

Paths are written the way Terraform users read them: ``tags.Name``, ``ingress[0].cidr_blocks[1]``,
``tags["kubernetes.io/role"]``. A value that becomes unknown ("known after apply") counts as changed.
A whole object or list that appears or disappears is one path, not one per leaf.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["changed_paths", "get_path", "join_path", "split_path"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def join_path(prefix: str, key: str | int) -> str:
    """Append one step (a key or a list index) to an attribute path."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if _IDENT.fullmatch(key):
        return f"{prefix}.{key}" if prefix else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{prefix}["{quoted}"]'


def changed_paths(before: Any, after: Any, after_unknown: Any = None) -> list[str]:
    """Sorted attribute paths whose value differs (or becomes unknown) between before and after."""
    out: list[str] = []
    # a create or delete compares against an empty object, so it lists the attributes it sets
    _walk(before if before is not None else {}, after if after is not None else {}, after_unknown, "", out)
    return sorted(set(out))


def _walk(before: Any, after: Any, unknown: Any, path: str, out: list[str]) -> None:
    if unknown is True:
        out.append(path or "*")
        return
    if isinstance(before, dict) and isinstance(after, dict):
        sub_unknown = unknown if isinstance(unknown, dict) else {}
        for key in sorted(set(before) | set(after) | set(sub_unknown), key=str):
            _walk(before.get(key), after.get(key), sub_unknown.get(key), join_path(path, str(key)), out)
        return
    if isinstance(before, list) and isinstance(after, list):
        sub = unknown if isinstance(unknown, list) else []
        for i in range(max(len(before), len(after))):
            if i >= len(before) or i >= len(after):  # an element added or removed, even a null one
                out.append(join_path(path, i))
                continue
            _walk(before[i], after[i], sub[i] if i < len(sub) else None, join_path(path, i), out)
        return
    if before != after:
        out.append(path or "*")


_STEP = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def split_path(path: str) -> list[str | int]:
    """The steps of a path written by :func:`join_path` (``a.b[0]["x.y"]`` -> ``["a", "b", 0, "x.y"]``)."""
    steps: list[str | int] = []
    pos = 0
    while pos < len(path):
        match = _STEP.match(path, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"bad attribute path {path!r} at {pos}")
        ident, index, quoted = match.groups()
        if ident is not None:
            steps.append(ident)
        elif index is not None:
            steps.append(int(index))
        else:
            steps.append(re.sub(r"\\(.)", r"\1", quoted))
        pos = match.end()
    return steps


def get_path(value: Any, path: str) -> Any:
    """The value at ``path`` inside nested dicts and lists (None when absent)."""
    if path in ("", "*"):
        return value
    for step in split_path(path):
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value

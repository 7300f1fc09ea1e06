"""Helpers over the raw python-hcl2 documents a :class:`~opslib.terragrunt.TerragruntTree` keeps.

The documents have the ``hcl2.loads`` shape: string literals keep their quotes (``'"abc"'``), expressions
are ``"${...}"``, blocks are lists of dicts marked ``__is_block__`` and wrapped once per label
(``{'"root"': {...}}``). The tree adds ``__start_line__``/``__end_line__`` to blocks and ``__lines__``
(attribute name -> [start, end]) to every body. Rules read these raw values rather than evaluated ones
because a rule is about *what is written*: a literal password is a finding, a ``get_env`` call is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "NOT_LITERAL",
    "attr_line",
    "attrs",
    "block_lines",
    "blocks",
    "has_interpolation",
    "literal",
    "raw_text",
    "unquote",
]


class _NotLiteral:
    """Marker for values that are expressions, not literals."""

    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL: Any = _NotLiteral()

_INTERPOLATION = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unquote(value: str) -> str:
    """``'"abc"'`` -> ``'abc'`` (simple escapes resolved); anything else unchanged."""
    if not isinstance(value, str):  # a number or null inside a list a rule walks: nothing to unquote
        return value
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        inner = value[1:-1]
        return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), inner)
    return value


def has_interpolation(value: str) -> bool:
    """True when a quoted template contains ``${...}`` or ``%{...}`` (escaped ``$${`` does not count)."""
    return bool(_INTERPOLATION.search(value))


def literal(value: Any) -> Any:
    """The Python value of an HCL literal (string without interpolation, number, bool), else NOT_LITERAL.

    ``null`` and collections are not literals: a rule asking "is this a hardcoded value?" wants scalars.
    """
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            if value.startswith('"<<'):  # heredoc: treat as literal text unless it interpolates
                return NOT_LITERAL if has_interpolation(value) else unquote(value)
            return NOT_LITERAL if has_interpolation(value[1:-1]) else unquote(value)
        return NOT_LITERAL
    return NOT_LITERAL


def raw_text(value: Any) -> str:
    """A readable rendering of a raw value for matching (quotes and ``${}`` kept)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return (
            "{"
            + ", ".join(f"{k} = {raw_text(v)}" for k, v in value.items() if not str(k).startswith("__"))
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(raw_text(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def attrs(body: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes of a body (blocks and ``__meta__`` keys left out)."""
    lines = body.get("__lines__") or {}
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key.startswith("__"):
            continue
        if _is_block_list(value) and key not in lines:
            continue
        out[key] = value
    return out


def _is_block_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) for v in value)
        and all(_find_block(v) is not None for v in value)
    )


def _find_block(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    if entry.get("__is_block__"):
        return dict(entry)
    if len(entry) == 1:
        (inner,) = entry.values()
        if isinstance(inner, dict):
            return _find_block(inner)
    return None


Labelled = tuple[tuple[str, ...], dict[str, Any]]


def blocks(body: Mapping[str, Any] | None, block_type: str) -> Iterator[Labelled]:
    """Yield ``(labels, block)`` for every ``block_type`` block of ``body``; labels unquoted."""
    if not body:
        return
    entries = body.get(block_type)
    if not isinstance(entries, list):
        return
    lines = body.get("__lines__") or {}
    if block_type in lines:  # an attribute that happens to hold a list of objects
        return
    for entry in entries:
        if isinstance(entry, dict):
            yield from _unwrap(entry, ())


def _unwrap(entry: dict[str, Any], labels: tuple[str, ...]) -> Iterator[Labelled]:
    if entry.get("__is_block__"):
        yield labels, entry
        return
    for key, inner in entry.items():
        if isinstance(inner, dict):
            yield from _unwrap(inner, (*labels, unquote(key)))


def attr_line(body: Mapping[str, Any] | None, name: str) -> int | None:
    """First line of attribute ``name`` in ``body``, when the tree recorded it."""
    if not body:
        return None
    span = (body.get("__lines__") or {}).get(name)
    if span:
        line = int(span[0])
        return line if line > 0 else None
    return None


def block_lines(block: Mapping[str, Any] | None) -> tuple[int | None, int | None]:
    """``(__start_line__, __end_line__)`` of a block (None when unknown)."""
    if not block:
        return None, None
    start = block.get("__start_line__")
    end = block.get("__end_line__")
    return (int(start) if start else None, int(end) if end else None)

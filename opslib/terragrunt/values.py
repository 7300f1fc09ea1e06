"""Evaluated values and document helpers shared by the evaluator, the units and the rules.

:class:`Unknown` marks a value that cannot be known without running something or reaching outside the
tree; lazy maps (locals, included and read configs) become plain dicts through :func:`materialize`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "UNKNOWN",
    "EvalError",
    "Unknown",
    "attr_line",
    "attributes",
    "contains_unknown",
    "is_unknown",
    "iter_blocks",
    "materialize",
]


class Unknown:
    """A value that cannot be known without running something or reaching outside the tree."""

    __slots__ = ("reason",)

    def __init__(self, reason: str = "unknown") -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"<unknown: {self.reason}>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Unknown, (self.reason,))


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


class EvalError(Exception):
    """An expression failed (HCL itself would report an error here)."""


class _Lazy:
    """A map whose values are evaluated on first access (locals, included or read configs)."""

    def get(self, key: str) -> Any:
        raise NotImplementedError

    def keys(self) -> list[str]:
        raise NotImplementedError

    def identity(self) -> tuple[Any, ...]:
        return (type(self), id(getattr(self, "config", self)))

    def materialize(self, active: set[tuple[Any, ...]] | None = None) -> Any:
        active = set() if active is None else active
        me = self.identity()
        if me in active:  # a.hcl reads b.hcl which reads a.hcl: stop instead of recursing forever
            _CYCLES[0] += 1
            return Unknown("read_terragrunt_config cycle")
        cache = self.cache()
        if cache is not None and me in cache:
            return cache[me]
        active.add(me)
        cycles_before = _CYCLES[0]
        try:
            result = {key: materialize(self.get(key), active) for key in self.keys()}
        finally:
            active.discard(me)
        # thousands of units materialize the same account.hcl: build its dict once (unless a cycle
        # made the result depend on where the walk started)
        if cache is not None and _CYCLES[0] == cycles_before:
            cache[me] = result
        return result

    def cache(self) -> dict[tuple[Any, ...], Any] | None:
        return None


_CYCLES = [0]


def materialize(value: Any, active: set[tuple[Any, ...]] | None = None) -> Any:
    """Turn lazy maps into plain dicts, at any depth (cycles become :class:`Unknown`)."""
    if isinstance(value, _Lazy):
        return value.materialize(active)
    if isinstance(value, dict):
        return {k: materialize(v, active) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v, active) for v in value]
    return value


def _label(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == '"' and key[-1] == '"' else key


def iter_blocks(doc: Mapping[str, Any], kind: str) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """``(label, body)`` for every block of one type in a parsed document (label None when bare)."""
    items = doc.get(kind)
    if not isinstance(items, list):
        return  # absent, or an attribute of that name (``locals = 5``): no blocks
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("__is_block__"):
            yield None, item
            continue
        for key, body in item.items():
            if isinstance(body, dict):
                yield _label(key), body


def attributes(body: Mapping[str, Any]) -> dict[str, Any]:
    lines = body.get("__lines__") or {}
    if lines:
        return {k: body[k] for k in lines if k in body}
    return {
        k: v
        for k, v in body.items()
        if not k.startswith("__")
        and not (isinstance(v, list) and v and isinstance(v[0], dict) and _is_block_list(v))
    }


def _is_block_list(value: list[Any]) -> bool:
    first = value[0]
    if first.get("__is_block__"):
        return True
    return all(isinstance(v, dict) and v.get("__is_block__") for v in first.values())


def attr_line(body: Mapping[str, Any], name: str) -> int | None:
    lines = (body.get("__lines__") or {}).get(name)
    return int(lines[0]) if lines else body.get("__start_line__")

"""Evaluated values for the rules: a file's attributes and blocks as the evaluator produces them for the
units that use it (through ``merge()``, locals, includes, ``read_terragrunt_config`` and ``file()``).

A rule finds *where* something is written in the raw document, then asks here *what it is*. A value that
cannot be evaluated is :class:`~opslib.terragrunt.Unknown`: the rule stays silent about it and records a
"cannot evaluate" note (shown by ``opslib lint --explain``) instead of calling it missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from opslib.terragrunt.expr import compile_value
from opslib.terragrunt.values import Unknown, contains_unknown, materialize

if TYPE_CHECKING:
    from opslib.rules._base import LintContext
    from opslib.terragrunt.evaluate import Config

__all__ = ["Unknown", "contains_unknown", "contexts", "evaluate", "file_values", "is_known", "own_files"]

log = logging.getLogger(__name__)


def contexts(ctx: LintContext, path: str) -> list[tuple[str, Config]]:
    """``(unit, config)`` for every unit the file serves (its own file or an include)."""
    finder = getattr(ctx.tree, "file_configs", None)
    if finder is None:  # a tree-like object without an evaluator: nothing can be evaluated
        return []
    try:
        return list(finder(path))
    except Exception:  # an evaluator failure is "cannot evaluate", never a crash of the rule
        log.debug("cannot evaluate %s", path, exc_info=True)
        return []


def top_value(config: Config, key: str) -> Any:
    """The top-level attribute or block ``key`` of ``config``, materialized; Unknown when it fails."""
    try:
        return materialize(config.top(key))
    except Exception as exc:
        return Unknown(f"{key}: {exc}")


def file_values(ctx: LintContext, path: str, key: str) -> Iterator[tuple[str, Config, Any]]:
    """``(unit, config, value)`` of ``key`` in ``path`` for every unit the file serves."""
    for unit, config in contexts(ctx, path):
        yield unit, config, top_value(config, key)


def evaluate(config: Config, raw: Any) -> Any:
    """A raw document value (``'"${local.tags}"'``, ``"${merge(a, b)}"``) evaluated in ``config``,
    materialized; Unknown when it cannot be (no error row is recorded for the tree)."""
    try:
        node = compile_value(raw)
        return materialize(config.eval(node, {}))
    except Exception as exc:
        return Unknown(f"cannot evaluate: {exc}")


def is_known(value: Any) -> bool:
    """A value the evaluator could compute completely."""
    return not contains_unknown(value)


def own_files(ctx: LintContext) -> dict[str, str]:
    """Unit id -> the file evaluated as the unit itself (a stack unit's catalog ``terragrunt.hcl``, or
    its stack file when the catalog is not in the tree)."""
    cache = getattr(ctx, "_own_files", None)
    if cache is None:
        cache = {}
        for path in sorted(ctx.documents):
            for unit, config in contexts(ctx, path):
                if unit and getattr(config, "child", None) is None:
                    cache.setdefault(unit, path)
        ctx._own_files = cache  # type: ignore[attr-defined]
    return dict(cache)

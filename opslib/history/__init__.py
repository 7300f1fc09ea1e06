"""Activity history: load, reconcile, query and append the project's history files.

``load_history`` reads ``project_history.json`` and/or ``PROJECT_HISTORY.md`` into one DataFrame;
``log_activity`` appends one event to both files; the query helpers filter the frame and chain.

Names are imported on first use, so a process that only loads a cached history does not import the
JSON and Markdown parsers, the writer or its file locks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opslib.history.check import check_history
    from opslib.history.load import errors_of, history_files, load_history, load_history_with_errors
    from opslib.history.query import by_action, by_agent, by_tags, failed, newest, since, touching, until
    from opslib.history.schema import COLUMNS
    from opslib.history.writer import log_activity

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "COLUMNS": "opslib.history.schema",
    "by_action": "opslib.history.query",
    "by_agent": "opslib.history.query",
    "by_tags": "opslib.history.query",
    "check_history": "opslib.history.check",
    "errors_of": "opslib.history.load",
    "failed": "opslib.history.query",
    "history_files": "opslib.history.load",
    "load_history": "opslib.history.load",
    "load_history_with_errors": "opslib.history.load",
    "log_activity": "opslib.history.writer",
    "newest": "opslib.history.query",
    "since": "opslib.history.query",
    "touching": "opslib.history.query",
    "until": "opslib.history.query",
}

__all__ = [
    "COLUMNS",
    "by_action",
    "by_agent",
    "by_tags",
    "check_history",
    "errors_of",
    "failed",
    "history_files",
    "load_history",
    "load_history_with_errors",
    "log_activity",
    "newest",
    "since",
    "touching",
    "until",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'opslib.history' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

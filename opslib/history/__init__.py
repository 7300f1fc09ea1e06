"""Activity history: load, reconcile, query and append the project's history files.

``load_history`` reads ``project_history.json`` and/or ``PROJECT_HISTORY.md`` into one DataFrame;
``log_activity`` appends one event to both files; the query helpers filter the frame and chain.
"""

from __future__ import annotations

from opslib.history.check import check_history
from opslib.history.load import errors_of, history_files, load_history, load_history_with_errors
from opslib.history.query import by_action, by_agent, by_tags, failed, newest, since, touching, until
from opslib.history.schema import COLUMNS
from opslib.history.writer import log_activity

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

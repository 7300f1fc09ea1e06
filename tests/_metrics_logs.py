"""Hand-made history rows for the metrics tests."""

from __future__ import annotations

import pandas as pd


def ev(id_, ts, agent, action, status, files=(), task="", category="infrastructure", tags=()):
    """One history row with the columns ARCHITECTURE.md names (the ones the metrics read)."""
    return {
        "id": id_,
        "timestamp": pd.Timestamp(ts, tz="UTC") if ts else pd.NaT,
        "agent": agent,
        "action_type": action,
        "category": category,
        "task": task,
        "status": status,
        "files_created": [],
        "files_modified": list(files),
        "files_deleted": [],
        "tags": list(tags),
    }


def frame(*events):
    return pd.DataFrame(list(events))

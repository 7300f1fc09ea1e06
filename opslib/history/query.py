"""Query helpers that make the users' own history queries one-liners.

Each takes the history frame and returns the matching rows as a frame, so they chain::

    recent_infra = newest(by_tags(since(df, "2026-11-01"), "infrastructure|deployment|devops"), 20)

The list columns are Arrow-backed, so tag and file matching run as Arrow kernels, not Python loops.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from opslib._time import utc_timestamp
from opslib.errors import ConfigError

__all__ = ["by_action", "by_agent", "by_tags", "failed", "newest", "since", "touching", "until"]

FILE_COLUMNS = ("files_created", "files_modified", "files_deleted")
# Characters that only make sense in a regular expression, never in a glob.
_REGEX_ONLY = re.compile(r"[\^$|()+\\]|\.\*|\{\d")

When = str | dt.datetime | dt.date | pd.Timestamp | dt.timedelta


def _lists(series: pd.Series) -> pa.ListArray:
    arr = (
        pa.array(series.array)
        if isinstance(series.dtype, pd.ArrowDtype)
        else pa.array(
            [list(v) if isinstance(v, (list, tuple, np.ndarray)) else [] for v in series],
            type=pa.list_(pa.string()),
        )
    )
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr


def _any_match(series: pd.Series, regex: str, *, ignore_case: bool) -> np.ndarray:
    """For each row, whether any string in its list matches ``regex`` (searched, not anchored)."""
    arr = _lists(series)
    values = pc.list_flatten(arr)
    mask = np.zeros(len(arr), dtype=bool)
    if len(values) == 0:
        return mask
    hits = pc.match_substring_regex(values, pattern=regex, ignore_case=ignore_case)
    parents = pc.list_parent_indices(arr).to_numpy()
    mask[parents[pc.fill_null(hits, False).to_numpy(zero_copy_only=False)]] = True
    return mask


def _check_regex(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"invalid regular expression {pattern!r}: {exc}") from exc


def by_tags(df: pd.DataFrame, pattern: str, *, ignore_case: bool = True) -> pd.DataFrame:
    """Rows with a tag matching the regex ``pattern`` (e.g. ``"infrastructure|deployment|devops"``)."""
    _check_regex(pattern)
    return df[_any_match(df["tags"], pattern.lstrip("#"), ignore_case=ignore_case)]


def _one_of(series: pd.Series, values: Iterable[str]) -> np.ndarray:
    wanted = {v.lower() for v in values}
    return series.fillna("").astype(str).str.lower().isin(wanted).to_numpy()


def by_action(df: pd.DataFrame, *action_types: str) -> pd.DataFrame:
    """Rows whose ``action_type`` is one of ``action_types`` (case-insensitive)."""
    return df[_one_of(df["action_type"], action_types)]


def by_agent(df: pd.DataFrame, *agents: str) -> pd.DataFrame:
    """Rows written by one of ``agents`` (case-insensitive)."""
    return df[_one_of(df["agent"], agents)]


def _glob_regex(pattern: str) -> str:
    """A glob as an RE2 regex: ``**`` spans folders, ``*`` and ``?`` stay within one.

    "main.tf" matches at any depth; "live/*/vpc/**" matches from the start of the path.
    (fnmatch.translate emits atomic groups that Arrow's RE2 engine rejects.)
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    core = "".join(out)
    return f"^{core}$" if "/" in pattern else f"(^|/){core}$"


def touching(
    df: pd.DataFrame, pattern: str, *, regex: bool | None = None, columns: Iterable[str] = FILE_COLUMNS
) -> pd.DataFrame:
    """Rows that created, modified or deleted a file matching ``pattern``.

    ``pattern`` is a glob (``*.tf``, ``live/prod/**``) or a regular expression; ``regex=None`` guesses
    from the characters used (``^ $ | ( ) + \\`` or ``.*`` mean a regex).
    """
    is_regex = bool(_REGEX_ONLY.search(pattern)) if regex is None else regex
    expr = pattern if is_regex else _glob_regex(pattern)
    _check_regex(expr)
    mask = np.zeros(len(df), dtype=bool)
    for column in columns:
        mask |= _any_match(df[column], expr, ignore_case=False)
    return df[mask]


def _timestamp(when: When) -> pd.Timestamp:
    if isinstance(when, dt.timedelta):
        return pd.Timestamp.now(tz="UTC") - when
    return utc_timestamp(when, "since/until")


def since(df: pd.DataFrame, when: When) -> pd.DataFrame:
    """Rows at or after ``when`` (a date, ISO string, datetime, or a timedelta back from now)."""
    return df[(df["timestamp"] >= _timestamp(when)).fillna(False).to_numpy(dtype=bool)]


def until(df: pd.DataFrame, when: When) -> pd.DataFrame:
    """Rows before ``when`` (exclusive, so ``since(a)`` and ``until(b)`` tile time without overlap)."""
    return df[(df["timestamp"] < _timestamp(when)).fillna(False).to_numpy(dtype=bool)]


def failed(df: pd.DataFrame) -> pd.DataFrame:
    """Rows that failed: ``status == "failed"`` or an ``escalation`` (the users' failure signal)."""
    status = df["status"].fillna("").astype(str) == "failed"
    escalation = df["action_type"].fillna("").astype(str).str.lower() == "escalation"
    return df[(status | escalation).to_numpy(dtype=bool)]


def newest(df: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` most recent rows, newest first (rows without a timestamp come last)."""
    if n < 0:
        raise ConfigError(f"n must be >= 0, got {n}")
    return df.sort_values("timestamp", ascending=False, na_position="last", kind="stable").head(n)

"""Failure rates per group (agent, action type, category, tag, file, unit) and per period, with a Wilson
score interval so that a 1-of-2 rate is not read like a 50-of-100 one."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from opslib.errors import ParameterError
from opslib.metrics._common import _LIST_COLUMNS, period_start, wilson_interval
from opslib.metrics._events import Block, Events, as_events, dedup_pairs, ordered_lists

__all__ = ["EXPLODED_GROUPS", "NONE_LABEL", "failure_rates"]

log = logging.getLogger(__name__)

#: group names that are not columns: each event counts once in every group it belongs to
EXPLODED_GROUPS = ("tag", "file", "unit")
#: the label of events that have no value for a grouping column (no tags, no category...)
NONE_LABEL = "(none)"
_ALIASES = {"tags": "tag", "files": "file", "units": "unit", "action": "action_type", "area": "category"}


def failure_rates(
    history: pd.DataFrame | Events,
    by: str | Sequence[str] | None = "agent",
    period: str | None = None,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Events, failures and failure rate per group, with a Wilson score interval.

    A failure is an event whose ``status`` is ``failed`` or whose ``action_type`` is ``escalation``
    (the users' own definition). ``by`` is a history column (``agent``, ``action_type``, ``category``,
    ``task``, ``status``...), ``"area"`` (= ``category``), one of ``"tag"``, ``"file"``, ``"unit"`` (an
    event counts once in each of its tags, touched files or unit folders; events with none are grouped
    under ``"(none)"``), a list of those, or None for one overall row. ``period`` (``day``, ``week``,
    ``month``, ``quarter``, ``year``) adds a ``period`` column (start of the period, UTC; weeks start on
    Monday); events without a timestamp cannot be placed in a period and are left out of that table
    only (logged).

    Columns: the ``by`` columns, ``period`` (when asked), ``events``, ``failures``, ``failure_rate``
    (failures / events), ``ci_low``, ``ci_high`` (Wilson score interval at ``confidence``).

    >>> failure_rates(history, by="agent", period="week")          # doctest: +SKIP
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be between 0 and 1, got {confidence!r}")
    groups = _group_names(by)
    events = as_events(history)
    rows, labels = _exploded(events, groups)
    keys = list(groups)
    table: dict[str, Any] = {name: codes for name, (codes, _) in labels.items()}
    periods: pd.Series | None = None
    if period:
        starts = period_start(events.timestamp, period).iloc[rows].reset_index(drop=True)
        missing = starts.isna().to_numpy()
        dropped = int(missing.sum())
        if dropped:
            log.warning(
                "failure_rates: %d events without a timestamp left out of the per-%s table", dropped, period
            )
        rows = rows[~missing]
        table = {name: codes[~missing] for name, codes in table.items()}
        period_codes, uniques = pd.factorize(starts[~missing])
        periods = pd.Series(uniques)
        table["period"] = period_codes
        keys.append("period")
    columns = [*keys, "events", "failures", "failure_rate", "ci_low", "ci_high"]
    if len(rows) == 0:
        return _empty(columns, keys)
    failed = events.failed[rows].astype(np.int64)
    if keys:
        frame = pd.DataFrame({**table, "_failed": failed})
        counted = frame.groupby(keys, sort=False)["_failed"].agg(["size", "sum"]).reset_index()
        grouped = pd.DataFrame({name: labels[name][1][counted[name].to_numpy()].tolist() for name in groups})
        if periods is not None:
            grouped["period"] = periods.take(counted["period"].to_numpy()).reset_index(drop=True)
        grouped["size"] = counted["size"].to_numpy()
        grouped["sum"] = counted["sum"].to_numpy()
        grouped = grouped.sort_values(keys, kind="stable").reset_index(drop=True)
    else:
        grouped = pd.DataFrame({"size": [len(rows)], "sum": [int(failed.sum())]})
    grouped = grouped.rename(columns={"size": "events", "sum": "failures"})
    grouped["events"] = grouped["events"].astype("int64")
    grouped["failures"] = grouped["failures"].astype("int64")
    grouped["failure_rate"] = grouped["failures"] / grouped["events"]
    low, high = wilson_interval(grouped["failures"], grouped["events"], confidence)
    grouped["ci_low"] = low
    grouped["ci_high"] = high
    return grouped[columns].reset_index(drop=True)


def _exploded(
    events: Events, groups: list[str]
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """One row per event and value of each of ``groups`` (an event counts once in each of its tags,
    files or units): (event position per row, {group: (label code per row, label per code)})."""
    rows = np.arange(events.n, dtype=np.int64)
    labels: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in groups:
        if name in EXPLODED_GROUPS:
            block, names = group_block(events, name)
            # every current row, once per value of this group ("(none)" when it has none)
            none = np.ones(events.n, dtype=bool)
            none[block.rows] = False
            add_rows = np.concatenate([block.rows, np.flatnonzero(none)])
            add_codes = np.concatenate([block.codes, np.full(int(none.sum()), len(names), dtype=np.int64)])
            merged, inverse = np.unique(
                np.asarray([*names.tolist(), NONE_LABEL], dtype=object), return_inverse=True
            )
            add_codes = inverse.reshape(-1)[add_codes] if len(add_codes) else add_codes
            order = np.argsort(add_rows, kind="stable")
            add_rows, add_codes = add_rows[order], add_codes[order]
            starts = np.searchsorted(add_rows, rows, "left")
            counts = np.searchsorted(add_rows, rows, "right") - starts
            offsets = starts - np.cumsum(np.r_[0, counts[:-1]])
            picks = np.repeat(offsets, counts) + np.arange(int(counts.sum()))
            labels = {k: (np.repeat(c, counts), v) for k, (c, v) in labels.items()}
            rows = np.repeat(rows, counts)
            labels[name] = (add_codes[picks], merged.astype(object))
        else:
            codes, names = _column_labels(events, name)
            labels[name] = (codes[rows], names)
    return rows, labels


def group_block(events: Events, name: str) -> tuple[Block, np.ndarray]:
    """The values of grouping ``tag``, ``file`` or ``unit`` per event (files and units once each)."""
    if name == "tag":
        return events.list_block("tags")
    blocks, names = events.files() if name == "file" else events.units()
    return dedup_pairs(blocks), names


def _column_labels(events: Events, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Per event, the code of its value of column ``name`` as the metrics read it (``"(none)"`` when
    blank), and the label of each code."""
    if name in Events.TEXT_COLUMNS:
        return events.text(name).labels(NONE_LABEL)
    if name in _LIST_COLUMNS:
        if name in ("files_created", "files_modified", "files_deleted", "follow_up"):
            block, names = events.list_block(name)
        else:
            block, names = events.list_block("tags")
        values: list[Any] = [str(v) for v in ordered_lists([block], names, np.arange(events.n), dedup=False)]
    elif name == "timestamp":
        values = events.timestamp.tolist()
    elif name in events.history.columns:
        values = events.history[name].tolist()
    else:
        raise ParameterError(
            f"cannot group failures by {name!r}: not a history column nor one of {', '.join(EXPLODED_GROUPS)}"
        )
    labels = [NONE_LABEL if _blank(v) else str(v) for v in values]
    codes, uniques = pd.factorize(np.asarray([*labels, ""], dtype=object)[:-1])
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)


def _group_names(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    names = [by] if isinstance(by, str) else list(by)
    out: list[str] = []
    for name in names:
        name = _ALIASES.get(str(name).strip().lower(), str(name).strip())
        if not name:
            continue
        if name not in out:
            out.append(name)
    return out


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _empty(columns: list[str], keys: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    for col in ("events", "failures"):
        frame[col] = frame[col].astype("int64")
    for col in keys:
        frame[col] = frame[col].astype("datetime64[ns, UTC]" if col == "period" else object)
    return frame

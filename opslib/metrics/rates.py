"""Failure rates per group (agent, action type, category, tag, file, unit) and per period, with a Wilson
score interval so that a 1-of-2 rate is not read like a 50-of-100 one."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from opslib.errors import ParameterError
from opslib.metrics._common import _LIST_COLUMNS, period_start, wilson_interval
from opslib.metrics._events import KIND_FILE, KIND_UNIT, Events, Pairs

__all__ = ["EXPLODED_GROUPS", "NONE_LABEL", "failure_rates"]

log = logging.getLogger(__name__)

#: group names that are not columns: each event counts once in every group it belongs to
EXPLODED_GROUPS = ("tag", "file", "unit")
#: the label of events that have no value for a grouping column (no tags, no category...)
NONE_LABEL = "(none)"
_ALIASES = {"tags": "tag", "files": "file", "units": "unit", "action": "action_type", "area": "category"}


def failure_rates(
    history: pd.DataFrame,
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
    events = Events(history)
    frame = _exploded(events, groups)
    keys = list(groups)
    if period:
        frame["period"] = period_start(frame["timestamp"], period)
        dropped = int(frame["period"].isna().sum())
        if dropped:
            log.warning(
                "failure_rates: %d events without a timestamp left out of the per-%s table", dropped, period
            )
        frame = frame[frame["period"].notna()]
        keys.append("period")
    columns = [*keys, "events", "failures", "failure_rate", "ci_low", "ci_high"]
    if frame.empty:
        return _empty(columns, keys)
    if keys:
        grouped = frame.groupby(keys, sort=True, dropna=False)["_failed"].agg(["size", "sum"]).reset_index()
    else:
        grouped = pd.DataFrame({"size": [len(frame)], "sum": [int(frame["_failed"].sum())]})
    grouped = grouped.rename(columns={"size": "events", "sum": "failures"})
    grouped["events"] = grouped["events"].astype("int64")
    grouped["failures"] = grouped["failures"].astype("int64")
    grouped["failure_rate"] = grouped["failures"] / grouped["events"]
    low, high = wilson_interval(grouped["failures"], grouped["events"], confidence)
    grouped["ci_low"] = low
    grouped["ci_high"] = high
    return grouped[columns].reset_index(drop=True)


def _exploded(events: Events, groups: list[str]) -> pd.DataFrame:
    """One row per event and value of each of ``groups`` (``_row``, the group columns, ``_failed``,
    ``timestamp``): an event counts once in each of its tags, files or units."""
    rows = np.arange(events.n, dtype=np.int64)
    labels: dict[str, np.ndarray] = {}
    for name in groups:
        if name in EXPLODED_GROUPS:
            pairs = _group_pairs(events, name)
            # every current row, once per value of this group ("(none)" when it has none)
            none = ~pairs.has(events.n)
            add_rows = np.concatenate([pairs.rows, np.flatnonzero(none)])
            add_values = np.concatenate([pairs.values, np.full(int(none.sum()), NONE_LABEL, dtype=object)])
            order = np.argsort(add_rows, kind="stable")
            add_rows, add_values = add_rows[order], add_values[order]
            starts = np.searchsorted(add_rows, rows, "left")
            counts = np.searchsorted(add_rows, rows, "right") - starts
            offsets = starts - np.cumsum(np.r_[0, counts[:-1]])
            picks = np.repeat(offsets, counts) + np.arange(int(counts.sum()))
            labels = {k: np.repeat(v, counts) for k, v in labels.items()}
            rows = np.repeat(rows, counts)
            labels[name] = add_values[picks]
        else:
            labels[name] = _column_labels(events, name)[rows]
    frame = pd.DataFrame({"_row": rows, **{k: v.tolist() for k, v in labels.items()}})
    frame["_failed"] = events.failed[rows].astype(int)
    frame["timestamp"] = events.timestamp.iloc[rows].reset_index(drop=True)
    return frame


def _group_pairs(events: Events, name: str) -> Pairs:
    if name == "tag":
        return events.pairs("tags")
    # files and units: each distinct value once per event, sorted
    keys = events.keys().select([KIND_FILE if name == "file" else KIND_UNIT])
    values = keys.names[keys.codes]
    order = np.lexsort((values.astype(str), keys.rows)) if len(values) else np.zeros(0, dtype=np.int64)
    return Pairs(keys.rows[order], values[order])


def _column_labels(events: Events, name: str) -> np.ndarray:
    """Per event, the text of column ``name`` as the metrics read it, ``"(none)"`` when blank."""
    if name in events.text:
        text = events.text[name]
        labels = np.asarray([NONE_LABEL if _blank(v) else v for v in text.uniques.tolist()], dtype=object)
        return labels[text.codes] if events.n else np.zeros(0, dtype=object)
    if name in _LIST_COLUMNS:
        return np.asarray([str(v) for v in events.list_column(name)] + [""], dtype=object)[:-1]
    if name == "timestamp":
        values = events.timestamp.tolist()
    elif name in events.history.columns:
        values = events.history[name].tolist()
    else:
        raise ParameterError(
            f"cannot group failures by {name!r}: not a history column nor one of {', '.join(EXPLODED_GROUPS)}"
        )
    return np.asarray([NONE_LABEL if _blank(v) else str(v) for v in values] + [""], dtype=object)[:-1]


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

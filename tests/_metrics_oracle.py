"""The failure metrics as they were before they were vectorised: one Python loop per event.

Kept only as a test oracle: ``tests/test_metrics_vectorised.py`` checks that ``opslib.metrics`` gives
exactly these results on every fixture and on random logs. Not used by the library.
"""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import bisect
import sys
from typing import Any

import numpy as np
import pandas as pd

from opslib.errors import ParameterError
from opslib.metrics._common import (
    DEPLOYMENT_TYPES,
    ESCALATION_TYPES,
    INCIDENT_TYPES,
    RECOVERY_EXCLUDED_TYPES,
    ROLLBACK_TAGS,
    ROLLBACK_TYPES,
    _LIST_COLUMNS,
    _TEXT_COLUMNS,
    as_list,
    failure_mask,
    files_of,
    incident_mask,
    period_start,
    related_ids,
    similar_titles,
    task_key,
    title_words,
    to_timedelta,
    units_in_text,
    units_of,
    wilson_interval,
)
from opslib.metrics.dora import (
    _CHANGE_FAILURE_RATE,
    _DEPLOYMENT_FREQUENCY,
    _FREQUENCY_TIER,
    _LEAD_TIME,
    _TIME_TO_RESTORE,
    _na,
    _row,
    _rows,
    change_failure_tier,
    deployment_frequency_bucket,
    hours_bucket,
    lead_time_tier,
    restore_tier,
)
from opslib.metrics.rates import NONE_LABEL, _blank, _group_names
from opslib.metrics.recovery import _ROW_COLUMNS, RECOVERY_COLUMNS, _as_now

import logging

log = logging.getLogger("opslib.metrics.oracle")
_HOUR = pd.Timedelta(hours=1)
_KEY_PRIORITY = {"id": 0, "file": 1, "unit": 2, "task": 3}


def normalise(history: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``history`` with every column the metrics read present and typed.

    ``timestamp`` becomes datetime64 UTC (unparseable values become NaT and are reported in the log, not
    dropped); text columns become lower-cased strings where the value is a category (status, action type);
    list columns become Python lists. The original row order and index labels are kept in ``_row``.
    """
    frame = history.copy()
    n = len(frame)
    if "timestamp" not in frame.columns:
        frame["timestamp"] = pd.NaT
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, errors="coerce")
    for col in _TEXT_COLUMNS:
        if col not in frame.columns:
            frame[col] = [""] * n
        frame[col] = [("" if _missing(v) else str(v)) for v in _pylist(frame[col])]
    for col in ("status", "action_type"):
        frame[col] = [v.strip().lower() for v in frame[col]]
    if n and (frame["id"] == "").any():
        # an entry without an id still needs a stable name in the tables: its position in the log
        frame["id"] = [v if v else f"row-{i}" for i, v in enumerate(frame["id"])]
    for col in _LIST_COLUMNS:
        frame[col] = (
            [as_list(v) for v in _pylist(frame[col])] if col in frame.columns else [[] for _ in range(n)]
        )
    frame["tags"] = [[t.lower().lstrip("#") for t in tags] for tags in frame["tags"]]
    frame["_row"] = range(n)
    missing = int(frame["timestamp"].isna().sum())
    if missing:
        log.info("%d of %d events have no usable timestamp; time-based measures skip them", missing, n)
    return frame.reset_index(drop=True)


def _pylist(series: pd.Series) -> list[Any]:
    """A column's values as Python objects; Arrow-backed columns (the loader's list columns) convert in
    one call instead of one slow element access per row."""
    if isinstance(series.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return list(pa.array(series.array).to_pylist())
    return series.tolist()


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def event_keys(
    frame: pd.DataFrame,
    *,
    files: bool = True,
    units: bool = True,
    task: bool = True,
    ids: bool = True,
) -> list[set[tuple[str, str]]]:
    """Per event, the keys that tie it to other events. Two events are "about the same thing" when their
    key sets intersect:

    * ``("file", path)``: a file it created, modified or deleted;
    * ``("unit", path)``: the unit folder of such a file, or a unit path its task or description names
      (relative to the live tree);
    * ``("task", title)``: its task title without a ``WORD:`` prefix ("INCIDENT: x" ~ "Resolved: x");
    * ``("id", id)``: its own id and the ids it lists in ``related_entries``.
    """
    out: list[set[tuple[str, str]]] = []
    cols = ["files_created", "files_modified", "files_deleted", "task", "description", "id"]
    extras = frame["extra"] if "extra" in frame.columns else [None] * len(frame)
    for row, extra in zip(frame[cols].itertuples(index=False), extras, strict=True):
        row_files = files_of({"files_created": row[0], "files_modified": row[1], "files_deleted": row[2]})
        keys: set[tuple[str, str]] = set()
        if files:
            keys.update(("file", f) for f in row_files)
        if units:
            keys.update(("unit", u) for u in units_of(row_files))
            keys.update(("unit", u) for u in units_in_text(row[3]))
            keys.update(("unit", u) for u in units_in_text(row[4]))
        if task:
            title = task_key(row[3])
            if title:
                keys.add(("task", title))
        if ids:
            if isinstance(row[5], str) and row[5]:
                keys.add(("id", row[5]))
            keys.update(("id", r) for r in related_ids(extra))
        out.append(keys)
    return out


def _key_order(key: tuple[str, str]) -> tuple[int, str]:
    return _KEY_PRIORITY.get(key[0], 9), key[1]


def next_match(
    sources: Sequence[int],
    candidates: Sequence[int],
    keys: Sequence[set[tuple[str, str]]],
    times: Sequence[pd.Timestamp],
) -> dict[int, tuple[int, str]]:
    """For each source event, the first candidate strictly later in time that shares a key.

    ``sources`` and ``candidates`` are positions into ``keys`` and ``times``; events without a timestamp
    must not be passed. Returns ``{source: (candidate, kind of the shared key)}`` for sources that have a
    match; ties in time are broken by position (log order). One inverted index per key keeps this
    O((sources + candidates) x keys x log n) instead of a pairwise scan.
    """
    index: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for pos in candidates:
        stamp = times[pos].value
        for key in keys[pos]:
            index.setdefault(key, []).append((stamp, pos))
    for entries in index.values():
        entries.sort()
    found: dict[int, tuple[int, str]] = {}
    for src in sources:
        stamp = times[src].value
        best: tuple[int, int, str] | None = None
        # files before units before tasks, so a tie in time reports the most specific match
        for key in sorted(keys[src], key=_key_order):
            entries = index.get(key, [])
            if not entries:
                continue
            at = bisect.bisect_right(entries, (stamp, sys.maxsize))
            if at < len(entries):
                cand = (entries[at][0], entries[at][1], key[0])
                if best is None or cand[:2] < best[:2]:
                    best = cand
        if best is not None:
            found[src] = (best[1], best[2])
    return found


def positions(mask: Any) -> list[int]:
    """Positions (0-based) where a boolean mask is true, as plain ints."""
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


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
    frame = normalise(history)
    frame["_failed"] = failure_mask(frame).astype(int)
    frame = _explode(frame, groups)
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


def _explode(frame: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    for name in groups:
        if name == "tag":
            frame["tag"] = [list(tags) or [NONE_LABEL] for tags in frame["tags"]]
            frame = frame.explode("tag")
        elif name in ("file", "unit"):
            keys = event_keys(frame, task=False, ids=False)
            frame[name] = [sorted(v for k, v in ks if k == name) or [NONE_LABEL] for ks in keys]
            frame = frame.explode(name)
        elif name not in frame.columns:
            raise ParameterError(
                f"cannot group failures by {name!r}: not a history column nor one of "
                f"{', '.join(EXPLODED_GROUPS)}"
            )
        else:
            frame[name] = [NONE_LABEL if _blank(v) else str(v) for v in frame[name]]
    return frame.reset_index(drop=True)


def _empty(columns: list[str], keys: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    for col in ("events", "failures"):
        frame[col] = frame[col].astype("int64")
    for col in keys:
        frame[col] = frame[col].astype("datetime64[ns, UTC]" if col == "period" else object)
    return frame


def recoveries(history: pd.DataFrame, *, window: Any = None, include_incidents: bool = False) -> pd.DataFrame:
    """One row per failed or escalated event (and incident, with ``include_incidents``), with what
    recovered it.

    The recovery of a failure is the next event, strictly later, whose ``status`` is ``completed``, that
    is not itself a failure, escalation or incident, and that is about the same thing: it names the
    failure in ``related_entries`` (or both name the same entry), touches any of the same files, the same
    unit folder (the folder of a ``terragrunt.hcl``, lock file or ``.tf`` file, or a unit path written in
    the task or description, relative to the live tree), or has the same task title once a one-word
    ``WORD:`` prefix is dropped ("INCIDENT: x" ~ "Resolved: x"). For incidents and escalations, a later
    ``resolution`` event whose title shares most words with theirs also counts. With a ``window``
    (``"7D"``, ``"48h"``, hours as a number), a recovery later than that does not count and the failure
    stays unresolved.

    Columns: ``id``, ``failed_at``, ``agent``, ``action_type``, ``category``, ``task``, ``status``,
    ``kind`` (``failure`` | ``escalation`` | ``incident``), ``files``, ``units``, ``tags`` (lists),
    ``recovered_by`` (id of the recovering event), ``recovered_at``, ``recovered_by_agent``,
    ``matched_on`` (``id`` | ``file`` | ``unit`` | ``task`` | ``title``), ``hours_to_recover`` (NaN
    when unresolved), ``state`` (``recovered`` | ``unresolved`` | ``no timestamp``: an event without a
    timestamp cannot be paired and is listed, not dropped). Rows follow the log's time order.
    """
    limit = to_timedelta(window)
    frame = normalise(history)
    if frame.empty:
        return _empty_recoveries()
    failed = failure_mask(frame)
    incident = incident_mask(frame)
    sources_mask = failed | incident if include_incidents else failed
    has_time = frame["timestamp"].notna()
    candidates_mask = (
        (frame["status"] == "completed")
        & ~failed
        & ~incident
        & ~frame["action_type"].isin(RECOVERY_EXCLUDED_TYPES)
        & has_time
    )
    keys = event_keys(frame)
    times = [pd.Timestamp(t) for t in frame["timestamp"]]
    sources = positions(sources_mask & has_time)
    matches = next_match(sources, positions(candidates_mask), keys, times)
    resolutions = positions(candidates_mask & (frame["action_type"] == "resolution"))
    # titles only say "this resolves that" for incidents and escalations; keeping to those keeps the
    # pairwise comparison small on big logs
    titled = positions(
        sources_mask
        & has_time
        & (incident_mask(frame) | failure_mask(frame) & frame["action_type"].isin(ESCALATION_TYPES))
    )
    for src, found in _title_matches(frame, titled, resolutions, times).items():
        # keep whichever comes first: the shared file/unit/task/id, or the resolution's title
        if src not in matches or (times[found], found) < (times[matches[src][0]], matches[src][0]):
            matches[src] = (found, "title")

    cols = {c: frame[c].tolist() for c in _ROW_COLUMNS}
    cols["timestamp"] = times
    rows = [_recovery_row(cols, pos, matches.get(pos), limit) for pos in positions(sources_mask)]
    out = pd.DataFrame(rows, columns=RECOVERY_COLUMNS)
    out["failed_at"] = pd.to_datetime(out["failed_at"], utc=True)
    out["recovered_at"] = pd.to_datetime(out["recovered_at"], utc=True)
    out["hours_to_recover"] = out["hours_to_recover"].astype("float64")
    return out.sort_values("failed_at", kind="stable", na_position="last").reset_index(drop=True)


def _title_matches(
    frame: pd.DataFrame, sources: list[int], resolutions: list[int], times: list[pd.Timestamp]
) -> dict[int, int]:
    """The first later ``resolution`` event whose task title speaks of the same thing as the failure's
    ("INCIDENT: api p99 latency > 1s in prod" ~ "Resolved: api latency in prod")."""
    ordered = sorted(resolutions, key=lambda pos: (times[pos].value, pos))
    stamps = [times[pos].value for pos in ordered]
    tasks = frame["task"].tolist()
    words = [title_words(tasks[pos]) for pos in ordered]
    found: dict[int, int] = {}
    for src in sources:
        mine = title_words(tasks[src])
        if len(mine) < 2:
            continue
        start = bisect.bisect_right(stamps, times[src].value)
        for at in range(start, len(ordered)):
            if similar_titles(mine, words[at]):
                found[src] = ordered[at]
                break
    return found


def _recovery_row(
    cols: dict[str, list[Any]], pos: int, match: tuple[int, str] | None, limit: pd.Timedelta | None
) -> dict[str, Any]:
    action = cols["action_type"][pos]
    files = files_of({c: cols[c][pos] for c in ("files_created", "files_modified", "files_deleted")})
    kind = (
        "escalation" if action in ESCALATION_TYPES else "incident" if action in INCIDENT_TYPES else "failure"
    )
    task, stamp = cols["task"][pos], cols["timestamp"][pos]
    units = [*units_of(files), *units_in_text(task), *units_in_text(cols["description"][pos])]
    out: dict[str, Any] = {
        "id": cols["id"][pos],
        "failed_at": stamp,
        "agent": cols["agent"][pos],
        "action_type": action,
        "category": cols["category"][pos],
        "task": task,
        "status": cols["status"][pos],
        "kind": kind,
        "files": files,
        "units": list(dict.fromkeys(units)),
        "tags": list(cols["tags"][pos]),
        "recovered_by": None,
        "recovered_at": pd.NaT,
        "recovered_by_agent": None,
        "matched_on": None,
        "hours_to_recover": np.nan,
        "state": "unresolved",
    }
    if pd.isna(stamp):
        out["state"] = "no timestamp"
        return out
    if match is None:
        return out
    fix = match[0]
    delta = cols["timestamp"][fix] - stamp
    if limit is not None and delta > limit:
        return out
    out.update(
        recovered_by=cols["id"][fix],
        recovered_at=cols["timestamp"][fix],
        recovered_by_agent=cols["agent"][fix],
        matched_on=match[1],
        hours_to_recover=delta / _HOUR,
        state="recovered",
    )
    return out


def _empty_recoveries() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in RECOVERY_COLUMNS})
    out["failed_at"] = pd.Series(dtype="datetime64[ns, UTC]")
    out["recovered_at"] = pd.Series(dtype="datetime64[ns, UTC]")
    out["hours_to_recover"] = pd.Series(dtype="float64")
    return out


def unresolved(history: pd.DataFrame, now: Any = None, *, window: Any = None) -> pd.DataFrame:
    """Failures and escalations nothing has recovered yet, oldest first, with their age.

    ``now`` (a timestamp or ISO string) is the moment ages are measured to; None means the newest
    timestamp in the log, so a report on an old log gives the same figures whenever it runs.
    Columns: the :func:`recoveries` columns plus ``age_hours`` and ``age_days``. Events with no
    timestamp are not listed here (their age is unknown); :func:`recoveries` shows them.
    """
    rec = recoveries(history, window=window)
    stamp = _as_now(now, history)
    out = rec[rec["state"] == "unresolved"].copy()
    if stamp is None or out.empty:
        out["age_hours"] = pd.Series(dtype="float64")
        out["age_days"] = pd.Series(dtype="float64")
        return out.reset_index(drop=True)
    out["age_hours"] = (stamp - pd.to_datetime(out["failed_at"], utc=True)).dt.total_seconds() / 3600
    out["age_days"] = out["age_hours"] / 24
    return out.sort_values("failed_at", kind="stable").reset_index(drop=True)


def repeat_failures(history: pd.DataFrame, window: Any = "7D") -> pd.DataFrame:
    """Files and units that failed again within ``window`` of their previous failure.

    Every failure (or escalation) touching a file or unit folder is a failure of that file or unit; a
    failure is a *repeat* when the same file or unit had failed less than ``window`` before. Only files
    and units with at least one repeat are listed, worst first.

    Columns: ``kind`` (``file`` | ``unit``), ``key`` (the path), ``failures``, ``repeats``,
    ``first_failed``, ``last_failed``, ``shortest_gap_hours``, ``agents`` and ``ids`` (lists).
    """
    limit = to_timedelta(window) or pd.Timedelta.max
    columns = [
        "kind",
        "key",
        "failures",
        "repeats",
        "first_failed",
        "last_failed",
        "shortest_gap_hours",
        "agents",
        "ids",
    ]
    frame = normalise(history)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    mask = (failure_mask(frame) & frame["timestamp"].notna()).to_numpy()
    keys = event_keys(frame, task=False, ids=False)
    by_key: dict[tuple[str, str], list[int]] = {}
    for pos in positions(mask):
        for key in keys[pos]:
            by_key.setdefault(key, []).append(int(pos))
    rows = []
    for (kind, path), members in by_key.items():
        sub = frame.iloc[members].sort_values("timestamp", kind="stable")
        gaps = sub["timestamp"].diff().dropna()
        repeats = int((gaps <= limit).sum())
        if repeats == 0:
            continue
        rows.append(
            {
                "kind": kind,
                "key": path,
                "failures": len(sub),
                "repeats": repeats,
                "first_failed": sub["timestamp"].iloc[0],
                "last_failed": sub["timestamp"].iloc[-1],
                "shortest_gap_hours": gaps.min() / _HOUR,
                "agents": sorted(set(sub["agent"])),
                "ids": list(sub["id"]),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    return out.sort_values(
        ["repeats", "failures", "kind", "key"], ascending=[False, False, True, True], kind="stable"
    ).reset_index(drop=True)


def streaks(history: pd.DataFrame, *, min_length: int = 2) -> pd.DataFrame:
    """Runs of consecutive failures (or escalations) in each agent's own events, in time order.

    Columns: ``agent``, ``length``, ``start``, ``end`` (timestamps of the first and last failure),
    ``ids`` (list), ``ongoing`` (True when the agent's newest event is part of the streak). Only
    streaks of at least ``min_length`` failures, longest first. Events without a timestamp cannot be
    ordered and are skipped.
    """
    columns = ["agent", "length", "start", "end", "ids", "ongoing"]
    frame = normalise(history)
    frame = frame[frame["timestamp"].notna()]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = frame.assign(_failed=failure_mask(frame).to_numpy())
    rows = []
    for agent, events in frame.sort_values(["timestamp", "_row"], kind="stable").groupby("agent", sort=True):
        run: list[int] = []
        flags = events["_failed"].tolist()
        for i, flag in enumerate([*flags, False]):
            if flag:
                run.append(i)
                continue
            if len(run) >= max(1, min_length):
                part = events.iloc[run]
                rows.append(
                    {
                        "agent": agent or NONE_LABEL,
                        "length": len(run),
                        "start": part["timestamp"].iloc[0],
                        "end": part["timestamp"].iloc[-1],
                        "ids": list(part["id"]),
                        "ongoing": run[-1] == len(flags) - 1,
                    }
                )
            run = []
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    return out.sort_values(["length", "start"], ascending=[False, True], kind="stable").reset_index(drop=True)


def deployments(history: pd.DataFrame, period: str = "week", *, deployment_types: Any = None) -> pd.DataFrame:
    """Deployment events per period: ``period`` (start, UTC), ``deployments`` (all attempts),
    ``completed``, ``failed``; periods without a deployment between the first and last one are listed
    with zeros so a chart shows the gaps. Events without a timestamp are left out."""
    types = frozenset(str(t).lower() for t in (deployment_types or DEPLOYMENT_TYPES))
    frame = normalise(history)
    frame = frame[frame["action_type"].isin(types) & frame["timestamp"].notna()].copy()
    columns = ["period", "deployments", "completed", "failed"]
    if frame.empty:
        out = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
        out["period"] = pd.Series(dtype="datetime64[ns, UTC]")
        return out
    frame["period"] = period_start(frame["timestamp"], period)
    frame["completed"] = (frame["status"] == "completed").astype(int)
    frame["failed"] = (frame["status"] == "failed").astype(int)
    counts = frame.groupby("period").agg(
        deployments=("id", "size"), completed=("completed", "sum"), failed=("failed", "sum")
    )
    every = period_start(pd.Series(pd.date_range(counts.index.min(), counts.index.max(), freq="D")), period)
    counts = counts.reindex(pd.DatetimeIndex(every.drop_duplicates()), fill_value=0)
    counts.index.name = "period"
    out = counts.reset_index()
    for col in columns[1:]:
        out[col] = out[col].astype("int64")
    return out[columns]


def dora(
    history: pd.DataFrame,
    *,
    now: Any = None,
    period: Any = "90D",
    window: Any = "24h",
    deployment_types: Any = None,
) -> pd.DataFrame:
    """The four DORA measures over the ``period`` ending at ``now``, one row per measure.

    ``now``: None means the newest timestamp in the log (the figures do not change with the day the
    report runs). ``period``: how far back to look (default 90 days, as Four Keys' three months; None
    for the whole log).
    ``window``: how soon after a deployment a failure, rollback or incident on the same files or units
    counts against it (change failure rate). ``deployment_types``: action types that count as a
    deployment (default ``{"deployment"}``).

    Measures (definitions in the ``definition`` column): ``deployment_frequency`` (completed deployment
    events per week, and the Four Keys bucket Daily / Weekly / Monthly / Yearly), ``lead_time`` (median
    hours from change to deployment), ``change_failure_rate`` (ratio) and ``time_to_restore`` (median
    hours). A measure with nothing to measure has value NaN and tier ``"n/a"`` (an empty log; no
    deployments for change failure rate and lead time; no recovered failures for time to restore).

    Columns: ``measure``, ``value``, ``unit``, ``bucket`` (Four Keys), ``tier`` (elite | high | medium |
    low | n/a), ``n`` (how many events the value rests on), ``thresholds`` and ``source`` (the cited
    thresholds), ``definition``, ``period_start``, ``period_end``. Events without a timestamp are
    ignored (they cannot be placed in the period).
    """
    span = to_timedelta(period, "period")
    follow = to_timedelta(window) or pd.Timedelta(0)
    types = frozenset(str(t).lower() for t in (deployment_types or DEPLOYMENT_TYPES))
    if not types:
        raise ParameterError("deployment_types must name at least one action type")
    end = _as_now(now, history)
    frame = normalise(history)
    if end is not None:
        # nothing after "now" counts: neither a deployment nor the recovery of an earlier failure
        frame = frame[frame["timestamp"].notna() & (frame["timestamp"] <= end)].reset_index(drop=True)
    if end is None:
        return _rows(
            [_na(m) for m in (_DEPLOYMENT_FREQUENCY, _LEAD_TIME, _CHANGE_FAILURE_RATE, _TIME_TO_RESTORE)],
            pd.NaT,
            pd.NaT,
        )
    start = end - span if span is not None else frame["timestamp"].min()
    if pd.isna(start):
        start = end
    # a period of N days ending at "now" excludes its start; the whole log (period=None) includes it
    after_start = frame["timestamp"] > start if span is not None else frame["timestamp"] >= start
    in_period = after_start & (frame["timestamp"] <= end)
    deploys = frame["action_type"].isin(types)
    # one key set per event, shared by lead time and change failure rate (the costly part on big logs)
    keys = event_keys(frame, task=False)
    rows = [
        _deployment_frequency(frame, deploys & in_period, start, end),
        _lead_time(frame, deploys, in_period, keys),
        _change_failure_rate(frame, deploys, in_period, follow, keys),
        _time_to_restore(frame, in_period),
    ]
    return _rows(rows, start, end)


def _deployment_frequency(
    frame: pd.DataFrame, mask: pd.Series, start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, Any]:
    done = frame[mask & (frame["status"] == "completed")]
    # the measured span never starts before the log does (Four Keys: "FROM the start of the data")
    first = max(start, frame["timestamp"].min()) if not frame.empty else start
    days = max((end.normalize() - first.normalize()).days + 1, 1)
    per_week = len(done) / days * 7
    bucket = deployment_frequency_bucket(done["timestamp"].dt.normalize(), first, end)
    return _row(_DEPLOYMENT_FREQUENCY, per_week, bucket, _FREQUENCY_TIER[bucket], len(done))


def _stamps(frame: pd.DataFrame) -> list[pd.Timestamp]:
    return [pd.Timestamp(t) for t in frame["timestamp"]]


def _lead_time(
    frame: pd.DataFrame, deploys: pd.Series, in_period: pd.Series, keys: list[set[tuple[str, str]]]
) -> dict[str, Any]:
    completed = frame["status"] == "completed"
    has_files = pd.Series([bool(k) for k in keys], index=frame.index)
    # an incident report that lists files is not a change waiting to ship
    changes = completed & ~deploys & ~failure_mask(frame) & ~incident_mask(frame) & has_files
    shipped = completed & deploys
    stamps = _stamps(frame)
    matches = next_match(positions(changes), positions(shipped), keys, stamps)
    period_flags = [bool(v) for v in in_period]
    hours = [
        (stamps[d] - stamps[c]) / pd.Timedelta(hours=1) for c, (d, _) in matches.items() if period_flags[d]
    ]
    if not hours:
        return _na(_LEAD_TIME)
    median = float(np.median(np.asarray(hours, dtype=float)))
    return _row(_LEAD_TIME, median, hours_bucket(median), lead_time_tier(median), len(hours))


def _change_failure_rate(
    frame: pd.DataFrame,
    deploys: pd.Series,
    in_period: pd.Series,
    follow: pd.Timedelta,
    keys: list[set[tuple[str, str]]],
) -> dict[str, Any]:
    total = deploys & in_period
    n = int(total.sum())
    if n == 0:
        return _na(_CHANGE_FAILURE_RATE)
    failed = total & (frame["status"] == "failed")
    signals = (
        failure_mask(frame)
        | incident_mask(frame)
        | frame["action_type"].isin(ROLLBACK_TYPES)
        | pd.Series([bool(ROLLBACK_TAGS & set(t)) for t in frame["tags"]], index=frame.index)
    )
    signals &= frame["action_type"] != "resolution"
    ok = total & (frame["status"] == "completed")
    stamps = _stamps(frame)
    matches = next_match(positions(ok), positions(signals), keys, stamps)
    followed = sum(1 for d, (s, _) in matches.items() if stamps[s] - stamps[d] <= follow)
    rate = (int(failed.sum()) + followed) / n
    bucket, tier = change_failure_tier(rate)
    return _row(_CHANGE_FAILURE_RATE, rate, bucket, tier, n)


def _time_to_restore(frame: pd.DataFrame, in_period: pd.Series) -> dict[str, Any]:
    rec = recoveries(frame, include_incidents=True)
    ids_in_period = set(frame.loc[in_period, "id"])
    rec = rec[rec["id"].isin(ids_in_period)]
    hours = rec.loc[rec["state"] == "recovered", "hours_to_recover"]
    if hours.empty:
        return _na(_TIME_TO_RESTORE)
    median = float(hours.median())
    return _row(_TIME_TO_RESTORE, median, hours_bucket(median), restore_tier(median), len(hours))

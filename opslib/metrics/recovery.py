"""Recovery from failures: what fixed each failure and how long it took, what is still open, what keeps
failing, and failure streaks per agent."""

from __future__ import annotations

import bisect
import logging
from typing import Any

import numpy as np
import pandas as pd

from opslib._time import utc_timestamp
from opslib.metrics._common import (
    ESCALATION_TYPES,
    INCIDENT_TYPES,
    RECOVERY_EXCLUDED_TYPES,
    event_keys,
    failure_mask,
    files_of,
    incident_mask,
    next_match,
    normalise,
    positions,
    similar_titles,
    title_words,
    to_timedelta,
    units_in_text,
    units_of,
)
from opslib.metrics.rates import NONE_LABEL

__all__ = [
    "RECOVERY_COLUMNS",
    "recoveries",
    "recovery_stats",
    "repeat_failures",
    "streaks",
    "unresolved",
]

log = logging.getLogger(__name__)

RECOVERY_COLUMNS = [
    "id",
    "failed_at",
    "agent",
    "action_type",
    "category",
    "task",
    "status",
    "kind",
    "files",
    "units",
    "tags",
    "recovered_by",
    "recovered_at",
    "recovered_by_agent",
    "matched_on",
    "hours_to_recover",
    "state",
]
_HOUR = pd.Timedelta(hours=1)


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


_ROW_COLUMNS = (
    "id",
    "timestamp",
    "agent",
    "action_type",
    "category",
    "task",
    "status",
    "description",
    "tags",
    "files_created",
    "files_modified",
    "files_deleted",
)


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


def _as_now(now: Any, history: pd.DataFrame) -> pd.Timestamp | None:
    if now is None or (isinstance(now, str) and not now.strip()):
        if "timestamp" not in history.columns or history.empty:
            return None
        stamps = pd.to_datetime(history["timestamp"], utc=True, errors="coerce")
        latest = stamps.max()
        return None if pd.isna(latest) else pd.Timestamp(latest)
    return utc_timestamp(now, "now")


_STATS_ALIASES = {"area": "category", "tag": "tags", "unit": "units", "file": "files"}
_LIST_GROUPS = {"tags": "tag", "units": "unit", "files": "file"}


def recovery_stats(recovered: pd.DataFrame, by: str | None = "agent") -> pd.DataFrame:
    """Mean and median time to recover per group, from a :func:`recoveries` frame.

    ``by``: ``agent``, ``category`` (``"area"`` is an alias), ``action_type``, ``kind``, ``tag``,
    ``unit``, ``file`` (a failure counts once in each of its tags, units or files; ``"(none)"`` when it
    has none), or None for one overall row.
    Columns: the group, ``failures`` (rows), ``recovered``, ``unresolved``, ``mean_hours``,
    ``median_hours``, ``max_hours`` (over recovered rows; NaN when none recovered).
    """
    from opslib.errors import ParameterError

    column = _STATS_ALIASES.get(by, by) if by is not None else None
    frame = recovered.copy()
    if column is not None and column not in frame.columns:
        raise ParameterError(f"cannot group recoveries by {by!r}: not a recoveries column")
    if column in _LIST_GROUPS:
        name = _LIST_GROUPS[column]
        frame[name] = [list(v) or [NONE_LABEL] for v in frame[column]]
        frame = frame.explode(name)
        column = name
    if column is not None:
        frame[column] = [_label(v) for v in frame[column]]
    frame["_recovered"] = (frame["state"] == "recovered").astype(int)
    frame["_unresolved"] = (frame["state"] == "unresolved").astype(int)
    groups = frame.groupby(column, sort=True) if column is not None else frame.groupby(lambda _: "all")
    out = groups.agg(
        failures=("id", "size"),
        recovered=("_recovered", "sum"),
        unresolved=("_unresolved", "sum"),
        mean_hours=("hours_to_recover", "mean"),
        median_hours=("hours_to_recover", "median"),
        max_hours=("hours_to_recover", "max"),
    ).reset_index()
    if column is None:
        out = out.drop(columns=out.columns[0])
    for col in ("failures", "recovered", "unresolved"):
        out[col] = out[col].astype("int64")
    return out


def _label(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return NONE_LABEL
    return str(value)


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

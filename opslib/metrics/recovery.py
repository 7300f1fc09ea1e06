"""Recovery from failures: what fixed each failure and how long it took, what is still open, what keeps
failing, and failure streaks per agent."""

from __future__ import annotations

import itertools
import logging
from bisect import bisect_left
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from opslib._time import utc_timestamp
from opslib.metrics._common import (
    ESCALATION_TYPES,
    INCIDENT_TYPES,
    RECOVERY_EXCLUDED_TYPES,
    title_words,
    to_timedelta,
)
from opslib.metrics._events import (
    KIND_FILE,
    KIND_NAMES,
    KIND_UNIT,
    Events,
    as_events,
    next_match,
    ordered_lists,
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
_HOUR_NS = 3_600_000_000_000


def _ns(delta: pd.Timedelta) -> int:
    return int(delta.value)


def recoveries(
    history: pd.DataFrame | Events, *, window: Any = None, include_incidents: bool = False
) -> pd.DataFrame:
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
    events = as_events(history)
    key = ("recoveries", None if limit is None else limit.value, include_incidents)
    if key not in events.memo:
        events.memo[key] = recoveries_of(events, limit=limit, include_incidents=include_incidents)
    # a copy: the caller may change its table without changing the next caller's
    return events.memo[key].copy()


def recoveries_of(
    events: Events,
    *,
    limit: pd.Timedelta | None = None,
    include_incidents: bool = False,
    scope: np.ndarray | None = None,
) -> pd.DataFrame:
    """:func:`recoveries` on events already read (``limit``: the window as a Timedelta, or None;
    ``scope``: only these events, as if the others were not in the log)."""
    if events.n == 0:
        return _empty_recoveries()
    rows, sources, match, matched_on = recovery_matches(
        events, include_incidents=include_incidents, scope=scope
    )
    return _recovery_frame(events, rows, sources, match, matched_on, limit)


def recovery_matches(
    events: Events, *, include_incidents: bool = False, scope: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pairing behind :func:`recoveries`, without the table: ``(rows, sources, match,
    matched_on)`` -- the failed (and incident) rows, those of them with a timestamp, the row that
    recovered each of ``sources`` (-1 when none) and what it matched on."""
    failed, incident, has_time = events.failed, events.incident, events.has_time
    action = events.text("action_type")
    sources_mask = failed | incident if include_incidents else failed
    candidates_mask = (
        events.isin("status", {"completed"})
        & ~failed
        & ~incident
        & ~action.isin(RECOVERY_EXCLUDED_TYPES)
        & has_time
    )
    if scope is not None:
        sources_mask = sources_mask & scope
        candidates_mask = candidates_mask & scope
    sources = np.flatnonzero(sources_mask & has_time)
    match, kinds = next_match(sources, np.flatnonzero(candidates_mask), events.keys(), events.order)
    matched_on = np.asarray(KIND_NAMES, dtype=object)[np.maximum(kinds, 0)]
    # titles only say "this resolves that" for incidents and escalations; keeping to those keeps the
    # comparison small on big logs
    titled = np.flatnonzero(sources_mask & has_time & (incident | failed & action.isin(ESCALATION_TYPES)))
    resolutions = np.flatnonzero(candidates_mask & action.isin({"resolution"}))
    by_title = _title_matches(events, titled, resolutions)
    if len(by_title):
        at = np.searchsorted(sources, titled)
        current = match[at]
        ts = events.ts
        known = np.maximum(current, 0)
        # keep whichever comes first: the shared file/unit/task/id, or the resolution's title
        better = (by_title >= 0) & (
            (current < 0) | (ts[by_title] < ts[known]) | ((ts[by_title] == ts[known]) & (by_title < current))
        )
        match[at[better]] = by_title[better]
        matched_on[at[better]] = "title"
    return np.flatnonzero(sources_mask), sources, match, matched_on


def _title_matches(events: Events, sources: np.ndarray, resolutions: np.ndarray) -> np.ndarray:
    """For each of ``sources``, the first later ``resolution`` event whose task title speaks of the same
    thing ("INCIDENT: api p99 latency > 1s in prod" ~ "Resolved: api latency in prod"); -1 when none.

    Two titles are similar when they share at least two words covering 60% of the shorter one
    (:func:`similar_titles`). Resolutions are indexed by word; each source counts shared words only over
    the resolutions that share one, in windows of growing size, so the first similar one is found
    without comparing against every later resolution.
    """
    found = np.full(len(sources), -1, dtype=np.int64)
    if len(sources) == 0 or len(resolutions) == 0:
        return found
    task = events.text("task")
    # the words of the titles involved only (a big log has about as many distinct titles as events)
    needed = np.unique(np.concatenate([task.codes[sources], task.codes[resolutions]]))
    words_of = {int(c): title_words(t) for c, t in zip(needed.tolist(), task.values_of(needed), strict=True)}
    ts = events.ts
    ordered = resolutions[np.lexsort((resolutions, ts[resolutions]))]
    ordered_codes = task.codes[ordered].tolist()
    sizes = [len(words_of[c]) for c in ordered_codes]
    # positions (in time order) of the resolutions holding each word, ascending
    postings: dict[str, list[int]] = {}
    for i, code in enumerate(ordered_codes):
        for word in words_of[code]:
            postings.setdefault(word, []).append(i)
    starts = np.searchsorted(ts[ordered], ts[sources], side="right").tolist()
    for k, (code, start) in enumerate(zip(task.codes[sources].tolist(), starts, strict=True)):
        mine = words_of[code]
        if len(mine) < 2:
            continue
        lists = [p for w in mine if (p := postings.get(w)) is not None and p[-1] >= start]
        if len(lists) < 2:
            continue
        hit = _first_similar(lists, start, len(mine), sizes)
        if hit >= 0:
            found[k] = ordered[hit]
    return found


def _first_similar(lists: list[list[int]], start: int, mine: int, sizes: list[int]) -> int:
    """The first position >= ``start`` present in at least two of ``lists`` (the postings of a title's
    words) whose title is similar to one of ``mine`` words; -1 when none.

    Positions are counted in windows of doubling width from ``start``, so a hit close by costs little
    however long the postings are (plain Python: the windows are small, and numpy's per-call cost
    dominated here).
    """
    low, width = start, 64
    last = max(p[-1] for p in lists)
    while low <= last:
        high = low + width
        shared: Counter[int] = Counter()
        for p in lists:
            i = bisect_left(p, low)
            shared.update(p[i : bisect_left(p, high, i)])
        hits = [pos for pos, n in shared.items() if n >= 2 and n >= 0.6 * min(mine, sizes[pos])]
        if hits:
            return min(hits)
        low, width = high, width * 2
    return -1


def _recovery_frame(
    events: Events,
    rows: np.ndarray,
    sources: np.ndarray,
    match: np.ndarray,
    matched_on: np.ndarray,
    limit: pd.Timedelta | None,
) -> pd.DataFrame:
    """The recoveries table: one row per event at ``rows`` (``sources``: those with a timestamp, with
    their ``match`` and ``matched_on``)."""
    n = len(rows)
    if n == 0:
        out = pd.DataFrame([], columns=RECOVERY_COLUMNS)
        out["failed_at"] = pd.to_datetime(out["failed_at"], utc=True)
        out["recovered_at"] = pd.to_datetime(out["recovered_at"], utc=True)
        out["hours_to_recover"] = out["hours_to_recover"].astype("float64")
        return out.sort_values("failed_at", kind="stable", na_position="last").reset_index(drop=True)
    fix = np.full(n, -1, dtype=np.int64)
    how = np.full(n, None, dtype=object)
    at = np.searchsorted(rows, sources)
    fix[at] = match
    how[at] = matched_on
    ts = events.ts
    delta = np.where(fix >= 0, ts[np.maximum(fix, 0)] - ts[rows], 0)
    ok = fix >= 0
    if limit is not None:
        ok &= delta <= limit.value
    timed = events.has_time[rows]
    action = np.asarray(events.take("action_type", rows), dtype=object)
    kind = np.where(
        np.isin(action, list(ESCALATION_TYPES)),
        "escalation",
        np.where(np.isin(action, list(INCIDENT_TYPES)), "incident", "failure"),
    ).astype(object)
    fixes = np.flatnonzero(ok)
    fixed_rows = fix[fixes]
    recovered_by: list[Any] = [None] * n
    recovered_agent: list[Any] = [None] * n
    how_out: list[Any] = [None] * n
    for i, fid, agent, via in zip(
        fixes.tolist(),
        events.take("id", fixed_rows),
        events.take("agent", fixed_rows),
        how[fixes].tolist(),
        strict=True,
    ):
        recovered_by[i], recovered_agent[i], how_out[i] = fid, agent, via
    # timestamps stay arrays (no Timestamp object per row)
    failed_at = events.timestamp.iloc[rows].reset_index(drop=True)
    recovered_at = events.timestamp.iloc[np.maximum(fix, 0)].reset_index(drop=True).where(ok)
    file_blocks, paths = events.files()
    unit_blocks, units = events.units()
    tag_block, tags = events.list_block("tags")
    data = {
        "id": events.take("id", rows),
        "failed_at": failed_at,
        "agent": events.take("agent", rows),
        "action_type": action.tolist(),
        "category": events.take("category", rows),
        "task": events.take("task", rows),
        "status": events.take("status", rows),
        "kind": kind.tolist(),
        "files": ordered_lists(file_blocks, paths, rows, dedup=True),
        "units": ordered_lists(unit_blocks, units, rows, dedup=True),
        "tags": ordered_lists([tag_block], tags, rows, dedup=False),
        "recovered_by": recovered_by,
        "recovered_at": recovered_at,
        "recovered_by_agent": recovered_agent,
        "matched_on": how_out,
        "hours_to_recover": np.where(ok, delta / _HOUR_NS, np.nan).tolist(),
        "state": np.where(~timed, "no timestamp", np.where(ok, "recovered", "unresolved")).tolist(),
    }
    out = pd.DataFrame(data, columns=RECOVERY_COLUMNS)
    out["failed_at"] = _as_listed(out["failed_at"])
    out["recovered_at"] = _as_listed(out["recovered_at"])
    out["hours_to_recover"] = out["hours_to_recover"].astype("float64")
    return out.sort_values("failed_at", kind="stable", na_position="last").reset_index(drop=True)


def _as_listed(stamps: pd.Series) -> pd.Series:
    """Timestamps in the resolution a column built from Timestamp objects gets (what this table has
    always had): the stamps' own, or pandas' default when every one is missing."""
    valid = stamps.dropna()
    sample: Any = [valid.iloc[0], pd.NaT] if len(valid) else [pd.NaT]
    return pd.to_datetime(stamps, utc=True).astype(pd.to_datetime(sample, utc=True).dtype)


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


def unresolved(history: pd.DataFrame | Events, now: Any = None, *, window: Any = None) -> pd.DataFrame:
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


def _as_now(now: Any, history: pd.DataFrame | Events) -> pd.Timestamp | None:
    if now is None or (isinstance(now, str) and not now.strip()):
        if isinstance(history, Events):
            stamps = history.timestamp  # read once, already UTC
        elif "timestamp" not in history.columns or history.empty:
            return None
        else:
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


def repeat_failures(history: pd.DataFrame | Events, window: Any = "7D") -> pd.DataFrame:
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
    events = as_events(history)
    if events.n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    keys = events.keys().select([KIND_FILE, KIND_UNIT])
    keep = (events.failed & events.has_time)[keys.rows]
    rows, codes, kinds = keys.rows[keep], keys.codes[keep], keys.kinds[keep]
    if len(rows) == 0:
        return pd.DataFrame([], columns=columns)
    # each key once per event (a unit named by both a file and the task is one failure of it)
    width = int(codes.max()) + 1
    _, first = np.unique(rows * width + codes, return_index=True)
    rows, codes, kinds = rows[first], codes[first], kinds[first]
    ts = events.ts[rows]
    # one group per key, its failures in time order (ties in log order)
    order = np.lexsort((rows, ts, codes))
    rows, codes, kinds, ts = rows[order], codes[order], kinds[order], ts[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    gaps = np.diff(ts)
    same = codes[1:] == codes[:-1]
    is_repeat = same & (gaps <= _ns(limit))
    repeats = np.add.reduceat(np.r_[0, is_repeat.astype(np.int64)], starts)
    wanted = np.flatnonzero(repeats > 0)
    never = np.iinfo(np.int64).max
    shortest = np.minimum.reduceat(np.r_[never, np.where(same, gaps, never)], starts)
    members = [rows[starts[g] : ends[g]] for g in wanted.tolist()]
    flat = np.concatenate(members) if members else rows[:0]
    ids, agents = events.take("id", flat), events.take("agent", flat)
    bounds = np.r_[0, np.cumsum([len(m) for m in members])].tolist()
    stamps = events.timestamp
    out = pd.DataFrame(
        {
            "kind": [KIND_NAMES[k] for k in kinds[starts[wanted]].tolist()],
            "key": [keys.names[c] for c in codes[starts[wanted]].tolist()],
            "failures": (ends - starts)[wanted].tolist(),
            "repeats": repeats[wanted].tolist(),
            "first_failed": stamps.iloc[rows[starts[wanted]]].tolist(),
            "last_failed": stamps.iloc[rows[ends[wanted] - 1]].tolist(),
            "shortest_gap_hours": (shortest[wanted] / _HOUR_NS).tolist(),
            "agents": [sorted(set(agents[a:b])) for a, b in itertools.pairwise(bounds)],
            "ids": [ids[a:b] for a, b in itertools.pairwise(bounds)],
        },
        columns=columns,
    )
    if out.empty:
        return pd.DataFrame([], columns=columns)
    return out.sort_values(
        ["repeats", "failures", "kind", "key"], ascending=[False, False, True, True], kind="stable"
    ).reset_index(drop=True)


def streaks(history: pd.DataFrame | Events, *, min_length: int = 2) -> pd.DataFrame:
    """Runs of consecutive failures (or escalations) in each agent's own events, in time order.

    Columns: ``agent``, ``length``, ``start``, ``end`` (timestamps of the first and last failure),
    ``ids`` (list), ``ongoing`` (True when the agent's newest event is part of the streak). Only
    streaks of at least ``min_length`` failures, longest first. Events without a timestamp cannot be
    ordered and are skipped.
    """
    columns = ["agent", "length", "start", "end", "ids", "ongoing"]
    events = as_events(history)
    rows = np.flatnonzero(events.has_time)
    if len(rows) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    agent = events.text("agent")
    # agents in sorted order, each agent's events by time (ties in log order)
    rank = np.argsort(np.argsort(agent.uniques.astype(str), kind="stable"), kind="stable")
    who = rank[agent.codes[rows]]
    order = np.lexsort((rows, events.ts[rows], who))
    rows, who = rows[order], who[order]
    flags = events.failed[rows]
    # a new run starts where the agent or the failed flag changes
    new_run = np.r_[True, (who[1:] != who[:-1]) | (flags[1:] != flags[:-1])]
    starts = np.flatnonzero(new_run)
    ends = np.r_[starts[1:], len(rows)]
    agent_last = np.r_[np.flatnonzero(who[1:] != who[:-1]), len(rows) - 1]
    wanted = flags[starts] & ((ends - starts) >= max(1, min_length))
    starts, ends = starts[wanted], ends[wanted]
    if len(starts) == 0:
        return pd.DataFrame([], columns=columns)
    members = [rows[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    ids = events.take("id", np.concatenate(members))
    bounds = np.r_[0, np.cumsum(ends - starts)].tolist()
    stamps = events.timestamp
    out = pd.DataFrame(
        {
            "agent": [a or NONE_LABEL for a in events.take("agent", rows[starts])],
            "length": (ends - starts).tolist(),
            "start": stamps.iloc[rows[starts]].tolist(),
            "end": stamps.iloc[rows[ends - 1]].tolist(),
            "ids": [ids[a:b] for a, b in itertools.pairwise(bounds)],
            "ongoing": np.isin(ends - 1, agent_last).tolist(),
        },
        columns=columns,
    )
    return out.sort_values(["length", "start"], ascending=[False, True], kind="stable").reset_index(drop=True)

"""The four DORA measures computed from the activity log, each with its performance tier.

Sources of the thresholds (cited per row in the ``thresholds`` and ``source`` columns):

* DORA / Google Cloud, *Accelerate State of DevOps Report 2019*, table "Aspects of software delivery
  performance" (elite / high / medium / low):
  deployment frequency: on-demand (multiple deploys per day) / between once per day and once per
  week / between once per week and once per month / between once per month and once every six months;
  lead time for changes: less than one day / one day to one week / one week to one month / one month
  to six months; time to restore service: less than one hour / less than one day / less than one day /
  one week to one month; change failure rate: 0-15% / 0-15% / 0-15% / 46-60%.
* *Accelerate State of DevOps Report 2021*, same table: time to restore for medium performers "between
  one day and one week", change failure rate "16-30%" for high, medium and low performers. opslib uses
  these bounds where the 2019 table overlaps or leaves a gap (time to restore medium; change failure
  rate between 15% and 46%).
* The Four Keys project (github.com/dora-team/fourkeys, ``METRICS.md`` and
  ``dashboard/fourkeys_dashboard.json``), which buckets "per the 2019 State of DevOps Report":
  deployment frequency Daily (median days per week with a deployment >= 3) / Weekly (median weeks with
  a deployment >= 1) / Monthly (median deployments per month >= 1) / Yearly, shown as elite / high /
  medium / low (the dashboard labels Daily "Elite Performance"); lead time and time to restore buckets
  "One day" (< 24 h) / "One week" (< 168 h) / "One month" (< 730 h) / "Six months" (< 4380 h) /
  "One year"; change failure rate buckets "0-15%" (<= 0.15) / "16-45%" (< 0.46) / "46-60%".
  Four Keys measures over the last three months; opslib's default ``period`` is 90 days.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opslib.errors import ParameterError
from opslib.metrics._common import (
    DEPLOYMENT_TYPES,
    ROLLBACK_TAGS,
    ROLLBACK_TYPES,
    period_start,
    to_timedelta,
)
from opslib.metrics._events import KIND_FILE, KIND_ID, KIND_UNIT, Events, as_events, next_match
from opslib.metrics.recovery import _HOUR_NS, _as_now, recovery_matches

__all__ = [
    "DORA_COLUMNS",
    "SOURCE_2019",
    "SOURCE_2021",
    "SOURCE_FOUR_KEYS",
    "TIERS",
    "change_failure_tier",
    "deployment_frequency_bucket",
    "deployments",
    "dora",
    "hours_bucket",
    "lead_time_tier",
    "restore_tier",
]

log = logging.getLogger(__name__)

SOURCE_2019 = "DORA / Google Cloud, Accelerate State of DevOps Report 2019"
SOURCE_2021 = "DORA / Google Cloud, Accelerate State of DevOps Report 2021"
SOURCE_FOUR_KEYS = "Four Keys (github.com/dora-team/fourkeys, METRICS.md, dashboard/fourkeys_dashboard.json)"
#: tiers from best to worst; "n/a" when the log holds nothing to measure
TIERS = ("elite", "high", "medium", "low")
NOT_AVAILABLE = "n/a"

DORA_COLUMNS = [
    "measure",
    "value",
    "unit",
    "bucket",
    "tier",
    "n",
    "thresholds",
    "source",
    "definition",
    "period_start",
    "period_end",
]

_DAY = 24.0
_WEEK = 168.0
_MONTH = 730.0  # Four Keys' month: 730 hours
_SIX_MONTHS = 730.0 * 6


@dataclass(frozen=True)
class _Measure:
    name: str
    unit: str
    thresholds: str
    source: str
    definition: str


_DEPLOYMENT_FREQUENCY = _Measure(
    "deployment_frequency",
    "deployments/week",
    "Four Keys bucket: daily (median days/week with a deployment >= 3) = elite; weekly (median weeks "
    "with a deployment >= 1) = high; monthly (median deployments/month >= 1) = medium; else yearly = low",
    f"{SOURCE_FOUR_KEYS}; tiers per {SOURCE_2019}",
    "Completed deployment events per week over the period; the bucket follows Four Keys on the days of "
    "the period (weeks start on Sunday as in BigQuery's WEEK).",
)
_LEAD_TIME = _Measure(
    "lead_time",
    "hours",
    "median < 24 h = elite; < 168 h (one week) = high; < 730 h (one month) = medium; else low",
    f"{SOURCE_2019}; buckets per {SOURCE_FOUR_KEYS}",
    "Median time from a completed change event (one that created, modified or deleted files; not a "
    "deployment, failure or incident) to the "
    "first later completed deployment touching any of the same files or unit folders; changes never "
    "deployed are not counted.",
)
_CHANGE_FAILURE_RATE = _Measure(
    "change_failure_rate",
    "ratio",
    "<= 0.15 = elite; <= 0.30 = high; < 0.46 = medium; >= 0.46 = low",
    f"{SOURCE_2019} (0-15% elite, 46-60% low); {SOURCE_2021} (16-30% high); buckets per {SOURCE_FOUR_KEYS}",
    "Deployments that failed, plus completed deployments followed within the window by a failure, "
    "escalation, incident, rollback or hotfix touching the same files or unit folders, divided by all "
    "deployments in the period.",
)
_TIME_TO_RESTORE = _Measure(
    "time_to_restore",
    "hours",
    "median < 1 h = elite; < 24 h = high; < 168 h (one week) = medium; else low",
    f"{SOURCE_2019} (elite < 1 h, high < 1 day, low 1 week-1 month); {SOURCE_2021} (medium 1 day-1 "
    f"week); buckets per {SOURCE_FOUR_KEYS}",
    "Median hours from a failure, escalation or incident in the period to the completed event that "
    "recovered it (see opslib.metrics.recoveries); unresolved ones are not in the median.",
)


def hours_bucket(hours: float) -> str:
    """Four Keys' bucket for a lead time or time to restore given in hours."""
    if hours is None or np.isnan(hours):
        return NOT_AVAILABLE
    if hours < _DAY:
        return "One day"
    if hours < _WEEK:
        return "One week"
    if hours < _MONTH:
        return "One month"
    if hours < _SIX_MONTHS:
        return "Six months"
    return "One year"


def lead_time_tier(hours: float) -> str:
    """Tier of a median lead time in hours (2019 report: < 1 day, < 1 week, < 1 month, longer)."""
    if hours is None or np.isnan(hours):
        return NOT_AVAILABLE
    if hours < _DAY:
        return "elite"
    if hours < _WEEK:
        return "high"
    if hours < _MONTH:
        return "medium"
    return "low"


def restore_tier(hours: float) -> str:
    """Tier of a median time to restore in hours (< 1 h, < 1 day, < 1 week, longer)."""
    if hours is None or np.isnan(hours):
        return NOT_AVAILABLE
    if hours < 1:
        return "elite"
    if hours < _DAY:
        return "high"
    if hours < _WEEK:
        return "medium"
    return "low"


def change_failure_tier(rate: float) -> tuple[str, str]:
    """(Four Keys bucket, tier) of a change failure rate given as a ratio."""
    if rate is None or np.isnan(rate):
        return NOT_AVAILABLE, NOT_AVAILABLE
    bucket = "0-15%" if rate <= 0.15 else "16-45%" if rate < 0.46 else "46-60%"
    tier = "elite" if rate <= 0.15 else "high" if rate <= 0.30 else "medium" if rate < 0.46 else "low"
    return bucket, tier


def _day(value: Any) -> pd.Timestamp:
    """Calendar day (naive, UTC) of a timestamp, date or string."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize()


def _days(values: Any) -> set[pd.Timestamp] | pd.DatetimeIndex:
    """The calendar days (naive, UTC) of many timestamps: one conversion for a column of them, else
    :func:`_day` on each."""
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(values), utc=True))
    except (TypeError, ValueError):
        return {_day(v) for v in values}
    return stamps.tz_convert(None).normalize().unique()


_FREQUENCY_TIER = {"Daily": "elite", "Weekly": "high", "Monthly": "medium", "Yearly": "low"}


def deployment_frequency_bucket(deploy_days: Any, start: Any, end: Any) -> str:
    """Four Keys' deployment frequency bucket over the calendar days ``start`` .. ``end`` (inclusive).

    ``deploy_days``: the dates (anything ``pd.Timestamp`` accepts) on which at least one deployment
    completed. Weeks are truncated to Sunday as BigQuery's ``TIMESTAMP_TRUNC(day, WEEK)`` does; the
    monthly count of a week is the number of weeks with a deployment in that week's month, as in the
    Four Keys query.
    """
    first, last = _day(start), _day(end)
    if last < first:
        return "Yearly"
    days = pd.date_range(first, last, freq="D")
    deployed = _days(deploy_days)
    frame = pd.DataFrame({"day": days})
    frame["deployed"] = frame["day"].isin(deployed).astype(int)
    # Sunday-start weeks: days since the last Sunday is (weekday + 1) % 7
    frame["week"] = frame["day"] - pd.to_timedelta((frame["day"].dt.day_of_week + 1) % 7, unit="D")
    weeks = frame.groupby("week").agg(days_deployed=("deployed", "sum"), week_deployed=("deployed", "max"))
    weeks["month"] = pd.DatetimeIndex(weeks.index).to_period("M")
    weeks["monthly_deploys"] = weeks.groupby("month")["week_deployed"].transform("sum")
    if weeks["days_deployed"].median() >= 3:
        return "Daily"
    if weeks["week_deployed"].median() >= 1:
        return "Weekly"
    if weeks["monthly_deploys"].median() >= 1:
        return "Monthly"
    return "Yearly"


def deployments(
    history: pd.DataFrame | Events, period: str = "week", *, deployment_types: Any = None
) -> pd.DataFrame:
    """Deployment events per period: ``period`` (start, UTC), ``deployments`` (all attempts),
    ``completed``, ``failed``; periods without a deployment between the first and last one are listed
    with zeros so a chart shows the gaps. Events without a timestamp are left out."""
    types = frozenset(str(t).lower() for t in (deployment_types or DEPLOYMENT_TYPES))
    events = as_events(history)
    rows = np.flatnonzero(events.isin("action_type", types) & events.has_time)
    columns = ["period", "deployments", "completed", "failed"]
    if len(rows) == 0:
        out = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
        out["period"] = pd.Series(dtype="datetime64[ns, UTC]")
        return out
    frame = pd.DataFrame({"timestamp": events.timestamp.iloc[rows].reset_index(drop=True)})
    frame["period"] = period_start(frame["timestamp"], period)
    frame["completed"] = events.isin("status", {"completed"})[rows].astype(int)
    frame["failed"] = events.isin("status", {"failed"})[rows].astype(int)
    counts = frame.groupby("period").agg(
        deployments=("period", "size"), completed=("completed", "sum"), failed=("failed", "sum")
    )
    every = period_start(pd.Series(pd.date_range(counts.index.min(), counts.index.max(), freq="D")), period)
    counts = counts.reindex(pd.DatetimeIndex(every.drop_duplicates()), fill_value=0)
    counts.index.name = "period"
    out = counts.reset_index()
    for col in columns[1:]:
        out[col] = out[col].astype("int64")
    return out[columns]


def dora(
    history: pd.DataFrame | Events,
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
    if end is None:
        return _rows(
            [_na(m) for m in (_DEPLOYMENT_FREQUENCY, _LEAD_TIME, _CHANGE_FAILURE_RATE, _TIME_TO_RESTORE)],
            pd.NaT,
            pd.NaT,
        )
    events = as_events(history)
    # nothing after "now" counts: neither a deployment nor the recovery of an earlier failure
    end_ns = _ns(end)
    scope = events.has_time & (events.ts <= end_ns)
    start = end - span if span is not None else events.timestamp[scope].min()
    if pd.isna(start):
        start = end
    # a period of N days ending at "now" excludes its start; the whole log (period=None) includes it
    start_ns = _ns(start)
    after_start = events.ts > start_ns if span is not None else events.ts >= start_ns
    in_period = scope & after_start & (events.ts <= end_ns)
    deploys = scope & events.isin("action_type", types)
    rows = [
        _deployment_frequency(events, deploys & in_period, start, end, scope),
        _lead_time(events, deploys, in_period, scope),
        _change_failure_rate(events, deploys, in_period, follow, scope),
        _time_to_restore(events, in_period, scope),
    ]
    return _rows(rows, start, end)


def _ns(stamp: Any) -> int:
    return int(pd.Timestamp(stamp).as_unit("ns").value)


def _rows(rows: list[dict[str, Any]], start: Any, end: Any) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=[c for c in DORA_COLUMNS if c not in ("period_start", "period_end")])
    out["value"] = out["value"].astype("float64")
    out["n"] = out["n"].astype("int64")
    out["period_start"] = pd.Series([start] * len(out), dtype="datetime64[ns, UTC]")
    out["period_end"] = pd.Series([end] * len(out), dtype="datetime64[ns, UTC]")
    return out


def _row(measure: _Measure, value: float, bucket: str, tier: str, n: int) -> dict[str, Any]:
    return {
        "measure": measure.name,
        "value": value,
        "unit": measure.unit,
        "bucket": bucket,
        "tier": tier,
        "n": n,
        "thresholds": measure.thresholds,
        "source": measure.source,
        "definition": measure.definition,
    }


def _na(measure: _Measure) -> dict[str, Any]:
    return _row(measure, np.nan, NOT_AVAILABLE, NOT_AVAILABLE, 0)


def _deployment_frequency(
    events: Events, mask: np.ndarray, start: pd.Timestamp, end: pd.Timestamp, scope: np.ndarray
) -> dict[str, Any]:
    done = np.flatnonzero(mask & events.isin("status", {"completed"}))
    # the measured span never starts before the log does (Four Keys: "FROM the start of the data")
    first = max(start, events.timestamp[scope].min()) if scope.any() else start
    days = max((end.normalize() - first.normalize()).days + 1, 1)
    per_week = len(done) / days * 7
    bucket = deployment_frequency_bucket(events.timestamp.iloc[done].dt.normalize(), first, end)
    return _row(_DEPLOYMENT_FREQUENCY, per_week, bucket, _FREQUENCY_TIER[bucket], len(done))


def _lead_time(
    events: Events, deploys: np.ndarray, in_period: np.ndarray, scope: np.ndarray
) -> dict[str, Any]:
    completed = scope & events.isin("status", {"completed"})
    # an incident report that lists files is not a change waiting to ship; every event has a key (its
    # own id), so every other completed event is a change
    changes = completed & ~deploys & ~events.failed & ~events.incident
    shipped = completed & deploys
    sources = np.flatnonzero(changes)
    keys = events.keys().select([KIND_ID, KIND_FILE, KIND_UNIT])
    match, _ = next_match(sources, np.flatnonzero(shipped), keys, events.order)
    found = match >= 0
    sources, match = sources[found], match[found]
    counted = in_period[match]
    hours = (events.ts[match[counted]] - events.ts[sources[counted]]) / _HOUR_NS
    if not len(hours):
        return _na(_LEAD_TIME)
    median = float(np.median(np.asarray(hours, dtype=float)))
    return _row(_LEAD_TIME, median, hours_bucket(median), lead_time_tier(median), len(hours))


def _change_failure_rate(
    events: Events, deploys: np.ndarray, in_period: np.ndarray, follow: pd.Timedelta, scope: np.ndarray
) -> dict[str, Any]:
    total = deploys & in_period
    n = int(total.sum())
    if n == 0:
        return _na(_CHANGE_FAILURE_RATE)
    failed = total & events.isin("status", {"failed"})
    block, tags = events.list_block("tags")
    rollback_tag = np.isin(tags, list(ROLLBACK_TAGS)) if len(tags) else np.zeros(0, dtype=bool)
    tagged = np.zeros(events.n, dtype=bool)
    tagged[block.rows[rollback_tag[block.codes]] if len(block.codes) else block.rows] = True
    signals = events.failed | events.incident | events.isin("action_type", ROLLBACK_TYPES) | tagged
    signals &= scope & ~events.isin("action_type", {"resolution"})
    ok = np.flatnonzero(total & events.isin("status", {"completed"}))
    keys = events.keys().select([KIND_ID, KIND_FILE, KIND_UNIT])
    match, _ = next_match(ok, np.flatnonzero(signals), keys, events.order)
    found = match >= 0
    followed = int(((events.ts[match[found]] - events.ts[ok[found]]) <= int(follow.value)).sum())
    rate = (int(failed.sum()) + followed) / n
    bucket, tier = change_failure_tier(rate)
    return _row(_CHANGE_FAILURE_RATE, rate, bucket, tier, n)


def _time_to_restore(events: Events, in_period: np.ndarray, scope: np.ndarray) -> dict[str, Any]:
    # the recoveries' pairing without their table: only the hours are needed here
    _, sources, match, _ = recovery_matches(events, include_incidents=True, scope=scope)
    ids = events.text("id").codes
    # a failure counts when its id is one of the period's (as the recoveries table is filtered by id)
    counted = (match >= 0) & np.isin(ids[sources], ids[np.flatnonzero(in_period)])
    hours = (events.ts[match[counted]] - events.ts[sources[counted]]) / _HOUR_NS
    if not len(hours):
        return _na(_TIME_TO_RESTORE)
    median = float(np.median(hours))
    return _row(_TIME_TO_RESTORE, median, hours_bucket(median), restore_tier(median), len(hours))

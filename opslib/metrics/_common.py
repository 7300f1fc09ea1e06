"""Shared building blocks for the failure metrics: what counts as a failure, which files and units an
event touches, task titles, period labels and the Wilson score interval.

The per-value rules live here (one file path, one title, one list cell); :mod:`opslib.metrics._events`
applies them to a whole history frame, once per distinct value. Cells may be lists, tuples, numpy
arrays (a Parquet round trip), a bare string or nothing.
"""

from __future__ import annotations

import functools
import logging
import math
import posixpath
import re
from collections.abc import Iterable
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEPLOYMENT_TYPES",
    "ESCALATION_TYPES",
    "FAILURE_STATUSES",
    "INCIDENT_TYPES",
    "PERIODS",
    "RECOVERY_EXCLUDED_TYPES",
    "ROLLBACK_TAGS",
    "ROLLBACK_TYPES",
    "as_list",
    "canonical_unit",
    "failure_mask",
    "files_of",
    "incident_mask",
    "period_start",
    "related_ids",
    "similar_titles",
    "task_key",
    "title_words",
    "to_timedelta",
    "unit_of_path_in_text",
    "units_in_text",
    "units_of",
    "wilson_interval",
]

log = logging.getLogger(__name__)

#: ``status`` values that make an event a failure
FAILURE_STATUSES = frozenset({"failed"})
#: action types that are failure signals whatever their status: the users' own queries count an
#: escalation as a failure (FORMATS.md)
ESCALATION_TYPES = frozenset({"escalation"})
#: action types that open an incident (a production failure whose restoration DORA measures)
INCIDENT_TYPES = frozenset({"incident", "incident_response"})
#: action types and tags that mean a change was undone or patched in a hurry
ROLLBACK_TYPES = frozenset({"rollback", "hotfix"})
ROLLBACK_TAGS = frozenset({"rollback", "hotfix", "incident", "outage"})
#: action types that ship a change (DORA's "deployment")
DEPLOYMENT_TYPES = frozenset({"deployment"})
#: completed events of these types never count as the recovery of a failure
RECOVERY_EXCLUDED_TYPES = ESCALATION_TYPES | INCIDENT_TYPES

#: period names accepted wherever a ``period`` is asked for, mapped to pandas period aliases
PERIODS: dict[str, str] = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}

_LIST_COLUMNS = ("files_created", "files_modified", "files_deleted", "tags", "follow_up")
_TEXT_COLUMNS = ("id", "agent", "action_type", "category", "task", "status", "description")
# file names that say "the folder holding me is a Terragrunt unit (or a Terraform module)"
_UNIT_FILES = frozenset(
    {"terragrunt.hcl", "terragrunt.hcl.json", ".terraform.lock.hcl", "terragrunt.stack.hcl"}
)
_UNIT_SUFFIXES = (".tf", ".tf.json", ".tfvars")


def as_list(value: Any) -> list[str]:
    """A list-valued cell as a list of non-empty strings (lists, tuples, arrays, a string, or nothing)."""
    if value is None:
        return []
    if type(value) is list and all(type(v) is str and v.strip() for v in value):
        return list(value)  # the common case, already clean
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        return [
            str(v)
            for v in value
            if v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip()
        ]
    try:
        if pd.isna(value):
            return []
    except (TypeError, ValueError):
        pass
    return [str(value)]


def failure_mask(history: pd.DataFrame) -> pd.Series:
    """True for failure signals: ``status == "failed"`` or an ``escalation`` action (any status)."""
    status = history["status"].astype(str).str.lower()
    action = history["action_type"].astype(str).str.lower()
    return status.isin(FAILURE_STATUSES) | action.isin(ESCALATION_TYPES)


def incident_mask(history: pd.DataFrame) -> pd.Series:
    """True for events that open an incident (action type ``incident``)."""
    return history["action_type"].astype(str).str.lower().isin(INCIDENT_TYPES)


def files_of(row: Any) -> list[str]:
    """Files an event created, modified or deleted, in that order, without repeats."""
    seen: dict[str, None] = {}
    for col in ("files_created", "files_modified", "files_deleted"):
        for path in as_list(row[col]):
            seen.setdefault(path.strip().removeprefix("./"), None)
    return list(seen)


@functools.lru_cache(maxsize=65536)
def canonical_unit(path: str) -> str:
    """A unit folder relative to its live tree: ``infrastructure-live/prod/x`` -> ``prod/x``.

    Logs name files from the repository root while run reports and escalations name units from the
    tree's root; dropping everything up to a ``*live`` folder makes the two meet.
    """
    parts = [p for p in path.replace("\\", "/").strip("/").split("/") if p and p != "."]
    for i in range(len(parts) - 2, -1, -1):
        if parts[i].lower().endswith("live"):
            return "/".join(parts[i + 1 :])
    return "/".join(parts)


def units_of(files: Iterable[str]) -> list[str]:
    """Unit folders named by touched files (the folder of a ``terragrunt.hcl``, a lock file or a ``.tf``
    file), relative to the live tree (:func:`canonical_unit`)."""
    units: dict[str, None] = {}
    for path in files:
        clean = path.replace("\\", "/").rstrip("/")
        name = posixpath.basename(clean)
        if name in _UNIT_FILES or name.endswith(_UNIT_SUFFIXES):
            parent = posixpath.dirname(clean)
            if parent:
                units.setdefault(canonical_unit(parent), None)
    return list(units)


# a path of at least three parts written in prose: "Escalate failed apply of prod/us-east-1/prod/eks"
_PATH_IN_TEXT = re.compile(r"(?<![\w./:-])((?:[A-Za-z0-9_.-]+/){2,}[A-Za-z0-9_.-]+)")


def units_in_text(text: Any) -> list[str]:
    """Unit paths mentioned in free text (task titles, descriptions), relative to the live tree."""
    if not isinstance(text, str) or "/" not in text:
        return []
    return list(_units_in_text(text))


@functools.lru_cache(maxsize=65536)
def _units_in_text(text: str) -> tuple[str, ...]:
    # titles repeat a lot in real logs ("Weekly drift check: prod/..."), so the regex runs once per text
    found: dict[str, None] = {}
    for match in _PATH_IN_TEXT.finditer(text):
        unit = unit_of_path_in_text(match.group(1))
        if unit is not None:
            found.setdefault(unit, None)
    return tuple(found)


@functools.lru_cache(maxsize=65536)
def unit_of_path_in_text(path: str) -> str | None:
    """The unit a path found in prose names (a folder, or a unit file's folder), or None."""
    path = path.rstrip(".")
    name = posixpath.basename(path)
    if "." in name:
        # a file: only unit files name a unit
        if not (name in _UNIT_FILES or name.endswith(_UNIT_SUFFIXES)):
            return None
        path = posixpath.dirname(path)
    return canonical_unit(path) if path else None


# "INCIDENT: x", "Resolved: x", "Fix: x" all speak of x (one word only: "Weekly drift check: mgmt" keeps
# its whole title)
_TASK_PREFIX = re.compile(r"^\s*[A-Za-z][\w-]{0,20}:\s+")
_WORD = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "after",
        "before",
        "via",
    }
)


def task_key(task: Any) -> str:
    """A task title without its ``WORD:`` prefix, lower-case, spaces collapsed ("" when empty)."""
    if not isinstance(task, str):
        return ""
    return " ".join(_TASK_PREFIX.sub("", task, count=1).lower().split())


def title_words(task: Any) -> frozenset[str]:
    """The meaningful words of a task title (prefix and stop words dropped)."""
    return frozenset(w for w in _WORD.findall(task_key(task)) if w not in _STOPWORDS)


def similar_titles(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two titles speak of the same thing: at least two shared words, covering 60% of the shorter."""
    shared = len(a & b)
    return shared >= 2 and shared >= 0.6 * min(len(a), len(b))


def related_ids(extra: Any) -> list[str]:
    """Ids an entry names in ``context.related_entries`` (shape B), wherever the loader kept them."""
    if not isinstance(extra, dict):
        return []
    found = extra.get("context.related_entries", extra.get("related_entries"))
    context = extra.get("context")
    if found is None and isinstance(context, dict):
        found = context.get("related_entries")
    return as_list(found)


def to_timedelta(value: Any, name: str = "window") -> pd.Timedelta | None:
    """``"7D"``, ``"24h"``, a number of hours, a timedelta, or None (no limit)."""
    from opslib.errors import ParameterError

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        delta = pd.Timedelta(hours=float(value)) if isinstance(value, (int, float)) else pd.Timedelta(value)
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            f"{name} {value!r} is not a duration (try '7D', '24h' or a number of hours)"
        ) from exc
    if pd.isna(delta) or delta <= pd.Timedelta(0):
        raise ParameterError(f"{name} {value!r} must be a positive duration")
    return delta


def period_start(timestamps: pd.Series, period: str) -> pd.Series:
    """The start of the day/week/month/quarter/year each timestamp falls in, as UTC timestamps.

    Weeks start on Monday (ISO). Missing timestamps stay NaT.
    """
    from opslib.errors import ParameterError

    alias = PERIODS.get(str(period).lower())
    if alias is None:
        raise ParameterError(f"period {period!r} is not one of {', '.join(PERIODS)}")
    naive = pd.to_datetime(timestamps, utc=True).dt.tz_convert(None)
    # to_period on a naive series: no "dropping timezone" warning; weeks anchored to end on Sunday
    starts = naive.dt.to_period("W-SUN" if alias == "W" else alias).dt.start_time
    return starts.dt.tz_localize("UTC")


def wilson_interval(failures: Any, events: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``failures / events`` (vectorised; NaN where events == 0).

    Unlike the normal approximation it stays inside [0, 1] and is honest for small counts: 1 failure in
    2 events gives roughly [0.09, 0.91], 50 in 100 gives [0.40, 0.60]. (E. B. Wilson, "Probable
    inference, the law of succession, and statistical inference", JASA 22, 1927.)
    """
    k = np.asarray(failures, dtype=float)
    n = np.asarray(events, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / n, np.nan)
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        # exact ends: 0 failures has a lower bound of exactly 0, all failures an upper bound of 1
        # (the formula gives them up to rounding, which prints as 1e-17)
        low = np.where(n > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0)), np.nan)
        high = np.where(n > 0, np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0)), np.nan)
    return low, high

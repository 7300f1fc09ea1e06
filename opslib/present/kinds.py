"""What kind of value each column holds: money, percent, duration, count, timestamp, list, bool, id, text...

The kind decides how a column is shown (``opslib.notebook.table`` and the chart helper), never how it is
stored: frames keep raw numbers (fractions for percentages, seconds or hours for durations) so analysis
code and tests compute with them. ``docs/columns.md`` names every loader column's kind and
``tests/test_docs.py`` checks it against :func:`kind_of`.

Kinds are declared by column name because a name means the same thing in every frame (``monthly_cost``
is always a monthly amount of money); :data:`FRAME_KINDS` overrides a name that means something else in
one frame. A column no rule names falls back to its dtype.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

__all__ = ["FRAME_KINDS", "KINDS", "LABELS", "Kind", "kind_of", "label_of"]


@dataclass(frozen=True)
class Kind:
    """How a column is shown: ``name`` (money, percent, duration...) and, for durations, the unit."""

    name: str
    #: durations: the unit the numbers are in ("s", "min", "h", "d"); money: "month"/"hour" (per)
    unit: str | None = None
    #: show a sign: a change, not an amount
    signed: bool = False

    @property
    def numeric(self) -> bool:
        """Numbers are right-aligned and compared by value."""
        return self.name in {"money", "percent", "duration", "count", "number", "quantity"}

    def __str__(self) -> str:
        text = self.name
        if self.unit:
            text += f" ({self.unit})"
        return f"{text}, signed" if self.signed else text


MONEY_MONTH = Kind("money", "month")
MONEY_HOUR = Kind("money", "hour")
MONEY_CHANGE = Kind("money", "month", signed=True)
PERCENT = Kind("percent")
COUNT = Kind("count")
NUMBER = Kind("number")
TIMESTAMP = Kind("timestamp")
DATE = Kind("date")
LIST = Kind("list")
BOOL = Kind("bool")
ID = Kind("id")
TEXT = Kind("text")
DICT = Kind("dict")
#: shell commands (a list of strings), shown one after the other
COMMANDS = Kind("commands")
#: one command as an argument vector, shown as the shell line that runs it
ARGV = Kind("argv")
#: a number whose unit is in the row's `unit` column (hours, ratio, deployments/week)
QUANTITY = Kind("quantity")
SECONDS = Kind("duration", "s")
HOURS = Kind("duration", "h")
DAYS = Kind("duration", "d")

#: kinds by column name, for every frame opslib returns and the tables the reports show
KINDS: dict[str, Kind] = {
    # money
    "monthly_cost": MONEY_MONTH,
    "hourly_cost": MONEY_HOUR,
    "monthly_cost_exact": MONEY_MONTH,
    "hourly_cost_exact": MONEY_HOUR,
    "base_monthly_cost": MONEY_MONTH,
    "head_monthly_cost": MONEY_MONTH,
    "delta_monthly_cost": MONEY_CHANGE,
    "past_monthly": MONEY_MONTH,
    "current_monthly": MONEY_MONTH,
    "increase": MONEY_CHANGE,
    "unowned": MONEY_MONTH,
    "total": MONEY_MONTH,
    # shares and rates: stored as fractions 0..1
    "share": PERCENT,
    "failure_rate": PERCENT,
    "change_failure_rate": PERCENT,
    "ci_low": PERCENT,
    "ci_high": PERCENT,
    "value": QUANTITY,
    # durations
    "duration_s": SECONDS,
    "hours_before": HOURS,
    "hours_to_recover": HOURS,
    "mean_hours": HOURS,
    "median_hours": HOURS,
    "max_hours": HOURS,
    "shortest_gap_hours": HOURS,
    "age_days": DAYS,
    "lead_time": SECONDS,
    "lead_time_days": DAYS,
    # points in time
    "timestamp": TIMESTAMP,
    "started": TIMESTAMP,
    "ended": TIMESTAMP,
    "at": TIMESTAMP,
    "start": TIMESTAMP,
    "end": TIMESTAMP,
    "failed_at": TIMESTAMP,
    "recovered_at": TIMESTAMP,
    "first_failed": TIMESTAMP,
    "last_failed": TIMESTAMP,
    "first_seen": TIMESTAMP,
    "last_seen": TIMESTAMP,
    "period_start": TIMESTAMP,
    "first_reached": TIMESTAMP,
    "first_at": TIMESTAMP,
    "production_at": TIMESTAMP,
    "period_end": TIMESTAMP,
    "week": DATE,
    "period": DATE,
    # counts
    "events": COUNT,
    "failures": COUNT,
    "failed": COUNT,
    "completed": COUNT,
    "deployments": COUNT,
    "recovered": COUNT,
    "unresolved": COUNT,
    "resources": COUNT,
    "unpriced": COUNT,
    "units": COUNT,
    "drifted": COUNT,
    "versions_behind": COUNT,
    "versions_behind_newest": COUNT,
    "add": COUNT,
    "change": COUNT,
    "destroy": COUNT,
    "replace": COUNT,
    "drift": COUNT,
    "errors": COUNT,
    "repeats": COUNT,
    "runs": COUNT,
    "blocked": COUNT,
    "length": COUNT,
    "n": COUNT,
    "size": COUNT,
    "rank": COUNT,
    "step": COUNT,
    "order": COUNT,
    "distance": COUNT,
    "depth": COUNT,
    "line": COUNT,
    "column": COUNT,
    "source_line": COUNT,
    "exit_code": COUNT,
    # lists
    "files_created": LIST,
    "files_modified": LIST,
    "files_deleted": LIST,
    "follow_up": LIST,
    "tags": LIST,
    "actions": LIST,
    "changed_paths": LIST,
    "replace_paths": LIST,
    "commands": COMMANDS,
    "placeholders": LIST,
    "links": LIST,
    "includes": LIST,
    "components": COUNT,
    "agents": LIST,
    "ids": LIST,
    "blocked_units": LIST,
    "unit_list": LIST,
    "command": ARGV,
    # yes/no
    "in_json": BOOL,
    "pinned": BOOL,
    "in_md": BOOL,
    "lockfile": BOOL,
    "exists": BOOL,
    "external": BOOL,
    "has_mock_outputs": BOOL,
    "cached": BOOL,
    "suppressed": BOOL,
    "price_not_found": BOOL,
    "usage_based": BOOL,
    "open": BOOL,
    "ongoing": BOOL,
    # ids and paths: shown as written, broken anywhere when long
    "id": ID,
    "unit": ID,
    "target": ID,
    "path": ID,
    "address": ID,
    "module_address": ID,
    "previous_address": ID,
    "source": ID,
    "source_file": ID,
    "resolved": ID,
    "config_path": ID,
    "project": ID,
    "root_unit": ID,
    "key": ID,
    "rule_id": ID,
    "component": ID,
    "repository": ID,
    "source_unit": ID,
    "entry_id": ID,
    "resource_type": ID,
    "type": ID,
    "module_ref": ID,
    "ref": ID,
    "cmd": ID,
    "args": ARGV,
    "pattern": ID,
    "deposed": ID,
    "index": ID,
    # dicts (a plan's before/after are objects; a drift attribute's are single values, shown as written)
    "extra": DICT,
    "locals": DICT,
    "inputs": DICT,
    "before": DICT,
    "after": DICT,
    # words: shown as written, left-aligned, wrapped when long
    **dict.fromkeys(
        [
            "agent",
            "agent_type",
            "action_type",
            "description",
            "category",
            "task",
            "status",
            "summary",
            "kind",
            "account",
            "region",
            "environment",
            "source_kind",
            "name",
            "role",
            "message",
            "severity",
            "suppression_reason",
            "provider",
            "mode",
            "action",
            "action_reason",
            "risk",
            "max_risk",
            "result",
            "reason",
            "cause",
            "currency",
            "price_source",
            "team",
            "cost_center",
            "owner",
            "allocation_source",
            "phase",
            "stage",
            "text",
            "ref_kind",
            "version",
            "source_environment",
            "source_ref",
            "target_ref",
            "note",
            "first_environment",
            "refs",
            "label",
            "measure",
            "bucket",
            "tier",
            "thresholds",
            "state",
            "match",
            "relation",
            "origin",
            "failure_class",
            "recovered_by",
            "recovered_by_agent",
            "matched_on",
            "area",
        ],
        TEXT,
    ),
}

#: a name that means something else in one frame: {frame: {column: kind}}
FRAME_KINDS: dict[str, dict[str, Kind]] = {
    # infracost's tags are a map; the history's are a list
    "load_costs": {"tags": DICT},
    # a tree's unit lists what stayed unknown; a tree's file lists the units that read it
    "TerragruntTree.units": {"unresolved": LIST},
    "TerragruntTree.files": {"units": LIST},
}


def kind_of(column: str, series: pd.Series | None = None, *, frame: str | None = None) -> Kind:
    """The kind of ``column`` (in frame ``frame`` when given); else the dtype of ``series`` decides."""
    if frame and column in FRAME_KINDS.get(frame, {}):
        return FRAME_KINDS[frame][column]
    if column in KINDS:
        kind = KINDS[column]
        return kind if series is None else _agreeing(kind, series)
    if series is None:
        return TEXT
    return _kind_of_dtype(series)


def _agreeing(kind: Kind, series: pd.Series) -> Kind:
    """The declared kind, unless the values plainly are something else in this frame: `units` counts
    units in one table and lists them in another; `pinned` is a yes/no per unit and a count per account."""
    found = _kind_of_dtype(series)
    if kind.numeric and found in (LIST, BOOL):
        return found
    if kind is BOOL and found is COUNT:
        return COUNT
    return kind


def _kind_of_dtype(series: pd.Series) -> Kind:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOL
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return TIMESTAMP
    if pd.api.types.is_timedelta64_dtype(dtype):
        return SECONDS
    if pd.api.types.is_integer_dtype(dtype):
        return COUNT
    if pd.api.types.is_float_dtype(dtype):
        return NUMBER
    sample = series.dropna().head(20)
    if len(sample) and all(isinstance(v, (list, tuple, set)) for v in sample):
        return LIST
    if len(sample) and all(isinstance(v, dict) for v in sample):
        return DICT
    if len(sample) and all(isinstance(v, pd.Timedelta) for v in sample):
        return SECONDS
    return TEXT


#: column names whose words alone would repeat the unit the formatted value already shows
LABELS: dict[str, str] = {
    "duration_s": "duration",
    "hours_before": "before the incident",
    "hours_to_recover": "time to recover",
    "mean_hours": "mean time",
    "median_hours": "median time",
    "max_hours": "longest time",
    "shortest_gap_hours": "shortest gap",
    "age_days": "age",
    "ci_low": "95% interval, low",
    "ci_high": "95% interval, high",
    "n": "events counted",
    "drifted": "drifted resources",
    "versions_behind_newest": "releases behind the newest",
    "versions_behind": "releases behind",
    "lead_time_days": "lead time",
    "delta_monthly_cost": "monthly change",
    "base_monthly_cost": "baseline monthly cost",
    "head_monthly_cost": "new monthly cost",
}
_WORDS = {"ci": "CI", "tg": "TG", "aws": "AWS", "dora": "DORA"}
_UNIT_WORD = {"s": "seconds", "min": "minutes", "h": "hours", "d": "days"}


def label_of(
    column: str, *, currency: str | None = None, frame: str | None = None, axis: bool = False
) -> str:
    """A column name in words: ``failure_rate`` -> "failure rate".

    ``axis=True`` adds the unit the plotted numbers are in, since an axis shows raw numbers:
    "monthly cost (USD/month)", "time to recover (hours)", "failure rate (%)".
    """
    name = str(column)
    words = LABELS.get(name) or " ".join(_WORDS.get(p, p) for p in re.split(r"[_\s]+", name) if p)
    if not axis:
        return words
    kind = kind_of(name, frame=frame)
    if kind.name == "money" and currency:
        return f"{words} ({currency}/{kind.unit})" if kind.unit else f"{words} ({currency})"
    if kind.name == "percent":
        return f"{words} (%)"
    if kind.name == "duration" and kind.unit:
        return f"{words} ({_UNIT_WORD[kind.unit]})"
    return words

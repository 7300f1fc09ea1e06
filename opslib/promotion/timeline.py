"""When each module version reached each environment, from the activity history.

``timeline(history, tree)`` reads the entries of type ``deployment`` or ``promotion`` (and entries tagged
``promotion``) that completed or partly completed, takes the version they name (``... to ?ref=v1.8.0``,
``Promote ... v1.8.0 to ...``), and the environments of the units whose files they touch (or of the unit
folders they name, ``under prod/us-east-1/prod``). Columns:

| column | meaning |
|---|---|
| ``ref`` | the version as written (``v1.8.0``) |
| ``version`` | the parsed semantic version |
| ``environment`` | the environment it reached |
| ``first_reached`` | timestamp (UTC) of the first such entry |
| ``entry_id`` | that entry's id |
| ``units`` | how many of the tree's units the entry touched there |

``lead_times(timeline_frame)`` gives per version: ``first_environment``, ``first_at``, ``production_at``,
``lead_time`` (Timedelta; missing while the version has not reached production) and ``lead_time_days``.
Entries that name no version or touch no known unit are left out and counted in ``attrs["skipped"]``.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from opslib.errors import ConfigError
from opslib.promotion.lag import match_environment
from opslib.promotion.refs import parse_version

__all__ = ["LEAD_COLUMNS", "TIMELINE_COLUMNS", "lead_times", "timeline"]

TIMELINE_COLUMNS = ["ref", "version", "environment", "first_reached", "entry_id", "units"]
LEAD_COLUMNS = [
    "ref",
    "version",
    "first_environment",
    "first_at",
    "production_at",
    "lead_time",
    "lead_time_days",
]

_DEPLOY_TYPES = {"deployment", "promotion", "promote"}
_REACHED = {"completed", "partial"}
_CORE = r"\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.-]*[0-9A-Za-z])?(?!\w|\.\d)"
# "to ?ref=v1.8.0", "to v1.8.0": the version the change moves to
# (a bare number like an application release "2026.11.3" is not a module ref: a v or ?ref= is required)
_TO_VERSION = re.compile(rf"\bto\s+(?:\?(?:ref|version)=(v?{_CORE})|(v{_CORE}))")
_ANY_REF = re.compile(rf"(?:\?(?:ref|version)=(v?{_CORE})|\b(v{_CORE}))")
# "under prod/us-east-1/prod", "in staging": a folder of the tree (only folders holding units count)
_UNDER_PATH = re.compile(r"\b(?:under|in|to)\s+([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*)")


def _text(entry: dict[Any, Any]) -> str:
    extra = entry.get("extra")
    extra = extra if isinstance(extra, dict) else {}
    parts = [extra.get("title"), entry.get("task"), entry.get("description"), entry.get("summary")]
    return "\n".join(str(p) for p in parts if isinstance(p, str))


def _named_version(text: str) -> str | None:
    moved = ["".join(groups) for groups in _TO_VERSION.findall(text)]
    if moved:
        return moved[0]
    named = {"".join(groups) for groups in _ANY_REF.findall(text)}
    # several different versions and no "to": which one was deployed is not said
    distinct = {str(parse_version(n)) for n in named}
    return sorted(named)[0] if len(distinct) == 1 else None


def _touched_units(entry: dict[Any, Any], text: str, units: list[str]) -> set[str]:
    touched: set[str] = set()
    files: list[str] = []
    for key in ("files_modified", "files_created"):
        value = entry.get(key)
        if value is not None and not isinstance(value, (str, float)):  # NaN where a row has no list
            files.extend(str(f) for f in value)
    for path in files:
        folder = path.rsplit("/", 1)[0] if path.endswith(".hcl") else path
        for unit in units:
            if folder == unit or folder.endswith("/" + unit):
                touched.add(unit)
    if touched:
        return touched
    for prefix in _UNDER_PATH.findall(text):
        prefix = prefix.rstrip("/.")
        touched |= {u for u in units if u == prefix or u.startswith(prefix + "/")}
    return touched


def _is_deployment(entry: dict[Any, Any]) -> bool:
    tags = entry.get("tags")
    tagged = tags is not None and not isinstance(tags, (str, float)) and "promotion" in list(tags)
    return (str(entry.get("action_type") or "").lower() in _DEPLOY_TYPES or tagged) and str(
        entry.get("status") or ""
    ).lower() in _REACHED


def timeline(history: pd.DataFrame, tree: Any) -> pd.DataFrame:
    """First time each version reached each environment (columns in the module doc)."""
    units_frame = tree.units if hasattr(tree, "units") else tree
    env_of = dict(zip(units_frame["unit"], units_frame["environment"], strict=True))
    units = sorted(env_of, key=len, reverse=True)
    first: dict[tuple[str, str], dict[str, Any]] = {}
    skipped = 0
    entries = history.sort_values("timestamp", kind="stable").to_dict(orient="records")
    for entry in entries:
        if not _is_deployment(entry) or pd.isna(entry.get("timestamp")):
            continue
        text = _text(entry)
        ref = _named_version(text)
        touched = _touched_units(entry, text, units) if ref else set()
        if not ref or not touched:
            skipped += 1
            continue
        per_env: dict[str, int] = {}
        for unit in touched:
            env = env_of.get(unit)
            if isinstance(env, str):
                per_env[env] = per_env.get(env, 0) + 1
        for env, count in per_env.items():
            first.setdefault(
                (ref, env),
                {
                    "ref": ref,
                    "environment": env,
                    "first_reached": entry["timestamp"],
                    "entry_id": entry.get("id"),
                    "units": count,
                },
            )
    rows = []
    for row in first.values():
        version = parse_version(row["ref"])
        rows.append(row | {"version": str(version) if version else None})
    out = pd.DataFrame(rows, columns=TIMELINE_COLUMNS)
    if not out.empty:
        out["first_reached"] = pd.to_datetime(out["first_reached"], utc=True)
        out = out.sort_values(["first_reached", "environment"], kind="stable").reset_index(drop=True)
    out["units"] = out["units"].astype("Int64")
    out.attrs["skipped"] = skipped
    return out


def lead_times(frame: pd.DataFrame, production: str = "prod") -> pd.DataFrame:
    """Per version: first environment and time, production time, and the lead time between them."""
    rows = []
    envs = sorted({str(e) for e in frame["environment"].dropna()})
    try:
        prod_env: str | None = match_environment(production, envs)
    except ConfigError:  # nothing reached production yet: every lead time stays open
        prod_env = None
    for ref, group in frame.groupby("ref", sort=False):
        group = group.sort_values("first_reached", kind="stable")
        first = group.iloc[0]
        prod_rows = group[group["environment"] == prod_env]
        prod_at = prod_rows["first_reached"].min() if not prod_rows.empty else pd.NaT
        lead = prod_at - first["first_reached"] if pd.notna(prod_at) else pd.NaT
        rows.append(
            {
                "ref": ref,
                "version": first["version"],
                "first_environment": first["environment"],
                "first_at": first["first_reached"],
                "production_at": prod_at,
                "lead_time": lead,
                "lead_time_days": lead.total_seconds() / 86400 if pd.notna(lead) else float("nan"),
            }
        )
    out = pd.DataFrame(rows, columns=LEAD_COLUMNS)
    for column in ("first_at", "production_at"):
        out[column] = pd.to_datetime(out[column], utc=True)
    out["lead_time"] = pd.to_timedelta(out["lead_time"])
    return out

"""Aggregates behind the overview report: activity per week and agent, units per account."""

from __future__ import annotations

import pandas as pd

__all__ = [
    "activity_by_agent",
    "select_history",
    "select_units",
    "units_by_account",
    "weekly_activity",
]


def _window(history: pd.DataFrame, weeks: int, now: pd.Timestamp | None) -> pd.DataFrame:
    frame = history[history["timestamp"].notna()]
    if frame.empty or weeks <= 0:
        return frame
    end = now if now is not None else frame["timestamp"].max()
    return frame[frame["timestamp"] > end - pd.Timedelta(weeks=weeks)]


def weekly_activity(history: pd.DataFrame, weeks: int = 26, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """Events per ISO week (Monday start) and status over the last ``weeks`` weeks.

    Columns: ``week`` (datetime, UTC Monday), ``status``, ``events``.
    """
    frame = _window(history, weeks, now)
    if frame.empty:
        return pd.DataFrame(
            {
                "week": pd.Series(dtype="datetime64[ns, UTC]"),
                "status": pd.Series(dtype=object),
                "events": pd.Series(dtype="int64"),
            }
        )
    week = frame["timestamp"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time
    grouped = (
        frame.assign(week=week.dt.tz_localize("UTC"))
        .groupby(["week", "status"], observed=True)
        .size()
        .rename("events")
        .reset_index()
    )
    return grouped.sort_values(["week", "status"], ignore_index=True)


def activity_by_agent(
    history: pd.DataFrame, weeks: int = 26, now: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Events per agent with failures and the last time each agent logged anything.

    Columns: ``agent``, ``events``, ``failed``, ``failure_rate``, ``last_seen``; most active first.
    """
    frame = _window(history, weeks, now)
    if frame.empty:
        return pd.DataFrame(columns=["agent", "events", "failed", "failure_rate", "last_seen"])
    failed = frame["status"].eq("failed") | frame["action_type"].eq("escalation")
    out = (
        frame.assign(failed=failed)
        .groupby("agent", observed=True)
        .agg(events=("id", "size"), failed=("failed", "sum"), last_seen=("timestamp", "max"))
        .reset_index()
    )
    out["failed"] = out["failed"].astype("int64")
    out["failure_rate"] = (out["failed"] / out["events"]).round(3)
    return out[["agent", "events", "failed", "failure_rate", "last_seen"]].sort_values(
        ["events", "agent"], ascending=[False, True], ignore_index=True
    )


def units_by_account(units: pd.DataFrame) -> pd.DataFrame:
    """Units per account, region and environment, with how many are pinned to a version.

    Columns: ``account``, ``region``, ``environment``, ``units``, ``pinned``.
    """
    if units.empty:
        return pd.DataFrame(columns=["account", "region", "environment", "units", "pinned"])
    keys = ["account", "region", "environment"]
    filled = units.assign(
        **{k: units[k].fillna("(unknown)").astype(str) for k in keys},
        pinned=units["pinned"].fillna(False).astype(bool),
    )
    return (
        filled.groupby(keys, observed=True)
        .agg(units=("unit", "size"), pinned=("pinned", "sum"))
        .reset_index()
        .astype({"units": "int64", "pinned": "int64"})
        .sort_values(keys, ignore_index=True)
    )


def _equal(column: pd.Series, value: str) -> pd.Series:
    return (column.astype(object) == value).fillna(False).astype(bool)


def select_history(history: pd.DataFrame, agent: str | None = None) -> pd.DataFrame:
    """The events of one agent (None: all), for the overview's control row."""
    return history[_equal(history["agent"], agent)] if agent else history


def select_units(
    units: pd.DataFrame, account: str | None = None, environment: str | None = None
) -> pd.DataFrame:
    """The units of one account and/or environment (None: all), for the overview's control row."""
    keep = pd.Series(True, index=units.index)
    if account:
        keep &= _equal(units["account"], account)
    if environment:
        keep &= _equal(units["environment"], environment)
    return units[keep.to_numpy(dtype=bool)]

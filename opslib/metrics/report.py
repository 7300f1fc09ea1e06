"""What the failure-analysis notebook shows beyond the core measures: the users' own jq queries as
opslib one-liners, the agent x area failure matrix, and run reports read from a parameter.

Kept here (not in the notebook) so tests reach every line the report runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opslib._time import utc_timestamp
from opslib.metrics._events import Events
from opslib.metrics.rates import failure_rates

__all__ = [
    "UserQuery",
    "area_values",
    "headline_text",
    "load_run_reports",
    "open_incidents",
    "rate_matrix",
    "select_events",
    "user_queries",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserQuery:
    """One of the users' history queries: the jq they type today and the opslib line that replaces it.

    ``opslib`` is Python with ``log`` standing for the history frame and ``opslib`` imported; ``run``
    computes exactly that line (a test evaluates both and compares).
    """

    title: str
    jq: str
    opslib: str
    run: Callable[[pd.DataFrame], pd.DataFrame]


def user_queries(
    log_frame: pd.DataFrame | None = None,
    *,
    since: str | None = None,
    agent: str | None = None,
    pattern: str | None = None,
    n: int = 10,
) -> list[UserQuery]:
    """The queries of the DevOps playbook's startup protocol and FORMATS.md ("The users' own queries").

    The first three are the startup protocol's jq lines verbatim. ``since``, ``agent`` and ``pattern``
    fill the other examples; None picks a value from ``log_frame`` (30 days before its newest event,
    its busiest agent, ``*.hcl``) so the examples return rows.
    """
    from opslib import history as h

    since = since or _default_since(log_frame)
    agent = agent or _busiest_agent(log_frame)
    pattern = pattern or "*.hcl"
    q = '"'
    return [
        UserQuery(
            "Infrastructure changes",
            """jq '.entries[] | select(.tags[]? | test("infrastructure|deployment|devops"))' """
            "project/project_history.json",
            'opslib.history.by_tags(log, "infrastructure|deployment|devops")',
            lambda f: h.by_tags(f, "infrastructure|deployment|devops"),
        ),
        UserQuery(
            "Past deployments",
            """jq '.entries[] | select(.action.type == "deployment")' project/project_history.json""",
            'opslib.history.by_action(log, "deployment")',
            lambda f: h.by_action(f, "deployment"),
        ),
        UserQuery(
            "Past failures",
            """jq '.entries[] | select(.outcome.status == "failed")' project/project_history.json""",
            'log[log["status"] == "failed"]',
            lambda f: f[(f["status"] == "failed").fillna(False).to_numpy(dtype=bool)],
        ),
        UserQuery(
            "Failure signals (failed or escalated)",
            """jq '.entries[] | select(.outcome.status == "failed" or .action.type == "escalation")' """
            "project/project_history.json",
            "opslib.history.failed(log)",
            h.failed,
        ),
        UserQuery(
            f"Files touched matching {pattern}",
            f"""jq '.entries[] | select([.files[][]?] | any(test({q}{_glob_as_regex(pattern)}{q})))' """
            "project/project_history.json",
            f"opslib.history.touching(log, {pattern!r})",
            lambda f: h.touching(f, pattern),
        ),
        UserQuery(
            f"Entries by {agent}",
            f"""jq '.entries[] | select(.agent == {q}{agent}{q} or .agent.name == {q}{agent}{q})' """
            "project/project_history.json",
            f"opslib.history.by_agent(log, {agent!r})",
            lambda f: h.by_agent(f, agent),
        ),
        UserQuery(
            f"Since {since}",
            f"""jq '.entries[] | select(.timestamp >= {q}{since}{q})' project/project_history.json""",
            f"opslib.history.since(log, {since!r})",
            lambda f: h.since(f, since),
        ),
        UserQuery(
            f"Newest {n}",
            f"""jq '.entries | sort_by(.timestamp) | reverse | .[:{n}][]' project/project_history.json""",
            f"opslib.history.newest(log, {n})",
            lambda f: h.newest(f, n),
        ),
    ]


def _glob_as_regex(pattern: str) -> str:
    return pattern.replace(".", "\\\\.").replace("*", ".*")


def _default_since(frame: pd.DataFrame | None) -> str:
    if frame is not None and "timestamp" in frame.columns and not frame.empty:
        latest = pd.to_datetime(frame["timestamp"], utc=True, errors="coerce").max()
        if not pd.isna(latest):
            return (latest - pd.Timedelta(days=30)).strftime("%Y-%m-%d")
    return "2026-01-01"


def _busiest_agent(frame: pd.DataFrame | None) -> str:
    if frame is not None and "agent" in frame.columns and not frame.empty:
        counts = frame["agent"].dropna().astype(str).value_counts()
        if not counts.empty:
            return str(counts.index[0])
    return "devops-engineer"


def rate_matrix(
    history: pd.DataFrame | Events, rows: str = "agent", columns: str = "category"
) -> pd.DataFrame:
    """Failure rates as a long frame ready for a heat map: one row per (``rows``, area) pair that has
    events, with ``events``, ``failures``, ``failure_rate``, ``ci_low``, ``ci_high`` and ``label``
    (``"3/12"``) so a reader sees how many events a colour rests on.

    The ``columns`` grouping (any ``failure_rates`` grouping: ``category``, ``tag``, ``unit``...) comes
    out as the column ``area``; when it names the same thing as ``rows``, ``category`` is used instead.
    """
    from opslib.metrics.rates import _group_names

    if _group_names(columns) == _group_names(rows):
        columns = "category" if _group_names(rows) != ["category"] else "action_type"
    row_name, col_name = _group_names(rows)[0], _group_names(columns)[0]
    table = failure_rates(history, by=[row_name, col_name]).rename(columns={col_name: "area"})
    table["label"] = [f"{f}/{e}" for f, e in zip(table["failures"], table["events"], strict=True)]
    return table


def load_run_reports(value: Any, default: Path | None = None) -> pd.DataFrame:
    """Run reports named by a notebook parameter: a path, a comma-separated string or a list of paths;
    None or "" means ``default`` (the sample ``run-reports`` folder). Paths that do not exist are
    skipped with a warning; no report at all gives an empty frame with the run-report columns."""
    from opslib.runs import RUN_COLUMNS, load_run_report

    if value is None or (isinstance(value, str) and not value.strip()):
        paths: Sequence[Any] = [default] if default is not None else []
    elif isinstance(value, (str, Path)):
        paths = [p.strip() for p in str(value).split(",") if p.strip()]
    else:
        paths = list(value)
    frames = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            log.warning("run report %s does not exist; skipped", path)
            continue
        frames.append(load_run_report(path))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RUN_COLUMNS})
    return pd.concat(frames, ignore_index=True)


def _areas(history: pd.DataFrame, by: str) -> tuple[np.ndarray, np.ndarray]:
    """(row position, area) for every value of grouping ``by`` each event has: a column's value
    (``"(none)"`` when blank), or each of its tags, files or units."""
    from opslib.metrics._events import Events
    from opslib.metrics.rates import EXPLODED_GROUPS, NONE_LABEL, _blank, _group_names, group_block

    name = _group_names(by)[0]
    n = len(history)
    if name in EXPLODED_GROUPS:
        block, names = group_block(Events(history), name)
        none = np.ones(n, dtype=bool)
        none[block.rows] = False
        return (
            np.concatenate([block.rows, np.flatnonzero(none)]),
            np.concatenate([names[block.codes], np.full(int(none.sum()), NONE_LABEL, dtype=object)]),
        )
    if name not in history.columns:
        from opslib.errors import ParameterError

        raise ParameterError(
            f"cannot group failures by {name!r}: not a history column nor one of {', '.join(EXPLODED_GROUPS)}"
        )
    values = history[name]
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable cells: one label per row
        labels = [NONE_LABEL if _blank(v) else str(v) for v in values.tolist()]
        return np.arange(n), np.asarray([*labels, ""], dtype=object)[:-1]
    labels = [NONE_LABEL if _blank(v) else str(v) for v in uniques.tolist()] + [NONE_LABEL]
    return np.arange(n), np.asarray(labels, dtype=object)[codes]


def area_values(history: pd.DataFrame, by: str = "category") -> list[str]:
    """The values of grouping ``by`` (a column, ``tag``, ``unit``, ``file``) in ``history``, sorted."""
    if history.empty:
        return []
    return sorted({str(v) for v in _areas(history, by)[1].tolist()})


def select_events(
    history: pd.DataFrame,
    *,
    agent: str | None = None,
    area: str | None = None,
    by: str = "category",
    weeks: int | None = None,
    now: Any = None,
) -> pd.DataFrame:
    """The events of one agent, one area of grouping ``by``, and the last ``weeks`` weeks (None: all).

    The weeks end at ``now`` (timestamp or ISO string) or the newest event, so a report on an old log
    shows the same window whenever it runs. An event belongs to an area when any of its values of ``by``
    (e.g. any of its tags) is that area.
    """
    keep = pd.Series(True, index=history.index)
    if agent:
        keep &= (history["agent"].astype(str) == str(agent)).fillna(False).astype(bool)
    if area and len(history):
        rows, areas = _areas(history, by)
        hits = np.zeros(len(history), dtype=bool)
        hits[rows[areas == str(area)]] = True
        keep &= pd.Series(hits, index=history.index)
    if weeks and len(history):
        stamps = pd.to_datetime(history["timestamp"], utc=True)
        end = stamps.max() if now is None or str(now).strip() == "" else utc_timestamp(now, "now")
        keep &= ((stamps > end - pd.Timedelta(weeks=int(weeks))) & (stamps <= end)).fillna(False).astype(bool)
    return history[keep.to_numpy(dtype=bool)]


def open_incidents(history: pd.DataFrame | Events) -> pd.DataFrame:
    """Incidents (action type ``incident``) in the history that nothing has resolved yet, oldest first.

    Columns: the ``recoveries`` columns (``id``, ``failed_at`` = when the incident was logged, ``agent``,
    ``task``...).
    """
    from opslib.metrics.recovery import recoveries

    rec = recoveries(history, include_incidents=True)
    return rec[(rec["kind"] == "incident") & (rec["state"] == "unresolved")].reset_index(drop=True)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def headline_text(events: int, failures: int, unresolved: int, open_incidents: int) -> str:
    """The failure analysis line in ``reports/index.html``: failure rate, unresolved, open incidents."""
    rate = failures / events if events else 0.0
    return (
        f"failure rate {rate:.1%} ({failures} of {_count(events, 'event')}); "
        f"{_count(unresolved, 'unresolved failure')}; {_count(open_incidents, 'open incident')}"
    )

"""What was going on around an incident: recent changes, failures, drift and blast radius.

Gathered once when a session starts, from whichever inputs are at hand. Each input is optional: a
missing history, tree or plan set leaves its frames empty and a note saying why, never an exception,
because an on-call engineer needs the runbook even when the context is incomplete.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opslib.errors import OpslibError

__all__ = [
    "CONTEXT_KEYS",
    "IncidentContext",
    "gather_context",
    "is_deployment",
    "service_units",
]

log = logging.getLogger(__name__)

CONTEXT_KEYS = ("culprits", "events", "failures", "drift", "blast_radius", "units")
_DEPLOY_TYPES = {"deployment", "deploy", "release", "rollout"}
_DEPLOY_TAGS = {"deployment", "deploy", "release", "rollout"}
_TEXT_COLUMNS = ("description", "summary", "task", "title")
_FILE_COLUMNS = ("files_created", "files_modified", "files_deleted")
_EVENT_COLUMNS = [
    "timestamp",
    "agent",
    "action_type",
    "status",
    "description",
    "match",
    "matched",
    "is_deployment",
    "hours_before",
]


@dataclass
class IncidentContext:
    """Frames keyed by :data:`CONTEXT_KEYS` and, for each one that could not be built, a note why."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def available(self, key: str) -> bool:
        return key not in self.notes


def _listish(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value]
    except TypeError:
        return [] if pd.isna(value) else [str(value)]


def is_deployment(action_type: Any, tags: Any) -> bool:
    """A deployment: action type ``deployment`` (or release/rollout) or a deployment tag."""
    kind = str(action_type or "").strip().lower()
    return kind in _DEPLOY_TYPES or bool(_DEPLOY_TAGS & {t.lower() for t in _listish(tags)})


def _service_pattern(service: str) -> re.Pattern[str]:
    # "api" matches "api", "the api service" and "ecs-api", but not "api-gateway" or "rapid": a
    # dash-prefixed suffix is how units name the service they run (ecs-api, svc-api).
    name = re.escape(service.lower())
    return re.compile(rf"(?<![\w.-]){name}(?![\w-])|(?<=[\w]-){name}(?![\w-])")


def service_units(units: pd.DataFrame, service: str, namespace: str | None = None) -> list[str]:
    """Unit ids in a tree's ``units`` frame that run ``service``.

    A unit runs the service when its folder name is the service or ends in ``-<service>`` /
    ``_<service>``. When some of those sit in the ``namespace`` environment (a path part or the
    ``environment`` column), only those are kept: an incident in ``prod`` is about the prod units.
    """
    if units is None or units.empty or "unit" not in units.columns:
        return []
    wanted = service.lower()
    hits: list[str] = []
    for unit in units["unit"].astype(str):
        leaf = unit.rstrip("/").rsplit("/", 1)[-1].lower()
        if leaf == wanted or leaf.endswith(("-" + wanted, "_" + wanted)):
            hits.append(unit)
    if namespace and len(hits) > 1:
        ns = namespace.lower()
        env = dict(
            zip(units["unit"].astype(str), units.get("environment", pd.Series(dtype=str)), strict=False)
        )
        scoped = [u for u in hits if ns in u.lower().split("/") or str(env.get(u) or "").lower() == ns]
        hits = scoped or hits
    return sorted(hits)


def _load(kind: str, value: Any) -> Any:
    """Load one input through the public API; a path is loaded, anything else is used as given."""
    if not isinstance(value, (str, Path)):
        return value
    import opslib  # lazy: the loaders pull in parsers a runbook walk may never need

    loader = {"history": "load_history", "tree": "load_tree", "plans": "load_plans"}[kind]
    return getattr(opslib, loader)(value)


def _try_load(kind: str, value: Any, notes: dict[str, str], keys: Iterable[str]) -> Any:
    if value is None:
        for key in keys:
            notes.setdefault(key, f"not available: no {kind} given")
        return None
    try:
        return _load(kind, value)
    except Exception as exc:  # a broken input (or loader) must not stop the runbook walk
        log.warning("cannot load %s %s: %s", kind, value, exc)
        for key in keys:
            notes.setdefault(key, f"not available: the {kind} could not be loaded ({exc})")
        return None


def _haystack(row: pd.Series) -> str:
    parts: list[str] = []
    for col in (*_TEXT_COLUMNS, *_FILE_COLUMNS, "tags"):
        value = row.get(col)
        parts += _listish(value) if not isinstance(value, str) else [value]
    return "\n".join(p for p in parts if p and p != "nan").lower()


def _match(
    text: str, service_re: re.Pattern[str], units: list[str], deps: list[str]
) -> tuple[str, list[str]]:
    """How an event's text touches the service: ``unit``, ``service``, ``dependency`` or ``""``."""
    own = [u for u in units if u.lower() in text]
    if own:
        return "unit", own
    if service_re.search(text):
        return "service", []
    upstream = [u for u in deps if u.lower() in text]
    if upstream:
        return "dependency", upstream
    return "", []


def _events(
    history: pd.DataFrame,
    service: str,
    started_at: pd.Timestamp,
    lookback: pd.Timedelta,
    units: list[str],
    deps: list[str],
) -> pd.DataFrame:
    if history.empty or "timestamp" not in history.columns:
        return pd.DataFrame(columns=_EVENT_COLUMNS)
    stamps = pd.to_datetime(history["timestamp"], utc=True, errors="coerce")
    window = history[(stamps > started_at - lookback) & (stamps <= started_at)].copy()
    window["timestamp"] = stamps[window.index]
    service_re = _service_pattern(service)
    matches = [_match(_haystack(row), service_re, units, deps) for _, row in window.iterrows()]
    window["match"] = [m for m, _ in matches]
    window["matched"] = [hit for _, hit in matches]
    window = window[window["match"] != ""]
    for col in ("agent", "action_type", "status", "description"):
        if col not in window.columns:
            window[col] = ""
    tags = window["tags"] if "tags" in window.columns else pd.Series([[]] * len(window), index=window.index)
    window["is_deployment"] = [is_deployment(a, t) for a, t in zip(window["action_type"], tags, strict=True)]
    window["hours_before"] = (started_at - window["timestamp"]).dt.total_seconds() / 3600.0
    # deployments first, each group nearest to the start first: the likeliest trigger leads the list
    window = window.sort_values(["is_deployment", "hours_before"], ascending=[False, True], kind="stable")
    extra = [c for c in ("id", "category", "summary", "tags") if c in window.columns]
    return window[_EVENT_COLUMNS + extra].reset_index(drop=True)


def _graph_distances(tree: Any, units: list[str]) -> dict[str, int]:
    """Upstream dependencies of ``units`` (edge unit → dependency) with their distance."""
    graph = getattr(tree, "graph", None)
    if graph is None:
        return {}
    import networkx as nx

    distances: dict[str, int] = {}
    for unit in units:
        if unit not in graph:
            continue
        for other, dist in nx.single_source_shortest_path_length(graph, unit).items():
            if other not in units and dist > 0:
                distances[other] = min(dist, distances.get(other, dist))
    return distances


def _blast_radius(tree: Any, units: list[str]) -> pd.DataFrame:
    frame = tree.blast_radius(units)
    if not isinstance(frame, pd.DataFrame):  # a dict or list from an older tree still reads fine
        frame = pd.DataFrame(
            list(frame.items()) if isinstance(frame, dict) else list(frame), columns=["unit", "distance"]
        )
    return frame.sort_values([c for c in ("distance", "unit") if c in frame.columns]).reset_index(drop=True)


def _drift(
    plans: pd.DataFrame, service_re: re.Pattern[str], units: list[str], deps: dict[str, int]
) -> pd.DataFrame:
    if plans.empty or "unit" not in plans.columns:
        return plans.iloc[0:0]
    drift = plans[plans["kind"].astype(str) == "drift"] if "kind" in plans.columns else plans.iloc[0:0]
    unit_ids = drift["unit"].astype(str)
    relation = [
        "service"
        if u in units or (not units and service_re.search(u.lower()))
        else "dependency"
        if u in deps
        else ""
        for u in unit_ids
    ]
    drift = drift.assign(relation=relation)
    return drift[drift["relation"] != ""].reset_index(drop=True)


def gather_context(
    *,
    service: str,
    namespace: str | None,
    started_at: pd.Timestamp,
    history: Any = None,
    tree: Any = None,
    plans: Any = None,
    lookback_hours: float = 24,
) -> IncidentContext:
    """Collect the context of an incident on ``service`` that started at ``started_at`` (UTC).

    ``history``, ``tree`` and ``plans`` are paths (loaded with the public loaders) or loaded objects
    (history/plans DataFrames, a ``TerragruntTree``), or None. Frames returned:

    - ``units``: the service's units and their upstream dependencies: unit, relation
      (service|dependency), distance
    - ``events``: history events in the lookback window before the start that touch the service, its
      units or their dependencies; deployments first, nearest first. Columns: timestamp, agent,
      action_type, status, description, match (unit|service|dependency), matched (unit ids),
      is_deployment, hours_before, plus id/category/summary/tags when the history has them
    - ``culprits``: the deployments among those, ranked (``rank`` 1 = likeliest)
    - ``failures``: events with status failed or action type escalation
    - ``drift``: drift changes (plans with kind ``drift``) in the service's units or dependencies,
      with ``relation``
    - ``blast_radius``: units affected by a change of the service's units (unit, distance)
    """
    ctx = IncidentContext()
    notes = ctx.notes
    lookback = pd.Timedelta(hours=float(lookback_hours))
    service_re = _service_pattern(service)

    tree_obj = _try_load("tree", tree, notes, ("blast_radius",))
    units: list[str] = []
    deps: dict[str, int] = {}
    if tree_obj is not None:
        units = service_units(getattr(tree_obj, "units", pd.DataFrame()), service, namespace)
        deps = _graph_distances(tree_obj, units)
        if not units:
            notes["blast_radius"] = f"not available: no unit of the tree runs service {service!r}"
    plans_df = _try_load("plans", plans, notes, ("drift",))
    if not units and isinstance(plans_df, pd.DataFrame) and "unit" in plans_df.columns:
        # no tree: the plan folders still name the units, which is enough to match events and drift
        units = sorted({u for u in plans_df["unit"].astype(str) if service_re.search(u.lower())})

    rows = [{"unit": u, "relation": "service", "distance": 0} for u in units]
    rows += [{"unit": u, "relation": "dependency", "distance": d} for u, d in sorted(deps.items())]
    ctx.frames["units"] = pd.DataFrame(rows, columns=["unit", "relation", "distance"])
    if not rows:
        notes["units"] = f"not available: no unit found for service {service!r}"

    history_df = _try_load("history", history, notes, ("events", "culprits", "failures"))
    events = (
        _events(history_df, service, started_at, lookback, units, list(deps))
        if isinstance(history_df, pd.DataFrame)
        else pd.DataFrame(columns=_EVENT_COLUMNS)
    )
    ctx.frames["events"] = events
    culprits = events[events["is_deployment"].astype(bool)].reset_index(drop=True)
    culprits.insert(0, "rank", range(1, len(culprits) + 1))
    ctx.frames["culprits"] = culprits
    failed = (events["status"].astype(str).str.lower() == "failed") | (
        events["action_type"].astype(str).str.lower() == "escalation"
    )
    ctx.frames["failures"] = events[failed].sort_values("hours_before", kind="stable").reset_index(drop=True)

    ctx.frames["drift"] = (
        _drift(plans_df, service_re, units, deps) if isinstance(plans_df, pd.DataFrame) else pd.DataFrame()
    )
    blast = pd.DataFrame(columns=["unit", "distance"])
    if tree_obj is not None and units:
        try:
            blast = _blast_radius(tree_obj, units)
        except (OpslibError, AttributeError, KeyError, ValueError) as exc:
            notes["blast_radius"] = f"not available: blast radius failed ({exc})"
    ctx.frames["blast_radius"] = blast
    return ctx

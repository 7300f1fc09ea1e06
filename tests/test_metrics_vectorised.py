"""The vectorised metrics give exactly what the per-event implementation gave (``_metrics_oracle``), on
every history fixture, the sample log, the hand-made metrics logs and random logs (hypothesis)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import _metrics_oracle as oracle
import numpy as np
import pandas as pd
import pytest
from _metrics_logs import ev, frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opslib import metrics
from opslib.history import load_history

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT.parent / "data" / "sample" / "project"

RATE_GROUPS = [None, "agent", "action_type", "category", "status", "task", "tag", "file", "unit"]


def same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def compare_all(history: pd.DataFrame, *, quick: bool = False, prepared: bool = False) -> None:
    """Every vectorised measure against the oracle on one history frame (``quick``: one or two
    settings of each, to keep the many fixtures fast; ``prepared``: every measure is given one shared
    ``metrics.prepare(history)`` instead of the frame)."""
    src = metrics.prepare(history) if prepared else history
    groups = ["unit"] if quick else RATE_GROUPS
    for by in groups:
        same(metrics.failure_rates(src, by=by), oracle.failure_rates(history, by=by))
    combos = [["agent", "tag"]] if quick else [["agent", "tag"], ["unit", "category"], ["file", "status"]]
    for by in combos:
        same(metrics.failure_rates(src, by=by), oracle.failure_rates(history, by=by))
    if not quick:
        same(
            metrics.failure_rates(src, by="tag", period="week"),
            oracle.failure_rates(history, by="tag", period="week"),
        )
    settings_ = [(None, True)] if quick else [(None, False), ("7D", False), (None, True), ("2h", True)]
    for window, incidents in settings_:
        same(
            metrics.recoveries(src, window=window, include_incidents=incidents),
            oracle.recoveries(history, window=window, include_incidents=incidents),
        )
    if not quick:
        same(metrics.unresolved(src), oracle.unresolved(history))
        same(metrics.deployments(src), oracle.deployments(history))
    for window in ["7D"] if quick else ["7D", "1h", None]:
        same(metrics.repeat_failures(src, window=window), oracle.repeat_failures(history, window=window))
    for length in [1] if quick else [1, 2, 3]:
        same(metrics.streaks(src, min_length=length), oracle.streaks(history, min_length=length))
    for period, window in [(None, "24h")] if quick else [("90D", "24h"), (None, "24h"), ("7D", "1h")]:
        same(
            metrics.dora(src, period=period, window=window),
            oracle.dora(history, period=period, window=window),
        )


def _history_files() -> list[Path]:
    found = sorted(
        p
        for p in (ROOT / "fixtures" / "history").rglob("*")
        if p.suffix in (".json", ".md") and not p.name.endswith(".expect.json")
    )
    return [SAMPLE, *found]


@pytest.mark.parametrize("path", _history_files(), ids=lambda p: str(p.relative_to(ROOT.parent)))
def test_same_as_before_on_fixtures(path: Path) -> None:
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                history = load_history(path, cache=False)
            except Exception:  # a fixture that does not load at all (bad/): nothing to measure
                pytest.skip("does not load")
        compare_all(history, quick=path != SAMPLE)
        if path == SAMPLE:
            compare_all(history, prepared=True)
    finally:
        logging.disable(logging.NOTSET)


def test_same_as_before_on_hand_made_logs() -> None:
    vpc, rds = "live/prod/vpc/terragrunt.hcl", "live/prod/rds/main.tf"
    log = frame(
        ev("e1", "2026-11-01 10:00", "alice", "implementation", "completed", [vpc], "vpc", tags=["infra"]),
        ev("e2", "2026-11-01 11:00", "alice", "deployment", "failed", [vpc], "vpc", tags=["deployment"]),
        ev("e3", "2026-11-01 13:00", "bob", "resolution", "completed", [vpc], "fix vpc", tags=["infra"]),
        ev("e4", "2026-11-01 14:00", "bob", "escalation", "completed", [], "eks upgrade", "operations"),
        ev("e5", "2026-11-01 20:00", "carol", "implementation", "completed", [], "EKS upgrade"),
        ev("e6", "2026-11-01 15:00", "alice", "deployment", "failed", [rds], "rds", tags=["deployment"]),
        ev("e7", None, "alice", "deployment", "failed", ["other.txt"], "misc"),
    )
    for prepared in (False, True):
        compare_all(log, prepared=prepared)
        compare_all(log.iloc[:0], prepared=prepared)
        compare_all(log.drop(columns=["tags", "files_modified", "task"]), prepared=prepared)


# ---- random logs ---------------------------------------------------------------------------------

AGENTS = ["alice", "bob", "", None, "carol"]
ACTIONS = [
    "deployment",
    "Deployment",
    "escalation",
    "incident",
    "resolution",
    "rollback",
    "hotfix",
    "implementation",
    " review ",
    None,
]
STATUSES = ["completed", "failed", "FAILED", "partial", " completed", None, "unknown"]
PATHS = [
    "infrastructure-live/prod/us-east-1/prod/vpc/terragrunt.hcl",
    "./prod/us-east-1/prod/vpc/main.tf",
    "live/prod/rds/terragrunt.hcl",
    "modules/rds/variables.tf",
    "docs/README.md",
    "  ",
    "",
    "prod/eks/.terraform.lock.hcl",
]
TASKS = [
    "INCIDENT: api latency in prod",
    "Resolved: api latency in prod",
    "Deploy prod/us-east-1/prod/vpc",
    "Fix: vpc",
    "vpc",
    "api p99 latency prod",
    "",
    None,
    "Weekly drift check: mgmt",
    "Fix:\u00a0vpc",
    "Ünicode-title: prod/us-east-1/prod/vpc",
    "x:prod/a/b and s3://bucket/a/b/c",
]
DESCRIPTIONS = [
    "Apply live/prod/rds after the change",
    "nothing special",
    None,
    "see prod/us-east-1/prod/vpc/main.tf and modules/x/y.md",
    "a//b/c/d then café/prod/x/y, then live/prod/rds. Done",
]
TAGS = ["#Hotfix", "incident", "infra", "", "deployment", "rollback"]


@st.composite
def random_logs(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 30))
    base = pd.Timestamp("2026-11-01", tz="UTC")
    ids = [f"e{i}" for i in range(n)]
    rows = []
    for i in range(n):
        hour = draw(st.one_of(st.none(), st.integers(0, 24 * 40)))
        related = draw(st.lists(st.sampled_from([*ids, "ghost"]), max_size=2))
        extra = draw(
            st.sampled_from(
                [None, {}, {"context.related_entries": related}, {"context": {"related_entries": related}}]
            )
        )
        rows.append(
            {
                "id": draw(st.sampled_from([ids[i], ids[i], "", ids[max(i - 1, 0)]])),
                "timestamp": pd.NaT if hour is None else base + pd.Timedelta(hours=hour),
                "agent": draw(st.sampled_from(AGENTS)),
                "action_type": draw(st.sampled_from(ACTIONS)),
                "category": draw(st.sampled_from(["infrastructure", "operations", "", None])),
                "task": draw(st.sampled_from(TASKS)),
                "description": draw(st.sampled_from(DESCRIPTIONS)),
                "status": draw(st.sampled_from(STATUSES)),
                "files_created": draw(st.lists(st.sampled_from(PATHS), max_size=2)),
                "files_modified": draw(st.sampled_from([None, "live/prod/rds/main.tf", (), ["x/y/z.tf"]])),
                "files_deleted": draw(st.lists(st.sampled_from(PATHS), max_size=1)),
                "tags": draw(st.lists(st.sampled_from(TAGS), max_size=3)),
                "extra": extra,
            }
        )
    columns = list(rows[0]) if rows else ["id", "timestamp", "agent", "action_type", "status"]
    return pd.DataFrame(rows, columns=columns)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_logs())
def test_same_as_before_on_random_logs(history: pd.DataFrame) -> None:
    logging.disable(logging.WARNING)
    try:
        compare_all(history, quick=True)
        compare_all(history, quick=True, prepared=True)
        same(metrics.recoveries(history, window="2h"), oracle.recoveries(history, window="2h"))
        same(metrics.streaks(history), oracle.streaks(history))
        same(metrics.failure_rates(history, by="file"), oracle.failure_rates(history, by="file"))
    finally:
        logging.disable(logging.NOTSET)


TEXT = st.text(alphabet="ab/._-: \t\n\x0b\x1c\x85\u00e9\u00a0AZ09xLIVE", max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, max_size=8))
def test_column_text_rules_match_the_per_text_ones(texts: list[str]) -> None:
    """Task titles and unit paths in prose, found for a whole column with Arrow kernels, are what the
    Python rules find text by text (ASCII or not, odd whitespace, ':' before a path, '//')."""
    from opslib.metrics._common import task_key, units_in_text
    from opslib.metrics._text import task_keys, text_units

    values = np.asarray(texts, dtype=object)
    assert task_keys(values).to_pylist() == [task_key(t) for t in texts]
    rows, units = text_units(values)
    found: list[tuple[int, str]] = list(zip(rows.tolist(), units, strict=True))
    # text_units may repeat a unit within a text (the caller keeps the first); compare first sightings
    first = list(dict.fromkeys(found))
    assert first == [(i, u) for i, t in enumerate(texts) for u in units_in_text(t)]


def test_report_helpers_pick_the_same_events() -> None:
    """area_values and select_events, now on arrays, choose what they chose per row."""
    history = load_history(SAMPLE)
    for by in ("category", "tag", "unit", "action_type"):
        areas = metrics.area_values(history, by)
        assert areas and all(isinstance(a, str) for a in areas)
        chosen = metrics.select_events(history, area=areas[0], by=by)
        exploded = oracle._explode(
            history.assign(_pos=np.arange(len(history))), [by if by != "tag" else "tag"]
        )
        expected = sorted(set(exploded.loc[exploded[by] == areas[0], "_pos"]))
        assert list(np.flatnonzero(history.index.isin(chosen.index))) == expected


def test_prepared_log_hands_out_tables_callers_may_change() -> None:
    log = load_history(SAMPLE, cache=False)
    events = metrics.prepare(log)
    first = metrics.recoveries(events)
    assert len(first) > 0
    first.loc[:, "state"] = "changed by the caller"
    first.drop(first.index, inplace=True)
    again = metrics.recoveries(events)
    same(again, metrics.recoveries(log))
    # unresolved and open incidents start from the same pairing and see the untouched table
    same(metrics.unresolved(events), metrics.unresolved(log))
    same(metrics.open_incidents(events), metrics.open_incidents(log))

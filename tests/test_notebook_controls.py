"""The report notebooks' control rows (`opslib.notebook.controls`) and the filters they redraw with."""

from __future__ import annotations

import json
from typing import Any

import nbformat
import pandas as pd
import pytest

import opslib
from opslib import metrics, overview
from opslib import notebook as nbh
from opslib._paths import notebooks_dir, sample_dir
from opslib.costs.report import build_cost_report
from opslib.drift_report import build_report

REPORTS = ["overview", "failure_analysis", "drift_report", "cost_report"]

LOG = pd.DataFrame(
    {
        "agent": ["a", "a", "b", "c"],
        "timestamp": pd.to_datetime(
            ["2026-11-01T10:00Z", "2026-11-02T10:00Z", "2026-11-19T10:00Z", "2026-11-20T10:00Z"], utc=True
        ),
        "status": ["completed", "failed", "completed", "failed"],
        "action_type": ["deployment"] * 4,
        "id": ["e1", "e2", "e3", "e4"],
    }
)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Everything the helper displays, instead of a front end."""
    displayed: list[Any] = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **_: displayed.extend(objs))
    return displayed


def test_headless_draws_once_with_the_parameters_and_shows_no_widget(
    monkeypatch: pytest.MonkeyPatch, shown: list[Any]
) -> None:
    monkeypatch.delenv("OPSLIB_INTERACTIVE", raising=False)
    monkeypatch.setenv(nbh.SUMMARY_ENV, "/nonexistent/summary.json")  # what the runner sets
    calls: list[dict[str, Any]] = []
    panel = nbh.controls(
        {"agent": ["a", "b"], "weeks": nbh.period_choices(26)},
        lambda **chosen: calls.append(chosen),
        defaults={"weeks": 26, "agent": ""},
    )
    assert calls == [{"agent": None, "weeks": 26}]  # "" and None both mean "all"
    panel.draw(lambda **chosen: calls.append({"second": chosen}))
    assert calls[1] == {"second": {"agent": None, "weeks": 26}}
    assert shown == [] and panel.widget is None
    panel._ipython_display_()  # as a cell's last expression it adds nothing
    assert shown == [] and len(calls) == 2


def test_interactive_row_redraws_every_area_with_the_new_choice(
    monkeypatch: pytest.MonkeyPatch, shown: list[Any]
) -> None:
    import ipywidgets as widgets

    monkeypatch.setenv("OPSLIB_INTERACTIVE", "1")
    drawn: list[tuple[str, Any, int]] = []

    def events(agent: str | None, weeks: int | None) -> None:
        frame = overview.weekly_activity(
            overview.select_history(LOG, agent), weeks=weeks or 0, now=LOG["timestamp"].max()
        )
        drawn.append(("events", agent, int(frame["events"].sum())))

    panel = nbh.controls(
        {"agent": sorted(LOG["agent"].unique()), "weeks": nbh.period_choices(weeks=(1, 4))},
        events,
        defaults={},
    )
    panel.draw(lambda agent, weeks: drawn.append(("agents", agent, weeks or 0)))
    row = next(obj for obj in shown if isinstance(obj, widgets.HBox))
    areas = [obj for obj in shown if isinstance(obj, widgets.Output)]
    assert shown.index(row) == 0 and len(areas) == 2  # the row first, then one output area per draw
    agent_box, weeks_box = row.children
    assert [label for label, _ in agent_box.options] == ["all", "a", "b", "c"]
    assert agent_box.value is None and weeks_box.value is None
    assert (agent_box.label, weeks_box.label) == ("all", "all time")  # shown, not a blank box
    assert drawn == [("events", None, 4), ("agents", None, 0)]

    agent_box.value = "a"
    assert drawn[2:] == [("events", "a", 2), ("agents", "a", 0)]
    weeks_box.value = 1  # the last week before the newest event: agent a has none
    assert drawn[4:] == [("events", "a", 0), ("agents", "a", 1)]
    panel.set(agent=None)
    assert drawn[6:] == [("events", None, 2), ("agents", None, 1)]
    assert panel.values == {"agent": None, "weeks": 1}


def test_a_default_outside_the_choices_is_offered(monkeypatch: pytest.MonkeyPatch, shown: list[Any]) -> None:
    monkeypatch.setenv("OPSLIB_INTERACTIVE", "1")
    panel = nbh.controls({"environment": ["dev", "prod", None, "dev"]}, defaults={"environment": "qa"})
    (box,) = panel.widget.children
    assert list(box.options) == [("all", None), ("dev", "dev"), ("prod", "prod"), ("qa", "qa")]
    assert box.value == "qa"
    assert nbh.period_choices(10) == {
        "all time": None,
        "last 4 weeks": 4,
        "last 10 weeks": 10,
        "last 13 weeks": 13,
        "last 26 weeks": 26,
        "last 52 weeks": 52,
    }
    with pytest.raises(KeyError, match="no control 'team'"):
        panel.set(team="x")


@pytest.mark.parametrize("name", REPORTS)
def test_each_report_notebook_has_a_control_row(name: str) -> None:
    nb = nbformat.read(str(notebooks_dir() / f"{name}.ipynb"), as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "nbh.controls(" in code and "panel.draw(" in code


# the filters the control rows redraw with


def test_failure_analysis_filters() -> None:
    log = opslib.load_history(sample_dir() / "project")
    assert "security" in metrics.area_values(log, "category")
    sre = metrics.select_events(log, agent="sre-oncall")
    assert len(sre) and set(sre["agent"]) == {"sre-oncall"}
    tagged = metrics.select_events(log, area="drift", by="tag")
    assert 0 < len(tagged) < len(log) and all("drift" in list(tags) for tags in tagged["tags"])
    recent = metrics.select_events(log, weeks=4)
    assert 0 < len(recent) < len(log)
    assert recent["timestamp"].min() > log["timestamp"].max() - pd.Timedelta(weeks=4)
    assert len(metrics.select_events(log, weeks=4, now="2026-10-01")) != len(recent)
    assert metrics.select_events(log).equals(log)
    assert metrics.headline_text(371, 58, 1, 0) == (
        "failure rate 15.6% (58 of 371 events); 1 unresolved failure; 0 open incidents"
    )


def test_open_incidents_are_incidents_nothing_resolved() -> None:
    log = pd.DataFrame(
        {
            "id": ["i1", "i2", "r2"],
            "timestamp": pd.to_datetime(
                ["2026-11-01T10:00Z", "2026-11-02T10:00Z", "2026-11-02T12:00Z"], utc=True
            ),
            "agent": ["sre", "sre", "sre"],
            "action_type": ["incident", "incident", "resolution"],
            "category": ["operations"] * 3,
            "task": ["INCIDENT: queue stuck", "INCIDENT: api 500s", "Resolved: api 500s"],
            "status": ["in_progress", "in_progress", "completed"],
            "description": ["", "", ""],
        }
    )
    found = metrics.open_incidents(log)
    assert list(found["id"]) == ["i1"]


def test_drift_report_by_account_and_headline() -> None:
    live = opslib.load_tree(sample_dir() / "infrastructure-live")
    changes = opslib.load_plans(sample_dir() / "plans", tree=live)
    whole = build_report(changes, tree=live)
    assert whole.headline()["headline"] == (
        "drift found: 8 resources in 7 units; 13 units with changes to apply; 1 plan errored (exit code 1)"
    )
    mgmt = build_report(changes, tree=live, account="mgmt")
    assert set(mgmt.summary["account"]) == {"mgmt"} and len(mgmt.drifted) < len(whole.drifted)
    dev = build_report(changes, tree=live, account="non-prod", environment="dev")
    assert set(dev.summary["environment"]) == {"dev"}
    assert build_report(changes, tree=live, account="nowhere").headline_text() == "no drift (exit code 0)"


def test_cost_report_selection() -> None:
    report = build_cost_report()
    assert report.select() is report
    prod = report.select(environment="prod")
    assert set(prod.costs["environment"]) == {"prod"} and 0 < prod.total_monthly < report.total_monthly
    assert list(prod.totals["environment"]["environment"]) == ["prod"]
    assert prod.changes is not None and set(prod.changes["environment"].dropna()) <= {"prod"}
    assert prod.verdict is report.verdict and len(prod.top_resources) == len(report.top_resources)
    summary = report.summary()
    assert summary["headline"].startswith("6,537.28 USD/month over 114 resources; change +10.61 USD/month")
    json.dumps(summary)

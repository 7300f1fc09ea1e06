"""The failure-analysis notebook's helpers, and the notebook itself on a log passed as a parameter."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _metrics_logs import ev, frame

import opslib
from opslib.metrics import load_run_reports, rate_matrix, user_queries

VPC = "infrastructure-live/prod/us-east-1/prod/vpc/terragrunt.hcl"


@pytest.fixture
def log():
    return frame(
        ev("a", "2026-11-01 10:00", "alice", "deployment", "failed", [VPC], tags=["deployment"]),
        ev("b", "2026-11-02 10:00", "alice", "deployment", "completed", [VPC], tags=["deployment"]),
        ev("c", "2026-11-03 10:00", "bob", "escalation", "partial", [], category="operations"),
        ev("d", "2026-11-04 10:00", "bob", "review", "completed", ["docs/x.md"], tags=["devops"]),
    )


def test_each_one_liner_computes_what_it_shows(log):
    queries = user_queries(log)
    assert [q.jq.split("'")[1] for q in queries[:3]] == [
        '.entries[] | select(.tags[]? | test("infrastructure|deployment|devops"))',
        '.entries[] | select(.action.type == "deployment")',
        '.entries[] | select(.outcome.status == "failed")',
    ]
    for query in queries:
        shown = eval(query.opslib, {"opslib": opslib, "log": log})  # the line printed in the report
        assert shown["id"].tolist() == query.run(log)["id"].tolist(), query.title
    by_title = {q.title: q.run(log)["id"].tolist() for q in queries}
    assert by_title["Infrastructure changes"] == ["a", "b", "d"]
    assert by_title["Past deployments"] == ["a", "b"]
    assert by_title["Past failures"] == ["a"]
    assert by_title["Failure signals (failed or escalated)"] == ["a", "c"]
    assert by_title["Entries by alice"] == ["a", "b"]  # ties: the first agent counted
    assert by_title["Newest 10"] == ["d", "c", "b", "a"]
    assert by_title["Since 2026-10-05"] == ["a", "b", "c", "d"]  # 30 days before the newest event


def test_rate_matrix_labels(log):
    matrix = rate_matrix(log, rows="agent", columns="category").set_index(["agent", "area"])
    assert matrix.loc[("alice", "infrastructure"), "label"] == "1/2"
    assert matrix.loc[("bob", "operations"), "label"] == "1/1"
    by_tag = rate_matrix(log, rows="agent", columns="tag").set_index(["agent", "area"])
    assert by_tag.loc[("bob", "(none)"), "label"] == "1/1"  # c has no tag
    assert by_tag.loc[("bob", "devops"), "label"] == "0/1"
    # agent x agent makes no matrix: the area falls back to the category
    assert set(rate_matrix(log, rows="agent", columns="agent")["area"]) == {"infrastructure", "operations"}


def test_load_run_reports(tmp_path):
    report = tmp_path / "r.json"
    report.write_text(
        json.dumps(
            [
                {
                    "Name": "a",
                    "Started": "2026-11-20T10:00:00Z",
                    "Ended": "2026-11-20T10:00:01Z",
                    "Result": "failed",
                }
            ]
        )
    )
    assert load_run_reports(str(report))["unit"].tolist() == ["a"]
    assert len(load_run_reports(f"{report}, {report}")) == 2
    assert len(load_run_reports([report])) == 1
    assert load_run_reports(None, default=tmp_path / "missing").empty
    assert load_run_reports("", default=report)["unit"].tolist() == ["a"]


@pytest.mark.slow
@pytest.mark.xdist_group("notebooks")
def test_notebook_on_a_log_passed_as_parameter(tmp_path: Path):
    entries = [
        {
            "id": "x1",
            "timestamp": "2026-05-01T10:00:00Z",
            "agent": "zed",
            "action": {"type": "deployment"},
            "context": {"task": "Deploy vpc", "category": "infrastructure"},
            "files": {"modified": [VPC]},
            "outcome": {"status": "failed"},
            "tags": ["deployment"],
        },
        {
            "id": "x2",
            "timestamp": "2026-05-01T14:00:00Z",
            "agent": "zed",
            "action": {"type": "deployment"},
            "context": {"task": "Fix: vpc", "category": "infrastructure"},
            "files": {"modified": [VPC]},
            "outcome": {"status": "completed"},
            "tags": ["deployment"],
        },
    ]
    history = tmp_path / "project_history.json"
    history.write_text(json.dumps({"entries": entries}))
    report = tmp_path / "run.csv"
    report.write_text(
        "Name,Started,Ended,Result,Reason,Cause\n"
        "prod/vpc,2026-05-01T10:00:00Z,2026-05-01T10:01:00Z,failed,run error,exit status 1\n"
        "prod/eks,2026-05-01T10:01:00Z,2026-05-01T10:01:00Z,early exit,ancestor error,prod/vpc\n"
    )
    out = tmp_path / "out"
    params = {"history": str(history), "run_reports": str(report), "group_by": "agent", "window": "1D"}
    opslib.run_report("failure_analysis", params, out, update_index=False)
    summary = json.loads((out / "failure_analysis.summary.json").read_text())
    # one failure in two events, recovered four hours later; two unit runs that did not succeed
    assert (summary["events"], summary["failures"], summary["failure_rate"]) == (2, 1, 0.5)
    assert summary["median_hours_to_recover"] == 4.0
    assert summary["unresolved"] == 0
    assert summary["failed_units"] == 2
    assert "zed" in (out / "failure_analysis.html").read_text()


def test_empty_log_frame_has_no_queries_results():
    empty = pd.DataFrame(
        columns=[
            "id",
            "timestamp",
            "agent",
            "action_type",
            "status",
            "tags",
            "files_created",
            "files_modified",
            "files_deleted",
        ]
    )
    for query in user_queries(empty):
        assert query.run(empty).empty

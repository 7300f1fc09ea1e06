"""``opslib failures ...`` end to end on a small history file and run report."""

from __future__ import annotations

import json

import pytest

from opslib.cli import main

VPC = "infrastructure-live/prod/us-east-1/prod/vpc/terragrunt.hcl"


def entry(id_, ts, agent, action, status, files=(), task="t"):
    return {
        "id": id_,
        "timestamp": ts,
        "agent": agent,
        "action": {"type": action, "description": task},
        "context": {"task": task, "category": "infrastructure"},
        "files": {"created": [], "modified": list(files), "deleted": []},
        "outcome": {"status": status, "summary": ""},
        "tags": ["deployment"],
    }


@pytest.fixture
def history(tmp_path):
    path = tmp_path / "project_history.json"
    entries = [
        entry("a", "2026-11-01T10:00:00Z", "alice", "deployment", "failed", [VPC], "Deploy vpc"),
        entry("b", "2026-11-01T12:30:00Z", "bob", "deployment", "completed", [VPC], "Fix: vpc"),
        entry("c", "2026-11-02T10:00:00Z", "alice", "deployment", "completed", [VPC], "Deploy vpc"),
        entry("d", "2026-11-03T10:00:00Z", "alice", "deployment", "failed", ["x/y/z/main.tf"], "Deploy z"),
    ]
    path.write_text(json.dumps({"entries": entries}))
    return path


def test_rates(history, capsys):
    assert main(["failures", "rates", str(history), "--format", "json"]) == 0
    rows = {r["agent"]: r for r in json.loads(capsys.readouterr().out)}
    # alice: a, c, d -> 2 failures of 3; bob: 0 of 1
    assert (rows["alice"]["events"], rows["alice"]["failures"]) == (3, 2)
    assert rows["bob"]["failure_rate"] == 0.0
    assert 0 < rows["alice"]["ci_low"] < 2 / 3 < rows["alice"]["ci_high"] < 1


def test_rates_by_period_since(history, capsys):
    assert (
        main(
            [
                "failures",
                "rates",
                str(history),
                "--by",
                "agent",
                "--period",
                "day",
                "--since",
                "2026-11-02",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "agent,period,events,failures,failure_rate,ci_low,ci_high"
    assert len(out) == 3  # alice on 11-02 and 11-03


def test_recoveries_and_unresolved(history, capsys):
    assert main(["failures", "recoveries", str(history), "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["a"]["recovered_by"] == "b"
    assert rows["a"]["hours_to_recover"] == pytest.approx(2.5)
    assert rows["d"]["state"] == "unresolved"
    assert (
        main(
            [
                "failures",
                "recoveries",
                str(history),
                "--unresolved",
                "--now",
                "2026-11-04T10:00:00Z",
                "--format",
                "json",
            ]
        )
        == 0
    )
    open_ = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["age_days"]) for r in open_] == [("d", 1.0)]
    assert main(["failures", "recoveries", str(history), "--stats", "agent"]) == 0
    assert "median_hours" in capsys.readouterr().out


def test_dora_table(history, capsys):
    assert main(["failures", "dora", str(history), "--period", "30D"]) == 0
    out = capsys.readouterr().out
    for measure in ("deployment_frequency", "lead_time", "change_failure_rate", "time_to_restore"):
        assert measure in out
    assert main(["failures", "dora", str(history), "--period", "soon"]) == 1
    assert "period" in capsys.readouterr().err


def test_runs_exit_code(tmp_path, capsys):
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            [
                {
                    "Name": "prod/vpc",
                    "Started": "2026-11-20T10:00:00Z",
                    "Ended": "2026-11-20T10:01:00Z",
                    "Result": "failed",
                    "Reason": "run error",
                    "Cause": "Error acquiring the state lock",
                },
                {
                    "Name": "prod/eks",
                    "Started": "2026-11-20T10:01:00Z",
                    "Ended": "2026-11-20T10:01:00Z",
                    "Result": "early exit",
                    "Reason": "ancestor error",
                    "Cause": "prod/vpc",
                },
                {
                    "Name": "prod/iam",
                    "Started": "2026-11-20T10:00:00Z",
                    "Ended": "2026-11-20T10:00:05Z",
                    "Result": "succeeded",
                },
            ]
        )
    )
    assert main(["failures", "runs", str(report), "--format", "json"]) == 2
    rows = {r["unit"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"prod/vpc", "prod/eks"}
    assert rows["prod/eks"]["root_unit"] == "prod/vpc"
    assert rows["prod/eks"]["failure_class"] == "transient"
    assert main(["failures", "runs", str(report), "--roots"]) == 2
    assert "prod/eks" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_recoveries_on_a_log_without_failures(tmp_path, capsys, fmt):
    """No failure at all: an empty table with the columns, not a TypeError from the empty datetime columns."""
    path = tmp_path / "project_history.json"
    entries = [entry("a", "2026-11-01T10:00:00Z", "alice", "deployment", "completed", [VPC], "Deploy vpc")]
    path.write_text(json.dumps({"entries": entries}))
    assert main(["failures", "recoveries", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    expected = {"json": "[]", "csv": "id,failed_at,agent,kind,task", "table": "(no rows)"}[fmt]
    assert out.startswith(expected)
    assert main(["failures", "recoveries", str(path), "--unresolved", "--format", fmt]) == 0
    assert capsys.readouterr().out.startswith(expected)

"""The drift report: its frames on the sample data, and the canary through the rendered HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import opslib
from opslib.drift_report import build_report

PLANS = Path(__file__).parent / "fixtures" / "plans"
CANARIES = ("CANARY-pl4nted-S3cret", "CANARY-b00tstrap-T0ken")
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_SECRETS = ("Sup3rS3cret!sample", "sbx-bootstrap-7Qx9vLk2mN4pR8tW", "canary-Sample-Pa55word")


@pytest.fixture(scope="module")
def live() -> opslib.TerragruntTree:
    return opslib.load_tree(SAMPLE / "infrastructure-live")


@pytest.fixture(scope="module")
def sample_changes(live: opslib.TerragruntTree) -> pd.DataFrame:
    return opslib.load_plans(SAMPLE / "plans", tree=live)


def test_sample_report_frames(
    live: opslib.TerragruntTree, sample_changes: pd.DataFrame, sample: Path
) -> None:
    report = build_report(sample_changes, tree=live, history=sample / "drift-history")
    assert report.outside_tree == ["real-terraform"]
    assert report.exit_code == 1  # staging ecs-worker's plan errored
    assert "1 plan(s) errored (non-prod/us-east-1/staging/ecs-worker)" in report.verdict
    head = report.headline()
    assert head["units_with_drift"] == 7 and head["drifted_resources"] == 8
    assert head["oldest_drift_days"] == 14
    assert report.matrix.loc["prod", "prod"] == 6
    top = report.causes.iloc[0]
    assert (top["type"], top["path"], top["before"], top["after"], top["units"]) == (
        "aws_cloudwatch_log_group",
        "retention_in_days",
        "365",
        "30",
        3,
    )
    node_group = report.ages[report.ages["address"] == "aws_eks_node_group.general"].iloc[0]
    assert node_group["age_days"] == 9 and bool(node_group["open"])
    assert "prod/us-east-1/prod/cloudwatch-alarms" in set(report.blast["unit"])
    assert {"drift", "planned"} == set(report.risk["kind"])
    counts = report.exit_code_counts().set_index(["exit_code", "environment"])["units"]
    assert counts[("1 error", "staging")] == 1
    assert counts.sum() == 59
    frames = [report.changes, report.drifted, report.attributes, report.causes, report.summary]
    text = "".join(f.to_json(default_handler=str) for f in frames)
    assert not any(secret in text for secret in SAMPLE_SECRETS)


def test_environment_filter(live: opslib.TerragruntTree, sample_changes: pd.DataFrame, sample: Path) -> None:
    report = build_report(sample_changes, tree=live, history=sample / "drift-history", environment="dev")
    assert set(report.summary["environment"]) == {"dev"}
    assert set(report.drifted["unit"]) == {"non-prod/us-east-1/dev/rds"}
    assert report.exit_code == 2
    assert set(report.ages["unit"]) == {"non-prod/us-east-1/dev/rds"}


def test_report_without_tree_or_history() -> None:
    changes = opslib.load_plans(PLANS / "outdir")
    report = build_report(changes)
    assert report.blast.empty and report.ages.empty
    assert report.exit_code == 1
    assert list(report.drifted["unit"]) == ["prod/us-east-1/prod/rds"]


@pytest.mark.slow
def test_canary_never_in_report_html(tmp_path: Path, sample: Path) -> None:
    plans = tmp_path / "plans"
    shutil.copytree(sample / "plans", plans)
    shutil.copy(PLANS / "show-1.2-drift-sensitive.json", plans / "prod/us-east-1/prod/rds/tfplan.json")
    assert CANARIES[0] in (plans / "prod/us-east-1/prod/rds/tfplan.json").read_text()
    executed = opslib.run_report("drift_report", {"plans": str(plans), "environment": ""}, tmp_path / "out")
    html = executed.with_suffix(".html").read_text(encoding="utf-8")
    notebook = executed.read_text(encoding="utf-8")
    assert "backup_retention_period" in html  # the planted plan's drift is in the report
    assert "prod/us-east-1/prod/rds" in html
    for secret in (*CANARIES, *SAMPLE_SECRETS):
        assert secret not in html
        assert secret not in notebook

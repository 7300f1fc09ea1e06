"""The cost report: its tables from the library, and the notebook on sample data and on a user's file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from opslib.costs.report import GROUPS, build_cost_report
from opslib.errors import ParameterError
from tests._costs_data import sample_tree

FIXTURES = Path(__file__).parent / "fixtures" / "costs"


def test_sample_report_has_every_table_and_a_verdict() -> None:
    report = build_cost_report(tree=sample_tree())
    assert report.source == "infracost" and report.currency == "USD"
    assert report.inputs["baseline"] and report.inputs["baseline"].endswith("infracost-baseline.json")
    for group in GROUPS:
        frame = report.totals[group]
        assert frame["monthly_cost_exact"].map(lambda d: d or Decimal(0)).sum() == report.total_monthly
    assert len(report.top_resources) == 15
    assert report.top_resources["monthly_cost"].is_monotonic_decreasing
    assert report.verdict is not None and report.changes is not None
    assert report.verdict.increase == sum(
        d for d in report.changes["delta_monthly_cost_exact"] if d is not None
    )
    assert len(report.unpriced) > 0 and report.unowned["share"] == 0.0
    summary = report.summary()
    json.dumps(summary)
    assert summary["verdict"] == report.verdict.status


def _by(frame: pd.DataFrame, key: str) -> dict[str, Decimal]:
    return dict(zip(frame[key], frame["monthly_cost_exact"], strict=True))


def test_report_amounts_are_the_hand_computed_ones() -> None:
    # report-breakdown.json prices the fixture tree by hand: lab ec2 30.37; shop api 72.08 (ecs)
    # + 16.43 (lb) + a usage-based log group without usage; shop db 263.80 (rds) + 0.40 (secret).
    # report-baseline.json is the same a month earlier: ecs at 36.04, no secret.
    report = build_cost_report(
        costs=str(FIXTURES / "report-breakdown.json"),
        tree=str(FIXTURES / "tree"),
        baseline=str(FIXTURES / "report-baseline.json"),
        threshold=30,
        top=3,
    )
    assert report.total_monthly == Decimal("383.08")
    assert _by(report.totals["account"], "account") == {"shop": Decimal("352.71"), "lab": Decimal("30.37")}
    assert _by(report.totals["environment"], "environment") == {
        "prod": Decimal("352.71"),
        "sandbox": Decimal("30.37"),
    }
    # shop prod is payments' (prod/tags.yml) except the db, whose own tags.yml says data
    assert _by(report.totals["team"], "team") == {
        "data": Decimal("264.20"),
        "payments": Decimal("88.51"),
        "(none)": Decimal("30.37"),
    }
    assert _by(report.totals["cost_center"], "cost_center") == {
        "CC-9": Decimal("352.71"),
        "(none)": Decimal("30.37"),
    }
    assert report.totals["team"]["unpriced"].tolist() == [0, 1, 0]
    assert report.top_resources["address"].tolist() == [
        "aws_db_instance.this",
        "aws_ecs_service.this",
        "aws_instance.this",
    ]
    assert report.unpriced["address"].tolist() == ["aws_cloudwatch_log_group.this"]
    assert report.untagged["address"].tolist() == ["aws_instance.this"]
    assert report.unowned["unowned"] == Decimal("30.37") and report.unowned["resources"] == 1
    # 383.08 - 346.64: the ecs service doubled (+36.04) and the secret is new (+0.40)
    assert report.verdict is not None and report.changes is not None
    assert report.verdict.increase == Decimal("36.44")
    assert (report.verdict.status, report.verdict.exit_code) == ("over_threshold", 2)
    moved = report.changes[report.changes["change"] != "unchanged"]
    assert dict(zip(moved["address"], moved["delta_monthly_cost_exact"], strict=True)) == {
        "aws_ecs_service.this": Decimal("36.04"),
        "aws_secretsmanager_secret.db": Decimal("0.40"),
    }
    within = build_cost_report(
        costs=str(FIXTURES / "report-breakdown.json"),
        tree=str(FIXTURES / "tree"),
        baseline=str(FIXTURES / "report-baseline.json"),
        threshold=36.44,
    )
    assert within.verdict is not None and within.verdict.exit_code == 0


def test_user_file_is_not_allocated_with_the_sample_tree() -> None:
    report = build_cost_report(costs=str(FIXTURES / "diff.json"), threshold=100)
    assert report.inputs["tree"] is None and report.inputs["baseline"] is None
    # the file's own past breakdown is the baseline
    assert report.verdict is not None and report.verdict.exit_code == 2
    assert report.unowned["share"] == 1.0 and len(report.untagged) == len(report.costs)
    skipped = build_cost_report(costs=str(FIXTURES / "diff.json"), baseline="")
    assert skipped.verdict is not None  # a diff file carries its own past
    plain = build_cost_report(costs=str(FIXTURES / "nested.json"))
    assert plain.verdict is None and plain.changes is None


def test_estimate_report_from_a_tree_and_currency_label() -> None:
    report = build_cost_report(costs="estimate", tree=str(FIXTURES / "tree"), currency="EUR", top=2)
    assert report.source == "catalog" and report.currency == "EUR"
    assert report.verdict is None  # a tree alone has no before-state
    assert report.top_resources["address"].tolist()[0] == "aws_db_instance.this"
    by_team = report.totals["team"].set_index("team")["monthly_cost"]
    assert by_team["data"] == pytest.approx(351.5) and "(none)" in by_team.index
    with pytest.raises(ParameterError, match="threshold"):
        build_cost_report(costs=str(FIXTURES / "diff.json"), threshold="a lot")


@pytest.mark.slow
def test_notebook_on_a_users_infracost_file(tmp_path: Path) -> None:
    from opslib import reports

    reports.run_report("cost_report", {"costs": str(FIXTURES / "diff.json"), "threshold": 500}, tmp_path)
    summary = json.loads((tmp_path / "cost_report.summary.json").read_text())
    assert summary["verdict"] == "within_threshold" and summary["monthly_increase"] == pytest.approx(250.404)
    page = (tmp_path / "cost_report.html").read_text()
    assert "aws_instance.legacy" in page and "Traceback" not in page

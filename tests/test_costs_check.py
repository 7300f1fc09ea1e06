"""diff per unit and resource, the threshold gate (exit codes), and the ``opslib cost`` CLI."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest

from opslib.cli import main
from opslib.costs import check, diff, estimate_costs, load_costs
from opslib.costs.estimate import PlannedResource
from opslib.errors import ParameterError

FIXTURES = Path(__file__).parent / "fixtures" / "costs"
DIFF = FIXTURES / "diff.json"
DOWNSIZE = FIXTURES.parent / "infracost_formats" / "diff-downsize.json"


def test_diff_from_one_infracost_diff_file() -> None:
    changes = diff(DIFF).set_index("address")
    assert changes.loc["aws_eks_node_group.general", "change"] == "changed"
    assert changes.loc["aws_eks_node_group.general", "delta_monthly_cost_exact"] == Decimal("216.24")
    assert changes.loc["aws_elasticache_replication_group.this", "change"] == "added"
    assert changes.loc["aws_instance.legacy", "change"] == "removed"
    assert changes.loc["aws_instance.legacy", "delta_monthly_cost"] == pytest.approx(-60.736)
    assert changes.loc["aws_nat_gateway.this", "change"] == "unchanged"
    # usage-based on both sides: unknown amounts, but nothing changed
    assert changes.loc["aws_sqs_queue.jobs", "change"] == "unchanged"
    assert math.isnan(changes.loc["aws_sqs_queue.jobs", "delta_monthly_cost"])
    assert changes.loc["aws_kms_key.this", "unit"] == "mgmt/us-east-1/mgmt/legacy"
    # sorted by the size of the change
    assert diff(DIFF).iloc[0]["address"] == "aws_eks_node_group.general"
    total = sum(d for d in changes["delta_monthly_cost_exact"] if d is not None)
    assert total == Decimal("250.404")


def test_diff_same_address_in_two_units_is_two_rows() -> None:
    base = estimate_costs([PlannedResource("a", "aws_eks_cluster.this", "aws_eks_cluster", {}, None)])
    head = estimate_costs(
        [
            PlannedResource("a", "aws_eks_cluster.this", "aws_eks_cluster", {}, None),
            PlannedResource("b", "aws_eks_cluster.this", "aws_eks_cluster", {}, None),
        ]
    )
    changes = diff(base, head).set_index("unit")
    assert changes.loc["a", "change"] == "unchanged" and changes.loc["b", "change"] == "added"


def test_diff_unknown_when_one_side_has_no_price() -> None:
    base = estimate_costs(
        [PlannedResource("u", "aws_instance.x", "aws_instance", {"instance_type": "t3.micro"})]
    )
    head = estimate_costs(
        [
            PlannedResource("u", "aws_instance.x", "aws_instance", {"instance_type": "zz.huge"}),
            PlannedResource("u", "aws_instance.y", "aws_instance", {"instance_type": "zz.huge"}),
        ]
    )
    changes = diff(base, head).set_index("address")
    # head's total is only the priced root volume (0.80): a delta of -7.59 would be a lie
    assert changes.loc["aws_instance.x", "change"] == "unknown"
    assert math.isnan(changes.loc["aws_instance.x", "delta_monthly_cost"])
    assert changes.loc["aws_instance.x", "head_status"] == "price_not_found"
    assert changes.loc["aws_instance.y", "change"] == "added"
    assert math.isnan(changes.loc["aws_instance.y", "delta_monthly_cost"])


def test_check_infracost_diff_file_over_threshold_exit_2() -> None:
    verdict = check(DIFF, threshold=100)
    assert verdict.increase == Decimal("250.404")
    assert verdict.past_monthly == Decimal("310.826") and verdict.current_monthly == Decimal("561.23")
    assert verdict.annual_impact == Decimal("3004.848")
    assert verdict.status == "over_threshold" and verdict.exit_code == 2
    assert "approval" in verdict.message and "3,004.85" in verdict.message


def test_check_threshold_boundary_and_savings() -> None:
    assert check(DIFF, threshold="250.404").exit_code == 0  # equal is not "passes"
    assert check(DIFF, threshold="250.403").exit_code == 2
    real = check(DOWNSIZE, threshold=100)
    assert real.status == "savings" and real.exit_code == 0
    assert real.savings == Decimal("254.88") and real.annual_impact == Decimal("-3058.56")
    small = check(DOWNSIZE, threshold=1000)
    assert small.status == "within_threshold" and small.exit_code == 0
    data = real.to_dict()
    assert data["savings_monthly"] == pytest.approx(254.88) and data["exact"]["increase_monthly"] == "-254.88"
    json.dumps(data)


def test_check_with_baseline_file_and_frames() -> None:
    # head = the diff file's current breakdown, baseline = the downsize file's current (184.8)
    verdict = check(DIFF, baseline=DOWNSIZE)
    assert verdict.increase == Decimal("561.23") - Decimal("184.8")
    frame_verdict = check(load_costs(DIFF), threshold=100, baseline=load_costs(DIFF, section="past"))
    assert frame_verdict.increase == Decimal("250.404")
    diff_verdict = check(diff(DIFF), threshold=300)
    assert diff_verdict.increase == Decimal("250.404") and diff_verdict.exit_code == 0


def test_check_breakdown_without_past_counts_everything_as_new() -> None:
    verdict = check(FIXTURES / "nested.json", threshold=100)
    assert verdict.past_monthly == 0 and verdict.increase == Decimal("151.468")
    assert verdict.exit_code == 2 and "new" in verdict.baseline


def test_check_rejects_bad_thresholds() -> None:
    with pytest.raises(ParameterError):
        check(DIFF, threshold=-1)
    with pytest.raises(ParameterError):
        check(DIFF, threshold="lots")


def test_cli_check_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "check", str(DIFF), "--threshold", "100"]) == 2
    out = capsys.readouterr().out
    assert "over_threshold" in out and "+250.40" in out
    assert main(["cost", "check", str(DIFF), "--threshold", "300"]) == 0
    capsys.readouterr()
    assert main(["cost", "check", str(DOWNSIZE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "savings" and data["annual_impact"] == pytest.approx(-3058.56)
    # against the downsized file's 184.80 the diff file's 561.23 is an increase over the default threshold
    assert main(["cost", "check", str(DIFF), "--baseline", str(DOWNSIZE)]) == 2
    assert "+376.43" in capsys.readouterr().out
    assert main(["cost", "check", str(DIFF), "--threshold", "x"]) == 1
    assert "threshold" in capsys.readouterr().err


def test_cli_show_estimate_diff(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "show", str(FIXTURES / "nested.json"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["address"] == "module.app.aws_instance.web[0]" and rows[0]["monthly_cost"] == 73.1
    lambda_row = next(r for r in rows if r["address"] == "aws_lambda_function.worker")
    assert lambda_row["monthly_cost"] is None  # NaN is null in JSON, not 0
    assert (
        main(["cost", "show", str(FIXTURES / "nested.json"), "--level", "component", "--format", "csv"]) == 0
    )
    assert "root_block_device.snapshot" in capsys.readouterr().out
    assert main(["cost", "estimate", str(FIXTURES / "tree"), "--by", "team", "--format", "json"]) == 0
    teams = {r["team"]: r["monthly_cost"] for r in json.loads(capsys.readouterr().out)}
    assert teams["data"] == pytest.approx(351.5) and "(none)" in teams
    assert main(["cost", "diff", str(DIFF)]) == 0
    out = capsys.readouterr().out
    assert "aws_instance.legacy" in out and "aws_nat_gateway.this" not in out
    assert main(["cost", "show", str(FIXTURES / "missing.json")]) == 2  # click usage error


def test_cli_show_with_tree_allocates(capsys: pytest.CaptureFixture[str]) -> None:
    from opslib._paths import sample_dir

    sample = sample_dir()
    breakdown = str(sample / "costs" / "infracost-breakdown.json")
    assert (
        main(
            [
                "cost",
                "show",
                breakdown,
                "--tree",
                str(sample / "infrastructure-live"),
                "--by",
                "cost_center",
                "--format",
                "json",
            ]
        )
        == 0
    )
    centers = {r["cost_center"] for r in json.loads(capsys.readouterr().out)}
    assert centers == {"CC-1000", "CC-1100", "CC-1200"}

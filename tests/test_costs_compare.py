"""``opslib.costs.compare`` on small hand-made inputs: totals, the per-resource diff and the gate's verdict.

Every amount asserted here is worked out by hand from the fixture, never recomputed by the code under test.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from opslib.costs import check, diff, load_costs, totals
from opslib.errors import SchemaError


def _resource(address: str, monthly: str | None, hourly: str | None = None) -> dict[str, Any]:
    """One infracost resource with a single fixed-price component."""
    return {
        "name": address,
        "resourceType": address.split(".")[0],
        "metadata": {},
        "hourlyCost": hourly,
        "monthlyCost": monthly,
        "costComponents": [
            {
                "name": "Instance usage",
                "unit": "hours",
                "hourlyQuantity": "1",
                "monthlyQuantity": "730",
                "price": "0",
                "hourlyCost": hourly,
                "monthlyCost": monthly,
                "usageBased": False,
                "priceNotFound": False,
            }
        ],
    }


def _infracost(
    path: Path,
    head: dict[str, list[dict[str, Any]]],
    past: dict[str, list[dict[str, Any]]] | None = None,
    currency: str = "USD",
    **totals_: str,
) -> Path:
    """An infracost JSON file: per project folder its current resources and, for a diff, its past ones."""
    projects = []
    for folder, resources in head.items():
        project: dict[str, Any] = {
            "name": folder,
            "metadata": {"path": folder},
            "breakdown": {"resources": resources},
        }
        if past is not None:
            project["pastBreakdown"] = {"resources": past.get(folder, [])}
        projects.append(project)
    document = {"version": "0.2", "currency": currency, "projects": projects, **totals_}
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def _plain_costs() -> pd.DataFrame:
    """A cost frame a user built by hand: float costs only, no ``*_exact`` columns."""
    return pd.DataFrame(
        {
            "project": ["web", "data", "data", "ops"],
            "team": ["web", "data", "data", None],
            "monthly_cost": [5.0, 2.5, 2.5, float("nan")],
            "hourly_cost": [0.25, 0.125, 0.125, float("nan")],
            "price_not_found": [False, False, False, False],
        }
    )


def test_totals_of_float_costs_are_exact_decimals() -> None:
    frame = pd.DataFrame(
        {
            "monthly_cost": [0.1, 0.2, float("nan")],
            "hourly_cost": [0.01, 0.02, float("nan")],
            "price_not_found": [False, False, False],
        }
    )
    overall = totals(frame).iloc[0]
    # 0.1 + 0.2 is 0.3 dollars exactly, not 0.30000000000000004; the NaN row is counted, not added
    assert overall["monthly_cost_exact"] == Decimal("0.3")
    assert overall["monthly_cost"] == 0.3
    assert overall["hourly_cost"] == 0.03
    assert overall["resources"] == 3 and overall["unpriced"] == 1


def test_totals_table_columns_counts_and_tie_order() -> None:
    by_team = totals(_plain_costs(), by="team")
    assert list(by_team.columns) == [
        "team",
        "monthly_cost",
        "hourly_cost",
        "monthly_cost_exact",
        "resources",
        "unpriced",
        "share",
    ]
    # data (2.5 + 2.5) ties with web (5.0): a tie is listed in the order of its group name
    assert by_team["team"].tolist() == ["data", "web", "(none)"]
    assert by_team["monthly_cost_exact"].tolist()[:2] == [Decimal("5.0"), Decimal("5.0")]
    assert math.isnan(by_team["monthly_cost"].iloc[2])
    assert by_team["hourly_cost"].tolist()[:2] == [0.25, 0.25]
    assert by_team["resources"].tolist() == [2, 1, 1]
    assert by_team["unpriced"].tolist() == [0, 0, 1]
    # shares of the known 10.00: the unknown group has no share, not 0
    assert by_team["share"].tolist()[:2] == [0.5, 0.5] and math.isnan(by_team["share"].iloc[2])
    assert list(by_team.index) == [0, 1, 2]


def test_totals_hourly_comes_from_the_hourly_column(tmp_path: Path) -> None:
    costs = load_costs(
        _infracost(
            tmp_path / "breakdown.json",
            {
                "live/app": [
                    _resource("aws_instance.a", "73", "0.1"),
                    _resource("aws_instance.b", "36.5", "0.05"),
                ]
            },
        )
    )
    overall = totals(costs).iloc[0]
    assert overall["monthly_cost_exact"] == Decimal("109.5")
    assert overall["hourly_cost"] == 0.15


def _tied_diff(tmp_path: Path) -> Path:
    # c grows by 5.00 and d shrinks by 5.00; the two addresses before them are unchanged
    return _infracost(
        tmp_path / "diff.json",
        head={
            "live/app": [
                _resource("aws_eip.a", "3.65"),
                _resource("aws_eip.b", "3.65"),
                _resource("aws_instance.c", "15.00"),
                _resource("aws_instance.d", "15.00"),
            ]
        },
        past={
            "live/app": [
                _resource("aws_eip.a", "3.65"),
                _resource("aws_eip.b", "3.65"),
                _resource("aws_instance.c", "10.00"),
                _resource("aws_instance.d", "20.00"),
            ]
        },
        totalMonthlyCost="37.30",
        pastTotalMonthlyCost="37.30",
    )


def test_diff_shows_both_sides_and_keeps_ties_in_address_order(tmp_path: Path) -> None:
    changes = diff(_tied_diff(tmp_path))
    # |+5| and |-5| tie, as do the two unchanged addresses: ties stay in address order
    assert changes["address"].tolist() == ["aws_instance.c", "aws_instance.d", "aws_eip.a", "aws_eip.b"]
    assert changes["change"].tolist() == ["changed", "changed", "unchanged", "unchanged"]
    assert changes["resource_type"].tolist() == ["aws_instance", "aws_instance", "aws_eip", "aws_eip"]
    assert set(changes["project"]) == {"live/app"} and set(changes["unit"]) == {"app"}
    assert changes["base_monthly_cost"].tolist() == [10.0, 20.0, 3.65, 3.65]
    assert changes["head_monthly_cost"].tolist() == [15.0, 15.0, 3.65, 3.65]
    assert changes["delta_monthly_cost_exact"].tolist() == [
        Decimal("5.00"),
        Decimal("-5.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]


def test_diff_and_its_verdict_keep_the_files_currency(tmp_path: Path) -> None:
    past = {"live/app": [_resource("aws_instance.a", "100")]}
    euros = _infracost(
        tmp_path / "eur.json", {"live/app": [_resource("aws_instance.a", "250.50")]}, past, currency="EUR"
    )
    changes = diff(euros)
    assert changes.attrs["currency"] == "EUR"
    verdict = check(changes, threshold=100)
    assert verdict.currency == "EUR" and verdict.increase == Decimal("150.50")
    assert verdict.message.startswith("cost increase +150.50 EUR/month (+1,806.00 EUR/year)")
    assert check(load_costs(euros), threshold=300).currency == "EUR"
    dollars = _infracost(tmp_path / "usd.json", {"live/app": [_resource("aws_instance.a", "100")]})
    with pytest.raises(SchemaError, match="base is priced in USD and head in EUR"):
        diff(dollars, euros)
    # a hand-made frame that names no currency takes the other side's
    unnamed = load_costs(dollars)
    unnamed.attrs.clear()
    assert diff(unnamed, euros).attrs["currency"] == "EUR"
    assert diff(euros, unnamed).attrs["currency"] == "EUR"


def test_diff_of_one_frame_names_what_it_needs(tmp_path: Path) -> None:
    costs = load_costs(_infracost(tmp_path / "one.json", {"live/app": [_resource("aws_instance.a", "1")]}))
    with pytest.raises(SchemaError, match="two cost frames, or one infracost diff file"):
        diff(costs)


def test_check_names_the_baseline_it_compared_with(tmp_path: Path) -> None:
    diff_file = _tied_diff(tmp_path)
    assert check(diff_file).baseline == "past breakdown in the file"
    breakdown = _infracost(tmp_path / "breakdown.json", {"live/app": [_resource("aws_instance.a", "40")]})
    assert check(breakdown).baseline == "none (all costs counted as new)"
    frame = load_costs(breakdown)
    assert check(frame).baseline == "none (all costs counted as new)"
    assert check(frame, baseline=frame).baseline == "baseline frame"
    assert check(frame, baseline=diff_file).baseline == f"baseline {diff_file}"
    from_diff = check(diff(diff_file))
    assert from_diff.baseline == "diff frame" and from_diff.currency == "USD"
    assert from_diff.to_dict()["message"].endswith("is within the threshold of 100.00 USD")


def test_check_names_what_it_cannot_read() -> None:
    with pytest.raises(SchemaError, match="infracost path, a cost frame or a diff, not int"):
        check(42)


def test_verdict_as_json_keeps_every_field(tmp_path: Path) -> None:
    base = _infracost(tmp_path / "base.json", {"live/app": [_resource("aws_instance.a", "40")]})
    head = _infracost(
        tmp_path / "head.json",
        {"live/app": [_resource("aws_instance.a", "160.25"), _resource("aws_lambda_function.f", None)]},
    )
    data = check(load_costs(head), threshold=100, baseline=base).to_dict()
    assert data == {
        "status": "over_threshold",
        "exit_code": 2,
        "currency": "USD",
        "current_monthly": 160.25,
        "past_monthly": 40.0,
        "increase_monthly": 120.25,
        "increase_pct": 300.625,
        "savings_monthly": 0.0,
        "annual_impact": 1443.0,
        "threshold": 100.0,
        "baseline": f"baseline {base}",
        "unpriced": 1,
        "message": "cost increase +120.25 USD/month (+1,443.00 USD/year) passes the threshold of 100.00 USD: "
        "approval needed; 1 resource(s) have no known cost and are not counted",
        "exact": {
            "current_monthly": "160.25",
            "past_monthly": "40",
            "increase_monthly": "120.25",
            "annual_impact": "1443.00",
        },
    }

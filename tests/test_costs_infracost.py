"""load_costs on our infracost JSON: rolling up, nulls, priceNotFound, paths, errors."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import opslib
from opslib.costs import RESOURCE_COLUMNS, load_costs, read_infracost, unit_from_path
from opslib.errors import ParseError, SchemaError

FIXTURES = Path(__file__).parent / "fixtures" / "costs"
NESTED = FIXTURES / "nested.json"
FORMATS = FIXTURES.parent / "infracost_formats"


def _row(frame: pd.DataFrame, address: str) -> pd.Series:
    rows = frame[frame["address"] == address]
    assert len(rows) == 1, f"{address}: {len(rows)} rows"
    return rows.iloc[0]


def test_public_name_and_columns() -> None:
    costs = opslib.load_costs(NESTED)
    assert list(costs.columns) == RESOURCE_COLUMNS
    assert costs["monthly_cost"].dtype == "float64"
    assert costs["price_not_found"].dtype == bool
    assert set(costs["price_source"]) == {"infracost"}


def test_subresources_nested_two_levels_roll_into_parent() -> None:
    costs = load_costs(NESTED)
    web = _row(costs, "module.app.aws_instance.web[0]")
    # 60.736 instance + 8 root volume + 4.364 snapshot (a subresource of the subresource)
    assert web["monthly_cost_exact"] == Decimal("73.1")
    assert web["components"] == 3
    assert web["resource_type"] == "aws_instance"
    assert web["usage_based"]  # the snapshot component is usage-based
    assert web["status"] == "priced"


def test_component_level_keeps_subresource_paths() -> None:
    comps = load_costs(NESTED, level="component")
    web = comps[comps["address"] == "module.app.aws_instance.web[0]"]
    assert list(web["subresource"].fillna("")) == ["", "root_block_device", "root_block_device.snapshot"]
    assert web["monthly_cost_exact"].tolist() == [Decimal("60.736"), Decimal("8"), Decimal("4.364")]
    assert web.iloc[0]["quantity_unit"] == "hours"
    assert web.iloc[0]["monthly_quantity"] == 730.0
    # the component rows add up to the resource row exactly
    resources = load_costs(NESTED)
    assert (
        sum(web["monthly_cost_exact"])
        == _row(resources, "module.app.aws_instance.web[0]")["monthly_cost_exact"]
    )


def test_nulls_stay_nan_never_zero() -> None:
    costs = load_costs(NESTED)
    worker = _row(costs, "aws_lambda_function.worker")
    assert math.isnan(worker["monthly_cost"]) and math.isnan(worker["hourly_cost"])
    assert worker["monthly_cost_exact"] is None
    assert worker["status"] == "usage_based"
    comps = load_costs(NESTED, level="component")
    duration = comps[comps["component"] == "Duration (first 6B)"].iloc[0]
    assert math.isnan(duration["monthly_cost"]) and duration["price"] == pytest.approx(0.0000166667)
    assert duration["price_exact"] == Decimal("0.0000166667")


def test_price_not_found_is_visible() -> None:
    costs = load_costs(NESTED)
    db = _row(costs, "aws_db_instance.main")
    assert db["price_not_found"] and db["status"] == "price_not_found"
    # only the storage part is known: it is what infracost counted, not a made-up zero for the instance
    assert db["monthly_cost_exact"] == Decimal("11.5")
    comps = load_costs(NESTED, level="component")
    inst = comps[comps["component"].str.startswith("Database instance")].iloc[0]
    assert inst["price_not_found"] and math.isnan(inst["monthly_cost"])


def test_missing_totals_are_rolled_up_and_type_read_from_address() -> None:
    nat = _row(load_costs(NESTED), "aws_nat_gateway.this")
    assert nat["resource_type"] == "aws_nat_gateway"
    assert nat["monthly_cost_exact"] == Decimal("32.85")
    assert nat["hourly_cost_exact"] == Decimal("32.85") / 730


def test_bad_decimal_is_reported_lenient_and_raises_strict() -> None:
    costs = load_costs(NESTED)
    eip = _row(costs, "aws_eip.nat")
    assert math.isnan(eip["monthly_cost"]) and eip["status"] == "unknown"
    errors = costs.attrs["errors"]
    assert len(errors) == 1 and "resources[1].monthlyCost" in errors[0]["message"]
    assert errors[0]["path"] == str(NESTED)
    with pytest.raises(ParseError, match=r"3\.65x"):
        load_costs(NESTED, strict=True)


def test_projects_map_to_unit_ids_through_metadata_path() -> None:
    units = load_costs(NESTED).drop_duplicates("project").set_index("project")["unit"].to_dict()
    assert units == {
        "acme/infrastructure-live/prod/us-east-1/prod/app": "prod/us-east-1/prod/app",
        "non-prod rds": "non-prod/us-east-1/dev/rds",
        "absolute": "mgmt/us-east-1/mgmt/sandbox",
    }


@pytest.mark.parametrize(
    ("path", "unit_ids", "root", "expected"),
    [
        ("infrastructure-live/prod/eks", None, None, "prod/eks"),
        ("./prod/eks/", None, None, "prod/eks"),
        ("C:\\ci\\infrastructure-live\\prod\\eks", None, None, "prod/eks"),
        ("/abs/tree/prod/eks", None, "/abs/tree", "prod/eks"),
        (
            "/somewhere/else/prod/us-east-1/eks",
            ["prod/us-east-1/eks", "us-east-1/eks"],
            None,
            "prod/us-east-1/eks",
        ),
        ("repo/live/dev/vpc/.terragrunt-cache/a/b", None, None, "dev/vpc"),
        (".", None, None, "."),
    ],
)
def test_unit_from_path(path: str, unit_ids: list[str] | None, root: str | None, expected: str) -> None:
    assert unit_from_path(path, unit_ids, root=root) == expected


def test_root_totals_are_exact_and_match_rows() -> None:
    costs = load_costs(NESTED)
    totals = costs.attrs["totals"]
    assert totals["totalMonthlyCost"] == Decimal("151.468")
    known = sum(v for v in costs["monthly_cost_exact"] if v is not None)
    # exact (no float drift); the EIP whose amount is not a number is left out, not counted as 0
    assert known == Decimal("151.468") - Decimal("3.65")


def test_infracost_diff_output() -> None:
    path = FORMATS / "diff-downsize.json"
    report = read_infracost(path)
    assert report.has_past and report.command == "diff"
    assert report.totals["diffTotalMonthlyCost"] == Decimal("-254.88")
    now = load_costs(path)
    assert now["address"].tolist() == ["aws_instance.api_server"]
    assert now.iloc[0]["monthly_cost_exact"] == Decimal("184.8")
    past = load_costs(path, section="past")
    assert sorted(past["address"]) == ["aws_instance.api_server", "aws_instance.batch_worker"]
    # older writers leave resourceType out: it is read from the address
    assert set(past["resource_type"]) == {"aws_instance"}
    assert sum(past["monthly_cost_exact"]) == Decimal("439.68")
    signed = load_costs(path, section="diff")
    assert sum(signed["monthly_cost_exact"]) == Decimal("-254.88")
    assert now.iloc[0]["unit"] == "envs/prod/api"


def test_usage_based_breakdown_without_cost_keys() -> None:
    costs = load_costs(FORMATS / "breakdown-usage-based.json")
    row = costs.iloc[0]
    assert row["resource_type"] == "aws_ecr_repository"
    assert math.isnan(row["monthly_cost"]) and row["usage_based"] and row["status"] == "usage_based"
    assert row["tags"] == {"team": "platform", "env": "staging"}
    assert row["unit"] == "."


def test_errors_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "version": "0.2",\n  "projects": [\n}\n')
    with pytest.raises(ParseError) as info:
        load_costs(broken)
    assert info.value.line == 4 and str(broken) in str(info.value)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}))
    with pytest.raises(SchemaError, match="projects"):
        load_costs(other)
    with pytest.raises(ParseError, match="cannot read"):
        load_costs(tmp_path / "missing.json")
    with pytest.raises(SchemaError, match="level"):
        load_costs(NESTED, level="everything")  # type: ignore[arg-type]


def test_empty_projects_give_an_empty_frame_with_columns(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"version": "0.2", "currency": "EUR", "projects": []}))
    costs = load_costs(empty)
    assert costs.empty and list(costs.columns) == RESOURCE_COLUMNS
    assert costs.attrs["currency"] == "EUR"


def test_resource_tags_give_owner_columns_without_a_tree() -> None:
    web = _row(load_costs(NESTED), "module.app.aws_instance.web[0]")
    assert (web["team"], web["cost_center"], web["environment"]) == ("payments", "CC-7", "prod")
    assert web["allocation_source"] == "tags"


money = st.decimals(
    min_value=Decimal("-100000"), max_value=Decimal("100000"), places=6, allow_nan=False, allow_infinity=False
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), money), min_size=0, max_size=12))
def test_decimal_strings_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory, amounts: list[Decimal | None]
) -> None:
    resources = [
        {
            "name": f"aws_instance.r{i}",
            "resourceType": "aws_instance",
            "monthlyCost": None if a is None else str(a),
            "hourlyCost": None,
            "costComponents": [],
        }
        for i, a in enumerate(amounts)
    ]
    doc = {
        "version": "0.2",
        "currency": "USD",
        "projects": [{"name": "p", "metadata": {"path": "p"}, "breakdown": {"resources": resources}}],
    }
    path = tmp_path_factory.mktemp("hyp") / "costs.json"
    path.write_text(json.dumps(doc))
    costs = load_costs(path)
    assert costs["monthly_cost_exact"].tolist() == amounts
    assert costs["monthly_cost"].isna().tolist() == [a is None for a in amounts]
    from opslib.costs import totals

    expected = (
        sum((a for a in amounts if a is not None), Decimal(0))
        if any(a is not None for a in amounts)
        else None
    )
    got = totals(costs)["monthly_cost_exact"].iloc[0] if len(costs) else None
    assert got == expected


def test_project_errors_are_listed(tmp_path: Path) -> None:
    doc = {
        "version": "0.2",
        "currency": "USD",
        "projects": [
            {
                "name": "dev/vpc",
                "metadata": {
                    "path": "dev/vpc",
                    "errors": [{"code": 201, "message": "Error loading Terragrunt modules"}],
                },
                "breakdown": None,
            }
        ],
    }
    path = tmp_path / "errored.json"
    path.write_text(json.dumps(doc))
    costs = load_costs(path)
    assert costs.empty
    assert "Error loading Terragrunt modules" in costs.attrs["errors"][0]["message"]
    with pytest.raises(ParseError, match="dev/vpc"):
        load_costs(path, strict=True)

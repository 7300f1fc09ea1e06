"""Allocation: account.hcl locals, unit inputs, tags.yml overrides, resource tags; the unowned share."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import opslib
from opslib.costs import allocate, load_costs, ownership, totals, unowned_share
from opslib.costs.estimate import PlannedResource
from opslib.errors import SchemaError
from tests._costs_data import sample_tree

FIXTURES = Path(__file__).parent / "fixtures" / "costs"
TREE = FIXTURES / "tree"


def _units(**extra: object) -> pd.DataFrame:
    units = pd.DataFrame(
        {
            "unit": ["shop/us-east-1/prod/api", "shop/us-east-1/prod/db", "lab/us-east-1/sandbox/ec2"],
            "account": ["shop", "shop", "lab"],
            "environment": ["prod", "prod", "sandbox"],
            "region": ["us-east-1"] * 3,
            "inputs": [{}, {}, {}],
            **extra,
        }
    )
    units.attrs["root"] = str(TREE)
    return units


def test_ownership_precedence_account_then_tags_yml() -> None:
    owners = ownership(_units()).set_index("unit")
    api = owners.loc["shop/us-east-1/prod/api"]
    # account.hcl says platform/CC-1; the env tags.yml overrides both
    assert (api["team"], api["cost_center"], api["owner"]) == ("payments", "CC-9", "ops@shop.example")
    assert api["allocation_source"] == "tags.yml"
    # the unit's own tags.yml is nearer than the env one
    assert owners.loc["shop/us-east-1/prod/db", "team"] == "data"
    assert pd.isna(owners.loc["lab/us-east-1/sandbox/ec2", "team"])


def test_unit_inputs_tags_between_account_and_tags_yml() -> None:
    units = _units(
        inputs=[{"tags": {"Team": "checkout", "CostCenter": "CC-5"}}, {}, {"tags": {"team": "research"}}]
    )
    owners = ownership(units).set_index("unit")
    assert owners.loc["lab/us-east-1/sandbox/ec2", "team"] == "research"
    assert owners.loc["lab/us-east-1/sandbox/ec2", "allocation_source"] == "inputs"
    # tags.yml still wins over the inputs
    assert owners.loc["shop/us-east-1/prod/api", "team"] == "payments"


def test_allocate_joins_on_unit_and_resource_tags_win() -> None:
    from opslib.costs import estimate_costs

    costs = estimate_costs(
        [
            PlannedResource("shop/us-east-1/prod/api", "aws_eks_cluster.a", "aws_eks_cluster", {}, None),
            PlannedResource(
                "shop/us-east-1/prod/api",
                "aws_eks_cluster.b",
                "aws_eks_cluster",
                {},
                None,
                tags={"Team": "mobile"},
            ),
            PlannedResource("lab/us-east-1/sandbox/ec2", "aws_eks_cluster.c", "aws_eks_cluster", {}, None),
            PlannedResource("not/in/tree", "aws_eks_cluster.d", "aws_eks_cluster", {}, None),
        ]
    )
    out = allocate(costs, _units()).set_index("address")
    assert out.loc["aws_eks_cluster.a", ["account", "environment", "team", "cost_center"]].tolist() == [
        "shop",
        "prod",
        "payments",
        "CC-9",
    ]
    assert out.loc["aws_eks_cluster.b", "team"] == "mobile"
    assert out.loc["aws_eks_cluster.b", "allocation_source"] == "tags"
    assert pd.isna(out.loc["aws_eks_cluster.d", "account"]) and pd.isna(out.loc["aws_eks_cluster.d", "team"])


def test_unowned_share_is_exact() -> None:
    from opslib.costs import estimate_costs

    costs = allocate(
        estimate_costs(
            [
                PlannedResource("shop/us-east-1/prod/api", "aws_eks_cluster.a", "aws_eks_cluster", {}, None),
                PlannedResource(
                    "lab/us-east-1/sandbox/ec2", "aws_eks_cluster.b", "aws_eks_cluster", {}, None
                ),
                PlannedResource(
                    "lab/us-east-1/sandbox/ec2", "aws_eks_cluster.c", "aws_eks_cluster", {}, None
                ),
            ]
        ),
        _units(),
    )
    share = unowned_share(costs)
    assert share["unowned"] == Decimal("146.000") and share["total"] == Decimal("219.000")
    assert share["share"] == pytest.approx(2 / 3) and share["resources"] == 2
    by_team = totals(costs, "team").set_index("team")
    assert by_team.loc["(none)", "monthly_cost_exact"] == Decimal("146.000")
    assert by_team["share"].sum() == pytest.approx(1.0)


def test_load_costs_with_a_real_tree_maps_and_allocates() -> None:
    tree = opslib.load_tree(TREE)
    costs = load_costs(FIXTURES / "diff.json", tree=tree)
    # units not in this tree keep missing allocation; nothing is invented
    assert costs["account"].isna().all()
    units_costs = load_costs(FIXTURES / "nested.json", tree=TREE)
    assert set(units_costs["unit"]) == {
        "prod/us-east-1/prod/app",
        "non-prod/us-east-1/dev/rds",
        "mgmt/us-east-1/mgmt/sandbox",
    }


def test_sample_tree_allocation_covers_every_unit() -> None:

    tree = sample_tree()
    owners = ownership(tree)
    assert len(owners) == len(tree.units)
    assert owners["team"].notna().all() and owners["cost_center"].notna().all()
    prod = owners[owners["account"] == "prod"]
    assert set(prod["cost_center"]) == {"CC-1100"}


def test_bad_tree_argument() -> None:
    with pytest.raises(SchemaError):
        ownership(object())
    with pytest.raises(SchemaError):
        ownership(pd.DataFrame({"x": [1]}))

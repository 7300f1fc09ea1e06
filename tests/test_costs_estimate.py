"""The offline estimate: catalogue prices, plans, trees; unpriced resources listed, never costed at zero."""

from __future__ import annotations

import math
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import opslib
from opslib._paths import sample_dir
from opslib.costs import RESOURCE_COLUMNS, estimate_costs, load_catalog
from opslib.costs.estimate import PlannedResource, module_kind, region_of
from opslib.costs.pricing import price_resource
from opslib.errors import ParseError, SchemaError
from tests._costs_data import sample_plans, sample_tree

FIXTURES = Path(__file__).parent / "fixtures" / "costs"
SAMPLE = sample_dir()


def _plans(*rows: dict) -> pd.DataFrame:
    base = {
        "unit": "prod/us-east-1/prod/app",
        "mode": "managed",
        "kind": "planned",
        "action": "create",
        "before": None,
    }
    return pd.DataFrame([{**base, **row} for row in rows])


def _one(frame: pd.DataFrame, address: str) -> pd.Series:
    rows = frame[frame["address"] == address]
    assert len(rows) == 1
    return rows.iloc[0]


def test_catalog_is_exact_and_documented() -> None:
    catalog = load_catalog()
    row = catalog.lookup("us-east-1", "aws_instance", "m6i.large")
    assert row is not None and row.price == Decimal("0.096") and row.unit == "hour"
    assert row.source.startswith("https://aws.amazon.com/") and row.price_date
    assert catalog.lookup("eu-west-1", "aws_eks_cluster").price == Decimal("0.10")  # type: ignore[union-attr]
    assert catalog.lookup("eu-west-1", "aws_subnet").free  # type: ignore[union-attr]
    assert catalog.lookup("us-east-1", "aws_nat_gateway", "data").usage_based  # type: ignore[union-attr]
    frame = catalog.to_frame()
    assert {"us-east-1", "eu-west-1"} <= set(frame["region"])
    assert (frame["price_usd"] >= 0).all()


def test_monthly_is_hourly_times_730_exactly() -> None:
    costs = estimate_costs(
        _plans(
            {
                "address": "aws_instance.web",
                "type": "aws_instance",
                "after": {
                    "instance_type": "m6i.large",
                    "root_block_device": [{"volume_size": 50, "volume_type": "gp3"}],
                },
            },
        )
    )
    web = _one(costs, "aws_instance.web")
    # 0.096/h x 730 + 50 GB x 0.08
    assert web["monthly_cost_exact"] == Decimal("0.096") * 730 + Decimal("50") * Decimal("0.08")
    assert web["price_source"] == "catalog" and web["region"] == "us-east-1"
    assert list(costs.columns) == RESOURCE_COLUMNS


def test_each_priced_type_with_known_sizes() -> None:
    costs = estimate_costs(
        _plans(
            {"address": "aws_eks_cluster.this", "type": "aws_eks_cluster", "after": {}},
            {
                "address": "aws_eks_node_group.general",
                "type": "aws_eks_node_group",
                "after": {
                    "instance_types": ["t3.large"],
                    "scaling_config": [{"desired_size": 3}],
                    "disk_size": 20,
                },
            },
            {
                "address": "aws_db_instance.main",
                "type": "aws_db_instance",
                "after": {
                    "engine": "postgres",
                    "instance_class": "db.t3.medium",
                    "allocated_storage": 100,
                    "storage_type": "gp3",
                    "multi_az": True,
                },
            },
            {"address": "aws_nat_gateway.a", "type": "aws_nat_gateway", "after": {}},
            {"address": "aws_lb.public", "type": "aws_lb", "after": {"load_balancer_type": "network"}},
            {
                "address": "aws_ebs_volume.data",
                "type": "aws_ebs_volume",
                "after": {"type": "gp3", "size": 200, "iops": 4000, "throughput": 125},
            },
            {
                "address": "aws_elasticache_replication_group.r",
                "type": "aws_elasticache_replication_group",
                "after": {"node_type": "cache.r6g.large", "num_cache_clusters": 2},
            },
        )
    )
    monthly = dict(zip(costs["address"], costs["monthly_cost_exact"], strict=True))
    h = Decimal(730)
    assert monthly["aws_eks_cluster.this"] == Decimal("0.10") * h
    assert monthly["aws_eks_node_group.general"] == Decimal("0.0832") * 3 * h + 60 * Decimal("0.10")
    assert monthly["aws_db_instance.main"] == Decimal("0.072") * 2 * h + 200 * Decimal("0.115")
    assert monthly["aws_nat_gateway.a"] == Decimal("0.045") * h
    assert monthly["aws_lb.public"] == Decimal("0.0225") * h
    assert monthly["aws_ebs_volume.data"] == 200 * Decimal("0.08") + 1000 * Decimal("0.005")
    assert monthly["aws_elasticache_replication_group.r"] == Decimal("0.206") * 2 * h
    nat = _one(costs, "aws_nat_gateway.a")
    assert nat["usage_based"] and nat["status"] == "priced"  # hourly known, data processed usage-based


def test_region_from_unit_and_eu_prices() -> None:
    costs = estimate_costs(
        _plans(
            {
                "unit": "prod/eu-west-1/prod/eks",
                "address": "aws_eks_node_group.g",
                "type": "aws_eks_node_group",
                "after": {"instance_types": ["m5.large"], "scaling_config": [{"desired_size": 1}]},
            },
        )
    )
    row = costs.iloc[0]
    assert row["region"] == "eu-west-1"
    assert row["monthly_cost_exact"] == Decimal("0.107") * 730 + 20 * Decimal("0.11")


def test_unpriced_resources_are_listed_never_zero() -> None:
    costs = estimate_costs(
        _plans(
            {
                "address": "aws_instance.odd",
                "type": "aws_instance",
                "after": {"instance_type": "x2iedn.32xlarge"},
            },
            {"address": "aws_mq_broker.q", "type": "aws_mq_broker", "after": {}},
            {
                "address": "aws_lambda_function.f",
                "type": "aws_lambda_function",
                "after": {"memory_size": 512},
            },
            {"address": "aws_security_group.sg", "type": "aws_security_group", "after": {}},
        )
    )
    odd = _one(costs, "aws_instance.odd")
    assert odd["price_not_found"] and odd["status"] == "price_not_found"
    # the root volume is priced, the instance is not: the row says so instead of hiding it
    assert odd["monthly_cost_exact"] == Decimal("0.8")
    broker = _one(costs, "aws_mq_broker.q")
    assert (
        broker["status"] == "unsupported" and broker["price_not_found"] and math.isnan(broker["monthly_cost"])
    )
    fn = _one(costs, "aws_lambda_function.f")
    assert fn["status"] == "usage_based" and math.isnan(fn["monthly_cost"]) and fn["usage_based"]
    sg = _one(costs, "aws_security_group.sg")
    assert sg["status"] == "free" and sg["monthly_cost"] == 0.0


def test_deletes_and_data_sources_are_not_in_the_after_state() -> None:
    plans = _plans(
        {
            "address": "aws_instance.old",
            "type": "aws_instance",
            "action": "delete",
            "before": {"instance_type": "t3.micro"},
            "after": None,
        },
        {"address": "data.aws_ami.x", "type": "aws_ami", "mode": "data", "action": "read", "after": {}},
        {"address": "aws_instance.new", "type": "aws_instance", "after": {"instance_type": "t3.small"}},
    )
    after = estimate_costs(plans)
    assert after["address"].tolist() == ["aws_instance.new"]
    before = estimate_costs(plans, state="before")
    assert before["address"].tolist() == ["aws_instance.old"]
    change = opslib.costs.diff(before, after)
    assert set(change["change"]) == {"added", "removed"}


def test_service_and_asg_sizes_come_from_siblings() -> None:
    costs = estimate_costs(
        _plans(
            {
                "address": "aws_ecs_service.api",
                "type": "aws_ecs_service",
                "after": {"desired_count": 2, "launch_type": "FARGATE", "task_definition": "api:3"},
            },
            {
                "address": "aws_ecs_task_definition.api",
                "type": "aws_ecs_task_definition",
                "after": {"family": "api", "cpu": "512", "memory": "1024"},
            },
        )
    )
    api = _one(costs, "aws_ecs_service.api")
    assert api["monthly_cost_exact"] == (Decimal("0.04048") + Decimal("0.004445") * 2) * 730


def test_estimate_from_sample_plans_prices_or_lists_every_resource() -> None:
    plans = sample_plans()
    costs = estimate_costs(plans)
    managed = plans[
        (plans["mode"] == "managed")
        & (plans["kind"] == "planned")
        & ~plans["action"].isin(["delete", "forget", "read"])
    ]
    assert len(costs) == len(managed)
    known = costs["monthly_cost"].notna()
    # every row is either costed or says why not; never a silent zero for an unknown price
    assert set(costs.loc[~known, "status"]) <= {"usage_based", "price_not_found", "unsupported"}
    assert (costs.loc[costs["status"] == "priced", "monthly_cost"] > 0).all()
    assert set(costs.loc[costs["monthly_cost"] == 0, "status"]) == {"free"}
    # every resource type of the sample tree is known to the catalogue (terraform_data is the real-plan demo)
    unsupported = set(costs.loc[costs["status"] == "unsupported", "resource_type"])
    assert unsupported <= {"terraform_data"}


def test_every_sample_tree_resource_type_is_priced_or_free() -> None:
    sys.path.insert(0, str(SAMPLE))
    try:
        from _gen import tree as sample_tree
    finally:
        sys.path.remove(str(SAMPLE))
    catalog = load_catalog()
    types = {r["type"]: r["attributes"] for u in sample_tree.UNITS for r in u["resources"]}
    statuses = {t: price_resource(t, attrs, "us-east-1", catalog).status for t, attrs in types.items()}
    assert not {t for t, s in statuses.items() if s in ("unsupported", "price_not_found")}, statuses


def test_estimate_from_the_tree_fixture_with_allocation() -> None:
    costs = estimate_costs(FIXTURES / "tree")
    db = _one(costs, "aws_db_instance.this")
    assert db["monthly_cost_exact"] == Decimal("0.225") * 2 * 730 + 200 * Decimal("0.115")
    assert (db["account"], db["team"], db["cost_center"]) == ("shop", "data", "CC-9")
    ec2 = _one(costs, "aws_instance.this")
    assert ec2["account"] == "lab" and pd.isna(ec2["team"])


def test_estimate_from_the_sample_tree_covers_every_unit() -> None:
    tree = sample_tree()
    costs = estimate_costs(tree)
    assert set(tree.units["unit"]) == set(costs["unit"])
    assert costs["account"].notna().all() and costs["team"].notna().all()
    by_account = opslib.costs.totals(costs, "account").set_index("account")["monthly_cost"]
    assert by_account["prod"] > by_account["non-prod"] > by_account["mgmt"] > 0


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("git::https://github.com/acme/modules.git//modules/eks?ref=v1.2.0", "eks"),
        ("tfr:///terraform-aws-modules/vpc/aws?version=5.8.1", "vpc"),
        ("git::git@github.com:acme/terraform-aws-rds.git?ref=v3", "rds"),
        ("../../modules/elasticache-redis", "elasticache-redis"),
        (None, "unitname"),
    ],
)
def test_module_kind(source: str | None, kind: str) -> None:
    assert module_kind(source, "a/b/unitname") == kind


def test_region_of() -> None:
    assert region_of(None, "arn:aws:rds:eu-west-1:1:db") == "eu-west-1"
    assert region_of("prod/_global/iam") is None


def test_bad_catalog_and_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "prices.csv"
    bad.write_text(
        "region,resource_type,attribute,unit,price_usd,price_date,source\n"
        "us-east-1,aws_instance,t3.micro,hour,cheap,2024-01-01,x\n"
    )
    with pytest.raises(ParseError) as info:
        load_catalog(bad)
    assert info.value.line == 2
    short = tmp_path / "short.csv"
    short.write_text("region,price\n")
    with pytest.raises(SchemaError, match="price_usd"):
        load_catalog(short)
    with pytest.raises(SchemaError):
        estimate_costs(pd.DataFrame({"x": [1]}))


def test_custom_catalog(tmp_path: Path) -> None:
    mine = tmp_path / "prices.csv"
    mine.write_text(
        "region,resource_type,attribute,unit,price_usd,price_date,source\n"
        "ap-south-1,aws_eks_cluster,,hour,0.10,2024-01-01,https://aws.amazon.com/eks/pricing/\n"
    )
    costs = estimate_costs(
        [PlannedResource("u", "aws_eks_cluster.x", "aws_eks_cluster", {}, "ap-south-1")], mine
    )
    assert costs.iloc[0]["monthly_cost_exact"] == Decimal("73.00")


def test_component_level_estimate_adds_up_to_the_resource() -> None:
    plans = _plans(
        {"address": "aws_nat_gateway.a", "type": "aws_nat_gateway", "after": {}},
        {"address": "aws_mq_broker.q", "type": "aws_mq_broker", "after": {}},
    )
    comps = estimate_costs(plans, level="component")
    nat = comps[comps["address"] == "aws_nat_gateway.a"]
    assert nat["component"].tolist() == ["NAT gateway", "Data processed"]
    assert nat["quantity_unit"].tolist() == ["hour", "GB"]
    assert nat.iloc[0]["monthly_quantity"] == 730 and math.isnan(nat.iloc[1]["monthly_cost"])
    assert nat.iloc[1]["usage_based"] and nat.iloc[1]["price_exact"] == Decimal("0.045")
    broker = comps[comps["address"] == "aws_mq_broker.q"].iloc[0]
    assert broker["status"] == "unsupported" and broker["price_not_found"]
    resources = estimate_costs(plans).set_index("address")
    assert nat["monthly_cost_exact"].iloc[0] == resources.loc["aws_nat_gateway.a", "monthly_cost_exact"]

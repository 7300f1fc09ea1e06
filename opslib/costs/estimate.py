"""An offline cost estimate from plans or a tree, priced with the bundled catalogue (no API key, no network).

From plans (``opslib.load_plans``): every managed resource in the planned state is priced from its
``after`` attributes (``state="before"`` prices the current state instead, so ``diff`` of the two gives
the plan's cost impact). From a tree (``opslib.load_tree``): each unit's module and inputs say what it
creates (the recipes below, for the common modules: vpc, eks, node groups, rds/aurora, elasticache, alb,
ecs services, s3, lambda, sqs, ...); a unit whose module has no recipe is listed as ``unsupported``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from opslib.costs._frame import COMPONENT_COLUMNS, RESOURCE_COLUMNS, make_frame
from opslib.costs.catalog import PriceCatalog, load_catalog
from opslib.costs.pricing import PricedResource, price_resource
from opslib.errors import SchemaError

__all__ = [
    "DEFAULT_REGION",
    "PlannedResource",
    "enrich_from_siblings",
    "estimate_costs",
    "module_kind",
    "region_of",
    "resources_from_plans",
    "resources_from_units",
]

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"
_REGION = re.compile(r"\b((?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov)?-[a-z]+-\d)\b")


@dataclass(frozen=True)
class PlannedResource:
    """A resource to price: where it lives and what it is."""

    unit: str
    address: str
    resource_type: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] | None = None


def region_of(*texts: Any) -> str | None:
    """The first AWS region code found in the texts (a unit id, an ARN, an AZ...)."""
    for text in texts:
        if isinstance(text, str):
            match = _REGION.search(text)
            if match:
                return match.group(1)
    return None


# ---------------------------------------------------------------------------------------------------
# from plans
# ---------------------------------------------------------------------------------------------------


def resources_from_plans(plans: pd.DataFrame, *, state: str = "after") -> Iterator[PlannedResource]:
    """Managed resources that exist in the planned (``after``) or current (``before``) state."""
    missing = {"address", "type"} - set(plans.columns)
    if missing:
        raise SchemaError(f"plans frame lacks columns: {', '.join(sorted(missing))}")
    gone = {"after": {"delete", "forget", "read"}, "before": {"create", "read"}}[state]
    for row in plans.to_dict(orient="records"):
        if str(row.get("mode") or "managed") == "data" or str(row.get("kind") or "planned") == "drift":
            continue
        if str(row.get("action") or "no-op") in gone:
            continue
        attrs = row.get(state)
        attrs = attrs if isinstance(attrs, Mapping) else {}
        unit = str(row.get("unit") or "")
        tags = attrs.get("tags_all") or attrs.get("tags")
        yield PlannedResource(
            unit=unit,
            address=str(row["address"]),
            resource_type=str(row["type"]),
            attributes=attrs,
            region=region_of(attrs.get("region"), attrs.get("availability_zone"), attrs.get("arn"), unit),
            tags={str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else None,
        )


def enrich_from_siblings(resources: list[PlannedResource]) -> list[PlannedResource]:
    """Fill sizes that Terraform keeps on another resource of the same unit.

    A Fargate service's cpu/memory live on its task definition, an autoscaling group's instance type on
    its launch template; infracost follows these references, so does the estimate.
    """
    by_unit: dict[str, list[PlannedResource]] = {}
    for res in resources:
        by_unit.setdefault(res.unit, []).append(res)
    out = []
    for res in resources:
        siblings = by_unit[res.unit]
        extra: dict[str, Any] = {}
        if res.resource_type == "aws_ecs_service" and not res.attributes.get("cpu"):
            extra = _pick(
                siblings,
                "aws_ecs_task_definition",
                ("cpu", "memory"),
                str(res.attributes.get("task_definition") or "").split(":", 1)[0],
                "family",
            )
        elif res.resource_type == "aws_autoscaling_group" and not res.attributes.get("instance_type"):
            extra = _pick(siblings, "aws_launch_template", ("instance_type",), None, "name")
        if extra:
            res = PlannedResource(
                res.unit,
                res.address,
                res.resource_type,
                {**res.attributes, **extra},
                res.region,
                res.usage,
                res.tags,
            )
        out.append(res)
    return out


def _pick(
    siblings: list[PlannedResource], rtype: str, keys: tuple[str, ...], name: str | None, name_key: str
) -> dict[str, Any]:
    candidates = [s for s in siblings if s.resource_type == rtype]
    if name:
        named = [s for s in candidates if s.attributes.get(name_key) == name]
        candidates = named or candidates
    if len(candidates) != 1:
        return {}
    return {k: candidates[0].attributes[k] for k in keys if candidates[0].attributes.get(k) is not None}


# ---------------------------------------------------------------------------------------------------
# from a tree: what a module's inputs imply
# ---------------------------------------------------------------------------------------------------


def module_kind(source: Any, unit: str = "") -> str:
    """``vpc`` from ``git::...//modules/vpc?ref=v1`` or ``tfr:///terraform-aws-modules/vpc/aws``."""
    text = str(source or "").split("?", 1)[0].rstrip("/")
    if "//" in text.split("::", 1)[-1].split("://", 1)[-1]:
        text = text.rsplit("//", 1)[1]
    parts = [p for p in re.split(r"[/:]", text) if p]
    if "terraform-aws-modules" in parts:
        idx = parts.index("terraform-aws-modules")
        if idx + 1 < len(parts):
            return parts[idx + 1]
    if parts:
        name = parts[-1].removesuffix(".git")
        name = name.removeprefix("terraform-aws-")
        if name and name not in ("aws", "modules"):
            return name
    return unit.rstrip("/").rsplit("/", 1)[-1]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


Recipe = list[tuple[str, str, dict[str, Any]]]


def _recipe(kind: str, inputs: Mapping[str, Any]) -> Recipe | None:
    """(address, type, attributes) a module creates; None when the module is not known."""
    kind = kind.lower()
    if kind == "vpc":
        azs = inputs.get("azs")
        n_az = len(azs) if isinstance(azs, list) and azs else 3
        if inputs.get("enable_nat_gateway") is False:
            nat = 0
        elif inputs.get("single_nat_gateway") is True:
            nat = 1
        else:
            nat = n_az
        out: Recipe = [("aws_vpc.this", "aws_vpc", {})]
        for i in range(nat):
            suffix = f"[{i}]" if nat > 1 else ""
            out += [
                (f"aws_nat_gateway.this{suffix}", "aws_nat_gateway", {}),
                (f"aws_eip.nat{suffix}", "aws_eip", {}),
            ]
        return out
    if kind in ("eks", "eks-cluster"):
        out = [("aws_eks_cluster.this", "aws_eks_cluster", {})]
        return out + _node_groups(inputs)
    if kind in ("eks-node-groups", "eks-node-group", "eks-managed-node-group"):
        return _node_groups(inputs) or [("aws_eks_node_group.this", "aws_eks_node_group", dict(inputs))]
    if kind.startswith("aurora") or kind == "rds-aurora":
        engine = str(inputs.get("engine") or ("aurora-mysql" if "mysql" in kind else "aurora-postgresql"))
        count = _int(inputs.get("instance_count"), 2)
        cls = inputs.get("instance_class")
        out = [("aws_rds_cluster.this", "aws_rds_cluster", {"engine": engine})]
        out += [
            (
                f"aws_rds_cluster_instance.this[{i}]" if count > 1 else "aws_rds_cluster_instance.this",
                "aws_rds_cluster_instance",
                {"engine": engine, "instance_class": cls},
            )
            for i in range(count)
        ]
        return out
    if kind in ("rds", "db-instance", "postgres", "postgresql", "mysql"):
        attrs = {
            k: inputs.get(k)
            for k in ("engine", "instance_class", "allocated_storage", "storage_type", "multi_az")
        }
        return [("aws_db_instance.this", "aws_db_instance", attrs)]
    if kind.startswith("elasticache") or kind == "redis":
        attrs = {
            k: inputs.get(k)
            for k in ("node_type", "num_cache_clusters", "num_node_groups", "replicas_per_node_group")
        }
        return [("aws_elasticache_replication_group.this", "aws_elasticache_replication_group", attrs)]
    if kind in ("alb", "lb", "nlb", "load-balancer"):
        lb_type = inputs.get("load_balancer_type") or ("network" if kind == "nlb" else "application")
        return [("aws_lb.this", "aws_lb", {"load_balancer_type": lb_type})]
    if kind in ("ec2-instance", "ec2", "bastion", "instance"):
        return [("aws_instance.this", "aws_instance", {"instance_type": inputs.get("instance_type")})]
    if kind in ("github-runners", "asg", "autoscaling"):
        return [
            (
                "aws_autoscaling_group.this",
                "aws_autoscaling_group",
                {
                    "instance_type": inputs.get("runner_instance_type") or inputs.get("instance_type"),
                    "desired_capacity": inputs.get("min_runners") or inputs.get("desired_capacity"),
                },
            )
        ]
    if kind == "ecs-service":
        return [
            (
                "aws_ecs_service.this",
                "aws_ecs_service",
                {k: inputs.get(k) for k in ("desired_count", "cpu", "memory", "launch_type")},
            )
        ]
    if kind in ("s3-bucket", "s3"):
        return [("aws_s3_bucket.this", "aws_s3_bucket", {})]
    if kind == "lambda":
        return [
            ("aws_lambda_function.this", "aws_lambda_function", {"memory_size": inputs.get("memory_size")})
        ]
    if kind == "sqs":
        queues = inputs.get("queues")
        names = list(queues) if isinstance(queues, Mapping) and queues else ["this"]
        return [(f'aws_sqs_queue.this["{n}"]', "aws_sqs_queue", {}) for n in names]
    if kind == "sns":
        topics = inputs.get("topics")
        names = list(topics) if isinstance(topics, list) and topics else ["this"]
        return [(f'aws_sns_topic.this["{n}"]', "aws_sns_topic", {}) for n in names]
    if kind == "kms":
        return [("aws_kms_key.this", "aws_kms_key", {})]
    if kind in ("route53-zone", "route53"):
        return [("aws_route53_zone.this", "aws_route53_zone", {})]
    if kind in ("wafv2", "waf"):
        groups = inputs.get("managed_rule_groups")
        return [
            (
                "aws_wafv2_web_acl.this",
                "aws_wafv2_web_acl",
                {"rules": len(groups) if isinstance(groups, list) else 0},
            )
        ]
    if kind == "cloudwatch-alarms":
        services = inputs.get("services")
        n = len(services) if isinstance(services, list) else 1
        alarms: Recipe = []
        for kind_name in ("latency", "errors"):
            alarms += [
                (f"aws_cloudwatch_metric_alarm.{kind_name}[{i}]", "aws_cloudwatch_metric_alarm", {})
                for i in range(n)
            ]
        alarms.append(("aws_cloudwatch_dashboard.services", "aws_cloudwatch_dashboard", {}))
        return alarms
    if kind == "ecs-cluster":
        return [("aws_ecs_cluster.this", "aws_ecs_cluster", {})]
    if kind.startswith("iam"):
        roles = inputs.get("roles")
        names = [str(r) for r in roles] if isinstance(roles, list) and roles else ["this"]
        return [(f'aws_iam_role.this["{n}"]', "aws_iam_role", {}) for n in names]
    return None


def _node_groups(inputs: Mapping[str, Any]) -> Recipe:
    groups = inputs.get("node_groups") or inputs.get("eks_managed_node_groups") or {}
    out: Recipe = []
    for name, spec in _dict(groups).items():
        spec = _dict(spec)
        attrs = {
            "instance_types": spec.get("instance_types"),
            "desired_size": spec.get("desired_size", spec.get("desired_capacity", spec.get("min_size"))),
            "disk_size": spec.get("disk_size"),
        }
        out.append((f'aws_eks_node_group.this["{name}"]', "aws_eks_node_group", attrs))
    return out


def resources_from_units(units: pd.DataFrame) -> Iterator[PlannedResource]:
    """What each unit's module creates, from its source and inputs (unknown modules: ``module:<kind>``)."""
    for row in units.to_dict(orient="records"):
        unit = str(row["unit"])
        inputs = _dict(row.get("inputs"))
        kind = module_kind(row.get("source"), unit)
        region = row.get("region") if isinstance(row.get("region"), str) else None
        recipe = _recipe(kind, inputs)
        if recipe is None:
            yield PlannedResource(unit, f"module.{kind}", f"module:{kind}", {}, region or region_of(unit))
            continue
        for address, rtype, attrs in recipe:
            yield PlannedResource(unit, address, rtype, attrs, region or region_of(unit))


# ---------------------------------------------------------------------------------------------------
# the estimate
# ---------------------------------------------------------------------------------------------------


def _is_tree_dir(path: Path) -> bool:
    if (path / "root.hcl").is_file() or (path / "terragrunt.hcl").is_file():
        return True
    return (
        next(path.glob("*/**/terragrunt.hcl"), None) is not None
        and next(path.glob("**/tfplan.json"), None) is None
    )


def _resources(source: Any, state: str) -> tuple[list[PlannedResource], Any]:
    """The resources to price, and the tree when the input was one."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir() and _is_tree_dir(path):
            from opslib import load_tree

            source = load_tree(path)
        else:
            from opslib import load_plans

            source = load_plans(path)
    if isinstance(source, pd.DataFrame):
        if "address" in source.columns and "type" in source.columns:
            return list(resources_from_plans(source, state=state)), None
        if "unit" in source.columns:
            return list(resources_from_units(source)), source
        raise SchemaError("estimate_costs needs a plans frame (address, type, after) or a units frame")
    units = getattr(source, "units", None)
    if isinstance(units, pd.DataFrame):
        return list(resources_from_units(units)), source
    if isinstance(source, list) and all(isinstance(r, PlannedResource) for r in source):
        return source, None
    raise SchemaError(f"estimate_costs takes plans, a tree or their paths, not {type(source).__name__}")


def estimate_costs(
    plans_or_tree: Any,
    catalog: str | Path | PriceCatalog | None = None,
    *,
    region: str | None = None,
    level: Literal["resource", "component"] = "resource",
    state: Literal["after", "before"] = "after",
    tree: Any = None,
) -> pd.DataFrame:
    """Estimate monthly costs offline with the price catalogue (``data/prices/aws-prices.csv``).

    ``plans_or_tree``: a plans frame (``opslib.load_plans``), a ``TerragruntTree`` or units frame, or a
    path to either. ``region`` is used where the input does not say (default us-east-1). monthly =
    hourly × 730. Same columns as :func:`opslib.costs.load_costs` with ``price_source="catalog"`` and
    ``project`` = unit; resources without a price are listed with ``price_not_found=True`` and NaN
    costs (``status`` ``price_not_found`` or ``unsupported``), never a zero; usage-priced parts without
    usage stay unknown (``usage_based``). ``tree`` adds ownership columns (see ``allocate``).
    """
    if state not in ("after", "before"):
        raise SchemaError(f"state must be 'after' or 'before', not {state!r}")
    prices = load_catalog(catalog)
    resources, source_tree = _resources(plans_or_tree, state)
    resources = enrich_from_siblings(resources)
    rows: list[dict[str, Any]] = []
    for res in resources:
        res_region = res.region or region or DEFAULT_REGION
        priced = price_resource(res.resource_type, res.attributes, res_region, prices, res.usage)
        rows.extend(_rows(res, priced, res_region, level, prices.path))
    frame = make_frame(rows, RESOURCE_COLUMNS if level == "resource" else COMPONENT_COLUMNS)
    frame.attrs["errors"] = []
    frame.attrs["currency"] = "USD"
    frame.attrs["catalog"] = prices.path
    from opslib.costs.allocation import allocate, apply_tags

    # a tree given as the input is also the best source of ownership
    owner_tree = tree if tree is not None else source_tree
    frame = allocate(frame, owner_tree) if owner_tree is not None else apply_tags(frame)
    return frame


def _rows(
    res: PlannedResource, priced: PricedResource, region: str, level: str, catalog_path: str | None
) -> Iterator[dict[str, Any]]:
    base = {
        "project": res.unit,
        "unit": res.unit,
        "address": res.address,
        "resource_type": res.resource_type,
        "currency": "USD",
        "price_source": "catalog",
        "region": region,
        "tags": dict(res.tags) if res.tags else None,
        "source_file": catalog_path,
    }
    if level == "resource":
        monthly, hourly = priced.monthly_cost, priced.hourly_cost
        yield {
            **base,
            "monthly_cost": monthly,
            "hourly_cost": hourly,
            "monthly_cost_exact": monthly,
            "hourly_cost_exact": hourly,
            "price_not_found": priced.price_not_found,
            "usage_based": priced.usage_based,
            "status": priced.status,
            "components": len(priced.components),
        }
        return
    if not priced.components:
        yield {**base, "component": None, "price_not_found": True, "status": priced.status}
        return
    for comp in priced.components:
        status = (
            "price_not_found"
            if comp.price_not_found
            else "free"
            if comp.free
            else "usage_based"
            if comp.monthly_cost is None
            else "priced"
        )
        yield {
            **base,
            "subresource": comp.subresource,
            "component": comp.name,
            "quantity_unit": comp.quantity_unit,
            "hourly_quantity": comp.hourly_quantity,
            "monthly_quantity": comp.monthly_quantity,
            "price": comp.price,
            "price_exact": comp.price,
            "monthly_cost": comp.monthly_cost,
            "hourly_cost": comp.hourly_cost,
            "monthly_cost_exact": comp.monthly_cost,
            "hourly_cost_exact": comp.hourly_cost,
            "price_not_found": comp.price_not_found,
            "usage_based": comp.usage_based,
            "status": status,
        }

"""Price one Terraform resource from its attributes with the catalogue: the cost components of a type.

Each pricer turns attributes (a plan's ``after``, or what a module's inputs imply) into requests for
catalogue prices: a name, the catalogue key and a quantity. Fixed charges (instance hours, GB
provisioned) have a quantity; usage charges (data processed, requests) have one only when a usage figure
is given, otherwise their cost stays unknown and the component is marked ``usage_based``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from opslib.costs._money import HOURS_PER_MONTH, dsum, to_decimal
from opslib.costs.catalog import FIXED_HOURLY_UNITS, FIXED_MONTHLY_UNITS, PriceCatalog

__all__ = ["PRICERS", "PricedComponent", "PricedResource", "Request", "price_resource"]

Attrs = Mapping[str, Any]
Usage = Mapping[str, Any]


@dataclass(frozen=True)
class Request:
    """A cost component to look up: ``quantity`` None means 'usage not known'."""

    name: str
    resource_type: str
    attribute: str
    quantity: Decimal | None
    subresource: str | None = None


@dataclass(frozen=True)
class PricedComponent:
    subresource: str | None
    name: str
    quantity_unit: str | None
    hourly_quantity: Decimal | None
    monthly_quantity: Decimal | None
    price: Decimal | None
    hourly_cost: Decimal | None
    monthly_cost: Decimal | None
    usage_based: bool
    price_not_found: bool
    free: bool
    price_date: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class PricedResource:
    resource_type: str
    components: list[PricedComponent]
    supported: bool

    @property
    def monthly_cost(self) -> Decimal | None:
        return dsum(c.monthly_cost for c in self.components)

    @property
    def hourly_cost(self) -> Decimal | None:
        return dsum(c.hourly_cost for c in self.components)

    @property
    def price_not_found(self) -> bool:
        return not self.supported or any(c.price_not_found for c in self.components)

    @property
    def usage_based(self) -> bool:
        return any(c.usage_based for c in self.components)

    @property
    def status(self) -> str:
        if not self.supported:
            return "unsupported"
        if any(c.price_not_found for c in self.components):
            return "price_not_found"
        if self.components and all(c.free for c in self.components):
            return "free"
        if self.monthly_cost is None:
            return "usage_based" if self.usage_based else "unknown"
        return "priced"


# ---------------------------------------------------------------------------------------------------
# attribute helpers: plan JSON wraps nested blocks in one-element lists
# ---------------------------------------------------------------------------------------------------


def _block(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return value if isinstance(value, Mapping) else {}


def _num(value: Any, default: Decimal | int | None = None) -> Decimal | None:
    try:
        result = to_decimal(value) if not isinstance(value, (list, dict)) else None
    except ValueError:
        result = None
    if result is None:
        return None if default is None else Decimal(default)
    return result


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if isinstance(value, (str, int)) and str(value) else None


def _usage(usage: Usage, key: str, scale: Decimal | int = 1) -> Decimal | None:
    value = _num(usage.get(key))
    return None if value is None else value / Decimal(scale)


# ---------------------------------------------------------------------------------------------------
# pricers per resource type
# ---------------------------------------------------------------------------------------------------


def _ec2_hours(itype: str | None, count: Decimal) -> Request:
    name = f"Instance usage (Linux/UNIX, on-demand, {itype or 'unknown type'})"
    return Request(name, "aws_instance", itype or "", count)


def _instance(attrs: Attrs, usage: Usage) -> list[Request]:
    root = _block(attrs.get("root_block_device"))
    size = _num(root.get("volume_size"), None) or _num(attrs.get("volume_gb"), 8)
    vtype = str(root.get("volume_type") or attrs.get("volume_type") or "gp2")
    return [
        _ec2_hours(_first(attrs.get("instance_type")), Decimal(1)),
        Request(f"Storage ({vtype})", "aws_ebs_volume", vtype, size, "root_block_device"),
    ]


def _node_group(attrs: Attrs, usage: Usage) -> list[Request]:
    scaling = _block(attrs.get("scaling_config"))
    count = (
        _num(scaling.get("desired_size"))
        or _num(attrs.get("desired_size"))
        or _num(scaling.get("min_size"))
        or Decimal(1)
    )
    itype = _first(attrs.get("instance_types")) or "t3.medium"  # the AWS default for node groups
    disk = _num(attrs.get("disk_size"), 20)
    return [
        _ec2_hours(itype, count),
        Request("Storage (gp2)", "aws_ebs_volume", "gp2", (disk or Decimal(20)) * count, "disk"),
    ]


def _asg(attrs: Attrs, usage: Usage) -> list[Request]:
    count = _num(attrs.get("desired_capacity")) or _num(attrs.get("min_size")) or Decimal(1)
    itype = _first(attrs.get("instance_type"))
    return [_ec2_hours(itype, count)]


def _db_instance(attrs: Attrs, usage: Usage) -> list[Request]:
    engine = str(attrs.get("engine") or "postgres")
    family = {"postgresql": "postgres", "mariadb": "mysql"}.get(engine, engine)
    cls = str(attrs.get("instance_class") or "")
    multi = bool(attrs.get("multi_az"))
    copies = Decimal(2 if multi else 1)
    stype = str(attrs.get("storage_type") or "gp2")
    size = _num(attrs.get("allocated_storage"), 20) or Decimal(20)
    az = "Multi-AZ" if multi else "Single-AZ"
    return [
        Request(f"Database instance (on-demand, {az}, {cls})", "aws_db_instance", f"{family}/{cls}", copies),
        Request(f"Storage ({stype})", "aws_db_instance", f"storage/{stype}", size * copies),
    ]


def _cluster_instance(attrs: Attrs, usage: Usage) -> list[Request]:
    engine = str(attrs.get("engine") or "aurora-postgresql")
    cls = str(attrs.get("instance_class") or "")
    return [
        Request(
            f"Database instance (on-demand, {cls})", "aws_rds_cluster_instance", f"{engine}/{cls}", Decimal(1)
        )
    ]


def _rds_cluster(attrs: Attrs, usage: Usage) -> list[Request]:
    return [
        Request("Storage", "aws_rds_cluster", "storage", _usage(usage, "storage_gb")),
        Request(
            "I/O requests", "aws_rds_cluster", "io-requests", _usage(usage, "monthly_io_requests", 1_000_000)
        ),
    ]


def _replication_group(attrs: Attrs, usage: Usage) -> list[Request]:
    node = str(attrs.get("node_type") or "")
    count = _num(attrs.get("num_cache_clusters")) or _num(attrs.get("number_cache_clusters"))
    if count is None and _num(attrs.get("num_node_groups")) is not None:
        count = (_num(attrs.get("num_node_groups")) or Decimal(1)) * (
            (_num(attrs.get("replicas_per_node_group")) or Decimal(0)) + 1
        )
    return [Request(f"ElastiCache ({node})", "aws_elasticache_cluster", node, count or Decimal(1))]


def _cache_cluster(attrs: Attrs, usage: Usage) -> list[Request]:
    node = str(attrs.get("node_type") or "")
    return [
        Request(
            f"ElastiCache ({node})", "aws_elasticache_cluster", node, _num(attrs.get("num_cache_nodes"), 1)
        )
    ]


def _nat(attrs: Attrs, usage: Usage) -> list[Request]:
    return [
        Request("NAT gateway", "aws_nat_gateway", "", Decimal(1)),
        Request("Data processed", "aws_nat_gateway", "data", _usage(usage, "monthly_data_processed_gb")),
    ]


def _lb(attrs: Attrs, usage: Usage) -> list[Request]:
    kind = str(attrs.get("load_balancer_type") or "application")
    return [
        Request(f"{kind.capitalize()} load balancer", "aws_lb", kind, Decimal(1)),
        Request("Load balancer capacity units", "aws_lb", f"{kind}/lcu", _usage(usage, "capacity_units")),
    ]


def _ebs(attrs: Attrs, usage: Usage) -> list[Request]:
    vtype = str(attrs.get("type") or "gp2")
    size = _num(attrs.get("size"), 8) or Decimal(8)
    out = [Request(f"Storage ({vtype})", "aws_ebs_volume", vtype, size)]
    if vtype == "gp3":
        iops = (_num(attrs.get("iops"), 3000) or Decimal(3000)) - 3000
        throughput = (_num(attrs.get("throughput"), 125) or Decimal(125)) - 125
        if iops > 0:
            out.append(Request("Provisioned IOPS (above 3000)", "aws_ebs_volume", "gp3/iops", iops))
        if throughput > 0:
            out.append(
                Request(
                    "Provisioned throughput (above 125 MBps)", "aws_ebs_volume", "gp3/throughput", throughput
                )
            )
    return out


def _s3(attrs: Attrs, usage: Usage) -> list[Request]:
    return [
        Request("Storage", "aws_s3_bucket", "standard", _usage(usage, "storage_gb"), "Standard"),
        Request(
            "PUT, COPY, POST, LIST requests",
            "aws_s3_bucket",
            "put-requests",
            _usage(usage, "monthly_put_requests", 1000),
            "Standard",
        ),
        Request(
            "GET, SELECT, and all other requests",
            "aws_s3_bucket",
            "get-requests",
            _usage(usage, "monthly_get_requests", 1000),
            "Standard",
        ),
    ]


def _lambda(attrs: Attrs, usage: Usage) -> list[Request]:
    requests = _num(usage.get("monthly_requests"))
    duration_ms = _num(usage.get("request_duration_ms"))
    memory_gb = (_num(attrs.get("memory_size"), 128) or Decimal(128)) / 1024
    gb_seconds = None
    if requests is not None and duration_ms is not None:
        gb_seconds = requests * duration_ms / 1000 * memory_gb
    return [
        Request(
            "Requests", "aws_lambda_function", "requests", None if requests is None else requests / 1_000_000
        ),
        Request("Duration", "aws_lambda_function", "duration", gb_seconds),
    ]


def _sqs(attrs: Attrs, usage: Usage) -> list[Request]:
    kind = "fifo" if attrs.get("fifo_queue") else "standard"
    return [Request("Requests", "aws_sqs_queue", kind, _usage(usage, "monthly_requests", 1_000_000))]


def _sns(attrs: Attrs, usage: Usage) -> list[Request]:
    return [
        Request("API requests", "aws_sns_topic", "requests", _usage(usage, "monthly_requests", 1_000_000))
    ]


def _log_group(attrs: Attrs, usage: Usage) -> list[Request]:
    return [
        Request(
            "Data ingested",
            "aws_cloudwatch_log_group",
            "ingestion",
            _usage(usage, "monthly_data_ingested_gb"),
        ),
        Request("Archival Storage", "aws_cloudwatch_log_group", "storage", _usage(usage, "storage_gb")),
    ]


def _flow_log(attrs: Attrs, usage: Usage) -> list[Request]:
    return [Request("Data ingested", "aws_flow_log", "ingestion", _usage(usage, "monthly_data_ingested_gb"))]


def _waf(attrs: Attrs, usage: Usage) -> list[Request]:
    rules = attrs.get("rules", attrs.get("rule"))
    count = Decimal(len(rules)) if isinstance(rules, list) else (_num(rules, 0) or Decimal(0))
    out = [Request("Web ACL usage", "aws_wafv2_web_acl", "", Decimal(1))]
    if count:
        out.append(Request("Rules", "aws_wafv2_web_acl", "rule", count))
    out.append(
        Request("Requests", "aws_wafv2_web_acl", "requests", _usage(usage, "monthly_requests", 1_000_000))
    )
    return out


def _ecs_service(attrs: Attrs, usage: Usage) -> list[Request]:
    strategy = _block(attrs.get("capacity_provider_strategy"))
    launch = str(attrs.get("launch_type") or strategy.get("capacity_provider") or "FARGATE").upper()
    if not launch.startswith("FARGATE"):
        # EC2-backed services run on instances priced as their own resources
        return []
    count = _num(attrs.get("desired_count"), 1) or Decimal(0)
    cpu, memory = _num(attrs.get("cpu")), _num(attrs.get("memory"))
    return [
        Request(
            "Per vCPU per hour",
            "aws_ecs_service",
            "fargate/vcpu",
            None if cpu is None else cpu / 1024 * count,
        ),
        Request(
            "Per GB per hour",
            "aws_ecs_service",
            "fargate/memory",
            None if memory is None else memory / 1024 * count,
        ),
    ]


def _single(name: str) -> Callable[[Attrs, Usage], list[Request]]:
    def pricer(attrs: Attrs, usage: Usage, _name: str = name) -> list[Request]:
        return [Request(_name, "", "", Decimal(1))]

    return pricer


PRICERS: dict[str, Callable[[Attrs, Usage], list[Request]]] = {
    "aws_instance": _instance,
    "aws_eks_node_group": _node_group,
    "aws_autoscaling_group": _asg,
    "aws_eks_cluster": _single("EKS cluster"),
    "aws_db_instance": _db_instance,
    "aws_rds_cluster_instance": _cluster_instance,
    "aws_rds_cluster": _rds_cluster,
    "aws_elasticache_replication_group": _replication_group,
    "aws_elasticache_cluster": _cache_cluster,
    "aws_nat_gateway": _nat,
    "aws_eip": _single("Public IPv4 address"),
    "aws_lb": _lb,
    "aws_alb": _lb,
    "aws_ebs_volume": _ebs,
    "aws_s3_bucket": _s3,
    "aws_lambda_function": _lambda,
    "aws_sqs_queue": _sqs,
    "aws_sns_topic": _sns,
    "aws_kms_key": _single("Customer master key"),
    "aws_secretsmanager_secret": _single("Secret"),
    "aws_route53_zone": _single("Hosted zone"),
    "aws_cloudwatch_log_group": _log_group,
    "aws_cloudwatch_metric_alarm": lambda a, u: [Request("Standard resolution", "", "standard", Decimal(1))],
    "aws_cloudwatch_dashboard": _single("Dashboard"),
    "aws_flow_log": _flow_log,
    "aws_wafv2_web_acl": _waf,
    "aws_ecs_service": _ecs_service,
}


def _price(request: Request, resource_type: str, region: str, catalog: PriceCatalog) -> PricedComponent:
    rtype = request.resource_type or resource_type
    row = catalog.lookup(region, rtype, request.attribute)
    qty = request.quantity
    if row is None:
        return PricedComponent(
            request.subresource,
            request.name,
            None,
            None,
            qty,
            None,
            None,
            None,
            usage_based=False,
            price_not_found=True,
            free=False,
        )
    common = {"price_date": row.price_date, "source": row.source}
    if row.free:
        zero = Decimal(0)
        return PricedComponent(
            request.subresource,
            request.name,
            row.unit,
            None,
            None,
            row.price,
            zero,
            zero,
            usage_based=False,
            price_not_found=False,
            free=True,
            **common,
        )
    if row.unit in FIXED_HOURLY_UNITS:
        hourly = None if qty is None else row.price * qty
        return PricedComponent(
            request.subresource,
            request.name,
            row.unit,
            qty,
            None if qty is None else qty * HOURS_PER_MONTH,
            row.price,
            hourly,
            None if hourly is None else hourly * HOURS_PER_MONTH,
            usage_based=False,
            price_not_found=qty is None,
            free=False,
            **common,
        )
    monthly = None if qty is None else row.price * qty
    hourly = None if monthly is None else monthly / HOURS_PER_MONTH
    return PricedComponent(
        request.subresource,
        request.name,
        row.unit,
        None if qty is None else qty / HOURS_PER_MONTH,
        qty,
        row.price,
        hourly,
        monthly,
        usage_based=row.usage_based,
        price_not_found=qty is None and row.unit in FIXED_MONTHLY_UNITS,
        free=False,
        **common,
    )


def price_resource(
    resource_type: str, attrs: Attrs | None, region: str, catalog: PriceCatalog, usage: Usage | None = None
) -> PricedResource:
    """The cost components of one resource; ``supported=False`` when the type has no price at all."""
    attrs = attrs if isinstance(attrs, Mapping) else {}
    usage = usage or {}
    pricer = PRICERS.get(resource_type)
    if pricer is None:
        if catalog.lookup(region, resource_type, "") is not None:
            pricer = _single(resource_type)
        else:
            return PricedResource(resource_type, [], supported=False)
    components = [_price(req, resource_type, region, catalog) for req in pricer(attrs, usage)]
    return PricedResource(resource_type, components, supported=True)

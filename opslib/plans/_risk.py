"""Risk of a change, per the ``/blast-radius`` table our users follow.

create is low, update medium, delete high, replace critical; a change to a high-risk resource type
(databases, IAM, security groups, VPC plumbing, load balancers, autoscaling groups, ECS/EKS, Lambda)
is one level higher, because those are the changes that take services down or open them up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "HIGH_RISK_CATEGORIES",
    "RISK_LEVELS",
    "max_risk",
    "risk_category",
    "risk_of",
]

#: ordered from least to most risky
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")

_BASE: dict[str, str] = {
    "no-op": "low",
    "read": "low",
    "create": "low",
    "update": "medium",
    "forget": "medium",  # state loses track of a live resource: nothing breaks now, drift later
    "delete": "high",
    "replace": "critical",
}

# category -> resource types (full-match regexes). aws_route53_* is DNS, not routing: the route
# patterns are anchored so it does not match.
HIGH_RISK_CATEGORIES: dict[str, re.Pattern[str]] = {
    "database": re.compile(
        r"aws_(db_\w+|rds_\w+|dynamodb_\w+|elasticache_\w+|redshift\w*|docdb_\w+|neptune_\w+|"
        r"memorydb_\w+|opensearch_domain\w*|elasticsearch_domain\w*|keyspaces_\w+|timestream\w*)"
    ),
    "iam": re.compile(r"aws_iam_\w+"),
    "security-group": re.compile(r"aws_(security_group\w*|vpc_security_group_\w+|network_acl\w*)"),
    "network": re.compile(
        r"aws_(vpc|vpc_(ipv4|ipv6)_cidr_block_association|vpc_peering_connection\w*|vpc_endpoint\w*|"
        r"subnet|default_subnet|route|route_table|route_table_association|default_route_table|"
        r"main_route_table_association|nat_gateway|internet_gateway\w*|egress_only_internet_gateway|"
        r"ec2_transit_gateway\w*|eip)"
    ),
    "load-balancer": re.compile(r"aws_(lb|alb|elb|lb_\w+|alb_\w+|elb_\w+)"),
    "autoscaling": re.compile(r"aws_(autoscaling_\w+|launch_template|launch_configuration)"),
    "container": re.compile(r"aws_(ecs_\w+|eks_\w+)"),
    "lambda": re.compile(r"aws_lambda_\w+"),
}


def risk_category(resource_type: str | None) -> str | None:
    """The high-risk category of a resource type (``database``, ``iam``...), or None."""
    if not resource_type:
        return None
    for category, pattern in HIGH_RISK_CATEGORIES.items():
        if pattern.fullmatch(resource_type):
            return category
    return None


def risk_of(action: str | None, resource_type: str | None = None) -> str:
    """Risk level of one change: the action's base level, one higher for a high-risk type."""
    base = _BASE.get(action or "", "medium")
    if action in ("no-op", "read"):
        return base
    level = RISK_LEVELS.index(base)
    if risk_category(resource_type) is not None:
        level = min(level + 1, len(RISK_LEVELS) - 1)
    return RISK_LEVELS[level]


def max_risk(levels: Iterable[object]) -> str | None:
    """The highest risk among ``levels`` (None when empty)."""
    ranks = [RISK_LEVELS.index(str(v)) for v in levels if v in RISK_LEVELS]
    return RISK_LEVELS[max(ranks)] if ranks else None

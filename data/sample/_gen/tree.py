"""The sample Terragrunt tree: ``data/sample/infrastructure-live/``.

``UNITS`` is a pure-data description of every unit (id, account, region, environment, module, ref,
dependencies and the AWS resources the module creates with their sizes) so that the plans and costs
generators can build consistent plans and breakdowns without parsing HCL. ``generate(out_dir)`` renders
the tree from it. Everything is deterministic: no clock, no randomness; lock-file hashes are derived
from sha256 of fixed strings.

The deliberate rule violations (see ``data/sample/README.md``) are planted by ``VIOLATIONS`` hooks in
the renderers below; ``violation_lines(root)`` finds their markers so the README and tests agree.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import shutil
from pathlib import Path
from typing import Any

__all__ = [
    "ACCOUNTS",
    "MISSING_LOCK_FILES",
    "MODULES_REPO",
    "REGIONS",
    "STACK_FILE",
    "UNITS",
    "VIOLATIONS",
    "generate",
    "unit_by_id",
    "violation_lines",
]

MODULES_REPO = "git::https://github.com/acme-corp/terraform-aws-modules.git"
CATALOG_REPO = "git::https://github.com/acme-corp/terragrunt-catalog.git"
PROJECT = "acme-platform"
# Images are built once in CI and pushed to the non-prod registry every account pulls from.
ECR = "210987654321.dkr.ecr.us-east-1.amazonaws.com"

ACCOUNTS: dict[str, dict[str, Any]] = {
    "non-prod": {
        "account_name": "non-prod",
        "aws_account_id": "210987654321",
        "environment": "non-prod",
        "owner": "platform-team@acme.example",
        "team": "platform",
        "cost_center": "CC-1200",
        "deletion_protection": False,
        "log_retention_days": 30,
        "module_ref": "v1.8.0",
    },
    "prod": {
        "account_name": "prod",
        "aws_account_id": "123456789012",
        "environment": "prod",
        "owner": "platform-team@acme.example",
        "team": "platform",
        "cost_center": "CC-1100",
        "deletion_protection": True,
        "log_retention_days": 365,
        "module_ref": "v1.7.2",
    },
    "mgmt": {
        "account_name": "mgmt",
        "aws_account_id": "345678901234",
        "environment": "mgmt",
        "owner": "cloud-infra@acme.example",
        "team": "cloud-infra",
        "cost_center": "CC-1000",
        "deletion_protection": True,
        "log_retention_days": 90,
        "module_ref": "v1.7.2",
    },
}

REGIONS: dict[str, list[str]] = {
    "us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c"],
    "eu-west-1": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
}

# Per-environment settings written to env.hcl and used to size resources.
ENVS: dict[str, dict[str, Any]] = {
    "non-prod/us-east-1/dev": {"environment": "dev", "vpc_cidr": "10.10.0.0/16", "tier": "small"},
    "non-prod/us-east-1/staging": {"environment": "staging", "vpc_cidr": "10.20.0.0/16", "tier": "medium"},
    "prod/us-east-1/prod": {"environment": "prod", "vpc_cidr": "10.100.0.0/16", "tier": "large"},
    "prod/eu-west-1/prod": {"environment": "prod", "vpc_cidr": "10.110.0.0/16", "tier": "large"},
    "mgmt/us-east-1/mgmt": {"environment": "mgmt", "vpc_cidr": "10.0.0.0/16", "tier": "small"},
}

# Environment promotion: dev soaks a release candidate of the modules on a few components first.
PRERELEASE_ENV = "non-prod/us-east-1/dev"
PRERELEASE_COMPONENTS = frozenset({"vpc", "eks"})
PRERELEASE_REF = "v1.9.0-rc1"

SIZES: dict[str, dict[str, Any]] = {
    "small": {
        "db_class": "db.t4g.medium",
        "db_instances": 1,
        "cache_node": "cache.t4g.small",
        "cache_nodes": 1,
        "node_type": "t3.large",
        "nodes": (1, 2, 4),
        "task_count": 1,
        "nat": 1,
        "cpu": 256,
        "memory": 512,
    },
    "medium": {
        "db_class": "db.r6g.large",
        "db_instances": 2,
        "cache_node": "cache.t4g.medium",
        "cache_nodes": 2,
        "node_type": "m6i.large",
        "nodes": (2, 3, 6),
        "task_count": 2,
        "nat": 1,
        "cpu": 512,
        "memory": 1024,
    },
    "large": {
        "db_class": "db.r6g.xlarge",
        "db_instances": 3,
        "cache_node": "cache.r6g.large",
        "cache_nodes": 3,
        "node_type": "m6i.xlarge",
        "nodes": (3, 6, 12),
        "task_count": 4,
        "nat": 3,
        "cpu": 1024,
        "memory": 2048,
    },
}

# Units deliberately committed without .terraform.lock.hcl (TG011, documented in the README).
MISSING_LOCK_FILES = ["non-prod/us-east-1/dev/sns", "mgmt/us-east-1/mgmt/sandbox"]

# Deliberate violations: rule id -> (unit id, marker text found on the offending line).
VIOLATIONS: dict[str, tuple[str, str]] = {
    "TG001": ("non-prod/us-east-1/staging/sqs", "include {"),
    "TG002": ("non-prod/us-east-1/dev/lambda-thumbnailer", "?ref=main"),
    "TG003": ("non-prod/us-east-1/staging/ecs-worker", 'dependency "sqs" {'),
    "TG007": ("mgmt/us-east-1/mgmt/sandbox", "encrypt        = false"),
    "TG008": ("non-prod/us-east-1/dev/rds", '"Sup3rS3cret!sample"'),
    "TG009": ("non-prod/us-east-1/staging/rds", 'get_env("DB_PASSWORD", "changeme123")'),
}

STACK_FILE = "non-prod/us-east-1/dev/app-stack/terragrunt.stack.hcl"


class Raw(str):
    """An HCL expression written as is (not quoted)."""


def _module_source(module: str, ref: str) -> str:
    return f"{MODULES_REPO}//modules/{module}?ref={ref}"


def _res(rtype: str, name: str, count: int = 1, **attrs: Any) -> dict[str, Any]:
    return {"type": rtype, "name": name, "count": count, "attributes": attrs}


# --------------------------------------------------------------------------------------------------
# The unit specification
# --------------------------------------------------------------------------------------------------


def _env_parts(env_dir: str) -> tuple[str, str, str]:
    """``account/region/env`` -> its parts; ``account/_global`` -> (account, "_global", "")."""
    parts = env_dir.split("/")
    return parts[0], parts[1], parts[2] if len(parts) > 2 else ""


def _component_spec(env_dir: str, component: str) -> dict[str, Any]:
    """Module, dependencies, inputs and resources for one component in one environment folder."""
    account, region, _ = _env_parts(env_dir)
    env = ENVS.get(env_dir, {"environment": ACCOUNTS[account]["environment"], "tier": "small"})
    size = SIZES[env["tier"]]
    name = f"{env['environment']}-{region}" if region != "_global" else account
    ref = ACCOUNTS[account]["module_ref"]
    if env_dir == PRERELEASE_ENV and component in PRERELEASE_COMPONENTS:
        ref = PRERELEASE_REF
    prod = account == "prod"
    deps: dict[str, str] = {}
    inputs: dict[str, Any] = {}
    resources: list[dict[str, Any]] = []
    module = component
    source: str | None = None
    envcommon: str | None = None
    if component == "vpc":
        module = "vpc"
        envcommon = "vpc"
        nat = size["nat"]
        inputs = {
            "name": f"{name}",
            "cidr": Raw("local.env_vars.locals.vpc_cidr"),
            "single_nat_gateway": nat == 1,
            "one_nat_gateway_per_az": nat > 1,
            "enable_flow_log": prod,
        }
        resources = [
            _res("aws_vpc", "this", cidr_block=env.get("vpc_cidr", "10.0.0.0/16")),
            _res("aws_subnet", "private", 3),
            _res("aws_subnet", "public", 3),
            _res("aws_internet_gateway", "this"),
            _res("aws_nat_gateway", "this", nat),
            _res("aws_eip", "nat", nat),
        ]
        if prod:
            resources.append(_res("aws_flow_log", "this"))
        if account == "mgmt":
            source = "tfr:///terraform-aws-modules/vpc/aws?version=5.8.1"
            envcommon = None
            inputs = {
                "name": "mgmt",
                "cidr": Raw("local.env_vars.locals.vpc_cidr"),
                "azs": Raw("local.region_vars.locals.availability_zones"),
                "private_subnets": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
                "public_subnets": ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"],
                "enable_nat_gateway": True,
                "single_nat_gateway": True,
            }
    elif component == "kms":
        inputs = {
            "alias": f"alias/{name}-platform",
            "deletion_window_in_days": 30 if prod else 7,
            "enable_key_rotation": True,
        }
        resources = [_res("aws_kms_key", "this"), _res("aws_kms_alias", "this")]
    elif component == "eks":
        envcommon = "eks"
        deps = {"vpc": "../vpc", "kms": "../kms"}
        inputs = {
            "cluster_name": f"{name}-eks",
            "cluster_version": "1.30" if not prod else "1.29",
            "vpc_id": Raw("dependency.vpc.outputs.vpc_id"),
            "subnet_ids": Raw("dependency.vpc.outputs.private_subnets"),
            "kms_key_arn": Raw("dependency.kms.outputs.key_arn"),
            "endpoint_public_access": False,
        }
        resources = [
            _res("aws_eks_cluster", "this", version="1.29" if prod else "1.30"),
            _res("aws_cloudwatch_log_group", "cluster"),
        ]
    elif component == "eks-node-groups":
        deps = {"eks": "../eks", "vpc": "../vpc"}
        mn, desired, mx = size["nodes"]
        inputs = {
            "cluster_name": Raw("dependency.eks.outputs.cluster_name"),
            "subnet_ids": Raw("dependency.vpc.outputs.private_subnets"),
            "node_groups": {
                "general": {
                    "instance_types": [size["node_type"]],
                    "min_size": mn,
                    "desired_size": desired,
                    "max_size": mx,
                    "capacity_type": "ON_DEMAND",
                },
            },
        }
        resources = [
            _res(
                "aws_eks_node_group",
                "general",
                instance_types=[size["node_type"]],
                desired_size=desired,
                min_size=mn,
                max_size=mx,
            )
        ]
    elif component == "rds":
        module = "aurora-postgresql"
        envcommon = "rds"
        deps = {"vpc": "../vpc", "kms": "../kms"}
        inputs = {
            "cluster_identifier": f"{name}-aurora",
            "engine_version": "15.6",
            "instance_class": size["db_class"],
            "instance_count": size["db_instances"],
            "vpc_id": Raw("dependency.vpc.outputs.vpc_id"),
            "subnet_ids": Raw("dependency.vpc.outputs.database_subnets"),
            "kms_key_arn": Raw("dependency.kms.outputs.key_arn"),
            "master_username": "acme_admin",
            "master_password": Raw('get_env("DB_PASSWORD")'),
            "backup_retention_period": 35 if prod else 7,
        }
        resources = [
            _res(
                "aws_rds_cluster",
                "this",
                engine="aurora-postgresql",
                engine_version="15.6",
                storage_gb=200 if prod else 20,
            ),
            _res("aws_rds_cluster_instance", "this", size["db_instances"], instance_class=size["db_class"]),
            _res("aws_db_subnet_group", "this"),
        ]
        if region == "eu-west-1":
            # The eu-west-1 cluster is the secondary of the Aurora global database in us-east-1.
            deps["primary"] = "../../../us-east-1/prod/rds"
            inputs["global_cluster_identifier"] = Raw("dependency.primary.outputs.global_cluster_id")
            inputs["is_secondary"] = True
            del inputs["master_password"]
            del inputs["master_username"]
    elif component == "elasticache":
        module = "elasticache-redis"
        deps = {"vpc": "../vpc"}
        inputs = {
            "replication_group_id": f"{name}-redis",
            "node_type": size["cache_node"],
            "num_cache_clusters": size["cache_nodes"],
            "engine_version": "7.1",
            "vpc_id": Raw("dependency.vpc.outputs.vpc_id"),
            "subnet_ids": Raw("dependency.vpc.outputs.private_subnets"),
            "auth_token": Raw('get_env("REDIS_AUTH_TOKEN")'),
            "transit_encryption_enabled": True,
        }
        resources = [
            _res(
                "aws_elasticache_replication_group",
                "this",
                node_type=size["cache_node"],
                num_cache_clusters=size["cache_nodes"],
            )
        ]
    elif component == "alb":
        envcommon = "alb"
        deps = {"vpc": "../vpc"}
        inputs = {
            "name": f"{name}-public",
            "vpc_id": Raw("dependency.vpc.outputs.vpc_id"),
            "subnet_ids": Raw("dependency.vpc.outputs.public_subnets"),
            "certificate_domain": f"{env['environment']}.acme.example" if not prod else "acme.example",
            "enable_deletion_protection": Raw("local.account_vars.locals.deletion_protection"),
        }
        resources = [
            _res("aws_lb", "this", load_balancer_type="application"),
            _res("aws_lb_listener", "https"),
            _res("aws_lb_listener", "http_redirect"),
        ]
    elif component == "waf":
        module = "wafv2"
        deps = {"alb": "../alb"}
        inputs = {
            "name": f"{name}-web-acl",
            "scope": "REGIONAL",
            "resource_arn": Raw("dependency.alb.outputs.lb_arn"),
            "managed_rule_groups": ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"],
        }
        resources = [
            _res("aws_wafv2_web_acl", "this", rules=2),
            _res("aws_wafv2_web_acl_association", "this"),
        ]
    elif component == "ecs-cluster":
        deps = {"vpc": "../vpc"}
        inputs = {
            "cluster_name": f"{name}-apps",
            "container_insights": prod,
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        }
        resources = [_res("aws_ecs_cluster", "this"), _res("aws_ecs_cluster_capacity_providers", "this")]
    elif component in ("ecs-api", "ecs-web", "ecs-worker"):
        service = component.removeprefix("ecs-")
        module = "ecs-service"
        envcommon = "ecs-service"
        deps = {"vpc": "../vpc", "cluster": "../ecs-cluster"}
        if service in ("api", "web"):
            deps["alb"] = "../alb"
        if service in ("api", "worker"):
            deps["rds"] = "../rds"
        if service == "worker":
            deps["sqs"] = "../sqs"
        if service == "api" and env_dir != "non-prod/us-east-1/staging":
            deps["redis"] = "../elasticache"
        count = size["task_count"] * (2 if service == "api" else 1)
        inputs = {
            "service_name": service,
            "image": f"{ECR}/acme/{service}:{'2026.11.3' if prod else '2026.11.4'}",
            "cpu": size["cpu"],
            "memory": size["memory"],
            "desired_count": count,
            "cluster_arn": Raw("dependency.cluster.outputs.cluster_arn"),
            "subnet_ids": Raw("dependency.vpc.outputs.private_subnets"),
        }
        if "alb" in deps:
            inputs["listener_arn"] = Raw("dependency.alb.outputs.https_listener_arn")
            inputs["health_check_path"] = "/healthz"
        if "rds" in deps:
            inputs["database_endpoint"] = Raw("dependency.rds.outputs.cluster_endpoint")
        if "sqs" in deps:
            inputs["queue_url"] = Raw('dependency.sqs.outputs.queue_urls["jobs"]')
        if "redis" in deps:
            inputs["redis_endpoint"] = Raw("dependency.redis.outputs.primary_endpoint")
        resources = [
            _res(
                "aws_ecs_service",
                "this",
                launch_type="FARGATE",
                desired_count=count,
                cpu=size["cpu"],
                memory=size["memory"],
            ),
            _res("aws_ecs_task_definition", "this", cpu=size["cpu"], memory=size["memory"]),
            _res("aws_appautoscaling_target", "this"),
            _res("aws_cloudwatch_log_group", "this"),
        ]
        if "alb" in deps:
            resources.append(_res("aws_lb_target_group", "this"))
    elif component == "lambda-thumbnailer":
        module = "lambda"
        deps = {"uploads": "../s3-uploads"}
        inputs = {
            "function_name": f"{name}-thumbnailer",
            "runtime": "python3.12",
            "memory_size": 1024,
            "timeout": 30,
            "source_bucket_arn": Raw("dependency.uploads.outputs.s3_bucket_arn"),
        }
        resources = [
            _res("aws_lambda_function", "this", memory_size=1024, requests_per_month=2_000_000),
            _res("aws_cloudwatch_log_group", "this"),
            _res("aws_iam_role", "lambda"),
        ]
    elif component == "sqs":
        deps = {"kms": "../kms"}
        inputs = {
            "queues": {
                "jobs": {"visibility_timeout_seconds": 120, "max_receive_count": 5},
                "emails": {"visibility_timeout_seconds": 60, "max_receive_count": 3},
            },
            "kms_master_key_id": Raw("dependency.kms.outputs.key_id"),
        }
        resources = [
            _res("aws_sqs_queue", "this", 2, requests_per_month=30_000_000),
            _res("aws_sqs_queue", "dlq", 2),
        ]
    elif component == "sns":
        deps = {"kms": "../kms"}
        inputs = {
            "topics": ["alerts", "deploy-events"],
            "kms_master_key_id": Raw("dependency.kms.outputs.key_id"),
        }
        resources = [_res("aws_sns_topic", "this", 2), _res("aws_sns_topic_subscription", "pagerduty")]
    elif component in ("s3-uploads", "s3-backups", "s3-artifacts"):
        source = "tfr:///terraform-aws-modules/s3-bucket/aws?version=4.1.2"
        module = "s3-bucket"
        purpose = component.removeprefix("s3-")
        deps = {"kms": "../kms"} if account != "mgmt" else {}
        inputs = {
            "bucket": f"acme-{name}-{purpose}",
            "versioning": {"enabled": True},
            "block_public_acls": True,
            "block_public_policy": True,
        }
        if deps:
            inputs["server_side_encryption_configuration"] = {
                "rule": {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": Raw("dependency.kms.outputs.key_arn"),
                    }
                }
            }
        storage = {"uploads": 1200 if prod else 80, "backups": 5000, "artifacts": 900}[purpose]
        resources = [
            _res("aws_s3_bucket", "this", storage_gb=storage),
            _res("aws_s3_bucket_versioning", "this"),
            _res("aws_s3_bucket_public_access_block", "this"),
        ]
    elif component == "cloudwatch-alarms":
        deps = {"sns": "../sns"}
        inputs = {
            "alarm_topic_arn": Raw('dependency.sns.outputs.topic_arns["alerts"]'),
            "services": ["api", "web", "worker"],
            "p99_latency_threshold_ms": 1000,
            "error_rate_threshold_percent": 5,
        }
        resources = [
            _res("aws_cloudwatch_metric_alarm", "latency", 3),
            _res("aws_cloudwatch_metric_alarm", "errors", 3),
            _res("aws_cloudwatch_dashboard", "services"),
        ]
    elif component == "iam-roles":
        module = "iam-roles"
        roles = {
            "prod": ["deploy", "readonly", "break-glass"],
            "non-prod": ["deploy", "developer"],
            "mgmt": ["ci-github-oidc", "org-admin"],
        }[account]
        inputs = {
            "roles": roles,
            "max_session_duration": 3600,
            "trusted_account_ids": [ACCOUNTS["mgmt"]["aws_account_id"]],
        }
        resources = [
            _res("aws_iam_role", "this", len(roles)),
            _res("aws_iam_role_policy_attachment", "this", len(roles) * 2),
        ]
        if account == "mgmt":
            resources.append(_res("aws_iam_openid_connect_provider", "github"))
    elif component == "route53":
        module = "route53-zone"
        zone = {"prod": "acme.example", "non-prod": "nonprod.acme.example", "mgmt": "mgmt.acme.example"}[
            account
        ]
        inputs = {"zone_name": zone, "comment": f"Managed by Terragrunt ({account})"}
        resources = [_res("aws_route53_zone", "this"), _res("aws_route53_record", "this", 4)]
        if account == "prod":
            deps = {"alb": "${get_terragrunt_dir()}/../../us-east-1/prod/alb"}
            inputs["alias_target"] = Raw("dependency.alb.outputs.lb_dns_name")
    elif component == "ci-runners":
        module = "github-runners"
        deps = {"vpc": "../vpc"}
        inputs = {
            "runner_instance_type": "c6i.xlarge",
            "min_runners": 2,
            "max_runners": 10,
            "subnet_ids": Raw("dependency.vpc.outputs.private_subnets"),
            "github_org": "acme-corp",
        }
        resources = [
            _res("aws_autoscaling_group", "runners", instance_type="c6i.xlarge", desired_capacity=2),
            _res("aws_launch_template", "runners", instance_type="c6i.xlarge"),
        ]
    elif component == "sandbox":
        module = "ec2-instance"
        deps = {"vpc": "../vpc"}
        inputs = {
            "name": "sandbox-bastion",
            "instance_type": "t3.medium",
            "subnet_id": Raw("dependency.vpc.outputs.private_subnets[0]"),
            "ttl_hours": 72,
        }
        resources = [_res("aws_instance", "this", instance_type="t3.medium", volume_gb=30)]
    else:  # pragma: no cover - programming error in the spec below
        raise ValueError(component)
    if source is None:
        source = _module_source(module, ref)
    return {
        "module": module,
        "module_ref": source.rsplit("=", 1)[1],
        "source": source,
        "envcommon": envcommon,
        "deps": deps,
        "inputs": inputs,
        "resources": resources,
    }


_LAYOUT: dict[str, list[str]] = {
    "non-prod/_global": ["iam-roles", "route53"],
    "non-prod/us-east-1/dev": [
        "vpc",
        "kms",
        "eks",
        "eks-node-groups",
        "rds",
        "elasticache",
        "alb",
        "ecs-cluster",
        "ecs-api",
        "ecs-web",
        "ecs-worker",
        "lambda-thumbnailer",
        "sqs",
        "sns",
        "s3-uploads",
        "cloudwatch-alarms",
    ],
    "non-prod/us-east-1/staging": [
        "vpc",
        "kms",
        "eks",
        "eks-node-groups",
        "rds",
        "elasticache",
        "alb",
        "ecs-cluster",
        "ecs-api",
        "ecs-web",
        "ecs-worker",
        "sqs",
    ],
    "prod/_global": ["iam-roles", "route53"],
    "prod/us-east-1/prod": [
        "vpc",
        "kms",
        "eks",
        "eks-node-groups",
        "rds",
        "elasticache",
        "alb",
        "waf",
        "ecs-cluster",
        "ecs-api",
        "ecs-web",
        "ecs-worker",
        "lambda-thumbnailer",
        "sqs",
        "sns",
        "s3-uploads",
        "cloudwatch-alarms",
    ],
    "prod/eu-west-1/prod": ["vpc", "kms", "rds", "s3-backups"],
    "mgmt/_global": ["iam-roles", "route53"],
    "mgmt/us-east-1/mgmt": ["vpc", "ci-runners", "s3-artifacts", "sandbox"],
}

# Units with their own tags.yml beside terragrunt.hcl.
UNIT_TAGS: dict[str, dict[str, str]] = {
    "prod/us-east-1/prod/rds": {"DataClassification": "restricted", "BackupPolicy": "hourly"},
    "prod/us-east-1/prod/s3-uploads": {"DataClassification": "confidential", "Retention": "7y"},
}
# Environment folders with a tags.yml that replaces the repository-wide one.
ENV_TAGS: dict[str, dict[str, str]] = {
    "prod/us-east-1/prod": {
        "ManagedBy": "terragrunt",
        "Repository": "acme-corp/infrastructure-live",
        "DataClassification": "confidential",
        "Compliance": "soc2",
        "BackupPolicy": "daily",
    },
    "non-prod/us-east-1/dev": {
        "ManagedBy": "terragrunt",
        "Repository": "acme-corp/infrastructure-live",
        "DataClassification": "internal",
        "Compliance": "none",
        "AutoShutdown": "weeknights",
    },
}
ROOT_TAGS = {
    "ManagedBy": "terragrunt",
    "Repository": "acme-corp/infrastructure-live",
    "DataClassification": "internal",
    "Compliance": "none",
}


def _build_units() -> list[dict[str, Any]]:
    units: list[dict[str, Any]] = []
    for env_dir, components in _LAYOUT.items():
        parts = env_dir.split("/")
        account = parts[0]
        region = "us-east-1" if parts[1] == "_global" else parts[1]
        environment = ENVS[env_dir]["environment"] if env_dir in ENVS else ACCOUNTS[account]["environment"]
        for component in components:
            unit_id = f"{env_dir}/{component}"
            spec = _component_spec(env_dir, component)
            if unit_id == VIOLATIONS["TG002"][0]:
                spec["source"] = _module_source(spec["module"], "main")
                spec["module_ref"] = "main"
            units.append(
                {
                    "unit": unit_id,
                    "path": f"infrastructure-live/{unit_id}/terragrunt.hcl",
                    "account": account,
                    "aws_account_id": ACCOUNTS[account]["aws_account_id"],
                    "region": region,
                    "global": parts[1] == "_global",
                    "environment": environment,
                    "component": component,
                    "team": ACCOUNTS[account]["team"],
                    "cost_center": ACCOUNTS[account]["cost_center"],
                    "has_lock_file": unit_id not in MISSING_LOCK_FILES,
                    "dependency_units": [
                        posixpath.normpath(
                            posixpath.join(unit_id, t.removeprefix("${get_terragrunt_dir()}/"))
                        )
                        for t in spec["deps"].values()
                    ],
                    "tags_override": unit_id in UNIT_TAGS,
                    **spec,
                }
            )
    return units


UNITS: list[dict[str, Any]] = _build_units()


def unit_by_id(unit_id: str) -> dict[str, Any]:
    """The ``UNITS`` entry for one unit id (``KeyError`` when unknown)."""
    for unit in UNITS:
        if unit["unit"] == unit_id:
            return unit
    raise KeyError(unit_id)


# --------------------------------------------------------------------------------------------------
# HCL rendering
# --------------------------------------------------------------------------------------------------


def _hcl_value(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value) and len(value) <= 4:
            return "[" + ", ".join(_hcl_value(v, indent) for v in value) + "]"
        inner = "".join(f"{pad}  {_hcl_value(v, indent + 1)},\n" for v in value)
        return "[\n" + inner + pad + "]"
    if isinstance(value, dict):
        return "{\n" + _hcl_attrs(value, indent + 1) + pad + "}"
    raise TypeError(type(value))


def _hcl_key(key: str) -> str:
    return key if key.replace("_", "").isalnum() and not key[0].isdigit() else f'"{key}"'


def _hcl_attrs(values: dict[str, Any], indent: int) -> str:
    """Attributes aligned on ``=`` the way ``terraform fmt`` does: a multi-line value ends a group."""
    pad = "  " * indent
    rendered = [(_hcl_key(k), _hcl_value(v, indent)) for k, v in values.items()]
    groups: list[list[tuple[str, str]]] = [[]]
    for key, value in rendered:
        groups[-1].append((key, value))
        if "\n" in value:
            groups.append([])
    lines = []
    for group in groups:
        width = max((len(k) for k, _ in group), default=0)
        lines.extend(f"{pad}{key.ljust(width)} = {value}\n" for key, value in group)
    return "".join(lines)


def _locals_block(values: dict[str, Any]) -> str:
    return "locals {\n" + _hcl_attrs(values, 1) + "}\n"


def _yaml(values: dict[str, str]) -> str:
    return "".join(f"{k}: {v}\n" for k, v in values.items())


ROOT_HCL = """\
# Root Terragrunt configuration for acme-corp/infrastructure-live.
# Every unit includes this file with `include "root" { path = find_in_parent_folders("root.hcl") }`.
# It configures S3 remote state with DynamoDB locking, generates the AWS provider (default_tags) and
# the version constraints, and merges tags from tags.yml files over the account defaults.

locals {
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  env_vars     = try(read_terragrunt_config(find_in_parent_folders("env.hcl")), { locals = {} })

  account_name   = local.account_vars.locals.account_name
  aws_account_id = local.account_vars.locals.aws_account_id
  aws_region     = local.region_vars.locals.aws_region
  environment    = try(local.env_vars.locals.environment, local.account_vars.locals.environment)

  default_tags = {
    Owner       = local.account_vars.locals.owner
    Team        = local.account_vars.locals.team
    CostCenter  = local.account_vars.locals.cost_center
    Environment = local.environment
    Project     = local.region_vars.locals.project
  }

  # The nearest tags.yml above the unit (repository root, or an environment folder that replaces it),
  # then the unit's own tags.yml when it has one: later maps win.
  override_tags = yamldecode(file(find_in_parent_folders("tags.yml")))
  unit_tags     = try(yamldecode(file("${get_terragrunt_dir()}/tags.yml")), {})
  tags          = merge(local.default_tags, local.override_tags, local.unit_tags)
}

remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket         = "tfstate-${local.account_name}-${local.aws_region}"
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = local.aws_region
    encrypt        = true
    dynamodb_table = "terraform-locks"
    s3_bucket_tags = local.tags
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region              = "${local.aws_region}"
  allowed_account_ids = ["${local.aws_account_id}"]

  default_tags {
    tags = ${jsonencode(local.tags)}
  }
}
EOF
}

generate "versions" {
  path      = "versions.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}
EOF
}

terraform {
  extra_arguments "lock_timeout" {
    commands  = get_terraform_commands_that_need_locking()
    arguments = ["-lock-timeout=20m"]
  }
}

inputs = merge(
  local.account_vars.locals,
  local.region_vars.locals,
  local.env_vars.locals,
  {
    tags = local.tags
  },
)
"""


def _account_hcl(account: str) -> str:
    a = ACCOUNTS[account]
    values = {k: v for k, v in a.items() if k != "module_ref"}
    return f"# Account-wide settings for the {account} AWS account.\n" + _locals_block(values)


def _region_hcl(region: str, global_folder: bool = False) -> str:
    head = (
        "# Global (non-regional) resources: IAM and Route 53 live in us-east-1.\n"
        if global_folder
        else f"# Region settings for {region}.\n"
    )
    return head + _locals_block(
        {
            "aws_region": region,
            "availability_zones": REGIONS[region],
            "project": PROJECT,
        }
    )


def _env_hcl(env_dir: str) -> str:
    env = ENVS[env_dir]
    size = SIZES[env["tier"]]
    return f"# Environment settings for {env_dir}.\n" + _locals_block(
        {
            "environment": env["environment"],
            "vpc_cidr": env["vpc_cidr"],
            "size_tier": env["tier"],
            "default_task_count": size["task_count"],
        }
    )


ENVCOMMON: dict[str, str] = {
    "vpc": """\
# Common configuration for the vpc component, included by every environment's vpc unit.
locals {
  env_vars    = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars = read_terragrunt_config(find_in_parent_folders("region.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/vpc"
  cidr            = local.env_vars.locals.vpc_cidr
}

inputs = {
  azs                  = local.region_vars.locals.availability_zones
  enable_dns_hostnames = true
  enable_dns_support   = true
  enable_nat_gateway   = true
  private_subnets      = [for i in range(3) : cidrsubnet(local.cidr, 4, i)]
  public_subnets       = [for i in range(3) : cidrsubnet(local.cidr, 8, 200 + i)]
  database_subnets     = [for i in range(3) : cidrsubnet(local.cidr, 8, 210 + i)]
}
""",
    "eks": """\
# Common configuration for EKS clusters.
locals {
  env_vars = read_terragrunt_config(find_in_parent_folders("env.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/eks"
}

inputs = {
  enable_irsa                 = true
  cluster_enabled_log_types   = ["api", "audit", "authenticator"]
  cluster_addons              = ["coredns", "kube-proxy", "vpc-cni", "aws-ebs-csi-driver"]
  authentication_mode         = "API_AND_CONFIG_MAP"
  endpoint_private_access     = true
  cloudwatch_log_group_prefix = "/aws/eks/${local.env_vars.locals.environment}"
}
""",
    "rds": """\
# Common configuration for Aurora PostgreSQL clusters.
locals {
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/aurora-postgresql"
}

inputs = {
  engine                       = "aurora-postgresql"
  storage_encrypted            = true
  deletion_protection          = local.account_vars.locals.deletion_protection
  preferred_backup_window      = "03:00-04:00"
  preferred_maintenance_window = "sun:04:30-sun:05:30"
  performance_insights_enabled = true
  iam_database_authentication_enabled = true
}
""",
    "alb": """\
# Common configuration for public application load balancers.
locals {
  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/alb"
}

inputs = {
  internal                   = false
  idle_timeout               = 60
  drop_invalid_header_fields = true
  ssl_policy                 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  access_logs_enabled        = true
}
""",
    "ecs-service": """\
# Common configuration for ECS Fargate services (api, web, worker).
locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/ecs-service"
}

inputs = {
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_execute_command             = local.env_vars.locals.environment != "prod"
  log_retention_days                 = local.account_vars.locals.log_retention_days
  deployment_circuit_breaker         = { enable = true, rollback = true }
}
""",
}


def _mock_outputs(dep_name: str, target: str) -> dict[str, Any]:
    component = target.rstrip("/").rsplit("/", 1)[-1]
    mocks: dict[str, dict[str, Any]] = {
        "vpc": {
            "vpc_id": "vpc-00000000000000000",
            "private_subnets": ["subnet-00000001", "subnet-00000002"],
            "public_subnets": ["subnet-00000101", "subnet-00000102"],
            "database_subnets": ["subnet-00000201", "subnet-00000202"],
        },
        "kms": {"key_arn": "arn:aws:kms:us-east-1:000000000000:key/mock", "key_id": "mock-key-id"},
        "eks": {"cluster_name": "mock-cluster", "cluster_endpoint": "https://mock.eks.amazonaws.com"},
        "rds": {"cluster_endpoint": "mock.cluster.local", "global_cluster_id": "mock-global"},
        "elasticache": {"primary_endpoint": "mock.cache.local"},
        "alb": {
            "lb_arn": "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/mock/0",
            "https_listener_arn": "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/mock",
            "lb_dns_name": "mock-alb.us-east-1.elb.amazonaws.com",
        },
        "ecs-cluster": {"cluster_arn": "arn:aws:ecs:us-east-1:000000000000:cluster/mock"},
        "sqs": {"queue_urls": {"jobs": "https://sqs.us-east-1.amazonaws.com/000000000000/mock-jobs"}},
        "sns": {"topic_arns": {"alerts": "arn:aws:sns:us-east-1:000000000000:mock-alerts"}},
        "s3-uploads": {"s3_bucket_arn": "arn:aws:s3:::mock-bucket"},
    }
    return mocks[component]


def _dependency_block(name: str, target: str, *, with_mocks: bool = True) -> str:
    lines = [f'dependency "{name}" {{\n', f'  config_path = "{target}"\n']
    if with_mocks:
        lines.append("\n")
        lines.append("  mock_outputs = " + _hcl_value(_mock_outputs(name, target), 1) + "\n")
    lines.append('  mock_outputs_allowed_terraform_commands = ["validate", "plan"]\n')
    lines.append("}\n")
    return "".join(lines)


_DESCRIPTIONS = {
    "vpc": "VPC with private, public and database subnets and NAT gateways",
    "kms": "customer-managed KMS key for this environment's data at rest",
    "eks": "EKS control plane",
    "eks-node-groups": "managed node groups for the EKS cluster",
    "rds": "Aurora PostgreSQL cluster",
    "elasticache": "Redis replication group (sessions and rate limits)",
    "alb": "public application load balancer",
    "waf": "WAFv2 web ACL in front of the public load balancer",
    "ecs-cluster": "ECS cluster for the application services",
    "ecs-api": "ECS Fargate service: api",
    "ecs-web": "ECS Fargate service: web",
    "ecs-worker": "ECS Fargate service: worker (consumes the jobs queue)",
    "lambda-thumbnailer": "Lambda that renders thumbnails for uploaded images",
    "sqs": "SQS queues (jobs, emails) with dead-letter queues",
    "sns": "SNS topics for alerts and deploy events",
    "s3-uploads": "S3 bucket for user uploads",
    "s3-backups": "S3 bucket for cross-region backups",
    "s3-artifacts": "S3 bucket for CI build artifacts",
    "cloudwatch-alarms": "CloudWatch alarms for the application services",
    "iam-roles": "IAM roles assumed by people and CI",
    "route53": "Route 53 hosted zone",
    "ci-runners": "self-hosted GitHub Actions runners",
    "sandbox": "sandbox bastion for experiments (short-lived)",
}

# A few units write their config_path relative to get_terragrunt_dir(), as real repos do.
_TG_DIR_DEPS = {
    "prod/us-east-1/prod/ecs-api": {"vpc"},
    "non-prod/us-east-1/dev/ecs-api": {"vpc"},
    "prod/us-east-1/prod/eks-node-groups": {"eks"},
}

# Explicit ordering-only dependencies (`dependencies { paths = [...] }`).
_ORDER_DEPS = {
    "prod/us-east-1/prod/cloudwatch-alarms": ["../ecs-api", "../ecs-web", "../ecs-worker", "../rds"],
    "non-prod/us-east-1/dev/cloudwatch-alarms": ["../ecs-api", "../ecs-web", "../ecs-worker"],
}


def _unit_hcl(unit: dict[str, Any]) -> str:
    uid = unit["unit"]
    out: list[str] = [f"# {uid}: {_DESCRIPTIONS[unit['component']]}.\n"]
    if uid in UNIT_TAGS:
        out.append("# Extra tags for this unit come from tags.yml beside this file.\n")
    out.append("\n")
    if uid == VIOLATIONS["TG001"][0]:
        out.append("# Written before we switched to labeled includes.\n")
        out.append('include {\n  path = find_in_parent_folders("root.hcl")\n}\n\n')
    else:
        out.append('include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n\n')
    envcommon = unit["envcommon"]
    if envcommon:
        out.append('include "envcommon" {\n')
        out.append(
            f'  path   = "${{dirname(find_in_parent_folders("root.hcl"))}}/_envcommon/{envcommon}.hcl"\n'
        )
        out.append("  expose = true\n}\n\n")
    local_values: dict[str, Any] = {}
    if not unit["global"]:
        local_values["env_vars"] = Raw('read_terragrunt_config(find_in_parent_folders("env.hcl"))')
    local_values["region_vars"] = Raw('read_terragrunt_config(find_in_parent_folders("region.hcl"))')
    local_values["account_vars"] = Raw('read_terragrunt_config(find_in_parent_folders("account.hcl"))')
    out.append(_locals_block(local_values) + "\n")
    if envcommon and unit["component"].startswith("ecs-"):
        # The ecs services take the module URL from _envcommon and pin the ref here.
        source = f"${{include.envcommon.locals.base_source_url}}?ref={unit['module_ref']}"
    else:
        source = unit["source"]
    out.append(f'terraform {{\n  source = "{source}"\n}}\n\n')
    if uid == VIOLATIONS["TG007"][0]:
        out.append(
            "# Sandbox state lives in its own bucket so it can be wiped without touching mgmt state.\n"
        )
        out.append(
            'remote_state {\n  backend = "s3"\n  generate = {\n    path      = "backend.tf"\n'
            '    if_exists = "overwrite_terragrunt"\n  }\n  config = {\n'
            '    bucket         = "acme-sandbox-tfstate"\n'
            '    key            = "${path_relative_to_include()}/terraform.tfstate"\n'
            '    region         = "us-east-1"\n'
            "    encrypt        = false\n"
            '    dynamodb_table = "terraform-locks"\n  }\n}\n\n'
        )
    for name, target in unit["deps"].items():
        path = target
        if name in _TG_DIR_DEPS.get(uid, set()):
            path = "${get_terragrunt_dir()}/" + target
        with_mocks = not (uid == VIOLATIONS["TG003"][0] and name == "sqs")
        out.append(_dependency_block(name, path, with_mocks=with_mocks) + "\n")
    if uid in _ORDER_DEPS:
        out.append("# Alarms reference the services by name: create them after the services exist.\n")
        out.append("dependencies {\n  paths = " + _hcl_value(_ORDER_DEPS[uid], 1) + "\n}\n\n")
    inputs = dict(unit["inputs"])
    if uid == VIOLATIONS["TG008"][0]:
        inputs["master_password"] = Raw('"Sup3rS3cret!sample" # FIXME: temporary, move to DB_PASSWORD')
    if uid == VIOLATIONS["TG009"][0]:
        inputs["master_password"] = Raw('get_env("DB_PASSWORD", "changeme123")')
    out.append("inputs = {\n" + _hcl_attrs(inputs, 1) + "}\n")
    return "".join(out)


def _lock_file(unit: dict[str, Any]) -> str:
    """A plausible .terraform.lock.hcl: hashes derived from the provider version, so stable."""
    providers = [("hashicorp/aws", "5.62.0", ">= 5.46.0, ~> 5.60")]
    if unit["component"] in ("eks", "eks-node-groups"):
        providers.append(("hashicorp/tls", "4.0.5", ">= 3.0.0"))
    if unit["component"].startswith("lambda"):
        providers.append(("hashicorp/archive", "2.4.2", ">= 2.2.0"))
    if unit["source"].startswith("tfr://"):
        providers.append(("hashicorp/random", "3.6.2", ">= 3.1.0"))
    out = [
        '# This file is maintained automatically by "terraform init".\n',
        "# Manual edits may be lost in future updates.\n",
    ]
    for name, version, constraints in sorted(providers):
        seed = f"{name}@{version}".encode()
        h1 = base64.b64encode(hashlib.sha256(seed + b"h1").digest()).decode()
        zh = [hashlib.sha256(seed + bytes([i])).hexdigest() for i in range(4)]
        out.append(f'\nprovider "registry.terraform.io/{name}" {{\n')
        out.append(f'  version     = "{version}"\n')
        out.append(f'  constraints = "{constraints}"\n')
        out.append("  hashes = [\n")
        out.append(f'    "h1:{h1}",\n')
        out.extend(f'    "zh:{z}",\n' for z in zh)
        out.append("  ]\n}\n")
    return "".join(out)


_STACK_HCL = """\
# Preview stack for the dev environment: one ECS service with its queue, plus the shared
# observability stack. `terragrunt stack generate` writes the units under .terragrunt-stack/.

locals {
  environment = "dev"
  catalog     = "git::https://github.com/acme-corp/terragrunt-catalog.git"
}

unit "service" {
  source = "git::https://github.com/acme-corp/terragrunt-catalog.git//units/ecs-service?ref=v0.4.1"
  path   = "service"

  values = {
    service_name  = "preview-api"
    cpu           = 256
    memory        = 512
    desired_count = 1
    vpc_path      = "../../../vpc"
    cluster_path  = "../../../ecs-cluster"
  }
}

unit "queue" {
  source = "git::https://github.com/acme-corp/terragrunt-catalog.git//units/sqs?ref=v0.4.1"
  path   = "queue"

  values = {
    name                       = "preview-jobs"
    visibility_timeout_seconds = 60
  }
}

stack "observability" {
  source = "git::https://github.com/acme-corp/terragrunt-catalog.git//stacks/observability?ref=v0.4.1"
  path   = "observability"

  values = {
    environment     = local.environment
    alarm_topic     = "preview-alerts"
    retention_days  = 14
  }
}
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def generate(out_dir: Path) -> None:
    """Write ``infrastructure-live/`` under ``out_dir``, replacing any previous copy."""
    root = Path(out_dir) / "infrastructure-live"
    if root.exists():
        shutil.rmtree(root)
    _write(root / "root.hcl", ROOT_HCL)
    _write(
        root / "tags.yml",
        "# Repository-wide tags, merged over the account defaults by root.hcl.\n" + _yaml(ROOT_TAGS),
    )
    for name, text in ENVCOMMON.items():
        _write(root / "_envcommon" / f"{name}.hcl", text)
    for account in ACCOUNTS:
        _write(root / account / "account.hcl", _account_hcl(account))
        _write(root / account / "_global" / "region.hcl", _region_hcl("us-east-1", global_folder=True))
    for env_dir in ENVS:
        account, region, _ = env_dir.split("/")
        _write(root / account / region / "region.hcl", _region_hcl(region))
        _write(root / env_dir / "env.hcl", _env_hcl(env_dir))
    for env_dir, tags in ENV_TAGS.items():
        _write(
            root / env_dir / "tags.yml",
            f"# Tags for every unit under {env_dir} (replaces the root tags.yml).\n" + _yaml(tags),
        )
    for unit in UNITS:
        udir = root / unit["unit"]
        _write(udir / "terragrunt.hcl", _unit_hcl(unit))
        if unit["has_lock_file"]:
            _write(udir / ".terraform.lock.hcl", _lock_file(unit))
        if unit["unit"] in UNIT_TAGS:
            _write(udir / "tags.yml", "# Unit-level tag overrides.\n" + _yaml(UNIT_TAGS[unit["unit"]]))
    _write(root / STACK_FILE, _STACK_HCL)


def violation_lines(root: Path) -> dict[str, tuple[str, int]]:
    """Rule id -> (file relative to ``root``, 1-based line) of each planted violation's marker."""
    found: dict[str, tuple[str, int]] = {}
    for rule, (unit_id, marker) in VIOLATIONS.items():
        rel = f"{unit_id}/terragrunt.hcl"
        for number, line in enumerate((Path(root) / rel).read_text().splitlines(), 1):
            if marker in line:
                found[rule] = (rel, number)
                break
        else:  # pragma: no cover - the generator and VIOLATIONS disagree
            raise LookupError(f"{rule}: {marker!r} not found in {rel}")
    return found

"""Sample plans: ``plans/<unit>/tfplan.json`` for every unit of the sample tree, as
``terragrunt run --all plan --json-out-dir plans`` would leave them after the nightly drift check of
2026-11-20T06:00:00Z, in the exact ``terraform show -json`` format (``format_version`` 1.2).

Most units have nothing to do (every resource ``no-op``). The story the drift report tells:

- drift (``resource_drift`` plus the planned update that would revert it): an EKS node group scaled in
  the console, an ECS service's desired count, a log retention shortened by the same script in three
  prod units (one cause across units), a dev database's backup retention and tags, a prod bucket's
  public access block, an IAM role's session duration;
- a replace of each encoding: a node group ``["create","delete"]`` (create_before_destroy) and the
  sandbox instance ``["delete","create"]``; deletes (a removed subscription, a DLQ by count), a create;
- secrets: dev's database password is ``master_password`` (sensitive) and is copied unmarked into
  ``DATABASE_URL`` of the dev api task definition; the sandbox's ``bootstrap_token`` variable is
  declared sensitive and rendered unmarked into the instance's ``user_data``; Redis ``auth_token``s;
- one unit whose plan errored (staging ecs-worker, the dependency without mock outputs).

The plan made by a real terraform binary lives in ``plans/real-terraform/`` (see its ``make.sh``); this
generator leaves it alone.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from _gen.tree import UNITS

__all__ = ["BOOTSTRAP_TOKEN", "DEV_DB_PASSWORD", "PLAN_TIME", "SCENARIOS", "generate", "unit_plan"]

PLAN_TIME = "2026-11-20T06:00:00Z"
TERRAFORM_VERSION = "1.9.8"
AWS = "registry.terraform.io/hashicorp/aws"
DEV_DB_PASSWORD = "Sup3rS3cret!sample"  # the tree's hardcoded password (lint TG008)
BOOTSTRAP_TOKEN = "sbx-bootstrap-7Qx9vLk2mN4pR8tW"
ERRORED_UNIT = "non-prod/us-east-1/staging/ecs-worker"

# unit -> address -> what happens. "drift": {path: (was, now)} changed outside Terraform, the plan
# reverts it; "update"/"replace": {path: (before, after)}; "delete"/"create": reason.
SCENARIOS: dict[str, dict[str, dict[str, Any]]] = {
    "prod/us-east-1/prod/eks-node-groups": {
        "aws_eks_node_group.general": {"drift": {"scaling_config[0].desired_size": (6, 9)}}
    },
    "prod/us-east-1/prod/ecs-api": {
        "aws_ecs_service.this": {"drift": {"desired_count": (8, 12)}},
        "aws_cloudwatch_log_group.this": {"drift": {"retention_in_days": (365, 30)}},
    },
    "prod/us-east-1/prod/ecs-web": {
        "aws_cloudwatch_log_group.this": {"drift": {"retention_in_days": (365, 30)}}
    },
    "prod/us-east-1/prod/eks": {
        "aws_cloudwatch_log_group.cluster": {"drift": {"retention_in_days": (365, 30)}}
    },
    "non-prod/us-east-1/dev/rds": {
        "aws_rds_cluster.this": {
            "drift": {
                "backup_retention_period": (7, 1),
                "tags.Owner": (None, "j.doe"),
                "tags_all.Owner": (None, "j.doe"),
            }
        }
    },
    "prod/us-east-1/prod/s3-uploads": {
        "aws_s3_bucket_public_access_block.this": {"drift": {"block_public_policy": (True, False)}}
    },
    "mgmt/_global/iam-roles": {"aws_iam_role.this[1]": {"drift": {"max_session_duration": (3600, 43200)}}},
    "non-prod/us-east-1/staging/eks-node-groups": {
        "aws_eks_node_group.general": {
            "replace": {"instance_types[0]": ("m6i.large", "m7i.large")},
            "order": ["create", "delete"],
            "replace_paths": [["instance_types"]],
        }
    },
    "mgmt/us-east-1/mgmt/sandbox": {
        "aws_instance.this": {
            "replace": {"ami": ("ami-0a1b2c3d4e5f60718", "ami-0f9e8d7c6b5a40312")},
            "order": ["delete", "create"],
            "replace_paths": [["ami"]],
        }
    },
    "non-prod/us-east-1/dev/ecs-api": {
        "aws_ecs_task_definition.this": {
            "replace": {"container_definitions": "image:2026.11.5"},
            "order": ["delete", "create"],
            "replace_paths": [["container_definitions"]],
        },
        "aws_ecs_service.this": {"update": {"task_definition": "revision"}},
    },
    "non-prod/us-east-1/dev/sns": {
        "aws_sns_topic_subscription.pagerduty": {"delete": "delete_because_no_resource_config"}
    },
    "prod/us-east-1/prod/sqs": {"aws_sqs_queue.dlq[1]": {"delete": "delete_because_count_index"}},
    "prod/us-east-1/prod/cloudwatch-alarms": {"aws_cloudwatch_metric_alarm.latency[3]": {"create": "count"}},
}


def _hex(*parts: Any, n: int = 17) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:n]


def _tags(unit: dict[str, Any], name: str) -> dict[str, str]:
    return {
        "Name": name,
        "Environment": unit["environment"],
        "Team": unit["team"],
        "CostCenter": unit["cost_center"],
        "ManagedBy": "terragrunt",
    }


def _database_url(unit: dict[str, Any]) -> str:
    env = unit["environment"]
    password = DEV_DB_PASSWORD if env == "dev" else "${DB_PASSWORD}"
    return (
        f"postgres://acme_admin:{password}@{env}-{unit['region']}-aurora.cluster-c{_hex(env, n=10)}."
        f"{unit['region']}.rds.amazonaws.com:5432/app"
    )


def _container_definitions(unit: dict[str, Any], image: str) -> str:
    env = [{"name": "APP_ENV", "value": unit["environment"]}]
    if "rds" in unit["deps"]:
        env.append({"name": "DATABASE_URL", "value": _database_url(unit)})
    service = unit["inputs"].get("service_name", unit["component"])
    return json.dumps(
        [
            {
                "name": service,
                "image": image,
                "essential": True,
                "environment": env,
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            }
        ],
        separators=(",", ":"),
    )


def _attributes(unit: dict[str, Any], res: dict[str, Any], index: int | None) -> dict[str, Any]:
    """Plausible state attributes for one resource instance, consistent with the tree."""
    rtype, spec = res["type"], res["attributes"]
    acct, region, env = unit["aws_account_id"], unit["region"], unit["environment"]
    base = f"{env}-{region}" if not unit["global"] else unit["account"]
    name = f"{base}-{unit['component']}" + (f"-{index}" if index is not None else "")
    rid = _hex(unit["unit"], rtype, res["name"], index)
    arn = f"arn:aws:{rtype.split('_')[1]}:{region}:{acct}:{rtype.removeprefix('aws_')}/{name}"
    attrs: dict[str, Any] = {"id": rid, "arn": arn}
    if rtype == "aws_vpc":
        attrs.update(
            id=f"vpc-{rid}",
            cidr_block=spec.get("cidr_block"),
            enable_dns_hostnames=True,
            enable_dns_support=True,
            instance_tenancy="default",
        )
    elif rtype == "aws_subnet":
        attrs.update(
            id=f"subnet-{rid}",
            availability_zone=f"{region}{'abc'[(index or 0) % 3]}",
            map_public_ip_on_launch=res["name"] == "public",
        )
    elif rtype == "aws_eks_node_group":
        attrs.update(
            node_group_name=res["name"],
            cluster_name=f"{base}-eks",
            instance_types=list(spec.get("instance_types") or []),
            capacity_type="ON_DEMAND",
            scaling_config=[
                {
                    "desired_size": spec.get("desired_size"),
                    "min_size": spec.get("min_size"),
                    "max_size": spec.get("max_size"),
                }
            ],
        )
    elif rtype == "aws_eks_cluster":
        attrs.update(
            name=f"{base}-eks",
            version=spec.get("version"),
            vpc_config=[{"endpoint_public_access": False, "endpoint_private_access": True}],
        )
    elif rtype == "aws_ecs_service":
        attrs.update(
            name=unit["inputs"].get("service_name"),
            desired_count=spec.get("desired_count"),
            launch_type="FARGATE",
            task_definition=f"{name}:41",
        )
    elif rtype == "aws_ecs_task_definition":
        image = str(unit["inputs"].get("image"))
        attrs.update(
            family=name,
            cpu=str(spec.get("cpu")),
            memory=str(spec.get("memory")),
            network_mode="awsvpc",
            revision=41,
            container_definitions=_container_definitions(unit, image),
        )
    elif rtype == "aws_rds_cluster":
        attrs.update(
            cluster_identifier=f"{base}-aurora",
            engine="aurora-postgresql",
            engine_version="15.6",
            master_username="acme_admin",
            master_password=DEV_DB_PASSWORD if env == "dev" else f"rds-{_hex(env, region, n=20)}",
            backup_retention_period=unit["inputs"].get("backup_retention_period", 7),
            storage_encrypted=True,
            deletion_protection=unit["account"] == "prod",
        )
    elif rtype == "aws_rds_cluster_instance":
        attrs.update(identifier=name, instance_class=spec.get("instance_class"), engine="aurora-postgresql")
    elif rtype == "aws_elasticache_replication_group":
        attrs.update(
            replication_group_id=f"{base}-redis",
            node_type=spec.get("node_type"),
            num_cache_clusters=spec.get("num_cache_clusters"),
            transit_encryption_enabled=True,
            auth_token=f"redis-{_hex(env, region, 'auth', n=24)}",
        )
    elif rtype == "aws_cloudwatch_log_group":
        attrs.update(
            name=f"/aws/{unit['component']}/{base}",
            retention_in_days=365 if unit["account"] == "prod" else 30,
        )
    elif rtype == "aws_s3_bucket_public_access_block":
        attrs.update(
            bucket=unit["inputs"].get("bucket"),
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
    elif rtype == "aws_iam_role":
        roles = unit["inputs"].get("roles") or ["lambda"]
        role = roles[index or 0] if index is not None and index < len(roles) else roles[0]
        attrs.update(
            name=f"{unit['account']}-{role}",
            max_session_duration=3600,
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"AWS": "arn:aws:iam::345678901234:root"},
                        }
                    ],
                },
                separators=(",", ":"),
            ),
        )
    elif rtype == "aws_instance":
        attrs.update(
            id=f"i-{rid}",
            ami="ami-0a1b2c3d4e5f60718",
            instance_type=spec.get("instance_type"),
            user_data=f"#!/bin/bash\nset -euo pipefail\nexport BOOTSTRAP_TOKEN={BOOTSTRAP_TOKEN}\n"
            "curl -fsS https://bootstrap.mgmt.acme.example/join | bash\n",
        )
    elif rtype == "aws_sns_topic_subscription":
        attrs.update(protocol="https", endpoint="https://events.pagerduty.com/integration/abc123/enqueue")
    elif rtype == "aws_sqs_queue":
        attrs.update(name=name, visibility_timeout_seconds=120, message_retention_seconds=1209600)
    elif rtype == "aws_cloudwatch_metric_alarm":
        attrs.update(
            alarm_name=name, comparison_operator="GreaterThanThreshold", threshold=1000, evaluation_periods=3
        )
    else:
        attrs["name"] = name
    if rtype not in ("aws_subnet", "aws_iam_role_policy_attachment", "aws_kms_alias", "aws_eip"):
        attrs["tags"] = _tags(unit, attrs.get("name") or name)
        attrs["tags_all"] = dict(attrs["tags"])
    return attrs


_SENSITIVE = {"aws_rds_cluster": ["master_password"], "aws_elasticache_replication_group": ["auth_token"]}


def _marks(rtype: str, value: dict[str, Any] | None) -> Any:
    """The ``*_sensitive`` tree Terraform writes: sensitive attributes true, nested structure kept."""
    if value is None:
        return False
    out: dict[str, Any] = {k: True for k in _SENSITIVE.get(rtype, []) if k in value}
    for key, item in value.items():
        if isinstance(item, list) and item and isinstance(item[0], dict):
            out[key] = [{} for _ in item]
        elif isinstance(item, list):
            out[key] = [False for _ in item]
        elif isinstance(item, dict):
            out[key] = {}
    return out


def _set(obj: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[0].c`` inside nested dicts/lists (None removes a map key)."""
    steps: list[Any] = []
    for part in path.split("."):
        if "[" in part:
            name, idx = part[:-1].split("[")
            steps += [name, int(idx)]
        else:
            steps.append(part)
    target: Any = obj
    for step in steps[:-1]:
        target = target[step]
    if value is None and isinstance(target, dict):
        target.pop(steps[-1], None)
    else:
        target[steps[-1]] = value


def _address(res: dict[str, Any], index: int | None) -> str:
    return f"{res['type']}.{res['name']}" + (f"[{index}]" if index is not None else "")


def _rc(
    address: str,
    res: dict[str, Any],
    index: int | None,
    actions: list[str],
    before: Any,
    after: Any,
    **extra: Any,
) -> dict[str, Any]:
    unknown: dict[str, Any] = {}
    if after is not None and (before is None or ("create" in actions and "delete" in actions)):
        unknown = {"id": True, "arn": True}  # a new object gets a new id and arn
    entry: dict[str, Any] = {"address": address, "mode": "managed", "type": res["type"], "name": res["name"]}
    if index is not None:
        entry["index"] = index
    entry.update(
        {
            "provider_name": AWS,
            "change": {
                "actions": actions,
                "before": before,
                "after": after,
                "after_unknown": unknown,
                "before_sensitive": _marks(res["type"], before),
                "after_sensitive": _marks(res["type"], after),
            },
        }
    )
    if extra.get("replace_paths"):
        entry["change"]["replace_paths"] = extra["replace_paths"]
    if extra.get("action_reason"):
        entry["action_reason"] = extra["action_reason"]
    return entry


def _changed(attrs: dict[str, Any], change: dict[str, Any], unit: dict[str, Any]) -> dict[str, Any]:
    after = copy.deepcopy(attrs)
    for path, values in change.items():
        if path == "container_definitions":
            image = str(unit["inputs"]["image"]).rsplit(":", 1)[0] + ":2026.11.5"
            after[path] = _container_definitions(unit, image)
        elif path == "task_definition":
            after[path] = str(attrs[path]).rsplit(":", 1)[0] + ":42"
        else:
            _set(after, path, values[1])
    return after


def _variables(unit: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(plan ``variables``, ``configuration.root_module.variables``) for a unit."""
    values: dict[str, Any] = {}
    decls: dict[str, Any] = {}
    for key, value in unit["inputs"].items():
        if isinstance(value, (str, int, float, bool, list, dict)) and type(value).__name__ != "Raw":
            values[key] = {"value": value}
            decls[key] = {"description": key.replace("_", " ")}
    if unit["component"] == "rds" and unit["environment"] == "dev":
        values["master_password"] = {"value": DEV_DB_PASSWORD}
        decls["master_password"] = {"description": "master password", "sensitive": True}
    if unit["component"] == "sandbox":
        values["bootstrap_token"] = {"value": BOOTSTRAP_TOKEN}
        decls["bootstrap_token"] = {"description": "cluster join token", "sensitive": True}
    return values, decls


def unit_plan(unit: dict[str, Any]) -> dict[str, Any]:
    """The ``terraform show -json`` document for one unit."""
    scen = SCENARIOS.get(unit["unit"], {})
    changes: list[dict[str, Any]] = []
    drift: list[dict[str, Any]] = []
    prior: list[dict[str, Any]] = []
    relevant: list[dict[str, Any]] = []
    for res in unit["resources"]:
        count = res["count"]
        for i in range(count + (1 if any(a == _address(res, count) for a in scen) else 0)):
            index = i if count > 1 or i >= 1 else None
            address = _address(res, index)
            attrs = _attributes(unit, res, index)
            what = scen.get(address, {})
            if "create" in what:
                changes.append(
                    _rc(
                        address,
                        res,
                        index,
                        ["create"],
                        None,
                        {k: v for k, v in attrs.items() if k not in ("id", "arn")},
                    )
                )
                continue
            prior.append(
                {
                    "address": address,
                    "mode": "managed",
                    "type": res["type"],
                    "name": res["name"],
                    **({"index": index} if index is not None else {}),
                    "provider_name": AWS,
                    "schema_version": 0,
                    "values": attrs,
                    "sensitive_values": _marks(res["type"], attrs),
                }
            )
            if "drift" in what:
                was = copy.deepcopy(attrs)
                now = copy.deepcopy(attrs)
                for path, (old, new) in what["drift"].items():
                    _set(was, path, old)
                    _set(now, path, new)
                prior[-1]["values"] = now
                drift.append(_rc(address, res, index, ["update"], was, now))
                changes.append(_rc(address, res, index, ["update"], now, was))
                relevant += [
                    {"resource": address, "attribute": [p.split(".")[0].split("[")[0]]} for p in what["drift"]
                ]
            elif "replace" in what:
                after = _changed(attrs, what["replace"], unit)
                after = {k: v for k, v in after.items() if k not in ("id", "arn")}
                changes.append(
                    _rc(
                        address,
                        res,
                        index,
                        what["order"],
                        attrs,
                        after,
                        replace_paths=what["replace_paths"],
                        action_reason="replace_because_cannot_update",
                    )
                )
            elif "update" in what:
                changes.append(
                    _rc(address, res, index, ["update"], attrs, _changed(attrs, what["update"], unit))
                )
            elif "delete" in what:
                changes.append(
                    _rc(address, res, index, ["delete"], attrs, None, action_reason=what["delete"])
                )
            else:
                changes.append(_rc(address, res, index, ["no-op"], attrs, copy.deepcopy(attrs)))
    values, decls = _variables(unit)
    errored = unit["unit"] == ERRORED_UNIT
    applyable = not errored and any(c["change"]["actions"] != ["no-op"] for c in changes)
    doc: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "variables": values,
        "planned_values": {"root_module": {}},
        "resource_drift": drift,
        "resource_changes": [] if errored else changes,
        "output_changes": {
            "id": {
                "actions": ["no-op"],
                "before": unit["unit"],
                "after": unit["unit"],
                "after_unknown": False,
                "before_sensitive": False,
                "after_sensitive": False,
            }
        },
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": TERRAFORM_VERSION,
            "values": {"root_module": {"resources": prior}},
        },
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": AWS}},
            "root_module": {"variables": decls},
        },
        "relevant_attributes": relevant,
        "timestamp": PLAN_TIME,
        "applyable": applyable,
        "complete": not errored,
        "errored": errored,
    }
    if not drift:
        del doc["resource_drift"]
        del doc["relevant_attributes"]
    return doc


def generate(out_dir: Path) -> None:
    """Write ``plans/<unit>/tfplan.json`` for every unit (``plans/real-terraform`` is left alone)."""
    root = Path(out_dir) / "plans"
    for unit in UNITS:
        path = root / unit["unit"] / "tfplan.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(unit_plan(unit), indent=2) + "\n", encoding="utf-8")

"""Sample infracost output for the sample tree: ``data/sample/costs/``.

Writes what a team running infracost in CI would keep, in infracost's JSON format version 0.2:

- ``infracost-baseline.json``: ``infracost breakdown --format json`` of the deployed tree (``main``),
  built from ``_gen.tree.UNITS`` (the resources each unit's module creates, with their sizes);
- ``infracost-breakdown.json``: the same after the changes in the sample plans (``plans/<unit>/
  tfplan.json`` written by ``_gen/plans.py``; resources created, deleted or resized there);
- ``infracost-diff.json``: ``infracost diff --compare-to infracost-baseline.json``: ``pastBreakdown``,
  ``breakdown`` and the signed ``diff`` per project.

Prices come from the bundled catalogue (``data/prices/aws-prices.csv``) through ``opslib.costs.pricing``,
so the offline estimate and these files agree wherever no usage figure is involved. Usage figures that the
tree spec gives (S3 and Aurora storage, Lambda and SQS requests) are applied as an infracost usage file
would; every other usage-priced component stays null, as infracost leaves it. Free resources (subnets,
IAM roles, listeners...) are counted in ``summary`` only, as infracost does. Deterministic: no clock.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from opslib.costs.catalog import load_catalog
from opslib.costs.pricing import PricedResource, price_resource

from . import tree

__all__ = ["GENERATED_AT", "baseline_state", "generate", "head_state"]

GENERATED_AT = "2026-11-20T11:42:07Z"
REPO = "acme-corp/infrastructure-live"
_UNTAGGED = {
    "aws_cloudwatch_dashboard",
    "aws_route53_record",
    "aws_iam_role_policy_attachment",
    "aws_lb_listener",
    "aws_wafv2_web_acl_association",
}

# A resource in the sample world: address, type, terraform-style attributes, usage figures, tags.
Resource = dict[str, Any]


def _tf_attributes(rtype: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The spec's attributes in the shape a plan's ``after`` has them (what the pricers read)."""
    out = {k: v for k, v in attrs.items() if k not in ("storage_gb", "requests_per_month", "volume_gb")}
    if rtype == "aws_eks_node_group":
        out["scaling_config"] = [
            {k: attrs[k] for k in ("desired_size", "min_size", "max_size") if k in attrs}
        ]
    if rtype == "aws_instance" and "volume_gb" in attrs:
        out["root_block_device"] = [{"volume_size": attrs["volume_gb"], "volume_type": "gp3"}]
    if rtype == "aws_rds_cluster_instance":
        out.setdefault("engine", "aurora-postgresql")
    return out


def _usage(attrs: dict[str, Any]) -> dict[str, Any]:
    usage: dict[str, Any] = {}
    if "storage_gb" in attrs:
        usage["storage_gb"] = attrs["storage_gb"]
    if "requests_per_month" in attrs:
        usage["monthly_requests"] = attrs["requests_per_month"]
    return usage


def _tags(unit: dict[str, Any]) -> dict[str, str]:
    """The provider's default_tags for the unit, merged as root.hcl merges them."""
    account = tree.ACCOUNTS[unit["account"]]
    tags = {
        "Owner": account["owner"],
        "Team": account["team"],
        "CostCenter": account["cost_center"],
        "Environment": unit["environment"],
        "Project": tree.PROJECT,
    }
    env_dir = unit["unit"].rsplit("/", 1)[0]
    tags.update(tree.ENV_TAGS.get(env_dir, tree.ROOT_TAGS))
    tags.update(tree.UNIT_TAGS.get(unit["unit"], {}))
    return tags


def _address(rtype: str, name: str, count: int, index: int) -> str:
    return f"{rtype}.{name}[{index}]" if count > 1 else f"{rtype}.{name}"


def baseline_state() -> dict[str, list[Resource]]:
    """unit id -> its deployed resources, from the tree spec."""
    state: dict[str, list[Resource]] = {}
    for unit in sorted(tree.UNITS, key=lambda u: u["unit"]):
        tags = _tags(unit)
        resources: list[Resource] = []
        for spec in unit["resources"]:
            for i in range(spec["count"]):
                resources.append(
                    {
                        "address": _address(spec["type"], spec["name"], spec["count"], i),
                        "type": spec["type"],
                        "attributes": _tf_attributes(spec["type"], dict(spec["attributes"])),
                        "usage": _usage(spec["attributes"]),
                        "tags": None if spec["type"] in _UNTAGGED else tags,
                    }
                )
        state[unit["unit"]] = resources
    return state


def _plan_changes(plans_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """unit id -> resource_changes of its sample plan (empty when the plans are not generated)."""
    changes: dict[str, list[dict[str, Any]]] = {}
    if not plans_dir.is_dir():
        return changes
    for plan in sorted(plans_dir.glob("**/tfplan.json")):
        unit = plan.parent.relative_to(plans_dir).as_posix()
        try:
            data = json.loads(plan.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            changes[unit] = [c for c in data.get("resource_changes") or [] if isinstance(c, dict)]
    return changes


def head_state(base: dict[str, list[Resource]], plans_dir: Path) -> dict[str, list[Resource]]:
    """The baseline with the sample plans applied (created, deleted, updated and replaced resources)."""
    head = copy.deepcopy(base)
    for unit, changes in _plan_changes(plans_dir).items():
        if unit not in head:
            continue
        resources = {r["address"]: r for r in head[unit]}
        order = [r["address"] for r in head[unit]]
        for change in changes:
            if change.get("mode", "managed") != "managed":
                continue
            address = str(change.get("address", ""))
            actions = list((change.get("change") or {}).get("actions") or [])
            after = (change.get("change") or {}).get("after")
            if actions == ["delete"] or actions == ["forget"]:
                resources.pop(address, None)
                continue
            if not isinstance(after, dict) or actions in (["no-op"], ["read"]):
                continue
            current = resources.get(address)
            if current is None:
                current = {
                    "address": address,
                    "type": str(change.get("type", "")),
                    "attributes": {},
                    "usage": {},
                    "tags": None,
                }
                resources[address] = current
                order.append(address)
            current["attributes"] = {**current["attributes"], **after}
            tags = after.get("tags_all") or after.get("tags")
            if isinstance(tags, dict) and tags:
                current["tags"] = {str(k): str(v) for k, v in tags.items()}
        head[unit] = [resources[a] for a in order if a in resources]
    return head


# ---------------------------------------------------------------------------------------------------
# infracost JSON
# ---------------------------------------------------------------------------------------------------


def _s(value: Decimal | None) -> str | None:
    if value is None:
        return None
    # shopspring/decimal (infracost) prints plain digits, no exponent, no trailing zeros
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _q(value: Decimal | None) -> Decimal | None:
    # hourly figures come from a division by 730; infracost keeps 16 decimal places there
    return None if value is None else value.quantize(Decimal("1e-16")).normalize()


def _component_json(comp: Any) -> dict[str, Any]:
    return {
        "name": comp.name,
        "unit": _unit_label(comp.quantity_unit),
        "hourlyQuantity": _s(_q(comp.hourly_quantity)),
        "monthlyQuantity": _s(comp.monthly_quantity),
        "price": _s(comp.price) or "0",
        "hourlyCost": _s(_q(comp.hourly_cost)),
        "monthlyCost": _s(comp.monthly_cost),
        "usageBased": comp.usage_based,
        "priceNotFound": comp.price_not_found,
    }


def _unit_label(unit: str | None) -> str:
    return {
        "hour": "hours",
        "vCPU-hour": "hours",
        "GB-hour": "GB-hours",
        "month": "months",
        "GB-month": "GB",
        "IOPS-month": "IOPS",
        "MBps-month": "MBps",
    }.get(unit or "", unit or "")


def _sum(values: list[str | None]) -> str | None:
    known = [Decimal(v) for v in values if v is not None]
    return _s(sum(known, Decimal(0))) if known else None


def _resource_json(res: Resource, priced: PricedResource) -> dict[str, Any]:
    own = [_component_json(c) for c in priced.components if not c.subresource]
    subs: dict[str, list[dict[str, Any]]] = {}
    for comp in priced.components:
        if comp.subresource:
            subs.setdefault(comp.subresource, []).append(_component_json(comp))
    subresources = [
        {
            "name": name,
            "metadata": {},
            "hourlyCost": _sum([c["hourlyCost"] for c in comps]),
            "monthlyCost": _sum([c["monthlyCost"] for c in comps]),
            "costComponents": comps,
        }
        for name, comps in subs.items()
    ]
    everything = own + [c for s in subresources for c in s["costComponents"]]
    out: dict[str, Any] = {"name": res["address"], "resourceType": res["type"]}
    if res.get("tags") is not None:
        out["tags"] = dict(res["tags"])
    out.update(
        {
            "metadata": {},
            "hourlyCost": _sum([c["hourlyCost"] for c in everything]),
            "monthlyCost": _sum([c["monthlyCost"] for c in everything]),
            "costComponents": own,
        }
    )
    if subresources:
        out["subresources"] = subresources
    return out


def _breakdown(
    unit: dict[str, Any], resources: list[Resource]
) -> tuple[dict[str, Any], Counter[str], Counter[str]]:
    catalog = load_catalog()
    out, free, unsupported = [], Counter[str](), Counter[str]()
    for res in resources:
        priced = price_resource(res["type"], res["attributes"], unit["region"], catalog, res["usage"])
        if priced.status == "free":
            free[res["type"]] += 1
            continue
        if priced.status == "unsupported":
            unsupported[res["type"]] += 1
            continue
        out.append(_resource_json(res, priced))
    out.sort(key=lambda r: r["name"])
    breakdown = {
        "resources": out,
        "totalHourlyCost": _sum([r["hourlyCost"] for r in out]) or "0",
        "totalMonthlyCost": _sum([r["monthlyCost"] for r in out]) or "0",
        "totalMonthlyUsageCost": "0",
    }
    return breakdown, free, unsupported


def _summary(breakdowns: list[tuple[dict[str, Any], Counter[str], Counter[str]]]) -> dict[str, Any]:
    free: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    supported = usage = 0
    for breakdown, f, u in breakdowns:
        free.update(f)
        unsupported.update(u)
        supported += len(breakdown["resources"])
        usage += sum(
            1 for r in breakdown["resources"] if any(c.get("usageBased") for c in _all_components(r))
        )
    return {
        "totalDetectedResources": supported + sum(free.values()) + sum(unsupported.values()),
        "totalSupportedResources": supported,
        "totalUnsupportedResources": sum(unsupported.values()),
        "totalUsageBasedResources": usage,
        "totalNoPriceResources": sum(free.values()),
        "unsupportedResourceCounts": dict(sorted(unsupported.items())),
        "noPriceResourceCounts": dict(sorted(free.items())),
    }


def _all_components(resource: dict[str, Any]) -> list[dict[str, Any]]:
    comps = list(resource.get("costComponents") or [])
    for sub in resource.get("subresources") or []:
        comps.extend(_all_components(sub))
    return comps


def _diff_resources(past: dict[str, Any], head: dict[str, Any]) -> list[dict[str, Any]]:
    """infracost's per-resource diff: changed resources with signed component differences."""
    before = {r["name"]: r for r in past["resources"]}
    after = {r["name"]: r for r in head["resources"]}
    out = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name), after.get(name)
        if b == a:
            continue
        if a is None:
            out.append(_negate(b or {}))
        elif b is None:
            out.append(a)
        else:
            out.append(_subtract(a, b))
    return out


def _neg(value: str | None) -> str | None:
    return None if value is None else _s(-Decimal(value))


def _negate(resource: dict[str, Any]) -> dict[str, Any]:
    out = {
        **resource,
        "hourlyCost": _neg(resource.get("hourlyCost")),
        "monthlyCost": _neg(resource.get("monthlyCost")),
    }
    out["costComponents"] = [
        {
            **c,
            **{
                k: _neg(c.get(k))
                for k in ("hourlyQuantity", "monthlyQuantity", "price", "hourlyCost", "monthlyCost")
            },
        }
        for c in resource.get("costComponents") or []
    ]
    if resource.get("subresources"):
        out["subresources"] = [_negate(s) for s in resource["subresources"]]
    return out


def _minus(a: str | None, b: str | None) -> str | None:
    if a is None and b is None:
        return None
    return _s(Decimal(a or "0") - Decimal(b or "0"))


def _subtract(head: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    comps = []
    base_comps = base.get("costComponents") or []
    for i, comp in enumerate(head.get("costComponents") or []):
        old = base_comps[i] if i < len(base_comps) else {}
        name = (
            comp["name"] if comp["name"] == old.get("name") or not old else f"{old['name']} → {comp['name']}"
        )
        comps.append(
            {
                **comp,
                "name": name,
                **{
                    k: _minus(comp.get(k), old.get(k))
                    for k in ("hourlyQuantity", "monthlyQuantity", "hourlyCost", "monthlyCost")
                },
            }
        )
    out = {
        **head,
        "hourlyCost": _minus(head.get("hourlyCost"), base.get("hourlyCost")),
        "monthlyCost": _minus(head.get("monthlyCost"), base.get("monthlyCost")),
        "costComponents": comps,
    }
    out.pop("subresources", None)
    return out


def _project(
    unit: dict[str, Any], breakdown: dict[str, Any], past: dict[str, Any] | None, summary: dict[str, Any]
) -> dict[str, Any]:
    path = f"infrastructure-live/{unit['unit']}"
    project: dict[str, Any] = {
        "name": f"{REPO}/{unit['unit']}",
        "displayName": unit["unit"],
        "metadata": {"path": path, "type": "terragrunt_dir", "vcsSubPath": path},
    }
    if past is not None:
        project["pastBreakdown"] = past
    project["breakdown"] = breakdown
    if past is not None:
        diff = _diff_resources(past, breakdown)
        project["diff"] = {
            "resources": diff,
            "totalHourlyCost": _minus(breakdown["totalHourlyCost"], past["totalHourlyCost"]),
            "totalMonthlyCost": _minus(breakdown["totalMonthlyCost"], past["totalMonthlyCost"]),
            "totalMonthlyUsageCost": "0",
        }
    else:
        # a plain breakdown has nothing to compare with: infracost writes an empty diff
        project["diff"] = {
            "resources": [],
            "totalHourlyCost": "0",
            "totalMonthlyCost": "0",
            "totalMonthlyUsageCost": "0",
        }
    project["summary"] = summary
    return project


def _document(
    state: dict[str, list[Resource]], past_state: dict[str, list[Resource]] | None, command: str
) -> dict[str, Any]:
    units = {u["unit"]: u for u in tree.UNITS}
    projects, all_parts = [], []
    totals = {"now": [], "past": []}
    for unit_id in sorted(state):
        unit = units[unit_id]
        parts = _breakdown(unit, state[unit_id])
        past = _breakdown(unit, past_state[unit_id])[0] if past_state is not None else None
        all_parts.append(parts)
        projects.append(_project(unit, parts[0], past, _summary([parts])))
        totals["now"].append(parts[0])
        if past is not None:
            totals["past"].append(past)
    now_m = _sum([b["totalMonthlyCost"] for b in totals["now"]]) or "0"
    now_h = _sum([b["totalHourlyCost"] for b in totals["now"]]) or "0"
    past_m = _sum([b["totalMonthlyCost"] for b in totals["past"]]) or "0"
    past_h = _sum([b["totalHourlyCost"] for b in totals["past"]]) or "0"
    return {
        "version": "0.2",
        "metadata": {
            "infracostCommand": command,
            "vcsBranch": "feature/platform-sizing" if past_state else "main",
            "vcsCommitSha": "5f1c2e9d8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d",
            "vcsRepositoryUrl": f"https://github.com/{REPO}",
        },
        "currency": "USD",
        "projects": projects,
        "totalHourlyCost": now_h,
        "totalMonthlyCost": now_m,
        "totalMonthlyUsageCost": "0",
        "pastTotalHourlyCost": past_h,
        "pastTotalMonthlyCost": past_m,
        "pastTotalMonthlyUsageCost": "0",
        "diffTotalHourlyCost": _minus(now_h, past_h) if past_state is not None else "0",
        "diffTotalMonthlyCost": _minus(now_m, past_m) if past_state is not None else "0",
        "diffTotalMonthlyUsageCost": "0",
        "timeGenerated": GENERATED_AT,
        "summary": _summary(all_parts),
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def generate(out_dir: Path) -> None:
    """Write ``costs/infracost-{baseline,breakdown,diff}.json`` under ``out_dir``."""
    out_dir = Path(out_dir)
    base = baseline_state()
    head = head_state(base, out_dir / "plans")
    costs = out_dir / "costs"
    _write_json(costs / "infracost-baseline.json", _document(base, None, "breakdown"))
    _write_json(costs / "infracost-breakdown.json", _document(head, None, "breakdown"))
    _write_json(costs / "infracost-diff.json", _document(head, base, "diff"))

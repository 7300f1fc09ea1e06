"""The sample activity history: ``project/project_history.json`` and ``project/PROJECT_HISTORY.md``.

About 110 days of work on the sample tree by seven agents, ending at the fixed "now"
(2026-11-20T12:00:00Z). The JSON mixes entry shapes A (shutdown protocol) and B (``/log-activity``),
with the looser real variants FORMATS.md lists; the Markdown is style 1, oldest first, its timestamps
0-40 s away from the JSON's for the same event. A handful of events is written to only one file.

Scenarios are scripted (promotions, incidents with their resolutions, the culprit deployment before the
last incident); the rest is routine work drawn from a seeded ``random.Random`` so every run writes the
same bytes. ``EVENTS`` (after ``build_events()``) and the ``JSON_ONLY``/``MD_ONLY``/``CULPRIT`` lists
are importable so tests and the README can name them.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import tree

__all__ = ["NOW", "START", "Event", "build_events", "generate", "render_json", "render_markdown"]

NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
START = datetime(2026, 8, 3, 0, 0, 0, tzinfo=UTC)  # a Monday, 109.5 days before NOW
SEED = 20261120
PROJECT = "acme-platform"

AGENT_TYPES = {
    "devops-engineer": "devops",
    "sre-oncall": "sre",
    "platform-architect": "architect",
    "security-engineer": "security",
    "backend-developer": "developer",
    "qa-engineer": "qa",
    "cost-analyst": "finops",
}
# Share of each agent's entries written in shape B (the /log-activity tracker) rather than shape A.
SHAPE_B_SHARE = {
    "devops-engineer": 0.25,
    "sre-oncall": 0.7,
    "platform-architect": 0.3,
    "security-engineer": 0.6,
    "backend-developer": 0.2,
    "qa-engineer": 0.3,
    "cost-analyst": 0.8,
}


@dataclass
class Event:
    """One logged event, before it is rendered to either file."""

    ts: datetime
    agent: str
    action: str
    category: str
    title: str
    description: str
    summary: str
    status: str = "completed"
    created: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    follow_up: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    reasoning: str = ""
    alternatives: list[str] = field(default_factory=list)
    trade_offs: str = ""
    triggered_by: str = ""
    related: list[Event] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    scripted: bool = False
    key: str = ""  # a stable name for scripted events the README and tests refer to
    # Filled in by _finalise():
    shape: str = "A"
    id: str = ""
    md_offset: int = 0
    in_json: bool = True
    in_md: bool = True
    use_summary_key: bool = False
    use_files_added: bool = False


def _unit_file(unit_id: str) -> str:
    return f"infrastructure-live/{unit_id}/terragrunt.hcl"


def _at(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    return START + timedelta(days=day, hours=hh, minutes=mm, seconds=ss)


# --------------------------------------------------------------------------------------------------
# Scripted scenarios
# --------------------------------------------------------------------------------------------------


def _git_units(env_dir: str) -> list[str]:
    """Units under ``env_dir`` whose module comes from the acme git repo (the ones a ref bump touches)."""
    return [
        u["unit"]
        for u in tree.UNITS
        if u["unit"].startswith(env_dir + "/") and "acme-corp/terraform-aws-modules" in u["source"]
    ]


def _promotion(
    day: int,
    hh: int,
    mm: int,
    env_dir: str,
    old: str,
    new: str,
    agent: str = "devops-engineer",
    status: str = "completed",
    summary: str = "",
    key: str = "",
) -> Event:
    units = _git_units(env_dir)
    env = env_dir.split("/")[-1]
    return Event(
        ts=_at(day, hh, mm, (day * 7 + mm) % 60),
        agent=agent,
        action="deployment",
        category="infrastructure",
        title=f"Promote terraform-aws-modules {new} to {env_dir}",
        description=(
            f"Bumped ?ref={old} to ?ref={new} in {len(units)} units under {env_dir}, ran "
            f"`terragrunt run --all plan` then `apply` after approval."
        ),
        summary=summary or f"{len(units)} units on {new}; plans matched the reviewed changes.",
        status=status,
        modified=[_unit_file(u) for u in units],
        tags=["deployment", "promotion", "infrastructure", "terragrunt", env],
        reasoning=(
            f"{new} was validated one stage earlier; environment promotion keeps prod one version behind."
        ),
        triggered_by="release train",
        scripted=True,
        key=key,
    )


def _scripted(rng: random.Random) -> list[Event]:
    ev: list[Event] = []
    add = ev.append

    add(
        Event(
            ts=_at(0, 9, 12, 41),
            agent="platform-architect",
            action="design_decision",
            category="architecture",
            title="Adopt account/region/env layout for infrastructure-live",
            description="Recorded ADR-0007: one folder per AWS account (non-prod, prod, mgmt), then region, "
            "then environment; shared settings in _envcommon, root.hcl for state and providers.",
            summary="ADR accepted by the platform guild.",
            created=["docs/adr/0007-infrastructure-live-layout.md"],
            tags=["architecture", "terragrunt", "adr"],
            scripted=True,
            reasoning=(
                "Separating prod and non-prod at the account level limits the blast radius of credentials."
            ),
            alternatives=["Terraform workspaces per environment", "One repository per account"],
            trade_offs="More folders and some duplication, mitigated by _envcommon.",
        )
    )
    add(
        Event(
            ts=_at(1, 10, 3, 5),
            agent="devops-engineer",
            action="configuration",
            category="infrastructure",
            title="Add tags.yml merging to root.hcl",
            description="root.hcl now merges the nearest tags.yml and an optional unit tags.yml over the "
            "account default_tags, rendered with jsonencode in the provider block.",
            summary="Tags visible on all resources after the next apply.",
            modified=["infrastructure-live/root.hcl"],
            created=["infrastructure-live/tags.yml"],
            tags=["infrastructure", "terragrunt", "tagging"],
            scripted=True,
        )
    )

    # Promotion of v1.7.2, then v1.8.0 to non-prod; prod stays on v1.7.2 (held, see day 96).
    add(_promotion(4, 10, 20, "non-prod/us-east-1/dev", "v1.7.1", "v1.7.2", key="promote-v1.7.2-dev"))
    add(_promotion(9, 14, 5, "non-prod/us-east-1/staging", "v1.7.1", "v1.7.2"))
    add(
        _promotion(
            16,
            9,
            40,
            "prod/us-east-1/prod",
            "v1.7.1",
            "v1.7.2",
            status="partial",
            summary="15 of 16 units applied; eks-node-groups timed out waiting for the node group update.",
            key="promote-v1.7.2-prod-partial",
        )
    )
    ev[-1].follow_up = ["Re-run apply for prod eks-node-groups after the rolling update completes"]
    add(
        Event(
            ts=_at(16, 13, 2, 19),
            agent="devops-engineer",
            action="deployment",
            category="infrastructure",
            title="Finish v1.7.2 promotion: prod eks-node-groups",
            description="Re-applied prod/us-east-1/prod/eks-node-groups once the rolling update finished.",
            summary="Node group on v1.7.2; all prod us-east-1 units promoted.",
            modified=[_unit_file("prod/us-east-1/prod/eks-node-groups")],
            tags=["deployment", "promotion", "infrastructure", "prod"],
            scripted=True,
        )
    )
    ev[-1].related = [ev[-2]]
    add(_promotion(17, 10, 15, "prod/eu-west-1/prod", "v1.7.1", "v1.7.2"))
    add(_promotion(18, 11, 30, "mgmt/us-east-1/mgmt", "v1.7.1", "v1.7.2"))
    add(
        _promotion(
            52,
            15,
            10,
            "non-prod/us-east-1/dev",
            "v1.7.2",
            "v1.8.0",
            status="failed",
            summary="lambda module v1.8.0 renamed `source_bucket` to `source_bucket_arn`; plan failed.",
            key="promote-v1.8.0-dev-failed",
        )
    )
    failed_promo = ev[-1]
    add(
        Event(
            ts=_at(53, 9, 48, 2),
            agent="devops-engineer",
            action="deployment",
            category="infrastructure",
            title="Fix v1.8.0 promotion in dev: lambda input rename",
            description="Renamed the thumbnailer input to source_bucket_arn and re-ran the dev promotion.",
            summary="All dev units on v1.8.0.",
            modified=[_unit_file(u) for u in _git_units("non-prod/us-east-1/dev")],
            tags=["deployment", "promotion", "infrastructure", "dev"],
            related=[failed_promo],
            scripted=True,
            key="promote-v1.8.0-dev-fixed",
        )
    )
    add(
        _promotion(60, 14, 25, "non-prod/us-east-1/staging", "v1.7.2", "v1.8.0", key="promote-v1.8.0-staging")
    )
    add(
        Event(
            ts=_at(96, 16, 0, 33),
            agent="platform-architect",
            action="design_decision",
            category="architecture",
            title="Hold prod at terraform-aws-modules v1.7.2",
            description="v1.8.0 moves EKS to 1.30; prod stays on v1.7.2 (EKS 1.29) until the add-on "
            "compatibility review is done. Staging keeps v1.8.0 as the soak environment.",
            summary="Prod promotion of v1.8.0 deferred to December.",
            created=["docs/adr/0015-eks-1.30-upgrade.md"],
            follow_up=[
                "Review aws-ebs-csi-driver and coredns versions for EKS 1.30",
                "Schedule the prod v1.8.0 promotion",
            ],
            tags=["architecture", "promotion", "eks", "prod"],
            scripted=True,
            key="hold-prod-v1.7.2",
        )
    )

    # Incidents and their resolutions.
    incidents = [
        (
            21,
            (2, 47, 12),
            "prod/us-east-1/prod/rds",
            "rds",
            "Aurora writer failover in prod",
            "CloudWatch alarm: DatabaseConnections at max; writer failed over.",
            (4, 30, 8),
            "Raised max_connections via the cluster parameter group and re-applied rds.",
            True,
        ),
        (
            38,
            (13, 5, 40),
            "prod/us-east-1/prod/ecs-worker",
            "worker",
            "Jobs queue backlog: worker cannot keep up",
            "SQS ApproximateAgeOfOldestMessage > 15 min on jobs queue.",
            (14, 51, 3),
            "Raised worker desired_count from 4 to 8 and enabled target tracking on queue depth.",
            True,
        ),
        (
            57,
            (7, 12, 55),
            "non-prod/us-east-1/dev/eks-node-groups",
            "eks",
            "dev EKS nodes NotReady after AMI update",
            "Half of the dev nodes NotReady; pods pending.",
            (9, 2, 10),
            "Pinned the node group AMI release version and recycled the nodes.",
            False,
        ),
        (
            74,
            (18, 33, 21),
            "prod/us-east-1/prod/waf",
            "web",
            "ALB 5xx spike after WAF rule change",
            "5xx rate 12% on the public ALB; WAF blocking legitimate POSTs.",
            (19, 14, 0),
            "Moved AWSManagedRulesSQLiRuleSet to count mode for /api/upload and re-applied waf.",
            True,
        ),
        (
            88,
            (22, 8, 47),
            "prod/us-east-1/prod/elasticache",
            "api",
            "Redis evictions causing session loss",
            "Evictions > 1000/min on the prod replication group.",
            (23, 40, 12),
            "Scaled the prod redis node type to cache.r6g.large and set maxmemory-policy.",
            True,
        ),
    ]
    for day, (h, m, s), unit, service, title, detail, (rh, rm, rs), fix, prod in incidents:
        inc = Event(
            ts=_at(day, h, m, s),
            agent="sre-oncall",
            action="incident_response",
            category="operations",
            title=f"INCIDENT: {title}",
            description=f"{detail} Paged on-call, opened an incident channel.",
            summary="Customer impact confirmed; mitigation in progress.",
            status="failed",
            tags=["incident", "operations", service, "prod" if prod else "non-prod"],
            triggered_by="pagerduty alert",
            scripted=True,
            follow_up=["Post-incident review", f"Check recent changes to {unit}"],
        )
        add(inc)
        res = Event(
            ts=_at(day, rh, rm, rs),
            agent="sre-oncall" if day % 2 else "devops-engineer",
            action="resolution",
            category="operations",
            title=f"Resolved: {title}",
            description=fix,
            summary="Metrics back to baseline; incident closed.",
            modified=[_unit_file(unit)],
            tags=["incident", "resolution", "operations", service],
            related=[inc],
            scripted=True,
            follow_up=["Write the postmortem"],
        )
        add(res)

    # The culprit: a prod api deployment about two hours before the last incident (service api).
    culprit = Event(
        ts=datetime(2026, 11, 18, 14, 2, 37, tzinfo=UTC),
        agent="devops-engineer",
        action="deployment",
        category="infrastructure",
        title="Deploy api 2026.11.3 to prod",
        description="Rolled the api service in prod/us-east-1/prod/ecs-api to image 2026.11.3 "
        "(new order search endpoint); `terragrunt apply` after approval.",
        summary="Service stable after rollout; 8/8 tasks healthy.",
        modified=[_unit_file("prod/us-east-1/prod/ecs-api")],
        tags=["deployment", "infrastructure", "prod", "api", "ecs"],
        scripted=True,
        key="culprit",
        extra={"issue": "ACME-2291", "branch": "release/2026.11.3"},
    )
    add(culprit)
    incident = Event(
        ts=datetime(2026, 11, 18, 16, 4, 51, tzinfo=UTC),
        agent="sre-oncall",
        action="incident_response",
        category="operations",
        title="INCIDENT: api p99 latency > 1s and 5xx errors in prod",
        description="Alert: Response time > 1s for 5 minutes on service api (prod); 5xx at 4%. "
        "Following the Service Outage runbook.",
        summary="Degraded api in prod; investigating recent deployments.",
        status="failed",
        tags=["incident", "operations", "api", "prod", "latency"],
        triggered_by="pagerduty alert",
        follow_up=["Check recent deployments of api", "Post-incident review"],
        scripted=True,
        key="last-incident",
    )
    add(incident)
    add(
        Event(
            ts=datetime(2026, 11, 18, 16, 21, 9, tzinfo=UTC),
            agent="sre-oncall",
            action="escalation",
            category="operations",
            title="Escalate api latency incident to backend on-call",
            description="Latency correlates with the 14:02 api 2026.11.3 rollout; order search queries "
            "saturate the Aurora reader. Escalated to backend-developer.",
            summary="Backend on-call engaged.",
            status="partial",
            related=[incident, culprit],
            tags=["escalation", "incident", "api", "prod"],
            scripted=True,
            key="last-escalation",
        )
    )
    add(
        Event(
            ts=datetime(2026, 11, 18, 17, 48, 30, tzinfo=UTC),
            agent="backend-developer",
            action="resolution",
            category="operations",
            title="Resolved: api latency in prod",
            description="Disabled the order-search feature flag and added the missing index; p99 back "
            "to 180 ms. Kept 2026.11.3 running.",
            summary="Incident closed after 1h44m.",
            modified=["services/api/config/feature_flags.yaml"],
            created=["services/api/migrations/0042_order_search_index.sql"],
            tags=["incident", "resolution", "api", "prod"],
            related=[incident],
            scripted=True,
            key="last-resolution",
            follow_up=["Postmortem: load-test new query paths before prod"],
        )
    )
    add(
        Event(
            ts=datetime(2026, 11, 19, 10, 15, 2, tzinfo=UTC),
            agent="sre-oncall",
            action="documentation",
            category="operations",
            title="Postmortem: api latency incident 2026-11-18",
            description="Wrote the postmortem: the 2026.11.3 deployment shipped an unindexed query.",
            summary="Postmortem published; three action items.",
            created=["docs/postmortems/2026-11-18-api-latency.md"],
            tags=["postmortem", "incident", "api"],
            scripted=True,
        )
    )

    add(
        Event(
            ts=datetime(2026, 11, 20, 11, 41, 7, tzinfo=UTC),
            agent="devops-engineer",
            action="research",
            category="planning",
            title="Plan prod promotion of v1.8.0",
            description="Ran `terragrunt run --all plan` for prod/us-east-1/prod against v1.8.0 to size the "
            "December promotion; 14 units change, eks needs the 1.30 upgrade first.",
            summary="Plan reviewed; promotion ticket updated.",
            status="completed",
            tags=["promotion", "planning", "prod", "terragrunt"],
            scripted=True,
            key="last-entry",
            extra={"issue": "ACME-2310"},
        )
    )

    # Violations in the tree get a history too.
    add(
        Event(
            ts=_at(103, 15, 30, 44),
            agent="backend-developer",
            action="configuration",
            category="development",
            title="Point dev thumbnailer at modules main branch",
            description="Temporarily switched non-prod/us-east-1/dev/lambda-thumbnailer to ?ref=main to test "
            "the unreleased lambda layer support.",
            summary="Dev thumbnailer running the main-branch module.",
            modified=[_unit_file("non-prod/us-east-1/dev/lambda-thumbnailer")],
            tags=["configuration", "lambda", "dev"],
            scripted=True,
            follow_up=["Switch back to a tagged release once v1.8.1 is out"],
        )
    )
    add(
        Event(
            ts=_at(105, 11, 5, 0),
            agent="security-engineer",
            action="review",
            category="security",
            title="Security review of non-prod Terragrunt secrets",
            description="Found a hardcoded master_password in non-prod/us-east-1/dev/rds and a get_env "
            "fallback password in non-prod/us-east-1/staging/rds.",
            summary="Two critical findings; owners notified.",
            status="partial",
            tags=["security", "secrets", "review", "terragrunt"],
            scripted=True,
            follow_up=[
                "Move dev rds password to DB_PASSWORD",
                "Remove get_env fallback in staging rds",
                "Rotate the exposed dev password",
            ],
        )
    )
    return ev


# --------------------------------------------------------------------------------------------------
# Routine work
# --------------------------------------------------------------------------------------------------

_FAILURES = {
    "rds": "InvalidParameterCombination: the instance class is not supported for this engine version",
    "eks": "timeout while waiting for the EKS cluster update to complete",
    "eks-node-groups": "NodeCreationFailure: instances failed to join the kubernetes cluster",
    "ecs": "ECS service did not reach a steady state within 10 minutes (health checks failing)",
    "alb": "ValidationError: certificate ARN not found in region",
    "vpc": "Error acquiring the state lock: ConditionalCheckFailedException",
    "default": "AccessDeniedException: not authorized to perform kms:CreateGrant",
}
_FIXES = {
    "rds": "Switched the instance class to a supported size and re-applied.",
    "eks": "Re-ran apply after the control plane update finished.",
    "eks-node-groups": "Fixed the node IAM role's trust policy and re-applied.",
    "ecs": "Fixed the health check path (/healthz) and re-deployed.",
    "alb": "Issued the ACM certificate in the right region and re-applied.",
    "vpc": "Removed the stale lock after confirming no run was active; re-applied.",
    "default": "Added the missing kms:CreateGrant permission to the deploy role and re-applied.",
}
_CHANGES = {
    "vpc": ["Enable VPC flow logs", "Add database subnets", "Tune NAT gateway settings"],
    "kms": ["Enable key rotation", "Update key policy for CI role"],
    "eks": ["Enable control plane audit logs", "Add aws-ebs-csi-driver add-on"],
    "eks-node-groups": ["Resize general node group", "Switch node group to m6i instances"],
    "rds": ["Raise backup retention", "Enable Performance Insights", "Update parameter group"],
    "elasticache": ["Enable transit encryption", "Set maxmemory-policy"],
    "alb": ["Enable access logs", "Update TLS policy to TLS 1.3"],
    "waf": ["Add rate-based rule", "Update managed rule set version"],
    "ecs-cluster": ["Enable container insights", "Add FARGATE_SPOT capacity provider"],
    "ecs-api": ["Deploy api", "Raise api desired count", "Update api task memory"],
    "ecs-web": ["Deploy web", "Update web health check"],
    "ecs-worker": ["Deploy worker", "Update worker autoscaling"],
    "lambda-thumbnailer": ["Update thumbnailer runtime", "Raise thumbnailer memory"],
    "sqs": ["Add emails queue", "Tune jobs queue visibility timeout"],
    "sns": ["Add deploy-events topic", "Subscribe PagerDuty to alerts"],
    "s3-uploads": ["Add lifecycle rule to uploads bucket", "Block public access on uploads bucket"],
    "s3-backups": ["Add replication to backups bucket"],
    "s3-artifacts": ["Expire old CI artifacts"],
    "cloudwatch-alarms": ["Add p99 latency alarms", "Tune error-rate thresholds"],
    "iam-roles": ["Add readonly role", "Tighten deploy role policy"],
    "route53": ["Add api CNAME", "Lower TTL before migration"],
    "ci-runners": ["Scale CI runners", "Update runner AMI"],
    "sandbox": ["Recreate sandbox bastion"],
}
_DEV_FILES = [
    "services/api/app/handlers/orders.py",
    "services/api/app/handlers/search.py",
    "services/api/app/db.py",
    "services/web/src/pages/checkout.tsx",
    "services/web/src/api/client.ts",
    "services/worker/jobs/emails.py",
    "services/worker/jobs/thumbnails.py",
    "services/api/app/auth.py",
    "services/api/config/settings.py",
]
_FEATURES = [
    "order search",
    "rate limiting",
    "email batching",
    "checkout retries",
    "session refresh",
    "pagination on /orders",
    "thumbnail caching",
    "audit log export",
]
_QA_FILES = [
    "tests/e2e/test_checkout.py",
    "tests/e2e/test_orders.py",
    "tests/load/locustfile.py",
    "tests/integration/test_worker_queue.py",
    "tests/contract/test_api_schema.py",
]


def _failure_key(component: str) -> str:
    if component.startswith("ecs-"):
        return "ecs"
    return component if component in _FAILURES else "default"


def _pick_unit(rng: random.Random) -> dict[str, Any]:
    weights = []
    for u in tree.UNITS:
        w = {"dev": 5.0, "staging": 3.0, "prod": 2.5}.get(u["environment"], 1.0)
        if u["component"] in ("ecs-api", "ecs-web", "ecs-worker"):
            w *= 2.5
        weights.append(w)
    return rng.choices(tree.UNITS, weights=weights, k=1)[0]


def _work_time(rng: random.Random, day: int) -> datetime:
    return _at(day, rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59))


def _deployment(rng: random.Random, day: int) -> list[Event]:
    unit = _pick_unit(rng)
    uid, comp, env = unit["unit"], unit["component"], unit["environment"]
    what = rng.choice(_CHANGES[comp])
    agent = "backend-developer" if comp.startswith("ecs-") and rng.random() < 0.4 else "devops-engineer"
    ts = _work_time(rng, day)
    roll = rng.random()
    status = "failed" if roll < 0.25 else "partial" if roll < 0.28 else "completed"
    fk = _failure_key(comp)
    files = [_unit_file(uid)]
    if rng.random() < 0.15 and comp in ("rds", "ecs-api", "eks-node-groups"):
        files.append(f"infrastructure-live/{uid}/.terraform.lock.hcl")
    tags = ["deployment", "infrastructure", "terragrunt", env, comp]
    summary = {
        "completed": f"Applied {uid}; no unexpected changes in the plan.",
        "partial": f"Applied {uid} but the plan showed drift in one resource; left for review.",
        "failed": f"Apply failed: {_FAILURES[fk]}.",
    }[status]
    first = Event(
        ts=ts,
        agent=agent,
        action="deployment",
        category="infrastructure",
        title=f"{what} ({uid})",
        description=f"{what} in {uid}: plan reviewed, applied with "
        f"`terragrunt apply` in {unit['account']}/{unit['region']}.",
        summary=summary,
        status=status,
        modified=files,
        tags=tags,
        follow_up=["Re-apply after fixing the error"] if status == "failed" else [],
        reasoning="Change requested in the sprint board; blast radius limited to one unit.",
    )
    out = [first]
    if status == "failed":
        if rng.random() < 0.35:
            out.append(
                Event(
                    ts=ts + timedelta(minutes=rng.randint(15, 80), seconds=rng.randint(0, 59)),
                    agent=agent,
                    action="escalation",
                    category="operations",
                    title=f"Escalate failed apply of {uid}",
                    description=f"Apply of {uid} failed twice ({_FAILURES[fk]}); escalated to "
                    f"{'sre-oncall' if env == 'prod' else 'platform-architect'}.",
                    summary="Escalated; waiting for help.",
                    status="partial",
                    related=[first],
                    tags=["escalation", "deployment", env, comp],
                )
            )
        fix_ts = ts + timedelta(
            hours=rng.randint(2, 40), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
        )
        out.append(
            Event(
                ts=fix_ts,
                agent="devops-engineer",
                action="deployment",
                category="infrastructure",
                title=f"Fix: {what} ({uid})",
                description=f"{_FIXES[fk]} Unit {uid}.",
                summary=f"{uid} applied cleanly.",
                modified=list(files),
                related=[first],
                tags=["deployment", "infrastructure", "fix", env, comp],
            )
        )
    return out


def _implementation(rng: random.Random, day: int) -> list[Event]:
    feature = rng.choice(_FEATURES)
    files = rng.sample(_DEV_FILES, rng.randint(1, 3))
    created = (
        [f"services/api/tests/test_{feature.replace(' ', '_').replace('/', '')}.py"]
        if rng.random() < 0.4
        else []
    )
    roll = rng.random()
    status = "failed" if roll < 0.05 else "partial" if roll < 0.1 else "completed"
    n = rng.randint(100, 999)
    return [
        Event(
            ts=_work_time(rng, day),
            agent="backend-developer",
            action="feature_implementation",
            category="development",
            title=f"Implement {feature}",
            description=f"Implemented {feature} in {files[0].split('/')[1]}.",
            summary={
                "completed": "Merged behind a feature flag.",
                "partial": "Half done; PR in review.",
                "failed": "CI red: integration tests fail against the staging schema.",
            }[status],
            status=status,
            modified=files,
            created=created,
            tags=["development", "feature", "backend"],
            extra={
                "issue": f"ACME-{1900 + n // 3}",
                "branch": f"feat/{feature.replace(' ', '-').replace('/', '')}",
            },
        )
    ]


def _qa(rng: random.Random, day: int) -> list[Event]:
    files = rng.sample(_QA_FILES, rng.randint(1, 2))
    added = rng.randint(2, 25)
    failing = rng.random() < 0.15
    env = rng.choice(["dev", "staging"])
    return [
        Event(
            ts=_work_time(rng, day),
            agent="qa-engineer",
            action="validation",
            category="testing",
            title=f"Regression suite on {env}",
            description=f"Ran the e2e and contract suites against {env}; added {added} tests.",
            summary="Two checkout tests fail on staging data." if failing else "All suites green.",
            status="failed" if failing else "completed",
            modified=files,
            tags=["testing", "qa", env],
            extra={
                "tests": {
                    "added": added,
                    "passing": not failing,
                    "runtime_seconds": round(rng.uniform(60, 900), 1),
                }
            },
        )
    ]


def _security(rng: random.Random, day: int) -> list[Event]:
    unit = _pick_unit(rng)
    topic = rng.choice(
        [
            "IAM policy review",
            "KMS key policy review",
            "Dependency CVE triage",
            "S3 public access audit",
            "Security group review",
        ]
    )
    return [
        Event(
            ts=_work_time(rng, day),
            agent="security-engineer",
            action="review",
            category="security",
            title=f"{topic}: {unit['unit']}",
            description=f"{topic} covering {unit['unit']} and its dependencies.",
            summary="No critical findings." if rng.random() < 0.8 else "One medium finding filed.",
            modified=[_unit_file(unit["unit"])] if rng.random() < 0.3 else [],
            tags=["security", "review", unit["environment"]],
        )
    ]


def _architecture(rng: random.Random, day: int) -> list[Event]:
    topic = rng.choice(
        [
            "Aurora global database for eu-west-1",
            "Move workers to FARGATE_SPOT",
            "Terragrunt stacks for preview environments",
            "Centralised logging in mgmt",
            "Split api and web ALBs",
            "Cross-account CI role via OIDC",
        ]
    )
    slug = topic.lower().replace(" ", "-").replace("/", "")[:40]
    return [
        Event(
            ts=_work_time(rng, day),
            agent="platform-architect",
            action=rng.choice(["design_decision", "research"]),
            category="architecture",
            title=topic,
            description=f"Evaluated: {topic}. Options, costs and migration plan written up.",
            summary="Proposal shared for review.",
            created=[f"docs/design/{slug}.md"],
            tags=["architecture", "design"],
            alternatives=["Keep the current setup", "Managed service alternative"],
            trade_offs="Lower cost and blast radius against migration effort.",
        )
    ]


def _drift_check(rng: random.Random, day: int) -> list[Event]:
    account = rng.choice(["prod", "non-prod", "prod", "mgmt"])
    drifted = rng.random() < 0.25
    units = [u for u in tree.UNITS if u["account"] == account]
    hit = rng.choice(units)
    agent = rng.choice(["devops-engineer", "sre-oncall"])
    ts = _at(day, 7, rng.randint(0, 40), rng.randint(0, 59))
    ev = Event(
        ts=ts,
        agent=agent,
        action="validation",
        category="operations",
        title=f"Weekly drift check: {account}",
        description=f"`terragrunt run --all plan -detailed-exitcode` over {account} ({len(units)} units).",
        summary=(
            f"Drift in {hit['unit']} (exit code 2): changed outside Terraform."
            if drifted
            else "No drift (exit code 0)."
        ),
        status="partial" if drifted else "completed",
        tags=["drift", "operations", "infrastructure", account],
        follow_up=[f"Reconcile drift in {hit['unit']}"] if drifted else [],
    )
    out = [ev]
    if drifted:
        out.append(
            Event(
                ts=ts + timedelta(hours=rng.randint(3, 30), minutes=rng.randint(0, 59)),
                agent="devops-engineer",
                action="configuration",
                category="infrastructure",
                title=f"Reconcile drift in {hit['unit']}",
                description=f"Codified the console change in {hit['unit']} and re-applied.",
                summary="Plan clean again.",
                modified=[_unit_file(hit["unit"])],
                related=[ev],
                tags=["drift", "infrastructure", "terragrunt", hit["environment"]],
            )
        )
    return out


def _cost_check(rng: random.Random, day: int) -> list[Event]:
    week = (START + timedelta(days=day)).isocalendar().week
    delta = round(rng.uniform(-6, 9), 1)
    over = delta > 7
    return [
        Event(
            ts=_at(day, 9, rng.randint(0, 59), rng.randint(0, 59)),
            agent="cost-analyst",
            action="review",
            category="planning",
            title=f"Weekly cost review W{week}",
            description=f"infracost breakdown over infrastructure-live; month-on-month {delta:+}%.",
            summary=(
                "Over the 7% threshold: EKS node groups and NAT data processing."
                if over
                else "Within budget."
            ),
            status="partial" if over else "completed",
            created=[f"reports/cost/2026-W{week:02d}.md"],
            tags=["cost", "finops", "planning"],
            follow_up=["Right-size prod eks-node-groups", "Review NAT gateway traffic"] if over else [],
        )
    ]


def _docs(rng: random.Random, day: int) -> list[Event]:
    doc = rng.choice(
        [
            "docs/runbooks/service-outage.md",
            "docs/onboarding/terragrunt.md",
            "TERRAGRUNT_QUICK_REFERENCE.md",
            "docs/runbooks/rds-failover.md",
        ]
    )
    return [
        Event(
            ts=_work_time(rng, day),
            agent=rng.choice(["devops-engineer", "sre-oncall"]),
            action="documentation",
            category="operations",
            title=f"Update {doc.rsplit('/', 1)[-1]}",
            description=f"Refreshed {doc} with the current commands and dashboards.",
            summary="Docs updated.",
            modified=[doc],
            tags=["documentation", "operations"],
        )
    ]


_ROUTINE = [
    (_deployment, 40),
    (_implementation, 16),
    (_qa, 10),
    (_security, 7),
    (_architecture, 5),
    (_docs, 6),
]


def _routine(rng: random.Random) -> list[Event]:
    events: list[Event] = []
    days = (NOW - START).days + 1
    for day in range(days):
        weekday = (START + timedelta(days=day)).weekday()
        if weekday == 0:
            events += _drift_check(rng, day)
        if weekday == 1:
            events += _cost_check(rng, day)
        n = rng.choice([2, 3, 3, 3, 4, 4]) if weekday < 5 else rng.choice([0, 1, 1])
        for _ in range(n):
            make = rng.choices([f for f, _ in _ROUTINE], weights=[w for _, w in _ROUTINE], k=1)[0]
            events += make(rng, day)
    return events


# --------------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------------

CULPRIT_WINDOW = (
    datetime(2026, 11, 18, 6, 0, tzinfo=UTC),
    datetime(2026, 11, 18, 20, 0, tzinfo=UTC),
)


def _keep(ev: Event) -> bool:
    if ev.ts >= NOW - timedelta(minutes=5):
        return False
    # Nothing routine touches prod in the culprit window: the api deployment must stand out.
    return ev.scripted or not (CULPRIT_WINDOW[0] <= ev.ts <= CULPRIT_WINDOW[1])


def _agent_slug(agent: str) -> str:
    return agent.replace("-", "_")


def _finalise(events: list[Event], rng: random.Random) -> None:
    events.sort(key=lambda e: (e.ts, e.agent, e.title))
    seen: set[str] = set()
    for ev in events:
        ev.shape = "B" if rng.random() < SHAPE_B_SHARE[ev.agent] else "A"
        if ev.shape == "A":
            ev.id = f"{ev.ts:%Y%m%d-%H%M%S}-{_agent_slug(ev.agent)}"
        elif rng.random() < 0.6:
            ev.id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        else:
            ev.id = f"{int(ev.ts.timestamp())}-{rng.getrandbits(32):08x}"
        while ev.id in seen:  # two events of one agent in the same second
            ev.id += "-2"
        seen.add(ev.id)
        ev.md_offset = rng.choice([0, 0, 0, rng.randint(1, 40)])
        if ev.shape == "A":
            ev.use_summary_key = rng.random() < 0.04
            ev.use_files_added = bool(ev.created) and rng.random() < 0.15
    # One-file-only events: routine, not part of a failure/fix chain, not referenced by anyone.
    referenced = {id(r) for e in events for r in e.related}
    eligible = [
        e
        for e in events
        if not e.scripted and not e.related and id(e) not in referenced and e.status == "completed"
    ]
    chosen = rng.sample(eligible, 9)
    for ev in chosen[:5]:
        ev.in_md = False
    for ev in chosen[5:]:
        ev.in_json = False


def build_events() -> list[Event]:
    """Every event, oldest first, with ids, shapes and one-file flags decided."""
    rng = random.Random(SEED)
    events = [e for e in _scripted(rng) + _routine(rng) if _keep(e)]
    _finalise(events, rng)
    # added after the random draws, so every other entry keeps the id and shape it always had
    events += _release_candidates()
    events.sort(key=lambda e: (e.ts, e.agent, e.title))
    return events


def _release_candidates() -> list[Event]:
    """The v1.9.0-rc1 pre-release tried in dev on vpc and eks (the promotion report's first stage)."""
    units = [f"{tree.PRERELEASE_ENV}/{c}" for c in sorted(tree.PRERELEASE_COMPONENTS)]
    ts = _at(106, 10, 12, 31)
    return [
        Event(
            ts=ts,
            agent="devops-engineer",
            action="deployment",
            category="infrastructure",
            title=f"Promote terraform-aws-modules {tree.PRERELEASE_REF} to {tree.PRERELEASE_ENV} (vpc, eks)",
            description=(
                f"Bumped ?ref=v1.8.0 to ?ref={tree.PRERELEASE_REF} in {len(units)} units under "
                f"{tree.PRERELEASE_ENV}, ran `terragrunt run --all plan` then `apply` after approval."
            ),
            summary=f"{len(units)} units on the release candidate; IPv6 and EKS 1.31 support under test.",
            modified=[_unit_file(u) for u in units],
            tags=["deployment", "promotion", "infrastructure", "terragrunt", "dev"],
            reasoning="Release candidates soak in dev before the release is cut for staging.",
            triggered_by="release train",
            scripted=True,
            key="promote-v1.9.0-rc1-dev",
            shape="A",
            id=f"{ts:%Y%m%d-%H%M%S}-devops_engineer",
        )
    ]


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(ev: Event) -> dict[str, Any]:
    files: dict[str, list[str]] = {}
    if ev.use_files_added:
        files["added"] = ev.created
    else:
        files["created"] = ev.created
    files["modified"] = ev.modified
    files["deleted"] = ev.deleted
    if ev.shape == "A":
        action: dict[str, Any] = {"type": ev.action}
        action["summary" if ev.use_summary_key else "description"] = ev.description
        entry: dict[str, Any] = {
            "id": ev.id,
            "timestamp": _iso(ev.ts),
            "agent": ev.agent,
            "action": action,
            "context": {"task": ev.title, "category": ev.category},
            "files": files,
            "outcome": {"status": ev.status, "summary": ev.summary},
            "follow_up": ev.follow_up,
            "tags": ev.tags,
        }
    else:
        entry = {
            "id": ev.id,
            "timestamp": _iso(ev.ts),
            "agent": {"name": ev.agent, "type": AGENT_TYPES[ev.agent]},
            "action": {"type": ev.action, "category": ev.category, "description": ev.description},
            "context": {
                "task": ev.title,
                "related_entries": [r.id for r in ev.related],
                "triggered_by": ev.triggered_by or "user request",
            },
            "details": {
                "reasoning": ev.reasoning or "Routine work item.",
                "alternatives_considered": ev.alternatives,
                "trade_offs": ev.trade_offs,
                "what_was_done": [ev.description],
            },
            "files": files,
            "outcome": {"status": ev.status, "result": ev.summary, "follow_up_actions": ev.follow_up},
            "tags": ev.tags,
        }
    entry.update(ev.extra)
    return entry


def render_json(events: list[Event]) -> str:
    entries = [_entry(e) for e in events if e.in_json]
    doc = {
        "version": "1.0",
        "project": PROJECT,
        "created_at": entries[0]["timestamp"],
        "updated_at": entries[-1]["timestamp"],
        "entries": entries,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_EMOJI = {"completed": "✅ Completed", "partial": "⚠️ Partial", "failed": "❌ Failed"}


def _md_entry(ev: Event) -> str:
    ts = ev.ts + timedelta(seconds=ev.md_offset)
    lines = [
        "---",
        "",
        f"## [{ts:%Y-%m-%d %H:%M:%S}] {ev.agent}: {ev.title}",
        "",
        f"**Action**: {ev.action}",
        f"**Category**: {ev.category}",
        "",
        "### What Was Done",
        ev.description,
        "",
    ]
    if ev.reasoning:
        lines += ["### Reasoning", ev.reasoning, ""]
    changed = [
        (label, items)
        for label, items in (("Created", ev.created), ("Modified", ev.modified), ("Deleted", ev.deleted))
        if items
    ]
    if changed:
        lines.append("### Files Changed")
        lines += [f"- {label}: {', '.join(items)}" for label, items in changed]
        lines.append("")
    lines += ["### Outcome", f"{_EMOJI[ev.status]} - {ev.summary}", ""]
    if ev.follow_up:
        lines.append("### Follow-up")
        lines += [f"- [ ] {item}" for item in ev.follow_up]
        lines.append("")
    lines += ["**Tags**: " + " ".join(f"#{t}" for t in ev.tags), ""]
    return "\n".join(lines)


def render_markdown(events: list[Event]) -> str:
    head = (
        "# Project History\n\n"
        "Activity log for acme-platform, written by each agent at the end of its work "
        "(shutdown protocol). Newest entries are at the bottom.\n\n"
    )
    return head + "".join(_md_entry(e) + "\n" for e in events if e.in_md) + "---\n"


def generate(out_dir: Path) -> None:
    """Write ``project/project_history.json`` and ``project/PROJECT_HISTORY.md`` under ``out_dir``."""
    events = build_events()
    project = Path(out_dir) / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "project_history.json").write_bytes(render_json(events).encode("utf-8"))
    (project / "PROJECT_HISTORY.md").write_bytes(render_markdown(events).encode("utf-8"))

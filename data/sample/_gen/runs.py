"""Sample terragrunt run reports (``run-reports/``) and the drift history store (``drift-history/``).

- ``run-reports/2026-11-20-plan-all.json``: the nightly ``terragrunt run --all plan -detailed-exitcode
  --report-file`` that produced ``plans/``: every unit succeeded except staging's ecs-worker (its plan
  errored), which has no dependents;
- ``run-reports/2026-11-19-apply-prod.csv``: a prod apply the day before, in CSV: the database unit
  failed, the services that depend on it exited early (ancestor error), the queue unit needed a retry;
- ``drift-history/``: the store ``opslib drift record`` keeps, with the nightly runs from 2026-11-06 to
  2026-11-20, so the report can say how long each resource has drifted (the node group: 9 days; the
  log retention script: 14 days; the IAM role drifted, was fixed, and drifted again) and shows drift
  that was fixed (a load balancer's idle timeout).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from _gen.plans import ERRORED_UNIT, PLAN_TIME
from _gen.tree import UNITS

__all__ = ["DRIFT_SCHEDULE", "NIGHTLY_RUNS", "generate"]

NIGHTLY_RUNS = [
    "2026-11-06",
    "2026-11-08",
    "2026-11-10",
    "2026-11-11",
    "2026-11-12",
    "2026-11-14",
    "2026-11-16",
    "2026-11-18",
    "2026-11-20",
]
# (unit, address) -> the nightly runs that saw it drifted
DRIFT_SCHEDULE: dict[tuple[str, str], list[str]] = {
    ("prod/us-east-1/prod/ecs-api", "aws_cloudwatch_log_group.this"): NIGHTLY_RUNS,
    ("prod/us-east-1/prod/ecs-web", "aws_cloudwatch_log_group.this"): NIGHTLY_RUNS,
    ("prod/us-east-1/prod/eks", "aws_cloudwatch_log_group.cluster"): NIGHTLY_RUNS,
    ("prod/us-east-1/prod/eks-node-groups", "aws_eks_node_group.general"): NIGHTLY_RUNS[3:],
    ("mgmt/_global/iam-roles", "aws_iam_role.this[1]"): [
        "2026-11-12",
        "2026-11-16",
        "2026-11-18",
        "2026-11-20",
    ],
    ("prod/us-east-1/prod/ecs-api", "aws_ecs_service.this"): NIGHTLY_RUNS[6:],
    ("non-prod/us-east-1/dev/rds", "aws_rds_cluster.this"): NIGHTLY_RUNS[7:],
    ("prod/us-east-1/prod/s3-uploads", "aws_s3_bucket_public_access_block.this"): NIGHTLY_RUNS[8:],
}
FIXED_ALB = ("prod/us-east-1/prod/alb", "aws_lb.this", ["2026-11-06", "2026-11-08", "2026-11-10"])


def _seconds(unit: str, low: int, high: int) -> int:
    return low + int(hashlib.sha256(unit.encode()).hexdigest()[:6], 16) % (high - low)


def _plan_report() -> list[dict[str, Any]]:
    start = pd.Timestamp(PLAN_TIME)
    runs = []
    clock = start
    for unit in UNITS:
        duration = _seconds(unit["unit"], 8, 95)
        ended = clock + pd.Timedelta(seconds=duration)
        run: dict[str, Any] = {
            "Started": clock.isoformat().replace("+00:00", "Z"),
            "Ended": ended.isoformat().replace("+00:00", "Z"),
            "Name": unit["unit"],
            "Result": "succeeded",
            "Cmd": "plan",
            "Args": ["-detailed-exitcode", "-lock=false", "-input=false"],
        }
        if unit["unit"] == ERRORED_UNIT:
            run.update(Result="failed", Reason="run error", Cause="exit status 1")
        runs.append(run)
        clock = clock + pd.Timedelta(seconds=duration // 4)  # 4 units at a time, roughly
    return runs


def _apply_report() -> str:
    start = pd.Timestamp("2026-11-19T14:05:00Z")
    prod = [u["unit"] for u in UNITS if u["unit"].startswith("prod/us-east-1/prod/")]
    failed = "prod/us-east-1/prod/rds"
    dependents = {u["unit"] for u in UNITS if failed in u["dependency_units"]}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Name", "Started", "Ended", "Result", "Reason", "Cause", "Ref", "Cmd", "Args"])
    clock = start
    for unit in prod:
        duration = _seconds(unit + "apply", 20, 400)
        result, reason, cause = "succeeded", "", ""
        if unit == failed:
            result, reason, cause = "failed", "run error", "exit status 1"
        elif unit in dependents:
            result, reason, cause, duration = "early exit", "ancestor error", failed, 0
        elif unit.endswith("/sqs"):
            reason = "retry succeeded"
        ended = clock + pd.Timedelta(seconds=duration)
        writer.writerow(
            [
                unit,
                clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
                ended.strftime("%Y-%m-%dT%H:%M:%SZ"),
                result,
                reason,
                cause,
                "",
                "apply",
                "-auto-approve,-input=false",
            ]
        )
        clock = clock + pd.Timedelta(seconds=max(duration // 3, 1))
    return out.getvalue()


def _drift_history(out_dir: Path) -> None:
    from opslib import drift, load_plans

    store = out_dir / "drift-history"
    for old in store.glob("*"):
        old.unlink()
    changes = load_plans(out_dir / "plans", tree=[u["unit"] for u in UNITS])
    ids = {u["unit"] for u in UNITS}
    changes = changes[changes["unit"].isin(ids)]  # plans/real-terraform is not a unit of the tree
    changes.attrs["plans"] = [p for p in changes.attrs["plans"] if p["unit"] in ids]
    current = changes[changes["kind"] == "drift"]
    alb = changes[(changes["unit"] == FIXED_ALB[0]) & (changes["address"] == FIXED_ALB[1])].copy()
    alb["kind"], alb["action"], alb["risk"] = "drift", "update", "high"
    alb["changed_paths"] = [["idle_timeout"]]
    alb["before"] = [{**row, "idle_timeout": 60} for row in alb["before"]]
    alb["after"] = [{**row, "idle_timeout": 300} for row in alb["after"]]
    for day in NIGHTLY_RUNS:
        keep = [
            day in DRIFT_SCHEDULE.get((u, a), [])
            for u, a in zip(current["unit"], current["address"], strict=True)
        ]
        frame = pd.concat([current[keep], alb if day in FIXED_ALB[2] else alb.iloc[:0]], ignore_index=True)
        frame.attrs = changes.attrs
        drift.record(frame, store, run_id=f"nightly-{day}", at=f"{day}T06:00:00Z")
    for lock in store.glob("*.lock"):
        lock.unlink()


def generate(out_dir: Path) -> None:
    """Write ``run-reports/`` and ``drift-history/`` (needs ``plans/`` generated first)."""
    reports = Path(out_dir) / "run-reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "2026-11-20-plan-all.json").write_text(
        json.dumps(_plan_report(), indent=2) + "\n", encoding="utf-8"
    )
    (reports / "2026-11-19-apply-prod.csv").write_text(_apply_report(), encoding="utf-8")
    (Path(out_dir) / "drift-history").mkdir(parents=True, exist_ok=True)
    _drift_history(Path(out_dir))

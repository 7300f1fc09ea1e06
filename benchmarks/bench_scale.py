"""Benchmark every report and the failure metrics at platform scale: 4,000 units and a 1M-entry history.

Builds, under one work folder (``--keep DIR`` keeps and reuses it):

* a Terragrunt tree of ~4,000 units: the sample tree's accounts copied under new account names (each
  copy's ``account.hcl`` renamed and renumbered), so every unit has the sample's real shape (includes,
  ``_envcommon``, dependencies, lock files, a stack);
* a plan per unit (the sample's ``terraform show -json`` plans, one per copied unit);
* infracost breakdown and baseline documents with one project per unit;
* run reports: a ``run --all plan`` report over every unit and an apply report per prod account copy;
* a 1,000,000-entry ``project_history.json`` (shapes A and B mixed, as real logs are) whose events
  touch the platform's units: changes, deployments (some failing, then fixed), escalations and
  incidents followed by resolutions, rollbacks and hotfixes.

Then measures, in one run, each in a fresh process:

* naive: ``pd.json_normalize(json.load(f)["entries"])`` of the history (the baseline);
* the history load as a whole process (interpreter, imports, read): cold (no cache) and warm (cached);
* each metric function on the loaded 1M-entry frame (load time excluded);
* each report notebook, run with papermill through ``opslib.reports.run_report`` (HTML export
  included), on the platform's inputs, with the history and tree caches warm.

Targets (2 cores): each metric <= 0.1 x naive; failure analysis <= 1.0 x naive and overview <= 0.5 x
naive, each with peak memory <= naive's; warm load_history (whole process) <= 0.1 x cold; every
report <= 60 s.

Usage: python benchmarks/bench_scale.py [--units N] [--entries N] [--keep DIR] [--only NAME ...]
       [--no-check]
Exit code 1 when a target is missed (unless --no-check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from _common import Measurement, child_main, print_ratios, run_phase, timed  # noqa: E402

METRIC_TARGET = 0.1
REPORT_TARGETS = {"failure_analysis": 1.0, "overview": 0.5}
REPORT_SECONDS = 60.0
WARM_TARGET = 0.1

# ---- the platform ---------------------------------------------------------------------------------


def build_platform(work: Path, units: int) -> dict[str, Path]:
    """The sample world scaled to about ``units`` units; returns the paths the reports read."""
    sample = work / "sample"
    if not (sample / "infrastructure-live").is_dir():
        print("generating the sample world ...", flush=True)
        subprocess.run(
            [sys.executable, str(REPO / "data" / "sample" / "generate.py"), "--out", str(sample)],
            check=True,
            capture_output=True,
        )
    live = work / "platform" / "infrastructure-live"
    paths = {
        "tree": live,
        "plans": work / "platform" / "plans",
        "costs": work / "platform" / "costs" / "infracost-breakdown.json",
        "baseline": work / "platform" / "costs" / "infracost-baseline.json",
        "run_reports": work / "platform" / "run-reports",
    }
    if live.is_dir():
        return paths
    print(f"building a platform of about {units:,} units ...", flush=True)
    source = sample / "infrastructure-live"
    accounts = sorted(p.name for p in source.iterdir() if (p / "account.hcl").is_file())
    per_copy = sum(1 for _ in source.rglob("terragrunt.hcl"))
    copies = max(1, math.ceil(units / per_copy))
    tmp = live.with_name(".infrastructure-live.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp, ignore=shutil.ignore_patterns(*accounts))
    names: dict[str, str] = {}  # copied account folder -> the sample account it copies
    for k in range(copies):
        for account in accounts:
            name = account if k == 0 else f"{account}-{k:02d}"
            names[name] = account
            shutil.copytree(source / account, tmp / name)
            if k:
                _rename_account(tmp / name / "account.hcl", account, name, k)
    tmp.rename(live)
    _scale_plans(sample / "plans", paths["plans"], names)
    _scale_costs(sample / "costs", paths["costs"].parent, names)
    _scale_runs(sample / "run-reports", paths["run_reports"], names)
    return paths


def _rename_account(path: Path, account: str, name: str, k: int) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace(f'account_name        = "{account}"', f'account_name        = "{name}"')
    text = re.sub(
        r'aws_account_id(\s*)= "(\d{12})"', lambda m: f'aws_account_id{m[1]}= "{k:04d}{m[2][4:]}"', text
    )
    path.write_text(text, encoding="utf-8")


def _copies(unit: str, names: dict[str, str]) -> list[str]:
    """The copies of a sample unit id (``prod/x`` -> ``prod/x``, ``prod-01/x``, ...)."""
    account, _, rest = unit.partition("/")
    return [f"{name}/{rest}" for name, original in names.items() if original == account]


def _scale_plans(source: Path, target: Path, names: dict[str, str]) -> None:
    for plan in sorted(source.rglob("tfplan.json")):
        unit = plan.parent.relative_to(source).as_posix()
        if unit.split("/", 1)[0] not in names:
            continue  # plans/real-terraform is not a unit of the tree
        for copy in _copies(unit, names):
            dest = target / copy / "tfplan.json"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(plan, dest)


def _scale_costs(source: Path, target: Path, names: dict[str, str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("infracost-breakdown.json", "infracost-baseline.json"):
        doc = json.loads((source / name).read_text(encoding="utf-8"))
        projects = []
        for project in doc["projects"]:
            path = project["metadata"]["path"]
            unit = path.removeprefix("infrastructure-live/")
            for copy in _copies(unit, names):
                text = json.dumps(project).replace(unit, copy)
                projects.append(json.loads(text))
        doc["projects"] = projects
        for key in ("totalHourlyCost", "totalMonthlyCost"):
            doc[key] = str(sum(Decimal(p["breakdown"].get(key) or "0") for p in projects))
        (target / name).write_text(json.dumps(doc, indent=2), encoding="utf-8")


def _scale_runs(source: Path, target: Path, names: dict[str, str]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for report in sorted(source.glob("*.json")):
        runs = json.loads(report.read_text(encoding="utf-8"))
        scaled = [{**run, "Name": copy} for run in runs for copy in _copies(run["Name"], names)]
        (target / report.name).write_text(json.dumps(scaled, indent=2), encoding="utf-8")
    for report in sorted(source.glob("*.csv")):
        header, *rows = report.read_text(encoding="utf-8").splitlines()
        prods = [n for n, original in names.items() if original == "prod"]
        lines = [header]
        for name in prods:
            lines += [re.sub(r"(^|,)prod/", rf"\g<1>{name}/", row) for row in rows]
        (target / report.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---- the history ----------------------------------------------------------------------------------

AGENTS = {
    "devops-engineer": "devops",
    "sre-oncall": "sre",
    "backend-developer": "developer",
    "frontend-developer": "developer",
    "qa-engineer": "qa",
    "security-engineer": "security",
    "platform-architect": "architect",
    "cost-analyst": "finops",
    "data-engineer": "developer",
    "release-manager": "devops",
}
CATEGORIES = ["infrastructure", "development", "operations", "testing", "security", "architecture"]
TAGS = [
    "infrastructure",
    "deployment",
    "devops",
    "terraform",
    "terragrunt",
    "aws",
    "monitoring",
    "security",
    "cost",
    "drift",
    "ci",
    "database",
    "networking",
]
CHANGES = [
    "Enable access logs",
    "Raise backup retention",
    "Update TLS policy",
    "Resize node group",
    "Tune alarm thresholds",
    "Bump module version",
    "Rotate KMS key policy",
    "Add lifecycle rule",
]
SYMPTOMS = ["p99 latency above 1s", "5xx error rate spike", "queue backlog growing", "disk nearly full"]
ERRORS = [
    "Error acquiring the state lock: ConditionalCheckFailedException",
    "AccessDeniedException: not authorized to perform kms:CreateGrant",
    "timeout while waiting for the cluster update to complete",
    "InvalidParameterCombination: instance class not supported",
]


class HistoryWriter:
    """Writes entries in time order, one compact entry per line, with follow-ups scheduled ahead."""

    def __init__(self, units: list[str], rng: random.Random) -> None:
        self.units = units
        self.rng = rng
        self.pending: list[tuple[float, int, dict[str, Any]]] = []
        self.serial = 0
        self.recent: list[str] = []

    def _id(self, ts: dt.datetime, agent: str, shape_b: bool) -> str:
        self.serial += 1
        if shape_b:
            return f"{int(ts.timestamp())}-{self.rng.getrandbits(32):08x}"
        return f"{ts:%Y%m%d-%H%M%S}-{agent.replace('-', '_')}-{self.serial % 1000:03d}"

    def entry(
        self,
        ts: dt.datetime,
        agent: str,
        action: str,
        status: str,
        task: str,
        description: str,
        files: list[str],
        tags: list[str],
        related: list[str] | None = None,
    ) -> dict[str, Any]:
        shape_b = self.rng.random() < 0.3
        entry_id = self._id(ts, agent, shape_b)
        category = "operations" if action in ("incident", "escalation", "resolution") else "infrastructure"
        if self.rng.random() < 0.3:
            category = self.rng.choice(CATEGORIES)
        stamp = f"{ts:%Y-%m-%dT%H:%M:%SZ}"
        files_block = {"created": [], "modified": files, "deleted": []}
        if shape_b:
            entry: dict[str, Any] = {
                "id": entry_id,
                "timestamp": stamp,
                "agent": {"name": agent, "type": AGENTS[agent]},
                "action": {"type": action, "category": category, "description": description},
                "context": {
                    "task": task,
                    "related_entries": related or [],
                    "triggered_by": "user request",
                },
                "files": files_block,
                "outcome": {"status": status, "result": description[:60], "follow_up_actions": []},
                "tags": tags,
            }
        else:
            entry = {
                "id": entry_id,
                "timestamp": stamp,
                "agent": agent,
                "action": {"type": action, "description": description},
                "context": {"task": task, "category": category},
                "files": files_block,
                "outcome": {"status": status, "summary": description[:60]},
                "follow_up": ["check alarms"] if status != "completed" else [],
                "tags": tags,
            }
        self.recent.append(entry_id)
        if len(self.recent) > 50:
            del self.recent[:25]
        return entry

    def later(self, ts: dt.datetime, hours: float, entry_args: dict[str, Any]) -> None:
        when = ts + dt.timedelta(hours=hours)
        heapq.heappush(self.pending, (when.timestamp(), self.serial, {"ts": when, **entry_args}))
        self.serial += 1

    def events(self, ts: dt.datetime) -> list[dict[str, Any]]:
        """The entries due at ``ts``: scheduled follow-ups first, then one new piece of work."""
        out = []
        while self.pending and self.pending[0][0] <= ts.timestamp():
            _, _, args = heapq.heappop(self.pending)
            out.append(self.entry(**args))
        out.append(self._work(ts))
        return out

    def _work(self, ts: dt.datetime) -> dict[str, Any]:
        rng = self.rng
        unit = rng.choice(self.units)
        component = unit.rsplit("/", 1)[-1]
        env = unit.split("/")[2] if unit.count("/") >= 3 else unit.split("/")[0]
        hcl = f"infrastructure-live/{unit}/terragrunt.hcl"
        agent = rng.choice(list(AGENTS))
        tags = rng.sample(TAGS, rng.randint(2, 4))
        roll = rng.random()
        if roll < 0.22:  # a deployment; one in eight fails and is fixed later, or escalated
            task = f"Deploy {unit}"
            failed = rng.random() < 0.12
            entry = self.entry(
                ts,
                agent,
                "deployment",
                "failed" if failed else "completed",
                task,
                f"terragrunt apply in {unit}" + (f": {rng.choice(ERRORS)}" if failed else ""),
                [hcl],
                [*tags, "deployment"],
            )
            if failed:
                if rng.random() < 0.8:
                    self.later(
                        ts,
                        rng.expovariate(1 / 6),
                        {
                            "agent": agent,
                            "action": "implementation",
                            "status": "completed",
                            "task": f"Fix: {task}",
                            "description": f"Fixed the failing apply of {unit} and re-applied.",
                            "files": [hcl],
                            "tags": tags,
                            "related": [entry["id"]],
                        },
                    )
                else:
                    title = f"Failed apply of {component} in {env}"
                    self.later(
                        ts,
                        0.5,
                        {
                            "agent": "sre-oncall",
                            "action": "escalation",
                            "status": "completed",
                            "task": f"ESCALATION: {title}",
                            "description": f"Escalate failed apply of {unit}",
                            "files": [],
                            "tags": ["operations", "deployment"],
                        },
                    )
                    self.later(
                        ts,
                        rng.expovariate(1 / 20),
                        {
                            "agent": "devops-engineer",
                            "action": "resolution",
                            "status": "completed",
                            "task": f"Resolved: {title}",
                            "description": "Root cause fixed; apply succeeded.",
                            "files": [],
                            "tags": ["operations"],
                        },
                    )
            return entry
        if roll < 0.225:  # an incident, resolved later (or not)
            service = rng.choice(["api", "web", "worker", "search", "payments"])
            title = f"{service} {rng.choice(SYMPTOMS)} in {env}"
            entry = self.entry(
                ts,
                "sre-oncall",
                "incident",
                "partial",
                f"INCIDENT: {title}",
                f"Paged for {title}; investigating {unit}.",
                [],
                ["incident", "operations"],
            )
            if rng.random() < 0.9:
                self.later(
                    ts,
                    rng.expovariate(1 / 3),
                    {
                        "agent": "sre-oncall",
                        "action": "resolution",
                        "status": "completed",
                        "task": f"Resolved: {title}",
                        "description": f"Mitigated {title}.",
                        "files": [],
                        "tags": ["incident", "operations"],
                        "related": [entry["id"]],
                    },
                )
            return entry
        if roll < 0.23:  # a rollback or hotfix
            action = rng.choice(["rollback", "hotfix"])
            return self.entry(
                ts,
                agent,
                action,
                "completed",
                f"{action.title()}: {unit}",
                f"{action} of {unit}",
                [hcl],
                [*tags, action],
            )
        if roll < 0.55:  # a change to a unit
            change = rng.choice(CHANGES)
            status = "completed" if rng.random() < 0.93 else rng.choice(["failed", "partial"])
            return self.entry(
                ts,
                agent,
                rng.choice(["implementation", "configuration"]),
                status,
                f"{change} ({component}, {env})",
                f"{change} for {unit}",
                [hcl] + ([f"modules/{component}/main.tf"] if rng.random() < 0.3 else []),
                tags,
            )
        action = rng.choice(["review", "validation", "documentation", "research", "design_decision"])
        return self.entry(
            ts,
            agent,
            action,
            "completed" if rng.random() < 0.95 else "failed",
            f"OPS-{rng.randrange(20000)}: {action} of {component}",
            f"{action.replace('_', ' ').title()} for {component} in {env}.",
            [f"docs/{component}.md"] if action == "documentation" else [],
            tags,
            related=rng.sample(self.recent, 1) if self.recent and rng.random() < 0.1 else None,
        )


def make_history(path: Path, units: list[str], entries: int, seed: int = 18) -> None:
    """A deterministic ``entries``-entry log over two years ending 2026-11-20, one entry per line."""
    import orjson

    rng = random.Random(seed)
    writer = HistoryWriter(units, rng)
    end = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    span = dt.timedelta(days=730)
    step = span.total_seconds() / entries
    ts = end - span
    written = 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        out.write(
            b'{\n  "version": "1.0",\n  "project": "acme-platform",\n'
            b'  "created_at": "2024-11-20T12:00:00Z",\n  "updated_at": "2026-11-20T12:00:00Z",\n'
            b'  "entries": [\n'
        )
        while written < entries:
            ts = ts + dt.timedelta(seconds=rng.expovariate(1 / step) * 0.9)
            for entry in writer.events(ts):
                if written == entries:
                    break
                out.write((b",\n" if written else b"") + b"    " + orjson.dumps(entry))
                written += 1
        out.write(b"\n  ]\n}\n")
    tmp.rename(path)


def platform_units(tree: Path) -> list[str]:
    return sorted(p.parent.relative_to(tree).as_posix() for p in tree.rglob("terragrunt.hcl"))


# ---- phases (each runs in a child process) --------------------------------------------------------


def _naive(path: str) -> dict[str, Any]:
    import pandas as pd

    def run() -> Any:
        with open(path, encoding="utf-8") as handle:
            return pd.json_normalize(json.load(handle)["entries"])

    seconds, frame = timed(run)
    return {"seconds": seconds, "rows": len(frame)}


METRICS: dict[str, str] = {
    "failure_rates(by=agent)": "metrics.failure_rates(log, by='agent')",
    "failure_rates(by=unit, week)": "metrics.failure_rates(log, by='unit', period='week')",
    "failure_rates(by=tag)": "metrics.failure_rates(log, by='tag')",
    "recoveries": "metrics.recoveries(log)",
    "unresolved": "metrics.unresolved(log)",
    "repeat_failures": "metrics.repeat_failures(log)",
    "streaks": "metrics.streaks(log)",
    "deployments": "metrics.deployments(log)",
    "dora": "metrics.dora(log)",
}


def _metric(path: str, name: str) -> dict[str, Any]:
    from opslib import metrics
    from opslib.history import load_history

    log = load_history(path)  # warm cache; not timed
    seconds, out = timed(lambda: eval(METRICS[name], {"metrics": metrics, "log": log}))
    return {"seconds": seconds, "rows": len(out)}


def _report(name: str, params: str, out_dir: str) -> dict[str, Any]:
    from opslib.reports import run_report

    seconds, _ = timed(lambda: run_report(name, json.loads(params), out_dir, update_index=False))
    return {"seconds": seconds}


def _warm_caches(history: str, tree: str) -> dict[str, Any]:
    from opslib import load_history, load_tree

    load_history(history)
    start = time.perf_counter()
    units = len(load_tree(tree).units)
    return {"seconds": time.perf_counter() - start, "units": units}


PHASES = {"naive": _naive, "metric": _metric, "report": _report, "warm": _warm_caches}


def _process(code: str) -> dict[str, Any]:
    """A fresh interpreter running ``code``, timed as a whole (start-up and imports included); its
    peak memory is this phase's children's."""
    seconds, _ = timed(lambda: subprocess.run([sys.executable, "-c", code], check=True))
    return {"seconds": seconds}


PHASES["process"] = _process


# ---- parent ---------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] == ["--phase"]:
        return child_main(PHASES, argv[1:])
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--units", type=int, default=4000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Keep (and reuse) the generated inputs in this folder.")
    parser.add_argument(
        "--only", action="append", choices=["load", "metrics", "reports"], help="Run only this part."
    )
    parser.add_argument("--no-check", action="store_true", help="Always exit 0.")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    parts = set(args.only or ["load", "metrics", "reports"])
    try:
        return _run(work, args.units, args.entries, parts, args.no_check)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _run(work: Path, n_units: int, entries: int, parts: set[str], no_check: bool) -> int:
    paths = build_platform(work, n_units)
    units = platform_units(paths["tree"])
    history = work / "history" / f"project_history-{entries}.json"
    history.parent.mkdir(parents=True, exist_ok=True)
    if not history.exists():
        print(f"generating {entries:,} history entries ...", flush=True)
        make_history(history, units, entries)
    print(
        f"platform: {len(units):,} units, {sum(1 for _ in paths['plans'].rglob('tfplan.json')):,} plans; "
        f"history: {history.stat().st_size / 1e6:.0f} MB",
        flush=True,
    )
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["OPSLIB_CACHE_DIR"] = str(cache)
    script = Path(__file__).resolve()
    naive = run_phase(script, "naive", str(history), label="naive json_normalize load")
    print(f"naive load: {naive.seconds:.1f} s, {naive.peak_mb:.0f} MB", flush=True)
    checks: dict[str, bool] = {}
    rows: list[Measurement] = [naive]
    if "load" in parts:
        load = f"from opslib.history import load_history; load_history({str(history)!r}, cache={{}})"
        cold = run_phase(script, "process", load.format("False"), label="load_history cold, whole process")
        run_phase(script, "process", load.format("True"), label="load_history first load (+cache)")
        warm = run_phase(script, "process", load.format("True"), label="load_history warm, whole process")
        rows += [cold, warm]
        checks[f"warm load_history <= {WARM_TARGET} x cold (whole process)"] = (
            warm.seconds <= WARM_TARGET * cold.seconds
        )
        print(f"warm / cold (whole process) = {warm.seconds / cold.seconds:.3f}", flush=True)
    warm = run_phase(script, "warm", str(history), str(paths["tree"]), label="load_tree cold (4,000 units)")
    rows.append(warm)
    print(f"caches warm; load_tree cold: {warm.seconds:.1f} s ({warm.info['units']} units)", flush=True)
    if "metrics" in parts:
        for name in METRICS:
            m = run_phase(script, "metric", str(history), name, label=f"metric {name}")
            print(f"  {m.name}: {m.seconds:.2f} s", flush=True)
            rows.append(m)
            checks[f"{name} <= {METRIC_TARGET} x naive"] = m.seconds <= METRIC_TARGET * naive.seconds
    if "reports" in parts:
        review_repository(paths["tree"])
        out_dir = work / "reports"
        from opslib.reports import list_reports

        wanted = _report_parameters(paths, history)
        # every report notebook runs; one this benchmark has no inputs for runs on its sample defaults
        for name in list_reports():
            params = wanted.get(name, {})
            try:
                args = (name, json.dumps(params), str(out_dir))
                m = run_phase(script, "report", *args, label=f"report {name}")
            except RuntimeError as exc:  # a report that falls over at scale is a finding, not the end
                print(f"  report {name} FAILED: {str(exc)[-1500:]}", flush=True)
                checks[f"{name} finishes"] = False
                continue
            print(f"  {m.name}: {m.seconds:.1f} s, {m.peak_mb:.0f} MB", flush=True)
            rows.append(m)
            checks[f"{name} <= {REPORT_SECONDS:.0f} s"] = m.seconds <= REPORT_SECONDS
            if name in REPORT_TARGETS:
                checks[f"{name} <= {REPORT_TARGETS[name]} x naive"] = (
                    m.seconds <= REPORT_TARGETS[name] * naive.seconds
                )
                checks[f"{name} peak memory <= naive"] = m.peak_mb <= naive.peak_mb
    print_ratios(rows, naive)
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    return 0 if no_check or all(checks.values()) else 1


def bundled_sample() -> Path:
    from opslib._paths import sample_dir

    return sample_dir()


def _report_parameters(paths: dict[str, Path], history: Path) -> dict[str, dict[str, Any]]:
    tree, plans = str(paths["tree"]), str(paths["plans"])
    return {
        "failure_analysis": {"history": str(history), "run_reports": str(paths["run_reports"])},
        "overview": {"history": str(history), "tree": tree},
        "cost_report": {"costs": str(paths["costs"]), "tree": tree, "baseline": str(paths["baseline"])},
        "drift_report": {"tree": tree, "plans": plans, "drift_history": ""},
        "incident_runbook": {
            "runbook": str(bundled_sample() / "runbooks" / "service-outage.md"),
            "history": str(history),
            "tree": tree,
            "plans": plans,
        },
        "promotion_report": {"tree": tree, "history": str(history)},
        # a pull request on the platform: every vpc unit's shared settings and one unit changed
        "change_review": {"tree": tree, "base": "HEAD~1", "head": "HEAD", "plans": "", "costs": ""},
    }


def review_repository(tree: Path) -> None:
    """Make the platform tree a git work tree whose last commit is a pull request: the shared vpc
    settings every vpc unit includes (hundreds of units) and one unit's module version changed."""
    git = ["git", "-C", str(tree), "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    if (tree / ".git").is_dir():
        return
    print("making the platform a git repository with a change to review ...", flush=True)
    subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "platform"], check=True)
    shared = tree / "_envcommon" / "vpc.hcl"
    text = shared.read_text(encoding="utf-8")
    shared.write_text(text.replace("enable_nat_gateway   = true", "enable_nat_gateway   = false"), "utf-8")
    unit = next(p for p in sorted(tree.rglob("terragrunt.hcl")) if "?ref=" in p.read_text(encoding="utf-8"))
    text = unit.read_text(encoding="utf-8")
    unit.write_text(re.sub(r"\?ref=[^\"&]+", "?ref=v9.9.9", text, count=1), encoding="utf-8")
    subprocess.run([*git, "commit", "-q", "-a", "-m", "vpc: no NAT gateways; bump one module"], check=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

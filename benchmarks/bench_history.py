"""Benchmark ``load_history`` on a generated 1,000,000-entry ``project_history.json``.

Times, in one run and on the same file, each in a fresh process (import time excluded):

* naive: ``pd.json_normalize(json.load(f)["entries"])`` (the baseline);
* jq: ``jq '.entries[] | select(.outcome.status == "failed")'`` when jq is on PATH;
* opslib cold: ``load_history(path, cache=False)`` (parse only);
* opslib first load: ``load_history(path)`` with an empty cache (parse + write the cache);
* opslib warm: ``load_history(path)`` again (cache hit);

and prints each as a ratio of the baseline, with peak memory (worker processes included).
Targets (2 cores): cold <= 0.5 x naive and faster than jq; warm <= 0.1 x cold; peak memory <= naive.

The log mixes entry shapes A and B (as real logs do), one compact entry per line.

Usage: python benchmarks/bench_history.py [--entries N] [--keep DIR] [--no-check]
Exit code 1 when a target is missed (unless --no-check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Measurement, child_main, print_ratios, run_phase, timed

AGENTS = [
    "devops-engineer",
    "backend-developer",
    "qa-engineer",
    "security-engineer",
    "platform-architect",
    "sre-oncall",
    "cost-analyst",
]
ACTIONS = [
    "design_decision",
    "implementation",
    "review",
    "validation",
    "escalation",
    "resolution",
    "documentation",
    "configuration",
    "deployment",
    "research",
]
CATEGORIES = [
    "architecture",
    "development",
    "infrastructure",
    "testing",
    "security",
    "operations",
    "planning",
]
TAGS = [
    "infrastructure",
    "deployment",
    "devops",
    "terraform",
    "terragrunt",
    "aws",
    "eks",
    "rds",
    "ci",
    "monitoring",
    "security",
    "cost",
    "vpc",
    "iam",
    "drift",
]
STATUSES = ["completed"] * 8 + ["partial", "failed"]


def _shape_a(rng: random.Random, i: int, ts: dt.datetime, agent: str, unit: str) -> dict[str, Any]:
    return {
        "id": f"{ts:%Y%m%d-%H%M%S}-{agent.replace('-', '_')}",
        "timestamp": f"{ts:%Y-%m-%dT%H:%M:%SZ}",
        "agent": agent,
        "action": {"type": rng.choice(ACTIONS), "description": f"Change {i} on {unit}"},
        "context": {"task": f"OPS-{i % 5000}", "category": rng.choice(CATEGORIES)},
        "files": {"created": [], "modified": [f"{unit}/terragrunt.hcl"], "deleted": []},
        "outcome": {"status": rng.choice(STATUSES), "summary": f"{rng.randrange(20)} changed"},
        "follow_up": ["check alarms"] if i % 4 == 0 else [],
        "tags": rng.sample(TAGS, 3),
    }


def _shape_b(rng: random.Random, i: int, ts: dt.datetime, agent: str, unit: str) -> dict[str, Any]:
    return {
        "id": f"{int(ts.timestamp())}-{rng.getrandbits(32):08x}",
        "timestamp": f"{ts:%Y-%m-%dT%H:%M:%SZ}",
        "agent": {"name": agent, "type": agent.split("-")[0]},
        "action": {
            "type": rng.choice(ACTIONS),
            "category": rng.choice(CATEGORIES),
            "description": f"Change {i} on {unit}",
        },
        "context": {"task": f"OPS-{i % 5000}", "related_entries": [], "triggered_by": "user request"},
        "files": {"created": [], "modified": [f"{unit}/terragrunt.hcl"], "deleted": []},
        "outcome": {
            "status": rng.choice(STATUSES),
            "result": f"{rng.randrange(20)} changed",
            "follow_up_actions": [],
        },
        "tags": rng.sample(TAGS, 3),
    }


def make_log(path: Path, entries: int, seed: int = 7) -> None:
    """A deterministic log mixing shape A (3 in 4) and shape B, one compact entry per line."""
    import orjson

    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with path.open("wb") as out:
        out.write(
            b'{\n  "version": "1.0",\n  "project": "bench",\n  "created_at": "2024-01-01T00:00:00Z",\n'
            b'  "updated_at": "2026-11-20T12:00:00Z",\n  "entries": [\n'
        )
        for i in range(entries):
            ts = start + dt.timedelta(seconds=i * 60 + rng.randrange(60))
            agent = rng.choice(AGENTS)
            unit = f"live/prod/us-east-1/svc-{i % 300}"
            shape = _shape_b if i % 4 == 3 else _shape_a
            entry = shape(rng, i, ts, agent, unit)
            if i % 10 == 0:
                entry["issue"] = f"OPS-{i}"
            out.write(b"    " + orjson.dumps(entry) + (b",\n" if i < entries - 1 else b"\n"))
        out.write(b"  ]\n}\n")


# ---- phases (run in a child process) -------------------------------------------------------------


def _naive(path: str) -> dict[str, Any]:
    import json

    import pandas as pd

    def run() -> Any:
        with open(path, encoding="utf-8") as handle:
            return pd.json_normalize(json.load(handle)["entries"])

    seconds, frame = timed(run)
    return {"seconds": seconds, "rows": len(frame)}


def _opslib(path: str, cache_dir: str, use_cache: str) -> dict[str, Any]:
    os.environ["OPSLIB_CACHE_DIR"] = cache_dir
    from opslib.history import load_history

    seconds, frame = timed(lambda: load_history(path, cache=use_cache == "1"))
    return {"seconds": seconds, "rows": len(frame), "failed": int((frame["status"] == "failed").sum())}


def _jq(path: str) -> dict[str, Any]:
    def run() -> int:
        with open(os.devnull, "wb") as sink:
            return subprocess.call(
                ["jq", '.entries[] | select(.outcome.status == "failed")', path], stdout=sink
            )

    seconds, code = timed(run)
    return {"seconds": seconds, "exit": code}


PHASES = {"naive": _naive, "opslib": _opslib, "jq": _jq}


# ---- parent --------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] == ["--phase"]:
        return child_main(PHASES, argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Keep (and reuse) the generated log in this folder.")
    parser.add_argument("--no-check", action="store_true", help="Always exit 0.")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-history-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / f"project_history-{args.entries}.json"
    try:
        if not log.exists():
            print(f"generating {args.entries:,} entries ...", flush=True)
            make_log(log, args.entries)
        print(f"log: {log} ({log.stat().st_size / 1e6:.0f} MB)", flush=True)
        cache = work / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        script = Path(__file__).resolve()
        naive = run_phase(script, "naive", str(log))
        rows = [naive]
        if shutil.which("jq"):
            rows.append(run_phase(script, "jq", str(log)))
        cold = run_phase(script, "opslib", str(log), str(cache), "0", label="opslib cold (no cache)")
        first = run_phase(script, "opslib", str(log), str(cache), "1", label="opslib first load (+cache)")
        warm = run_phase(script, "opslib", str(log), str(cache), "1", label="opslib warm (cached)")
        rows += [cold, first, warm]
        print_ratios(rows, naive)
        return _verdict(naive, rows, cold, first, warm, args.no_check)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _verdict(
    naive: Measurement,
    rows: list[Measurement],
    cold: Measurement,
    first: Measurement,
    warm: Measurement,
    no_check: bool,
) -> int:
    jq = next((r for r in rows if r.name == "jq"), None)
    checks = {
        "cold <= 0.5 x naive": cold.seconds <= 0.5 * naive.seconds,
        "warm <= 0.1 x cold": warm.seconds <= 0.1 * cold.seconds,
        "peak memory <= naive": max(cold.peak_mb, first.peak_mb, warm.peak_mb) <= naive.peak_mb,
        "same rows as naive": cold.info["rows"] == warm.info["rows"] == naive.info["rows"],
    }
    if jq is not None:
        checks["cold faster than jq"] = cold.seconds < jq.seconds
    print(
        f"warm / cold = {warm.seconds / cold.seconds:.3f}; first load / naive = "
        f"{first.seconds / naive.seconds:.3f}"
    )
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    return 0 if no_check or all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Mutation testing of opslib's core modules with mutmut, one module group at a time.

Each group mutates a few source files and runs only the test files that exercise them (mutmut then
narrows further to the tests that call the mutated function). A group works in its own copy of the
checkout under ``build/mutate/<group>`` so groups never share mutmut state and the checkout itself is
never touched. Not part of CI: run it with ``make mutate`` (all groups) or
``make mutate GROUPS="plans history"``; docs/testing.md records the last scores and the survivors.

Usage: python tools/mutate.py [--jobs N] [--keep] [--show] [GROUP ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutate"
# what a test run needs besides the tests themselves (mutmut copies tests/ and pyproject.toml)
COPY = ("opslib", "tests", "data", "notebooks", "examples", "docs", "pyproject.toml", "README.md")
# notebooks and browsers take minutes and call the core only through the library's own API
PYTEST_ARGS = ["-m", "not slow and not browser", "-p", "no:cacheprovider", "-W", "ignore::UserWarning"]


@dataclass(frozen=True)
class Group:
    sources: tuple[str, ...]
    tests: tuple[str, ...]


GROUPS: dict[str, Group] = {
    "history": Group(
        ("opslib/history/reconcile.py", "opslib/history/writer.py"),
        ("tests/test_history_*.py",),
    ),
    "secrets": Group(
        ("opslib/secrets.py",),
        (
            "tests/test_secrets*.py",
            "tests/test_plans.py",
            "tests/test_real_plans.py",
            "tests/test_runbook_executor.py",
            "tests/test_tree_evaluate.py",
            "tests/test_lint_*.py",
            "tests/test_spine.py",
        ),
    ),
    "terragrunt": Group(
        ("opslib/terragrunt/graph.py", "opslib/terragrunt/evaluate.py"),
        ("tests/test_tree_*.py",),
    ),
    "plans": Group(
        ("opslib/plans/_summary.py", "opslib/plans/_risk.py"),
        ("tests/test_plans*.py", "tests/test_real_plans.py"),
    ),
    "rules": Group(("opslib/rules/*.py",), ("tests/test_lint_*.py",)),
    "runbook": Group(("opslib/runbook/executor.py",), ("tests/test_runbook_*.py",)),
    "costs": Group(("opslib/costs/compare.py",), ("tests/test_costs_*.py",)),
    "metrics": Group(
        (
            "opslib/metrics/_common.py",
            "opslib/metrics/dora.py",
            "opslib/metrics/rates.py",
            "opslib/metrics/recovery.py",
            "opslib/metrics/terragrunt_runs.py",
        ),
        ("tests/test_metrics*.py",),
    ),
}


def _expand(patterns: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        found += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern) if p.name != "__init__.py")
    return sorted(set(found))


def _prepare(name: str, group: Group, keep: bool) -> Path:
    work = WORK / name
    if work.exists() and not keep:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".ipynb_checkpoints")
    for item in COPY:
        src, dst = ROOT / item, work / item
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore, dirs_exist_ok=True, copy_function=shutil.copy2)
        elif src.exists():
            shutil.copy2(src, dst)
    tests = _expand(group.tests)
    config = {
        "source_paths": ["opslib"],
        "only_mutate": _expand(group.sources),
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": PYTEST_ARGS,
        "also_copy": ["data", "notebooks", "examples", "docs", "README.md"],
        "use_git_change_detection": False,
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in config.items()]
    with (work / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return work


def _statuses(work: Path) -> dict[str, str]:
    from mutmut.stats import status_by_exit_code  # the venv has it once the `mutate` extra is installed

    result: dict[str, str] = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        for key, code in codes.items():
            result[key] = status_by_exit_code[code]
    return result


def _run_group(name: str, jobs: int, keep: bool, show: bool) -> Counter[str]:
    group = GROUPS[name]
    work = _prepare(name, group, keep)
    started = time.monotonic()
    env = {**os.environ, "OPSLIB_CACHE_DIR": str(work / ".cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    log = work / "mutmut.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)],
            cwd=work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    statuses = _statuses(work)
    counts = Counter(statuses.values())
    seconds = time.monotonic() - started
    if proc.returncode != 0 or not statuses:
        print(f"{name}: mutmut failed (exit {proc.returncode}); see {log}", file=sys.stderr)
        counts["error"] += 1
        return counts
    survivors = sorted(k for k, v in statuses.items() if v not in ("killed", "timeout"))
    (work / "survivors.txt").write_text("".join(f"{k}\t{statuses[k]}\n" for k in survivors), encoding="utf-8")
    if show:
        # one process for all diffs: `mutmut show` per survivor costs a second of start-up each
        script = (
            "import sys\n"
            "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
            "for name in sys.argv[1:]:\n"
            "    print(f'# {name}')\n"
            "    print(get_diff_for_mutant(name))\n"
        )
        with (work / "survivors.diff").open("w", encoding="utf-8") as out:
            subprocess.run([sys.executable, "-c", script, *survivors], cwd=work, stdout=out, check=False)
    total = len(statuses)
    killed = counts["killed"] + counts["timeout"]
    print(
        f"{name:<11} {total:>6} {killed:>7} {total - killed:>9} {100 * killed / total:>6.1f}%"
        f" {seconds:>7.0f}s   survivors: {work / 'survivors.txt'}",
        flush=True,
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("groups", nargs="*", metavar="GROUP", help="any of: " + ", ".join(GROUPS))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")))
    parser.add_argument("--keep", action="store_true", help="reuse earlier results (re-tests changed code)")
    parser.add_argument("--show", action="store_true", help="write each survivor's diff to survivors.diff")
    args = parser.parse_args(argv)
    names = args.groups or list(GROUPS)
    unknown = sorted(set(names) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    print(f"{'group':<11} {'mutants':>6} {'killed':>7} {'survived':>9} {'score':>7} {'time':>8}", flush=True)
    failed = False
    for name in names:
        counts = _run_group(name, args.jobs, args.keep, args.show)
        failed = failed or bool(counts["error"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

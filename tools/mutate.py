"""Mutation testing of opslib's core modules with mutmut, one module group at a time.

Each group mutates a few source files and runs only the test files that exercise them (mutmut then
narrows further to the tests that call the mutated function). A group works in its own copy of the
checkout under ``build/mutate/<group>`` so groups never share mutmut state and the checkout itself is
never touched. Not part of CI: run it with ``make mutate`` (all groups) or
``make mutate GROUPS="plans history"``; docs/testing.md records the last scores and the survivors.

The core has about 9,000 mutants, more than two cores test in an hour, so by default a fixed sample
of them is run (``--sample`` percent, chosen by a hash of the mutant's name: the same mutants every
run, so scores compare across runs); ``--sample 100`` runs them all.

``--again`` runs only the last run's survivors of each group (after tests were added), the other
mutants keeping their verdict, and prints the group's score over the whole sample.

Usage: python tools/mutate.py [--jobs N] [--sample PCT] [--keep] [--show] [--again] [GROUP ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zlib
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
    # tests too slow to run once per mutant (property-based, concurrency, killed processes)
    skip: tuple[str, ...] = ()


GROUPS: dict[str, Group] = {
    "history": Group(
        ("opslib/history/reconcile.py", "opslib/history/writer.py"),
        ("tests/test_history_*.py",),
        (
            "tests/test_history_roundtrip.py::test_render_then_parse",
            "tests/test_history_writer.py::test_concurrent_writers_lose_nothing",
            "tests/test_history_writer.py::test_writer_killed_mid_write_leaves_previous_file",
        ),
    ),
    "secrets": Group(
        ("opslib/secrets.py", "opslib/secrets/*.py"),
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
        ("tests/test_tree_fuzz.py",),
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
        found += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob(pattern))
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
    sources = _expand(group.sources)
    if not sources or not tests:
        # an empty only_mutate would make mutmut mutate the whole package
        raise SystemExit(f"{name}: no source or test file matches {group.sources} / {group.tests}")
    config = {
        "source_paths": ["opslib"],
        "only_mutate": sources,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": PYTEST_ARGS + [a for node in group.skip for a in ("--deselect", node)],
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


_GENERATE = """
import os
from mutmut.__main__ import create_mutants
from mutmut.mutation.trampoline import set_mutant_under_test
from mutmut.utils.file_utils import copy_src_dir
set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
copy_src_dir()
create_mutants(1)
"""


def _in_sample(name: str, percent: int) -> bool:
    return zlib.crc32(name.encode()) % 100 < percent


def _sampled(work: Path, env: dict[str, str], percent: int) -> list[str]:
    """Generate the mutants and keep ``percent`` of them, by a hash of their names (stable)."""
    subprocess.run([sys.executable, "-c", _GENERATE], cwd=work, env=env, check=True, capture_output=True)
    return [n for n in sorted(_statuses(work)) if _in_sample(n, percent)]


def _run_group(
    name: str, jobs: int, keep: bool, show: bool, percent: int, again: bool = False
) -> Counter[str]:
    group = GROUPS[name]
    before: dict[str, str] = {}
    if again:
        # the last run's verdicts, read before the fresh copy replaces its folder
        previous = _statuses(WORK / name) if (WORK / name / "mutants").is_dir() else {}
        before = {k: v for k, v in previous.items() if _in_sample(k, percent)}
        if not before:
            print(f"{name}: no earlier run to take the survivors from; run it once without --again")
            return Counter({"error": 1})
    work = _prepare(name, group, keep)
    started = time.monotonic()
    env = {**os.environ, "OPSLIB_CACHE_DIR": str(work / ".cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)]
    chosen: set[str] | None = None
    if percent < 100 or again:
        sample = set(_sampled(work, env, percent))
        chosen = sample
        if again:
            # the survivors run again; a mutant killed last time keeps its verdict (a function whose code
            # changed since gets new mutant numbers: those mutants are new, and run)
            chosen = {n for n in sample if before.get(n) not in ("killed", "timeout")}
            before = {k: v for k, v in before.items() if k in sample}
        # a leading "*" makes mutmut match each name as a pattern: exact (every name starts with
        # "opslib."), and a mutant of a function no test calls counts as "no tests" instead of failing
        command += [f"*{n}" for n in sorted(chosen)]
    log = work / "mutmut.log"
    if chosen == set():  # nothing to run again (mutmut given no name would run every mutant)
        proc: subprocess.CompletedProcess[bytes] = subprocess.CompletedProcess(command, 0)
    else:
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.run(
                command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
            )
    statuses = _statuses(work)
    if chosen is not None:
        statuses = {**before, **{k: v for k, v in statuses.items() if k in chosen}}
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
        f" {seconds:>7.0f}s   {work / 'survivors.txt'}",
        flush=True,
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("groups", nargs="*", metavar="GROUP", help="any of: " + ", ".join(GROUPS))
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")))
    parser.add_argument(
        "--sample",
        type=int,
        default=int(os.environ.get("MUTATE_SAMPLE", "10")),
        help="percent of the mutants to run (default 10, or $MUTATE_SAMPLE)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse earlier results (re-tests changed code)")
    parser.add_argument("--show", action="store_true", help="write each survivor's diff to survivors.diff")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run only the last run's survivors (and mutants of changed code); the others keep their verdict",
    )
    args = parser.parse_args(argv)
    names = args.groups or list(GROUPS)
    unknown = sorted(set(names) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    if not 1 <= args.sample <= 100:
        parser.error("--sample is a percentage from 1 to 100")
    print(f"mutation testing, {args.sample}% sample of each group's mutants, {args.jobs} jobs", flush=True)
    print(f"{'group':<11} {'mutants':>6} {'killed':>7} {'survived':>9} {'score':>7} {'time':>8}", flush=True)
    failed = False
    for name in names:
        counts = _run_group(name, args.jobs, args.keep, args.show, args.sample, args.again)
        failed = failed or bool(counts["error"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

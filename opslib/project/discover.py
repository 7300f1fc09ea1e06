"""``opslib init``: find a live repository's inputs and write its ``opslib.toml``.

Discovery reads names and the first few kilobytes of candidate files only: the history pair, the
folder holding ``root.hcl``, plan files (``terraform show -json`` or ``plan -json`` logs), infracost
JSON, terragrunt run reports, runbooks and a drift store.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from opslib._io import atomic_write_text
from opslib.errors import ConfigError
from opslib.project._project import PROJECT_FILE
from opslib.project._schema import INPUTS

__all__ = ["discover", "project_file_text", "write_project_file"]

log = logging.getLogger(__name__)

# caches, vendored code and our own output: never an input
_SKIP = {
    ".git",
    ".terraform",
    ".terragrunt-cache",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    "reports",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
}
_HEAD = 65536  # show -json puts variables before planned_values
_MAX_DEPTH = 6
_HISTORY_FILES = ("project_history.json", "PROJECT_HISTORY.md")
_BASELINE_WORDS = ("base", "baseline", "past", "previous", "main")


def _walk(root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        depth = len(here.relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not (d.startswith(".") and d != ".opslib"))
        if depth >= _MAX_DEPTH:
            dirs[:] = []
        yield here, dirs, sorted(files)


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _is_plan(path: Path, head: str) -> bool:
    """``terraform show -json`` of a plan (not of a state), or a ``plan -json`` log."""
    if path.suffix not in (".json", ".jsonl", ".log"):
        return False
    if '"format_version"' in head:
        return any(key in head for key in ('"planned_values"', '"resource_changes"', '"prior_state"'))
    return '"@level"' in head and '"type":' in head


def _is_infracost(path: Path, head: str) -> bool:
    return (
        path.suffix == ".json"
        and '"projects"' in head
        and ('"totalMonthlyCost"' in head or '"currency"' in head or '"version"' in head)
    )


def _is_run_report(path: Path, head: str) -> bool:
    if path.suffix == ".csv":
        return head.lower().startswith("name,started,ended,result")
    if path.suffix == ".json":
        text = head.lstrip()
        return text.startswith("[") and '"Name"' in head and '"Result"' in head
    return False


def _common_folder(paths: list[Path]) -> Path:
    return Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in paths]))


def _older_layout_root(unit_folders: list[Path]) -> Path | None:
    """The live tree of the layout before ``root.hcl``: the topmost folder whose ``terragrunt.hcl`` has
    others below it (the parent config units reach with ``find_in_parent_folders()``; the folder holding
    several such), or None."""
    above = {parent for folder in unit_folders for parent in folder.parents}
    parents = [f for f in unit_folders if f in above]
    if not parents:
        return None
    # several such roots side by side (live/aws, live/_global): the folder holding them all
    top = [f for f in parents if not any(p in parents for p in f.parents)]
    return top[0] if len(top) == 1 else _common_folder(top)


def discover(root: str | Path) -> dict[str, tuple[Path, str]]:
    """What ``root`` holds: input key -> (path, what was seen there)."""
    base = Path(root).expanduser().resolve()
    if not base.is_dir():
        raise ConfigError("not a folder", path=base)
    history: list[Path] = []
    trees: list[Path] = []
    plans: list[Path] = []
    costs: list[Path] = []
    run_reports: list[Path] = []
    runbook_dirs: list[Path] = []
    drift: list[Path] = []
    unit_files: list[Path] = []  # folders holding a terragrunt.hcl
    for folder, _dirs, files in _walk(base):
        names = set(files)
        if names & set(_HISTORY_FILES):
            history.append(folder)
        if "root.hcl" in names:
            trees.append(folder)
        if "terragrunt.hcl" in names:
            unit_files.append(folder)
        if {"drift.jsonl", "runs.jsonl"} & names:
            drift.append(folder)
        if folder.name.lower() in ("runbooks", "runbook", "playbooks") and any(
            f.endswith(".md") for f in files
        ):
            runbook_dirs.append(folder)
        if trees and any(folder.is_relative_to(t) for t in trees):
            continue  # HCL and module code: no plan or cost files live among the units worth reading
        for name in files:
            path = folder / name
            if path.suffix not in (".json", ".jsonl", ".log", ".csv"):
                continue
            head = _head(path)
            if _is_run_report(path, head):
                run_reports.append(path)
            elif _is_infracost(path, head):
                costs.append(path)
            elif _is_plan(path, head):
                plans.append(path)
    found: dict[str, tuple[Path, str]] = {}
    if history:
        top = min(history, key=lambda p: len(p.parts))
        present = [n for n in _HISTORY_FILES if (top / n).is_file()]
        found["history"] = (top, " and ".join(present))
    if trees:
        top = min(trees, key=lambda p: len(p.parts))
        units = sum(1 for _ in top.rglob("terragrunt.hcl"))
        found["tree"] = (top, f"root.hcl, {units} terragrunt.hcl files")
    elif (older := _older_layout_root(unit_files)) is not None:
        units = sum(1 for p in unit_files if p.is_relative_to(older))
        seen = f"older layout (a terragrunt.hcl above the units), {units} terragrunt.hcl files"
        found["tree"] = (older, seen)
    if plans:
        found["plans"] = (_common_folder(plans) if len(plans) > 1 else plans[0], f"{len(plans)} plan files")
    if run_reports:
        found["run_reports"] = (
            _common_folder(run_reports) if len(run_reports) > 1 else run_reports[0],
            f"{len(run_reports)} run reports",
        )
    if costs:
        baseline = [c for c in costs if any(w in c.stem.lower() for w in _BASELINE_WORDS)]
        current = [c for c in costs if c not in baseline] or costs
        found["costs"] = (
            current[0],
            "infracost JSON" + (f" (first of {len(current)})" if len(current) > 1 else ""),
        )
        if baseline and baseline[0] != current[0]:
            found["costs_baseline"] = (baseline[0], "infracost JSON named like a baseline")
    if runbook_dirs:
        top = min(runbook_dirs, key=lambda p: len(p.parts))
        found["runbooks"] = (top, f"{sum(1 for _ in top.glob('*.md'))} Markdown runbooks")
    if drift:
        found["drift_store"] = (min(drift, key=lambda p: len(p.parts)), "drift store")
    return found


def _rel(path: Path, base: Path) -> str:
    try:
        text = path.relative_to(base).as_posix()
    except ValueError:
        text = path.as_posix()
    return text or "."


def project_file_text(root: str | Path, found: dict[str, tuple[Path, str]] | None = None) -> str:
    """The ``opslib.toml`` :func:`write_project_file` writes: found inputs set, missing ones commented out."""
    base = Path(root).expanduser().resolve()
    found = discover(base) if found is None else found
    lines = [
        "# opslib project file: the inputs of this platform, paths relative to this file.",
        "# `opslib report all` reads it from here or any folder below; `opslib init` wrote it.",
        "",
        "[inputs]",
    ]
    for key, item in INPUTS.items():
        if key in found:
            path, seen = found[key]
            lines.append(f"# {item.what}: found {seen}")
            lines.append(f'{key} = "{_rel(path, base)}"')
        else:
            lines.append(f"# {item.what}: not found")
            lines.append(f'# {key} = "{item.example}"')
    lines += [
        "",
        "[reports]",
        'out = "reports"',
        "cost_threshold = 100  # monthly increase that needs approval",
        "stale_after_days = 7  # plans and costs older than this are flagged",
        "",
    ]
    return "\n".join(lines)


def write_project_file(root: str | Path = ".") -> tuple[Path, dict[str, tuple[Path, str]]]:
    """Discover ``root``'s inputs and write ``root/opslib.toml``; refuses to overwrite one."""
    base = Path(root).expanduser().resolve()
    target = base / PROJECT_FILE
    if target.exists():
        raise ConfigError("a project file is already here; edit it, or remove it to start again", path=target)
    found = discover(base)
    atomic_write_text(target, project_file_text(base, found))
    return target, found

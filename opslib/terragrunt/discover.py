"""Find the config files of a Terragrunt tree without leaving it.

Skips generated and vendored folders, paths holding template markers (``{{``), symlinks that point
outside the root, and symlink loops (each real folder is walked once).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = ["SKIP_DIRS", "Discovery", "discover", "file_role"]

log = logging.getLogger(__name__)

SKIP_DIRS = frozenset(
    {
        ".terragrunt-cache",
        ".terraform",
        ".git",
        ".boilerplate",
        ".terragrunt-stack",
        "node_modules",
        ".venv",
        "__pycache__",
    }
)
UNIT_FILES = ("terragrunt.hcl", "terragrunt.hcl.json")
STACK_FILE = "terragrunt.stack.hcl"
LOCK_FILE = ".terraform.lock.hcl"
_TAG_FILES = ("tags.yml", "tags.yaml")


@dataclass
class Discovery:
    """What a walk of the root found; paths are relative posix strings."""

    root: Path
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (path, size, mtime_ns)
    unit_files: list[str] = field(default_factory=list)
    stack_files: list[str] = field(default_factory=list)
    lock_dirs: set[str] = field(default_factory=set)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def file_role(rel: str) -> str:
    """The role of a config file from its name and folder (``unit`` files may later become ``root``)."""
    path = PurePosixPath(rel)
    name = path.name
    if name == "root.hcl":
        return "root"
    if name in UNIT_FILES:
        return "unit"
    if name == STACK_FILE:
        return "stack"
    if name in ("account.hcl", "region.hcl", "env.hcl"):
        return name.split(".")[0]
    if name in _TAG_FILES:
        return "tags"
    return "common"


def _wanted(name: str) -> bool:
    if name == LOCK_FILE or "{{" in name:
        return False
    return name.endswith(".hcl") or name in UNIT_FILES or name in _TAG_FILES


def discover(root: Path) -> Discovery:
    """Walk ``root`` (already resolved) and list its config files."""
    found = Discovery(root=root)
    root_text = str(root)
    visited: set[str] = set()
    stack: list[tuple[str, str]] = [(root_text, "")]  # (real folder, relative logical path)
    # symlinked folders wait until every real folder is walked, so the real path of a folder wins
    links: list[tuple[str, str]] = []
    while stack or links:
        real, rel = stack.pop() if stack else links.pop(0)
        if real in visited:
            found.skipped.append((rel or ".", "symlink to a folder already walked (or a loop)"))
            continue
        visited.add(real)
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError as exc:
            found.skipped.append((rel or ".", f"cannot read folder: {exc.strerror}"))
            continue
        for entry in entries:
            name = entry.name
            child_rel = f"{rel}/{name}" if rel else name
            if "{{" in name:
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
            except OSError:
                continue
            target = entry.path
            if is_link:
                target = os.path.realpath(entry.path)
                if not (target == root_text or target.startswith(root_text + os.sep)):
                    found.skipped.append((child_rel, "symlink points outside the root"))
                    continue
                if not os.path.exists(target):
                    continue
            if is_dir:
                if name in SKIP_DIRS:
                    continue
                (links if is_link else stack).append((target, child_rel))
                continue
            if name == LOCK_FILE:
                found.lock_dirs.add(rel or ".")
                continue
            if not _wanted(name):
                continue
            try:
                st = os.stat(target)
            except OSError:
                continue
            found.files.append((child_rel, st.st_size, st.st_mtime_ns))
            if name in UNIT_FILES:
                found.unit_files.append(child_rel)
            elif name == STACK_FILE:
                found.stack_files.append(child_rel)
    found.files.sort()
    found.unit_files.sort()
    found.stack_files.sort()
    # a folder with both terragrunt.hcl and terragrunt.hcl.json: terragrunt prefers the .hcl
    dirs = {f.rsplit("/", 1)[0] if "/" in f else "." for f in found.unit_files if f.endswith(".hcl")}
    found.unit_files = [
        f
        for f in found.unit_files
        if f.endswith(".hcl") or (f.rsplit("/", 1)[0] if "/" in f else ".") not in dirs
    ]
    for path, why in found.skipped:
        log.debug("skipped %s: %s", path, why)
    return found

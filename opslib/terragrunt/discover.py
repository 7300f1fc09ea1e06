"""Find the config files of a Terragrunt tree without leaving it.

Skips generated and vendored folders, paths holding template markers (``{{``), symlinks that point
outside the root, and symlink loops (each real folder is walked once).

Also notes pre-0.19 layouts (a ``terragrunt = { ... }`` block in ``terraform.tfvars``) so the loader can
say why such a folder yields no unit instead of dropping it silently.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = ["LEGACY_MESSAGE", "SKIP_DIRS", "Discovery", "discover", "file_role", "legacy_line"]

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
LEGACY_FILES = ("terraform.tfvars", "terraform.tfvars.json")
LEGACY_MESSAGE = (
    "pre-0.19 Terragrunt configuration in terraform.tfvars is not supported; migrate to terragrunt.hcl"
)
# a tfvars bigger than this is data, not a 2018-era terragrunt wrapper; don't read it
_LEGACY_MAX_BYTES = 1 << 20
_LEGACY_HCL = re.compile(r"[ \t]*terragrunt[ \t]*(=[ \t]*)?\{")
_LEGACY_JSON = re.compile(r'"terragrunt"\s*:')


@dataclass
class Discovery:
    """What a walk of the root found; paths are relative posix strings."""

    root: Path
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (path, size, mtime_ns)
    unit_files: list[str] = field(default_factory=list)
    stack_files: list[str] = field(default_factory=list)
    lock_dirs: set[str] = field(default_factory=set)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    legacy: list[tuple[str, int]] = field(default_factory=list)  # (tfvars path, line of `terragrunt =`)
    has_files: bool = False  # any regular file at all was seen (outside skipped folders)


def file_role(rel: str) -> str:
    """The role of a config file from its name and folder (``unit`` files may later become ``root``)."""
    path = PurePosixPath(rel)
    name = path.name
    if name in ("root.hcl", "root.hcl.json"):
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
    return name.endswith((".hcl", ".hcl.json")) or name in UNIT_FILES or name in _TAG_FILES


def discover(root: Path) -> Discovery:
    """Walk ``root`` (already resolved) and list its config files."""
    found = Discovery(root=root)
    root_text = str(root)
    visited: set[str] = set()
    stack: list[tuple[str, str]] = [(root_text, "")]  # (real folder, relative logical path)
    # symlinked folders wait until every real folder is walked, so the real path of a folder wins
    links: list[tuple[str, str]] = []
    tfvars: list[tuple[str, str]] = []  # (relative path, real path)
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
            found.has_files = True
            if name in LEGACY_FILES:
                tfvars.append((child_rel, target))
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
    found.legacy = _legacy(tfvars, found.unit_files)
    for path, why in found.skipped:
        log.debug("skipped %s: %s", path, why)
    return found


def _folder(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else "."


def _legacy(tfvars: list[tuple[str, str]], unit_files: list[str]) -> list[tuple[str, int]]:
    """The tfvars files that hold a pre-0.19 ``terragrunt`` block in a folder without a unit file.

    Only those folders are read: where a ``terragrunt.hcl`` exists, terragrunt reads that and a leftover
    tfvars block is just a variable.
    """
    unit_dirs = {_folder(f) for f in unit_files}
    hits: list[tuple[str, int]] = []
    for rel, real in sorted(tfvars):
        if _folder(rel) in unit_dirs:
            continue
        try:
            info = os.stat(real)
            if not stat.S_ISREG(info.st_mode) or info.st_size > _LEGACY_MAX_BYTES:
                continue  # a FIFO or a device would block or never end
            with open(real, encoding="utf-8-sig", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        line = legacy_line(text, json_file=rel.endswith(".json"))
        if line is not None:
            hits.append((rel, line))
    return hits


def legacy_line(text: str, *, json_file: bool = False) -> int | None:
    """The 1-based line of a top-level ``terragrunt`` block/object in tfvars text, or None.

    A cheap text check, not a parse: a pre-0.19 tfvars is HCL1, which the HCL2 parser often rejects.
    """
    if json_file:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or "terragrunt" not in data:
            return None
        match = _LEGACY_JSON.search(text)
        return text.count("\n", 0, match.start()) + 1 if match else 1
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if depth == 0 and _LEGACY_HCL.match(line):
            return number
        depth = max(0, depth + _brace_delta(line))
    return None


def _brace_delta(line: str) -> int:
    """Net ``{`` minus ``}`` on a line, outside strings and comments (heredocs are not tracked)."""
    delta = 0
    quoted = False
    escaped = False
    for index, char in enumerate(line):
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "#" or line.startswith("//", index):
            break
        elif char == "{":
            delta += 1
        elif char == "}":
            delta -= 1
    return delta

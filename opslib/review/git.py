"""What git says about a change: the base revision, the files changed, the lines added, and a copy of
the base tree read from git into a temporary folder (the working tree is never touched)."""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from opslib.errors import ConfigError, MissingDependencyError

__all__ = ["ChangedFile", "added_lines", "changed_files", "default_base", "export", "git", "repo_top"]

_TIMEOUT = 120


def git(top: Path, *args: str, binary: bool = False) -> str | bytes:
    """Run one git command in ``top``; a failure is a ConfigError with git's own words."""
    try:
        done = subprocess.run(
            ["git", "-C", str(top), *args], capture_output=True, timeout=_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise MissingDependencyError("git", binary=True) from exc
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"git {args[0]} took longer than {_TIMEOUT}s", path=top) from exc
    if done.returncode != 0:
        words = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {' '.join(args[:2])}: {words[-1] if words else 'failed'}", path=top)
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def repo_top(path: str | Path) -> Path:
    """The work tree holding ``path`` (ConfigError when it is not in a git repository)."""
    start = Path(path)
    folder = start if start.is_dir() else start.parent
    return Path(str(git(folder, "rev-parse", "--show-toplevel")).strip())


def _exists(top: Path, rev: str) -> bool:
    try:
        git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except ConfigError:
        return False
    return True


def default_base(top: Path) -> str:
    """The merge base of HEAD with the default branch (origin's HEAD, else main or master)."""
    candidates = []
    try:
        ref = str(git(top, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")).strip()
        candidates.append(ref.removeprefix("refs/remotes/"))
    except ConfigError:
        pass
    candidates += ["origin/main", "origin/master", "main", "master"]
    for branch in candidates:
        if _exists(top, branch):
            return str(git(top, "merge-base", "HEAD", branch)).strip()
    raise ConfigError(
        "no default branch (origin/HEAD, main, master) to compare with: pass --base REV", path=top
    )


@dataclass(frozen=True)
class ChangedFile:
    """One file of the change, paths relative to the repository top."""

    status: str  # added | modified | deleted | renamed | copied | type-changed
    path: str
    old_path: str | None = None


_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied", "T": "type-changed"}


def changed_files(top: Path, base: str, head: str = "HEAD") -> list[ChangedFile]:
    """Files that differ between ``base`` and ``head`` (renames found by git's similarity)."""
    out = str(git(top, "diff", "--name-status", "-M", "-z", base, head))
    parts = [p for p in out.split("\0")]
    files: list[ChangedFile] = []
    index = 0
    while index < len(parts) and parts[index]:
        code = parts[index]
        kind = _STATUS.get(code[0], "modified")
        if code[0] in "RC":
            files.append(ChangedFile(kind, parts[index + 2], parts[index + 1]))
            index += 3
        else:
            files.append(ChangedFile(kind, parts[index + 1]))
            index += 2
    return files


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def added_lines(top: Path, base: str, head: str = "HEAD") -> dict[str, set[int]]:
    """Per file (relative to the top, head side): the line numbers the change adds or rewrites."""
    out = str(git(top, "diff", "-U0", "--no-color", "-M", base, head))
    lines: dict[str, set[int]] = {}
    current: str | None = None
    for line in out.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = name[2:] if name.startswith("b/") else None
            if current is not None:
                lines.setdefault(current, set())
        elif current is not None and (match := _HUNK.match(line)):
            start, count = int(match.group(1)), int(match.group(2) or 1)
            lines[current].update(range(start, start + count))
    return lines


def export(top: Path, rev: str, subdir: str, dest: Path) -> Path:
    """Write ``subdir`` as it is at ``rev`` under ``dest`` (from git's objects); returns the folder."""
    target = dest / subdir if subdir not in ("", ".") else dest
    target.mkdir(parents=True, exist_ok=True)
    spec = [rev] if subdir in ("", ".") else [rev, "--", subdir]
    try:
        data = git(top, "archive", "--format=tar", *spec, binary=True)
    except ConfigError:
        return target  # the folder did not exist at the base: an empty tree
    assert isinstance(data, bytes)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(dest, filter="data")
    return target

"""The evaluated units of a tree on disk, so a warm load re-evaluates only what changed.

Each unit is stored with the stamps (size, mtime_ns) of every file it read: its own file, includes,
``read_terragrunt_config`` files, catalog files, ``file()`` reads. A later load reuses a unit whose files
all kept their stamps and evaluates the others again. It evaluates everything again when something
could change what a unit reads without touching a file it read: a config file added or removed, a file
that was looked for (``find_in_parent_folders``, ``fileexists``) appearing or vanishing, a stack file or
a file a stack unit reads changing, the values of the environment variables the units asked for, or
the load options.

Rows are stored after masking: a secret's value never reaches the cache (environment values only as
a SHA-256). The masker of a tree built from the cache learns the secrets again on first use (see
:class:`~opslib.terragrunt.TerragruntTree`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opslib._io import atomic_write_bytes, locked
from opslib._private import private_dir, private_file
from opslib.terragrunt.parse import default_cache_dir
from opslib.terragrunt.units import UnitResult

__all__ = ["CACHE_VERSION", "CachedUnit", "UnitCache", "env_digest", "stamp"]

log = logging.getLogger(__name__)

#: bump when UnitResult, a row or the rules of evaluation change
CACHE_VERSION = 1

Stamp = tuple[int, int] | None


def stamp(path: str) -> Stamp:
    """``(size, mtime_ns)`` of a file, None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def env_digest(env: Mapping[str, str] | None, names: Iterable[str]) -> dict[str, str | None]:
    """SHA-256 of each named variable's value (None when unset): enough to tell a change, no secret."""
    out: dict[str, str | None] = {}
    for name in sorted(names):
        value = env.get(name) if env is not None else None
        out[name] = hashlib.sha256(value.encode()).hexdigest() if value is not None else None
    return out


@dataclass
class CachedUnit:
    result: UnitResult  # rows masked
    rel: str | None  # the unit's config file (relative), None for a stack unit
    deps: frozenset[str]  # absolute paths of every file it read
    rows: list[dict[str, Any]]  # its error and warning rows


@dataclass
class CacheState:
    """One load's evaluation, as stored."""

    key: tuple[Any, ...]
    files: dict[str, tuple[int, int]]  # discovered file -> (size, mtime_ns)
    outside: dict[str, Stamp]  # files read that discovery does not list -> stamp
    probes: dict[str, tuple[bool, bool]]  # paths looked for -> (exists, is a folder)
    env: dict[str, str | None]
    units: dict[str, CachedUnit]
    roles: dict[str, str]
    stacks: Any
    loose: list[dict[str, Any]]  # error rows no unit met (a stack file's own errors)
    extra: dict[str, Any]  # files read outside the discovered set -> ParsedFile
    stack_files: set[str] = field(default_factory=set)


class UnitCache:
    """The unit cache of one tree root (a pickle beside the parse cache)."""

    def __init__(self, root: Path, directory: Path | None, key: tuple[Any, ...]) -> None:
        self.root = root
        self.directory = directory if directory is not None else default_cache_dir()
        self.key = key
        self.state: CacheState | None = None

    @property
    def file(self) -> Path:
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:16]
        return self.directory / f"{digest}.units.pickle"

    def load(self) -> None:
        try:
            data = pickle.loads(self.file.read_bytes())  # our own file, in the user's cache folder
        except Exception:  # missing, truncated or from another version: evaluate everything
            return
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return
        state = data.get("state")
        if isinstance(state, CacheState) and state.key == self.key:
            self.state = state

    def affected(
        self, files: Iterable[tuple[str, int, int]], env: Mapping[str, str] | None
    ) -> set[str] | None:
        """The units to evaluate again, or None when everything must be (see the module doc)."""
        state = self.state
        if state is None:
            return None
        current = {rel: (size, mtime) for rel, size, mtime in files}
        if current.keys() != state.files.keys():
            return None  # a config file added or removed: lookups may find other files now
        changed = {os.path.join(self.root, rel) for rel, st in current.items() if state.files[rel] != st}
        changed.update(path for path, old in state.outside.items() if stamp(path) != old)
        if any(os.path.join(self.root, rel) in changed for rel in state.stack_files):
            return None
        for path, (exists, is_dir) in state.probes.items():
            if os.path.exists(path) != exists or os.path.isdir(path) != is_dir:
                return None
        if env_digest(env, state.env) != state.env:
            return None
        if not changed:
            return set()
        affected = {unit for unit, entry in state.units.items() if entry.deps & changed}
        if any(state.units[unit].rel is None for unit in affected):
            return None  # a stack unit: the stacks are generated again, whole
        return affected

    def save(self, state: CacheState) -> None:
        payload = pickle.dumps({"version": CACHE_VERSION, "state": state}, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            private_dir(self.directory)  # owner only, like the parse cache beside it
            with locked(self.file, timeout=10):
                private_file(self.file)  # an existing file's mode is kept by the atomic write
                atomic_write_bytes(self.file, payload)
                private_file(self.file)
        except Exception as exc:  # a cache that cannot be written only costs speed
            log.warning("cannot write the unit cache %s: %s", self.file, exc)

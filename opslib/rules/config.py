"""Lint configuration: ``[tool.opslib.lint]`` in ``pyproject.toml`` or ``.opslib.toml``.

Looked up in the tree root first, then in the current folder; the first file that has the table wins
(``.opslib.toml`` before ``pyproject.toml`` in each folder). In ``.opslib.toml`` a top-level ``[lint]``
table is accepted too. Keys::

    [tool.opslib.lint]
    disable  = ["TG005"]                 # rule ids not to run
    lockfile = "require"                 # TG011 policy: "require" (default) or "forbid"
    [tool.opslib.lint.severity]
    TG011 = "medium"                     # override a rule's severity
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opslib.errors import ConfigError

__all__ = ["LOCKFILE_POLICIES", "LintConfig", "find_config", "load_config"]

log = logging.getLogger(__name__)

#: TG011: the team's Terragrunt standards say commit ``.terraform.lock.hcl``; Terragrunt's own guide says
#: generated lock files belong to the cache. Teams pick one; ``require`` follows the team's standards.
LOCKFILE_POLICIES = ("require", "forbid")
_KEYS = {"disable", "severity", "lockfile"}


@dataclass(frozen=True)
class LintConfig:
    """Which rules run, at what severity, and the lock-file policy. ``source`` names the file read."""

    disable: frozenset[str] = frozenset()
    severity: Mapping[str, str] = field(default_factory=dict)
    lockfile: str = "require"
    source: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str | None = None) -> LintConfig:
        """Validate a ``[tool.opslib.lint]`` table; errors name ``source``."""
        from opslib.rules._base import SEVERITIES
        from opslib.rules.registry import all_rules

        known = {rule.id for rule in all_rules()}
        unknown_keys = sorted(set(data) - _KEYS)
        if unknown_keys:
            raise ConfigError(
                f"[tool.opslib.lint]: unknown key(s) {', '.join(unknown_keys)}; "
                f"expected {', '.join(sorted(_KEYS))}",
                path=source,
            )
        disable = data.get("disable", [])
        if isinstance(disable, str):
            disable = [disable]
        if not isinstance(disable, Iterable):
            raise ConfigError("[tool.opslib.lint] disable must be a list of rule ids", path=source)
        disabled = frozenset(str(rule_id).upper() for rule_id in disable)
        _check_ids(disabled, known, "disable", source)
        severity_table = data.get("severity", {})
        if not isinstance(severity_table, Mapping):
            raise ConfigError("[tool.opslib.lint] severity must be a table of RULE = level", path=source)
        severity = {str(k).upper(): str(v).lower() for k, v in severity_table.items()}
        _check_ids(set(severity), known, "severity", source)
        for rule_id, level in severity.items():
            if level not in SEVERITIES:
                raise ConfigError(
                    f"[tool.opslib.lint.severity] {rule_id} = {level!r}: expected one of "
                    f"{', '.join(SEVERITIES)}",
                    path=source,
                )
        lockfile = str(data.get("lockfile", "require")).lower()
        if lockfile not in LOCKFILE_POLICIES:
            raise ConfigError(
                f"[tool.opslib.lint] lockfile = {lockfile!r}: expected one of {', '.join(LOCKFILE_POLICIES)}",
                path=source,
            )
        return cls(disable=disabled, severity=severity, lockfile=lockfile, source=source)


def _check_ids(ids: Iterable[str], known: set[str], key: str, source: str | None) -> None:
    unknown = sorted(set(ids) - known)
    if unknown:
        raise ConfigError(f"[tool.opslib.lint] {key}: unknown rule id(s) {', '.join(unknown)}", path=source)


def _table(path: Path) -> Mapping[str, Any] | None:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path) from exc
    table = data.get("tool", {}).get("opslib", {}).get("lint")
    if table is None and path.name == ".opslib.toml":
        table = data.get("lint")
    if table is not None and not isinstance(table, Mapping):
        raise ConfigError("[tool.opslib.lint] must be a table", path=path)
    return table


def find_config(*folders: str | Path | None) -> tuple[Path, Mapping[str, Any]] | None:
    """The first ``.opslib.toml`` / ``pyproject.toml`` in ``folders`` holding a lint table."""
    seen: set[Path] = set()
    for folder in folders:
        if folder is None:
            continue
        base = Path(folder)
        for name in (".opslib.toml", "pyproject.toml"):
            candidate = (base / name).resolve()
            if candidate in seen or not candidate.is_file():
                continue
            seen.add(candidate)
            table = _table(candidate)
            if table is not None:
                return candidate, table
    return None


def load_config(root: str | Path | None = None, *, cwd: str | Path | None = None) -> LintConfig:
    """The configuration for a tree at ``root``: its own files first, then the current folder's."""
    found = find_config(root, cwd if cwd is not None else Path.cwd())
    if found is None:
        return LintConfig()
    path, table = found
    log.debug("lint configuration from %s", path)
    return LintConfig.from_mapping(table, source=str(path))

"""The fleet file: several live repositories, each with its project file, reported together.

``fleet.toml``::

    [fleet]
    jobs = 2                        # reports run at once (default: the machine's cores)

    [[projects]]
    name = "payments"               # folder name under the output folder (default: the path's name)
    path = "../payments-live"       # a folder holding opslib.toml, or the file; relative to fleet.toml
    reports = ["overview", "failure_analysis"]   # default: every report
    [projects.parameters.overview]  # per-report parameters over the project's inputs
    weeks = 12

Unknown keys, duplicate names and paths that do not exist are :class:`ConfigError` naming the file and
the key; a project's own file is read only when the project runs, so one broken project fails alone.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opslib.errors import ConfigError

__all__ = ["Fleet", "FleetProject", "load_fleet"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_FLEET_KEYS = {"jobs"}
_PROJECT_KEYS = {"name", "path", "reports", "parameters"}


@dataclass(frozen=True)
class FleetProject:
    """One live repository of the fleet."""

    name: str
    path: Path
    reports: tuple[str, ...] | None = None  # None: every report
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Fleet:
    """The projects of a fleet file and how many reports may run at once."""

    file: Path
    projects: tuple[FleetProject, ...]
    jobs: int | None = None

    def project(self, name: str) -> FleetProject:
        for project in self.projects:
            if project.name == name:
                return project
        raise ConfigError(f"no project {name!r} in the fleet", path=self.file)


def _table(value: Any, key: str, file: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table", path=file)
    return value


def _project(raw: Any, index: int, file: Path) -> FleetProject:
    key = f"projects[{index}]"
    entry = _table(raw, key, file)
    unknown = sorted(set(entry) - _PROJECT_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key {key}.{unknown[0]} (known: {', '.join(sorted(_PROJECT_KEYS))})", path=file
        )
    if not isinstance(entry.get("path"), str) or not entry["path"].strip():
        raise ConfigError(f"{key}.path is missing (a folder holding opslib.toml, or the file)", path=file)
    path = (file.parent / Path(entry["path"]).expanduser()).resolve()
    if not path.exists():
        raise ConfigError(f"{key}.path does not exist: {path}", path=file)
    name = entry.get("name", path.name if path.is_dir() else path.parent.name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(f"{key}.name {name!r} must be a plain folder name ({_NAME.pattern})", path=file)
    reports = entry.get("reports")
    if reports is not None and (
        not isinstance(reports, list) or not all(isinstance(r, str) for r in reports)
    ):
        raise ConfigError(f"{key}.reports must be a list of report names", path=file)
    parameters = _table(entry.get("parameters", {}), f"{key}.parameters", file)
    for report, values in parameters.items():
        _table(values, f"{key}.parameters.{report}", file)
    return FleetProject(name, path, tuple(reports) if reports is not None else None, parameters)


def load_fleet(path: str | Path) -> Fleet:
    """Read and check a fleet file (see the module doc)."""
    file = Path(path).expanduser().resolve()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the fleet file: {exc.strerror or exc}", path=file) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not a TOML file: {exc}", path=file) from exc
    unknown = sorted(set(data) - {"fleet", "projects"})
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]} (known: fleet, projects)", path=file)
    settings = _table(data.get("fleet", {}), "fleet", file)
    extra = sorted(set(settings) - _FLEET_KEYS)
    if extra:
        raise ConfigError(f"unknown key fleet.{extra[0]} (known: fleet.jobs)", path=file)
    jobs = settings.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ConfigError("fleet.jobs must be a whole number of at least 1", path=file)
    raw = data.get("projects")
    if not isinstance(raw, list) or not raw:
        raise ConfigError("no [[projects]] in the fleet file", path=file)
    projects = tuple(_project(entry, i, file) for i, entry in enumerate(raw))
    seen: set[str] = set()
    for project in projects:
        if project.name in seen:
            raise ConfigError(f"two projects are named {project.name!r}: give each a name", path=file)
        seen.add(project.name)
    return Fleet(file, projects, jobs)

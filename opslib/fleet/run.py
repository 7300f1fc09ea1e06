"""Run every project's reports of a fleet into ``OUT/<project>/`` and write the fleet index."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opslib.errors import OpslibError
from opslib.fleet._file import Fleet, FleetProject, load_fleet

__all__ = ["FleetResult", "ProjectResult", "run_fleet", "run_project_report"]

log = logging.getLogger(__name__)


@dataclass
class ProjectResult:
    """What one project's run gave: each report's result, or the error that stopped the project."""

    name: str
    reports: list[Any] = field(default_factory=list)  # opslib.reports.ReportResult
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error is not None or any(r.status == "failed" for r in self.reports):
            return "failed"
        return "ok"


@dataclass
class FleetResult:
    """Every project's result and where the fleet index was written."""

    projects: list[ProjectResult]
    index: Path

    @property
    def exit_code(self) -> int:
        return 1 if any(p.status == "failed" for p in self.projects) else 0


def _as_fleet(fleet: Fleet | str | Path) -> Fleet:
    return fleet if isinstance(fleet, Fleet) else load_fleet(fleet)


def _run_project(project: FleetProject, out: Path, jobs: int | None) -> ProjectResult:
    from opslib.reports import run_all

    result = ProjectResult(project.name)
    try:
        result.reports = run_all(
            list(project.reports) if project.reports else None,
            {name: dict(values) for name, values in project.parameters.items()},
            out / project.name,
            project=project.path,
            jobs=jobs,
        )
    except OpslibError as exc:  # a broken project file or parameter: this project fails alone
        log.warning("fleet project %s failed: %s", project.name, exc)
        result.error = str(exc)
    return result


def run_fleet(fleet: Fleet | str | Path, out_dir: str | Path, *, jobs: int | None = None) -> FleetResult:
    """Run each project's reports (at most ``jobs`` at once) and write ``OUT/index.html``.

    A project whose file is broken, or whose report fails, is marked failed; the others still run.
    """
    from opslib.fleet.index import write_fleet_index

    loaded = _as_fleet(fleet)
    out = Path(out_dir)
    results = [_run_project(p, out, jobs or loaded.jobs) for p in loaded.projects]
    errors = {r.name: r.error for r in results if r.error}
    return FleetResult(results, write_fleet_index(out, loaded, errors=errors))


def run_project_report(fleet: Fleet | str | Path, project: str, report: str, out_dir: str | Path) -> Any:
    """One report of one project, as an orchestrator's task runs it; returns its ``ReportResult``.

    Writes ``OUT/<project>/<report>.html`` and refreshes that project's index. A report whose inputs the
    project does not give is recorded as skipped (not an error); a failing report raises its
    ``NotebookError`` so the task fails and is retried.
    """
    from opslib.reports import error_of, run_all

    loaded = _as_fleet(fleet)
    member = loaded.project(project)
    parameters = {report: dict(member.parameters.get(report, {}))}
    (result,) = run_all([report], parameters, Path(out_dir) / member.name, project=member.path, jobs=1)
    if result.status == "failed":
        raise error_of(result)
    return result

"""Fleet reports: many live repositories, each with its project file, reported in one run.

``load_fleet("fleet.toml")`` reads the fleet file; ``run_fleet(fleet, out)`` runs every project's reports
into ``out/<project>/`` and writes ``out/index.html`` (one row per project); ``run_project_report`` runs
one report of one project, as an orchestrator's task does (``examples/airflow/opslib_fleet_dag.py``).
"""

from __future__ import annotations

from opslib.fleet._file import Fleet, FleetProject, load_fleet
from opslib.fleet.index import fleet_rows, write_fleet_index
from opslib.fleet.run import FleetResult, ProjectResult, run_fleet, run_project_report

__all__ = [
    "Fleet",
    "FleetProject",
    "FleetResult",
    "ProjectResult",
    "fleet_rows",
    "load_fleet",
    "run_fleet",
    "run_project_report",
    "write_fleet_index",
]

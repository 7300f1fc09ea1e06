"""Fleet reports on Apache Airflow: one task per project × report, then the fleet index.

The fleet file (``fleet.toml``) lists the live repositories, each a folder with its ``opslib.toml``.
Dynamic task mapping runs one task per project and report, each calling opslib in the worker (so the
worker image needs opslib installed), with retries and exponential back-off; a failing project fails
only its own tasks. The last task writes ``OUT/index.html`` whatever happened before it.

Settings (environment of the scheduler and workers): ``OPSLIB_FLEET`` (the fleet file) and
``OPSLIB_FLEET_OUT`` (where the reports go; a shared volume or a synced folder with several workers).
Works with Airflow 3 (``airflow.sdk``) and 2.10 (``airflow.decorators``).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # pragma: no cover - Airflow 2.10
    from airflow.decorators import dag, task

FLEET_FILE = os.environ.get("OPSLIB_FLEET", "/srv/opslib/fleet.toml")
OUT_DIR = os.environ.get("OPSLIB_FLEET_OUT", "/srv/www/opslib-fleet")

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
}


@dag(
    dag_id="opslib_fleet",
    schedule="0 6 * * 1-5",  # weekday mornings, UTC
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    max_active_runs=1,
    tags=["opslib", "reports"],
)
def opslib_fleet() -> None:
    @task
    def plan() -> list[dict[str, str]]:
        """Every project × report of the fleet file (read at run time, so edits need no redeploy)."""
        from opslib.fleet import load_fleet
        from opslib.reports import list_reports

        fleet = load_fleet(FLEET_FILE)
        return [
            {"project": project.name, "report": report}
            for project in fleet.projects
            for report in (project.reports or list_reports())
        ]

    @task(max_active_tis_per_dagrun=4)
    def run_report(item: dict[str, str]) -> str:
        """One report of one project; a report whose inputs the project lacks is recorded as skipped."""
        from opslib.fleet import run_project_report

        result = run_project_report(FLEET_FILE, item["project"], item["report"], OUT_DIR)
        return f"{item['project']}/{result.name}: {result.status}"

    @task(trigger_rule="all_done", retries=0)
    def fleet_index() -> str:
        """The fleet index, written even when some projects failed."""
        from opslib.fleet import load_fleet, write_fleet_index

        return str(write_fleet_index(OUT_DIR, load_fleet(FLEET_FILE)))

    run_report.expand(item=plan()) >> fleet_index()


opslib_fleet()

"""Apache Airflow DAG: run the opslib reports of one live repository every weekday morning.

Copy this file into your DAGs folder and set the Airflow Variables named below: ``opslib_project`` is the
live repository holding ``opslib.toml`` (``opslib init`` writes it), ``opslib_reports_dir`` where the
pages go. Each task runs one report through ``opslib.reports.run_all`` with the project file; a report
whose inputs the project does not give is an Airflow skip with the reason, a failing one fails its task.
``publish_index`` then rebuilds the index page. Needs opslib installed on the workers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.exceptions import AirflowSkipException

try:  # Airflow 3
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import DAG, Variable

    def _setting(key: str, default: str) -> str:
        return str(Variable.get(key, default=default))

except ImportError:  # pragma: no cover - Airflow 2.10
    from airflow import DAG
    from airflow.models import Variable
    from airflow.operators.python import PythonOperator

    def _setting(key: str, default: str) -> str:
        return str(Variable.get(key, default_var=default))


# read when a task runs, not when the scheduler parses the file (no database call at parse time)
PROJECT_VARIABLE, PROJECT_DEFAULT = "opslib_project", "/srv/live"
OUT_VARIABLE, OUT_DEFAULT = "opslib_reports_dir", "/srv/www/ops-reports"

# report -> parameters over the project file (inputs come from opslib.toml)
REPORTS = {
    "overview": {"weeks": 13},
    "failure_analysis": {"group_by": "category"},
    "drift_report": {},
    "cost_report": {},
}


def _run(name: str, parameters: dict[str, Any]) -> str:
    from opslib import reports

    project, out_dir = _setting(PROJECT_VARIABLE, PROJECT_DEFAULT), _setting(OUT_VARIABLE, OUT_DEFAULT)
    (result,) = reports.run_all([name], {name: parameters}, out_dir, project=project, jobs=1)
    if result.status == "skipped":
        raise AirflowSkipException(result.reason)
    if result.status != "ok":
        raise reports.error_of(result)
    return reports.headline(result.summary)


def _publish_index() -> None:
    from opslib.reports import write_index

    write_index(_setting(OUT_VARIABLE, OUT_DEFAULT))


with DAG(
    dag_id="opslib_reports",
    start_date=datetime(2026, 1, 1),
    schedule="0 6 * * 1-5",
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["opslib", "terragrunt"],
) as dag:
    runs = [
        PythonOperator(task_id=f"report_{name}", python_callable=_run, op_args=[name, parameters])
        for name, parameters in REPORTS.items()
    ]
    publish = PythonOperator(task_id="publish_index", python_callable=_publish_index, trigger_rule="all_done")
    runs >> publish

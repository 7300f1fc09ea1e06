"""Apache Airflow DAG: run the opslib reports every weekday morning with PapermillOperator.

Copy this file into your DAGs folder and set the two paths below (or the Airflow Variables named here).
Each task executes one report notebook with papermill; ``publish_index`` then rebuilds the index page
with the headline figures. Needs ``apache-airflow-providers-papermill`` and opslib installed on workers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.operators.python import PythonOperator
from airflow.providers.papermill.operators.papermill import PapermillOperator

from opslib._paths import notebooks_dir

LIVE_REPO = Variable.get("opslib_live_repo", default_var="/srv/live")
OUT_DIR = Variable.get("opslib_reports_dir", default_var="/srv/www/ops-reports")

REPORTS = {
    "failure_analysis": {"history": f"{LIVE_REPO}/project"},
    "drift_report": {"tree": f"{LIVE_REPO}/infrastructure-live", "plans": f"{LIVE_REPO}/plans"},
    "cost_report": {"tree": f"{LIVE_REPO}/infrastructure-live", "costs": f"{LIVE_REPO}/infracost.json"},
    "overview": {"history": f"{LIVE_REPO}/project", "tree": f"{LIVE_REPO}/infrastructure-live"},
}


def _publish_index() -> None:
    from pathlib import Path

    from opslib.reports import export_html, write_index

    for executed in Path(OUT_DIR).glob("*.ipynb"):
        export_html(executed)
    write_index(OUT_DIR)


with DAG(
    dag_id="opslib_reports",
    start_date=datetime(2026, 1, 1),
    schedule="0 6 * * 1-5",
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["opslib", "terragrunt"],
) as dag:
    runs = [
        PapermillOperator(
            task_id=f"report_{name}",
            input_nb=str(notebooks_dir() / f"{name}.ipynb"),
            output_nb=f"{OUT_DIR}/{name}.ipynb",
            parameters=parameters,
            kernel_name="python3",
        )
        for name, parameters in REPORTS.items()
    ]
    publish = PythonOperator(task_id="publish_index", python_callable=_publish_index)
    runs >> publish

"""Examples stay valid: the Airflow DAG names real reports and parameters (`make airflow-test` runs the
DAGs under a real Airflow: DagBag import errors, and the fleet DAG end to end)."""

from __future__ import annotations

import ast
from pathlib import Path

from opslib.reports import list_reports, notebook_parameters

DAG_FILE = Path(__file__).resolve().parent.parent / "examples" / "airflow_opslib_dag.py"


def _reports_in_dag() -> dict[str, set[str]]:
    tree = ast.parse(DAG_FILE.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "REPORTS" for t in node.targets):
            assert isinstance(node.value, ast.Dict)
            return {
                ast.literal_eval(key): {ast.literal_eval(k) for k in value.keys}  # type: ignore[union-attr]
                for key, value in zip(node.value.keys, node.value.values, strict=True)
                if key is not None
            }
    raise AssertionError("no REPORTS in the DAG file")


def test_dag_names_real_reports_and_parameters() -> None:
    known = set(list_reports())
    for name, params in _reports_in_dag().items():
        assert name in known, f"the DAG names a report that does not exist: {name}"
        assert params <= set(notebook_parameters(name)), f"{name}: unknown parameters {params}"

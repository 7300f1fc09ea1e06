"""`make airflow-test`: the fleet DAG run by a real Apache Airflow (in .venv-airflow), end to end.

Builds a fleet of two projects reading the bundled sample inputs (one runs overview and failure
analysis, the other overview and the cost report), points a fresh AIRFLOW_HOME at examples/, runs
`airflow db migrate`, checks that Airflow's DagBag imports every example DAG without error, runs
`airflow dags test opslib_fleet`, and checks that both projects' reports and the fleet index exist.
Not collected by pytest (its name does not start with test_); run with the Airflow venv's Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
AIRFLOW = Path(sys.executable).with_name("airflow")


def _project(folder: Path, reports_setting: str) -> None:
    folder.mkdir(parents=True)
    (folder / "opslib.toml").write_text(
        textwrap.dedent(
            f"""\
            # a live repository of the fleet: the sample platform's inputs, named explicitly
            [inputs]
            history = "{SAMPLE / "project"}"
            tree = "{SAMPLE / "infrastructure-live"}"
            costs = "{SAMPLE / "costs" / "infracost-breakdown.json"}"
            [reports]
            {reports_setting}
            """
        )
    )


def _fleet(base: Path) -> Path:
    _project(base / "payments-live", "stale_after_days = 100000")
    _project(base / "identity-live", "stale_after_days = 100000")
    fleet = base / "fleet.toml"
    fleet.write_text(
        textwrap.dedent(
            """\
            [fleet]
            jobs = 1

            [[projects]]
            name = "payments"
            path = "payments-live"
            reports = ["overview", "failure_analysis"]

            [[projects]]
            name = "identity"
            path = "identity-live"
            reports = ["overview", "cost_report"]
            """
        )
    )
    return fleet


def _run(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(args), flush=True)
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        print(done.stdout[-5000:], done.stderr[-5000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}")
    return done


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="opslib-airflow-") as scratch:
        base = Path(scratch)
        out = base / "out"
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(base / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "examples"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "OPSLIB_FLEET": str(_fleet(base)),
            "OPSLIB_FLEET_OUT": str(out),
            "OPSLIB_LIVE_REPO": str(SAMPLE),
            "OPSLIB_REPORTS_DIR": str(base / "single"),
        }
        _run([str(AIRFLOW), "db", "migrate"], env)
        bag = _run(
            [
                sys.executable,
                "-c",
                "import json; from airflow.models import DagBag; "
                f"b = DagBag(dag_folder={str(REPO / 'examples')!r}); "
                "print(json.dumps({'errors': {k: str(v) for k, v in b.import_errors.items()}, "
                "'dags': sorted(b.dag_ids)}))",
            ],
            env,
        )
        parsed = json.loads(bag.stdout.strip().splitlines()[-1])
        assert parsed["errors"] == {}, parsed["errors"]
        assert "opslib_fleet" in parsed["dags"], parsed["dags"]
        print("DagBag:", parsed["dags"], "no import errors", flush=True)
        _run([str(AIRFLOW), "dags", "test", "opslib_fleet", "2026-12-01"], env, timeout=1800)
        expected = [
            out / "payments" / "overview.html",
            out / "payments" / "failure_analysis.html",
            out / "identity" / "overview.html",
            out / "identity" / "cost_report.html",
            out / "index.html",
        ]
        missing = [str(p) for p in expected if not p.is_file()]
        assert not missing, f"not written: {missing}"
        index = (out / "index.html").read_text()
        assert "payments" in index and "identity" in index, index[:2000]
        assert "<td>failed</td>" not in index and "<td>ok</td>" in index, index
        print(
            f"airflow-test: {len(expected)} files written by the fleet DAG; fleet index lists both projects"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The index headline: a notebook's own ``headline`` string wins over the generic figure list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opslib import reports

pytestmark = pytest.mark.xdist_group("notebooks")


def test_headline_prefers_the_notebooks_own_line() -> None:
    summary = {"headline": "  drift found: 8 resources in 7 units (exit code 1) ", "exit_code": 1}
    assert reports.headline(summary) == "drift found: 8 resources in 7 units (exit code 1)"
    assert reports.headline({"headline": "", "events": 3, "rate": 0.5}) == "events: 3; rate: 0.50"
    assert reports.headline({"failure_rate": 0.156, "tags": ["x"]}) == "failure rate: 0.16"


def test_index_shows_each_headline_and_the_figures(tmp_path: Path) -> None:
    runs = {
        "drift_report": {"headline": "no drift (exit code 0)", "exit_code": 0},
        "cost_report": {"monthly_cost": 6537.2791, "verdict": "within_threshold"},
    }
    for name, summary in runs.items():
        info = {"name": name, "status": "ok", "summary": summary, "seconds": 1.5, "parameters": {}}
        (tmp_path / f"{name}.run.json").write_text(json.dumps(info))
    page = reports.write_index(tmp_path).read_text()
    assert "<td title='exit code: 0'>no drift (exit code 0)" in page
    assert "monthly cost: 6,537.28; verdict: within_threshold" in page


@pytest.mark.slow
def test_a_run_puts_the_summary_headline_on_the_index(tmp_path: Path) -> None:
    reports.run_report("drift_report", {"environment": "prod"}, tmp_path, sample=True)
    summary = json.loads((tmp_path / "drift_report.summary.json").read_text())
    assert (
        summary["headline"]
        == "drift found: 6 resources in 5 units; 7 units with changes to apply (exit code 2)"
    )
    assert summary["headline"] in (tmp_path / "index.html").read_text()

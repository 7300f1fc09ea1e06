"""notebooks/incident_runbook.ipynb: a rehearsal under papermill, the checklist when a front end is there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest

from opslib import reports
from opslib._paths import notebooks_dir, sample_dir

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebooks")]

FIXTURES = Path(__file__).parent / "fixtures" / "runbook"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _mimetypes(path: Path) -> set[str]:
    nb = nbformat.read(str(path), as_version=4)
    return {
        mime
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        for mime in out.get("data", {})
    }


def test_sample_rehearsal_report(report_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = report_run
    assert results["incident_runbook"].status == "ok", reports.error_of(results["incident_runbook"])
    summary = json.loads((out / "incident_runbook.summary.json").read_text())
    assert summary["incident_id"] == "INC-2026-1118-api"
    assert "2026.11.3" in summary["likely_culprit"]
    postmortem = Path(summary["postmortem"])
    assert postmortem == (out / "postmortem-INC-2026-1118-api.md").resolve()
    text = postmortem.read_text()
    assert "## Action items" in text and "kubectl rollout undo deployment/api -n prod" in text
    assert WIDGET_MIME not in _mimetypes(out / "incident_runbook.ipynb")  # no widgets in reports
    page = (out / "incident_runbook.html").read_text()
    assert "Likely culprits" in page and "Postmortem: INC-2026-1118-api" in page


def test_parameters_and_forced_checklist(tmp_path: Path) -> None:
    import papermill

    executed = tmp_path / "interactive.ipynb"
    papermill.execute_notebook(
        str(notebooks_dir() / "incident_runbook.ipynb"),
        str(executed),
        kernel_name=reports.KERNEL_NAME,
        progress_bar=False,
        cwd=str(tmp_path),
        parameters={
            "runbook": str(FIXTURES / "variants" / "seed.md"),
            "history": str(sample_dir() / "project"),  # a runbook walk needs an activity log besides
            "incident_id": "INC-T",
            "service": "api",
            "namespace": "prod",
            "started_at": "2026-11-18T16:00:00Z",
            "interactive": True,
            "out_dir": str(tmp_path / "pm"),
        },
    )
    assert WIDGET_MIME in _mimetypes(executed)
    assert not (tmp_path / "pm").exists()  # interactive: the engineer writes the postmortem when done

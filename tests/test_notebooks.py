"""Every notebook in notebooks/ runs headless on the sample data and writes an offline HTML report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from opslib import reports
from opslib._paths import notebooks_dir

NOTEBOOKS = sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("notebooks")]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(str(notebooks_dir() / f"{name}.ipynb"), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and "parameters" in code[0].metadata.get("tags", []), "first code cell must be `parameters`"
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_sample_data(name: str, report_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = report_run
    result = results[name]
    assert result.status == "ok", reports.error_of(result)
    page = (out / f"{name}.html").read_text()
    assert not re.search(r"<script[^>]*src=[\"']https?://", page)
    assert "Traceback" not in page
    summary = json.loads((out / f"{name}.summary.json").read_text())
    assert summary, f"{name} wrote no headline summary"
    assert f'href="{name}.html"' in (out / "index.html").read_text()


def test_overview_parameter_changes_output(tmp_path: Path, report_run: tuple[Path, dict[str, Any]]) -> None:
    out, _ = report_run
    reports.run_report("overview", {"weeks": 2, "title": "Two weeks"}, tmp_path, sample=True)
    short = json.loads((tmp_path / "overview.summary.json").read_text())
    full = json.loads((out / "overview.summary.json").read_text())
    assert short["events_in_window"] < full["events_in_window"]
    assert "Two weeks" in (tmp_path / "overview.html").read_text()


def test_sample_pages_and_index_say_sample_data(report_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = report_run
    for name in results:
        assert "Sample data" in (out / f"{name}.html").read_text(), f"{name} does not say it is sample data"
        assert json.loads((out / f"{name}.summary.json").read_text())["sample"] is True
    assert "class='sample-banner'>Sample data" in (out / "index.html").read_text()

"""The papermill report runner: parameters, failures, HTML export and the index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from opslib import reports
from opslib.cli import main
from opslib.errors import ConfigError, NotebookError, ParameterError

TINY = Path(__file__).parent / "fixtures" / "notebooks" / "tiny.ipynb"
pytestmark = pytest.mark.xdist_group("notebooks")


def _outputs_text(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    return "\n".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def test_parameters_are_declared_from_the_parameters_cell() -> None:
    declared = reports.notebook_parameters(TINY)
    assert set(declared) == {"greeting", "count", "fail", "path"}
    assert declared["count"]["type"] == "int"


def test_run_injects_parameters_after_the_parameters_cell(tmp_path: Path) -> None:
    executed = reports.run_report(TINY, {"greeting": "yo", "count": "3"}, tmp_path)
    nb = nbformat.read(str(executed), as_version=4)
    tags = [cell.metadata.get("tags", []) for cell in nb.cells]
    assert "parameters" in tags[0] and "injected-parameters" in tags[1]
    assert "count = 3" in nb.cells[1].source
    assert "yoyoyo" in _outputs_text(executed)
    assert json.loads((tmp_path / "tiny.summary.json").read_text()) == {"count": 3, "greeting": "yo"}


def test_html_is_offline_with_inputs_hidden_and_plotly_inline(tmp_path: Path) -> None:
    reports.run_report(TINY, {}, tmp_path)
    page = (tmp_path / "tiny.html").read_text()
    assert not re.search(r"<script[^>]*src=[\"']https?://", page), "external script in report"
    assert not re.search(r"<link[^>]*href=[\"']https?://", page)
    assert "Plotly.newPlot" in page and "plotly.js v" in page
    assert "nbh.setup()" not in page  # code cells are hidden
    index = (tmp_path / "index.html").read_text()
    assert 'href="tiny.html"' in index and "greeting: hello" in index


def test_unknown_parameter_fails_before_running(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"'greting' \(did you mean 'greeting'\?\)"):
        reports.run_report(TINY, {"greting": "x"}, tmp_path)
    assert not (tmp_path / "tiny.ipynb").exists()


def test_unknown_report_names_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"available:.*overview"):
        reports.run_report("overveiw", {}, tmp_path)


def test_failing_cell_raises_names_the_cell_and_keeps_the_notebook(tmp_path: Path) -> None:
    with pytest.raises(NotebookError) as info:
        reports.run_report(TINY, {"fail": True}, tmp_path)
    err = info.value
    assert err.ename == "RuntimeError" and "boom from the notebook" in str(err)
    assert err.cell_index is not None and err.executed == str(tmp_path / "tiny.ipynb")
    assert "boom from the notebook" in Path(err.executed).read_text()
    run = json.loads((tmp_path / "tiny.run.json").read_text())
    assert run["status"] == "failed"
    assert "failed" in (tmp_path / "index.html").read_text()


def test_cli_report_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(TINY), "-p", "count", "1", "--out", str(tmp_path)]) == 0
    assert main(["report", str(TINY), "-p", "fail", "true", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: boom" in err
    assert main(["report", str(TINY), "-p", "nope", "1", "--out", str(tmp_path)]) == 1
    assert "has no parameter 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("raw", "declared", "expected"),
    [
        ("3", "int", 3),
        ("2.5", None, 2.5),
        ("true", "bool", True),
        ("None", "str", None),
        ("007", "str", "007"),
        ('["a", "b"]', "list", ["a", "b"]),
        ("dev", None, "dev"),
    ],
)
def test_coerce_value(raw: str, declared: str | None, expected: object) -> None:
    assert reports.coerce_value(raw, declared) == expected


def test_relative_path_parameters_resolve_from_the_callers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "input.txt").write_text("read from the caller's folder")
    monkeypatch.chdir(tmp_path)
    executed = reports.run_report(TINY, {"path": "input.txt"}, "out")
    assert "read from the caller's folder" in _outputs_text(executed)
    assert executed == Path("out") / "tiny.ipynb"


def test_short_names_reach_the_report_notebooks() -> None:
    assert set(reports.notebook_parameters("cost")) == set(reports.notebook_parameters("cost_report"))
    for alias, target in reports.ALIASES.items():
        assert target in reports.list_reports(), alias

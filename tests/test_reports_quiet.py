"""A report run speaks only when something is wrong: no kernel noise on the console, a readable index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opslib import reports
from opslib.errors import NotebookError

TINY = Path(__file__).parent / "fixtures" / "notebooks" / "tiny.ipynb"
pytestmark = pytest.mark.xdist_group("notebooks")


def test_a_run_prints_nothing_on_stderr(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    reports.run_report(TINY, {}, tmp_path)
    err = capfd.readouterr().err
    # the kernel inherits our stderr: its transport warning and shutdown noise must not reach it
    assert "IPKernelApp" not in err and "without encryption" not in err and "KeyboardInterrupt" not in err
    assert not (tmp_path / "tiny.kernel.log").exists()  # kept only for a report that fails


def test_a_failing_run_still_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(NotebookError):
        reports.run_report(TINY, {"fail": True}, tmp_path)
    info = json.loads((tmp_path / "tiny.run.json").read_text())
    assert info["status"] == "failed" and "cell" in json.loads(info["error"])["message"]


def test_index_headlines_render_their_markdown(tmp_path: Path) -> None:
    summary = {"headline": "likely culprit: `terragrunt apply` after **approval** <script>"}
    run = {"name": "x", "status": "ok", "summary": summary, "started_at": "2026-12-06T06:40:12+00:00"}
    (tmp_path / "x.run.json").write_text(json.dumps(run))
    page = reports.write_index(tmp_path).read_text()
    assert "<code>terragrunt apply</code>" in page and "<b>approval</b>" in page
    assert "&lt;script&gt;" in page and "`" not in page.split("<tbody>")[1]
    assert "2026-12-06 06:40<" in page

"""The JupyterLab checklist, driven headless by clicking its buttons."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from opslib import IncidentSession
from opslib.runbook import simulated_clock
from opslib.runbook.widgets import checklist, is_interactive, timeline_html

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = ROOT / "data" / "sample" / "runbooks" / "service-outage.md"
START = pd.Timestamp("2026-11-18T16:00:00Z")


def _session(**kw: object) -> IncidentSession:
    return IncidentSession(
        RUNBOOK,
        incident_id="INC-9",
        service="api",
        namespace="prod",
        started_at=START,
        clock=simulated_clock(START, "1min"),
        **kw,
    )  # type: ignore[arg-type]


def test_one_row_per_step_grouped_by_phase() -> None:
    s = _session()
    ui = checklist(s)
    assert sorted(ui.rows) == list(range(len(s.steps_frame)))
    row = ui.rows[15]
    assert "kubectl rollout undo deployment/api -n prod" in row.command.value
    assert row.run_button.description == "Run (dry)"
    assert ui.rows[0].run_button.disabled  # a manual step has nothing to run
    assert "[pending]" in row.status.value
    phases = [child.children[0].value for child in ui.widget.children[1:6]]
    assert phases == [
        f"<h4>{p}</h4>"
        for p in ["Detection", "Immediate Actions", "Investigation", "Mitigation", "Communication"]
    ]


def test_clicking_buttons_changes_the_timeline() -> None:
    s = _session()
    ui = checklist(s)
    assert list(s.timeline["kind"]) == ["start"]
    ui.rows[5].run_button.click()
    assert list(s.timeline["kind"]) == ["start", "acknowledge", "command"]
    assert s.timeline.iloc[-1]["command"] == ["kubectl", "top", "pods", "-n", "prod"]
    assert "dry-run" in ui.rows[5].output.value and "kubectl top pods -n prod" in ui.rows[5].output.value
    assert "[ran]" in ui.rows[5].status.value

    ui.rows[15].note_box.value = "rolled back to 2026.11.2"
    ui.rows[15].done_button.click()
    last = s.timeline.iloc[-1]
    assert (last["kind"], last["step"], last["note"]) == ("done", 15, "rolled back to 2026.11.2")
    assert ui.rows[15].note_box.value == ""
    assert s.time_to_mitigate == pd.Timedelta(minutes=3)
    assert "[done]" in ui.rows[15].status.value

    ui.rows[8].note_box.value = "script not deployed"
    ui.rows[8].skip_button.click()
    assert s.status().loc[8, "status"] == "skipped"

    ui.rows[9].note_box.value = "errors from the db pool"
    ui.rows[9].note_button.click()
    assert s.timeline.iloc[-1]["kind"] == "note" and s.timeline.iloc[-1]["step"] == 9

    ui.note_box.value = "Checkout errors 12%"
    ui.note_category.value = "impact"
    ui.note_button.click()
    assert s.notes_by_category()["impact"] == ["Checkout errors 12%"]
    # the live timeline shows every event
    assert ui.timeline.value.count("<tr") == len(s.timeline) + 1  # header + one row per event
    assert "script not deployed" in ui.timeline.value


def test_live_run_button_runs_the_allowlisted_fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "kubectl"
    fake.write_text('#!/bin/sh\necho "pods: $*"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    s = _session(dry_run=False)
    ui = checklist(s)
    assert ui.rows[5].run_button.description == "Run"
    ui.rows[5].run_button.click()
    assert "pods: top pods -n prod" in ui.rows[5].output.value
    assert s.timeline.iloc[-1]["exit_code"] == 0


def test_output_is_escaped() -> None:
    s = _session()
    s.note("<script>alert(1)</script>")
    html = timeline_html(s)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_is_interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "OPSLIB_INTERACTIVE",
        "OPSLIB_SUMMARY_PATH",
        "PAPERMILL_EXECUTION",
        "JPY_SESSION_NAME",
        "VSCODE_PID",
    ):
        monkeypatch.delenv(name, raising=False)
    assert is_interactive() is False
    assert is_interactive(True) is True
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/incident_runbook.ipynb")
    assert is_interactive() is True
    monkeypatch.setenv("OPSLIB_SUMMARY_PATH", "/tmp/summary.json")
    assert is_interactive() is False
    monkeypatch.setenv("OPSLIB_INTERACTIVE", "1")
    assert is_interactive() is True
    assert is_interactive(False) is False


def test_footer_buttons_mitigate_resolve_and_write(tmp_path: Path) -> None:
    s = _session(out_dir=tmp_path)
    ui = checklist(s)
    ui.note_box.value = "traffic drained to us-west-2"
    ui.mitigate_button.click()
    assert s.time_to_mitigate == pd.Timedelta(minutes=2)
    ui.resolve_button.click()
    assert s.resolved_at is not None and s.timeline.iloc[-1]["kind"] == "resolved"
    ui.postmortem_button.click()
    written = tmp_path / "postmortem-INC-9.md"
    assert written.is_file() and "traffic drained to us-west-2" in written.read_text()
    assert str(written) in ui.message.value

"""How a walkthrough reads: filled commands, rehearsal labels, skip reasons, dates, missing moments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opslib import IncidentSession
from opslib.errors import ParameterError
from opslib.runbook import simulated_clock
from opslib.runbook.rehearsal import rehearse

RUNBOOK = Path(__file__).resolve().parents[1] / "data" / "sample" / "runbooks" / "service-outage.md"
START = pd.Timestamp("2026-11-18T16:00:00Z")


def _section(text: str, name: str) -> str:
    return text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]


def test_steps_show_the_commands_as_they_run() -> None:
    s = IncidentSession(RUNBOOK, incident_id="INC-1", service="api", namespace="prod", started_at=START)
    shown = [c for step in s for c in s.commands(step)]
    assert "kubectl rollout undo deployment/api -n prod" in shown
    assert not [c for c in shown if "{namespace}" in c or "<service>" in c]


def test_a_skip_needs_a_reason() -> None:
    s = IncidentSession(RUNBOOK, incident_id="INC-1", service="api", namespace="prod", started_at=START)
    with pytest.raises(ParameterError, match="skip needs a reason"):
        s.skip(8)
    with pytest.raises(ParameterError, match="skip needs a reason"):
        s.skip(8, reason="   ")
    s.skip(8, reason="the breaker script is not deployed")
    assert s.status().loc[8, "status"] == "skipped"


def test_a_rehearsal_states_no_duration_as_a_finding(tmp_path: Path) -> None:
    s = rehearse(
        RUNBOOK, incident_id="INC-R", service="api", namespace="prod", started_at=START, out_dir=tmp_path
    )
    text = s.postmortem()
    assert "rehearsal (simulated clock)" in text
    for claim in ("Mitigation took", "Mitigated within", "Fast acknowledgement", "Slow acknowledgement"):
        assert claim not in text
    assert "acknowledged after" not in _section(text, "Summary")
    assert "not measured" in _section(text, "Impact")
    assert "Acknowledged" not in _section(text, "Detection")


def test_a_live_session_says_what_was_not_recorded_and_dates_a_timeline_across_days(tmp_path: Path) -> None:
    # started yesterday (the parameter), clicked today: every row carries its date
    s = IncidentSession(
        RUNBOOK,
        incident_id="INC-L",
        service="api",
        namespace="prod",
        started_at=START,
        clock=simulated_clock(START + pd.Timedelta(days=1), "1min"),
        out_dir=tmp_path,
    )
    s.run(5)
    text = s.postmortem()
    assert "not reached" not in text and "mitigation not recorded" in text
    timeline = _section(text, "Timeline")
    assert "| 2026-11-19 16:01:00 |" in timeline and "| 2026-11-18 16:00:00 |" in timeline
    same_day = IncidentSession(
        RUNBOOK,
        incident_id="INC-D",
        service="api",
        namespace="prod",
        started_at=START,
        clock=simulated_clock(START, "1min"),
        out_dir=tmp_path,
    )
    same_day.run(5)
    assert "All times UTC, 2026-11-18." in _section(same_day.postmortem(), "Timeline")

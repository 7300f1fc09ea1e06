"""A dry-run rehearsal of a runbook: what the notebook does under papermill and the CLI does always."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from opslib.runbook.session import IncidentSession, simulated_clock

__all__ = ["REHEARSAL_STEP", "rehearse"]

#: simulated time between two actions of a rehearsal: the timeline reads like a walk, run after run alike
REHEARSAL_STEP = pd.Timedelta(minutes=2)


def rehearse(runbook: str | Path | pd.DataFrame, *, incident_id: str, service: str,
             started_at: Any = None, step: pd.Timedelta | str = REHEARSAL_STEP,
             resolution: str = "", **session_args: Any) -> IncidentSession:
    """Walk every step in dry run on a simulated clock and resolve; return the session.

    ``session_args`` go to :class:`IncidentSession` (namespace, severity, history, tree, plans, ...);
    ``dry_run`` is forced on: a rehearsal never executes anything.
    """
    session_args["dry_run"] = True
    start = pd.Timestamp(started_at) if started_at is not None else pd.Timestamp.now(tz="UTC").floor("s")
    session = IncidentSession(runbook, incident_id=incident_id, service=service, started_at=start,
                              clock=simulated_clock(start, step), **session_args)
    session.walk()
    session.resolve(resolution or "Rehearsal (dry run): every step walked; no command was executed.")
    return session

"""A dry-run rehearsal of a runbook: what the notebook does under papermill and the CLI does always."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from opslib.errors import ParameterError
from opslib.runbook.session import IncidentSession, _utc, simulated_clock

__all__ = ["REHEARSAL_STEP", "SAMPLE_INCIDENT", "notebook_session", "rehearse", "reports_dir"]

#: simulated time between two actions of a rehearsal: the timeline reads like a walk, run after run alike
REHEARSAL_STEP = pd.Timedelta(minutes=2)


def rehearse(
    runbook: str | Path | pd.DataFrame,
    *,
    incident_id: str,
    service: str,
    started_at: Any = None,
    step: pd.Timedelta | str = REHEARSAL_STEP,
    resolution: str = "",
    **session_args: Any,
) -> IncidentSession:
    """Walk every step in dry run on a simulated clock and resolve; return the session.

    ``session_args`` go to :class:`IncidentSession` (namespace, severity, history, tree, plans, ...);
    ``dry_run`` is forced on: a rehearsal never executes anything.
    """
    session_args["dry_run"] = True
    if started_at is None or str(started_at).strip() == "":
        start = pd.Timestamp.now(tz="UTC").floor("s")
    else:
        start = _utc(started_at, "started_at")
    session = IncidentSession(
        runbook,
        incident_id=incident_id,
        service=service,
        started_at=start,
        clock=simulated_clock(start, step),
        **session_args,
    )
    session.rehearsal = True
    session.walk()
    session.resolve(resolution or "Rehearsal (dry run): every step walked; no command was executed.")
    return session


#: the incident the sample data tells (data/sample/README.md, "The culprit deployment")
SAMPLE_INCIDENT: dict[str, Any] = {
    "runbook": "runbooks/service-outage.md",
    "incident_id": "INC-2026-1118-api",
    "service": "api",
    "namespace": "prod",
    "started_at": "2026-11-18T16:00:00Z",
}


def reports_dir(value: str | Path | None = None) -> Path:
    """Where a notebook writes its postmortem: ``value``, else the report runner's output folder (it
    tells the kernel through ``OPSLIB_SUMMARY_PATH``), else ``reports`` under the current folder."""
    if value:
        return Path(value)
    import os

    from opslib.notebook import SUMMARY_ENV

    summary = os.environ.get(SUMMARY_ENV)
    return Path(summary).parent if summary else Path("reports")


def _or_sample(value: Any, sample: str) -> Any:
    from opslib.notebook import input_path

    return input_path(value, sample) if value is None or str(value).strip() == "" else value


def notebook_session(
    *,
    runbook: Any = None,
    incident_id: str | None = None,
    service: str | None = None,
    namespace: str | None = None,
    severity: str = "SEV2",
    started_at: Any = None,
    history: Any = None,
    tree: Any = None,
    plans: Any = None,
    lookback_hours: float = 24,
    dry_run: bool = True,
    interactive: bool = False,
    out_dir: str | Path | None = None,
    sample: bool | None = None,
) -> IncidentSession:
    """The session ``notebooks/incident_runbook.ipynb`` works on.

    ``sample=True`` walks the sample incident (None/"" parameters mean the sample's files and facts);
    ``sample=False`` uses only what is given: no history, tree or plans means no context from them, the
    incident id defaults to ``rehearsal-<runbook>``, the service to ``<service>`` (the placeholder left
    as written) and the start to now. ``sample=None`` (the default) means ``runbook`` is None.

    Headless (``interactive=False``) the runbook is rehearsed at once: every step in dry run on a
    simulated clock, resolved, ready for the postmortem. Interactive, the session starts empty and the
    checklist drives it (live only when ``dry_run=False``).
    """
    if sample is None:
        sample = runbook is None or str(runbook).strip() == ""
    if sample:
        args = _sample_args(incident_id, service, namespace, history, tree, plans)
        if started_at is None or str(started_at).strip() == "":
            started_at = SAMPLE_INCIDENT["started_at"]
        path = _or_sample(runbook, SAMPLE_INCIDENT["runbook"])
    else:
        if runbook is None or str(runbook).strip() == "":
            raise ParameterError("runbook is not given: set inputs.runbooks or -p runbook FILE")
        path = runbook
        stem = Path(str(runbook)).stem if isinstance(runbook, (str, Path)) else "runbook"
        args = {
            "incident_id": incident_id or f"rehearsal-{stem}",
            "service": service or "<service>",
            "namespace": namespace or "default",
            "history": _given_or_none(history),
            "tree": _given_or_none(tree),
            "plans": _given_or_none(plans),
        }
    args.update(severity=severity, lookback_hours=lookback_hours, out_dir=reports_dir(out_dir))
    if not interactive:
        return rehearse(path, started_at=started_at, **args)
    return IncidentSession(path, started_at=started_at, dry_run=dry_run, **args)


def _given_or_none(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _sample_args(
    incident_id: str | None, service: str | None, namespace: str | None, history: Any, tree: Any, plans: Any
) -> dict[str, Any]:
    return {
        "incident_id": incident_id or SAMPLE_INCIDENT["incident_id"],
        "service": service or SAMPLE_INCIDENT["service"],
        "namespace": namespace or SAMPLE_INCIDENT["namespace"],
        "history": _or_sample(history, "project"),
        "tree": _or_sample(tree, "infrastructure-live"),
        "plans": _or_sample(plans, "plans"),
    }

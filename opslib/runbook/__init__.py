"""Incident runbooks as data: parse them, walk them safely, keep a timeline, draft the postmortem.

- :func:`load_runbook`: Markdown runbook → DataFrame of steps
- :class:`IncidentSession`: run / done / skip / note steps, timeline, context, postmortem
- ``opslib.runbook.widgets.checklist(session)``: the JupyterLab checklist (imports ipywidgets lazily)
"""

from __future__ import annotations

from opslib.runbook.context import gather_context
from opslib.runbook.executor import DEFAULT_ALLOWLIST, build_argv
from opslib.runbook.parse import load_runbook, parse_runbook
from opslib.runbook.rehearsal import notebook_session, rehearse
from opslib.runbook.session import IncidentSession, simulated_clock

__all__ = [
    "DEFAULT_ALLOWLIST",
    "IncidentSession",
    "build_argv",
    "gather_context",
    "load_runbook",
    "notebook_session",
    "parse_runbook",
    "rehearse",
    "simulated_clock",
]

"""The project file: where a live repository keeps its inputs for opslib.

``opslib.toml`` at the root of a live repository (or ``[tool.opslib]`` in its ``pyproject.toml``)
names the activity log, the Terragrunt tree, plans, run reports, costs, runbooks and the drift store,
with paths relative to the file, plus report settings::

    [inputs]
    history = "project"
    tree = "infrastructure-live"
    [reports]
    out = "reports"
    stale_after_days = 7

``Project.load(path)`` reads it; ``project.history()``, ``project.tree()``, ... load each input.
``opslib init`` writes one from what it finds (:func:`discover`, :func:`write_project_file`).
"""

from __future__ import annotations

from opslib.project._project import PROJECT_FILE, InputRead, Project, Settings, find_project_file
from opslib.project._schema import INPUTS, REPORT_INPUTS, REPORT_SETTINGS, REQUIREMENTS, how_to_give
from opslib.project.discover import discover, project_file_text, write_project_file
from opslib.project.inputs import SAMPLE_BANNER, ReportInputs, missing_inputs, report_inputs, skip_reason

__all__ = [
    "INPUTS",
    "PROJECT_FILE",
    "REPORT_INPUTS",
    "REPORT_SETTINGS",
    "REQUIREMENTS",
    "SAMPLE_BANNER",
    "InputRead",
    "Project",
    "ReportInputs",
    "Settings",
    "discover",
    "find_project_file",
    "how_to_give",
    "missing_inputs",
    "project_file_text",
    "report_inputs",
    "skip_reason",
    "write_project_file",
]

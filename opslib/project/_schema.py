"""What a project file may say: the inputs, the report settings, and which report needs which input."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "INPUTS",
    "REPORT_INPUTS",
    "REPORT_SETTINGS",
    "REQUIREMENTS",
    "Input",
    "how_to_give",
]


@dataclass(frozen=True)
class Input:
    """One input of a project: its key under ``[inputs]``, what it is, and the kind of path it takes."""

    key: str
    what: str
    kind: str  # "folder" | "file" | "file-or-folder"
    example: str


#: every key ``[inputs]`` accepts, in the order reports show them
INPUTS: dict[str, Input] = {
    i.key: i
    for i in (
        Input(
            "history", "activity log (project_history.json / PROJECT_HISTORY.md)", "file-or-folder", "project"
        ),
        Input(
            "tree",
            "Terragrunt live tree (the folder holding root.hcl or, in older layouts, the top terragrunt.hcl)",
            "folder",
            "infrastructure-live",
        ),
        Input("plans", "plan JSON, plan -json logs or a --json-out-dir folder", "file-or-folder", "plans"),
        Input("run_reports", "terragrunt --report-file JSON/CSV files", "file-or-folder", "run-reports"),
        Input(
            "costs",
            'infracost JSON, or "estimate" (offline, from plans or the tree)',
            "file",
            "infracost.json",
        ),
        Input("costs_baseline", "infracost JSON to compare the costs with", "file", "infracost-base.json"),
        Input("runbooks", "incident runbooks in Markdown", "file-or-folder", "runbooks"),
        Input("drift_store", "drift store written by `opslib drift record`", "folder", ".opslib/drift"),
    )
}

#: ``[reports]`` keys and their defaults
REPORT_SETTINGS: dict[str, object] = {"out": "reports", "cost_threshold": 100, "stale_after_days": 7}

#: report -> {notebook parameter: project input}; the runner feeds these parameters from the project
REPORT_INPUTS: dict[str, dict[str, str]] = {
    "overview": {"history": "history", "tree": "tree"},
    "failure_analysis": {"history": "history", "run_reports": "run_reports"},
    "cost_report": {"costs": "costs", "tree": "tree", "plans": "plans", "baseline": "costs_baseline"},
    "drift_report": {"tree": "tree", "plans": "plans", "drift_history": "drift_store"},
    "incident_runbook": {"runbook": "runbooks", "history": "history", "tree": "tree", "plans": "plans"},
    "promotion_report": {"tree": "tree", "history": "history"},
    "change_review": {"tree": "tree", "plans": "plans", "costs": "costs"},
}

#: report -> alternatives; each alternative is a tuple of inputs that must all be there. ``costs`` as
#: "estimate" needs a tree or plans besides (see :func:`opslib.project.missing_inputs`).
REQUIREMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "overview": (("history",), ("tree",)),
    "failure_analysis": (("history",),),
    "cost_report": (("costs",),),
    "drift_report": (("plans",), ("drift_store",)),
    "incident_runbook": (("runbooks", "history"),),
    "promotion_report": (("tree",),),
    "change_review": (("tree",),),  # inside a git work tree: see opslib.project.skip_reason
}


def how_to_give(key: str) -> str:
    """The hint a missing input carries: ``set inputs.plans or -p plans DIR``."""
    item = INPUTS[key]
    arg = {"folder": "DIR", "file": "FILE", "file-or-folder": "PATH"}[item.kind]
    extra = ', or costs = "estimate" with a tree' if key == "costs" else ""
    return f"set inputs.{key} or -p {key} {arg}{extra}"

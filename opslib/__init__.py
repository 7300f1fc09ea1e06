"""opslib: understand a Terragrunt-on-AWS platform from its files, plans, costs and activity log.

Public names and submodules are imported lazily, so ``import opslib`` stays fast and a notebook that
only reads the history does not pay for the HCL parser or papermill: ``opslib.metrics.failure_rates``
works after a bare ``import opslib``.
"""

from __future__ import annotations

import importlib
from typing import Any

from opslib.errors import OpslibError

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "load_history": "opslib.history",
    "log_activity": "opslib.history",
    "load_tree": "opslib.terragrunt",
    "TerragruntTree": "opslib.terragrunt",
    "lint": "opslib.rules",
    "load_plans": "opslib.plans",
    "load_run_report": "opslib.runs",
    "load_costs": "opslib.costs",
    "estimate_costs": "opslib.costs",
    "load_runbook": "opslib.runbook",
    "IncidentSession": "opslib.runbook",
    "run_report": "opslib.reports",
    "Project": "opslib.project",
}

#: submodules reachable as attributes after ``import opslib`` (imported on first use)
SUBMODULES = (
    "costs",
    "drift",
    "drift_report",
    "errors",
    "history",
    "metrics",
    "notebook",
    "overview",
    "plans",
    "project",
    "promotion",
    "reports",
    "rules",
    "runbook",
    "runs",
    "secrets",
    "terragrunt",
)

__all__ = ["OpslibError", "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        # importing sets the attribute on this package as well
        return importlib.import_module(f"opslib.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'opslib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(SUBMODULES))

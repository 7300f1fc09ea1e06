"""opslib: understand a Terragrunt-on-AWS platform from its files, plans, costs and activity log.

Public names are imported lazily, so ``import opslib`` stays fast and a notebook that only reads the
history does not pay for the HCL parser or papermill.
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
}

__all__ = ["OpslibError", "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'opslib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

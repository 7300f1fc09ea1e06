"""Per-unit counts and the exit code ``terraform plan -detailed-exitcode`` would give."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from opslib.plans._risk import max_risk

__all__ = ["SUMMARY_COLUMNS", "aggregate_exit_code", "exit_code", "summary"]

SUMMARY_COLUMNS = ["unit", "add", "change", "destroy", "replace", "forget", "drift", "output_changes",
                   "max_risk", "errored", "exit_code"]
_QUIET = ("no-op", "read")


def aggregate_exit_code(codes: Iterable[int]) -> int:
    """Combine per-unit exit codes as ``terragrunt run --all``: any 1 → 1, else any 2 → 2, else 0."""
    seen = set(int(c) for c in codes)
    if 1 in seen:
        return 1
    return 2 if 2 in seen else 0


def _unit_code(planned: pd.DataFrame, meta: dict[str, Any] | None) -> int:
    if meta is not None and meta.get("errored"):
        return 1
    if meta is not None and meta.get("applyable") is not None:
        # Terraform's own verdict: planned changes or output changes; drift alone is not applyable
        return 2 if meta["applyable"] else 0
    changes = planned["action"].isin(_QUIET)
    has_outputs = bool(meta and meta.get("output_changes"))
    return 2 if (~changes).any() or has_outputs else 0


def summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Per unit: add, change, destroy, replace, forget and drift counts, max risk and exit code.

    Counts follow Terraform's "Plan: N to add, M to change, K to destroy" (a replace is one add and
    one destroy, and is also counted in ``replace``); ``drift`` counts resources changed outside
    Terraform. Units come from the rows and from ``changes.attrs["plans"]`` (so a clean unit shows
    with zeros). ``exit_code`` is 0 (no changes), 1 (errored plan) or 2 (changes), as
    ``-detailed-exitcode``; ``frame.attrs["exit_code"]`` holds the aggregate as ``run --all`` gives it.
    """
    metas = {m["unit"]: m for m in changes.attrs.get("plans", [])}
    units = sorted(set(changes["unit"].dropna().astype(str)) | set(metas))
    records = []
    for unit in units:
        rows = changes[changes["unit"] == unit]
        planned = rows[rows["kind"] == "planned"]
        drift = rows[rows["kind"] == "drift"]
        act = planned["action"]
        meta = metas.get(unit)
        records.append({
            "unit": unit,
            "add": int(act.isin(["create", "replace"]).sum()),
            "change": int((act == "update").sum()),
            "destroy": int(act.isin(["delete", "replace"]).sum()),
            "replace": int((act == "replace").sum()),
            "forget": int((act == "forget").sum()),
            "drift": len(drift),
            "output_changes": int(meta.get("output_changes", 0)) if meta else 0,
            "max_risk": max_risk(rows.loc[~rows["action"].isin(_QUIET), "risk"].tolist()),
            "errored": bool(meta.get("errored")) if meta else False,
            "exit_code": _unit_code(planned, meta),
        })
    frame = pd.DataFrame(records, columns=SUMMARY_COLUMNS)
    frame.attrs["exit_code"] = aggregate_exit_code(frame["exit_code"].tolist())
    return frame


def exit_code(changes: pd.DataFrame) -> int:
    """The exit code ``terragrunt run --all plan -detailed-exitcode`` would give for ``changes``."""
    return int(summary(changes).attrs["exit_code"])

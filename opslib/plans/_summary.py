"""Per-unit counts and the exit code ``terraform plan -detailed-exitcode`` would give."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from opslib.plans._risk import max_risk

__all__ = ["SUMMARY_COLUMNS", "aggregate_exit_code", "exit_code", "summary"]

SUMMARY_COLUMNS = [
    "unit",
    "add",
    "change",
    "destroy",
    "replace",
    "forget",
    "drift",
    "output_changes",
    "max_risk",
    "errored",
    "exit_code",
]
_QUIET = ("no-op", "read")


def aggregate_exit_code(codes: Iterable[int]) -> int:
    """Combine per-unit exit codes as ``terragrunt run --all``: any 1 → 1, else any 2 → 2, else 0."""
    seen = set(int(c) for c in codes)
    if 1 in seen:
        return 1
    return 2 if 2 in seen else 0


def _unit_code(pending: int, meta: dict[str, Any] | None) -> int:
    if meta is not None and meta.get("errored"):
        return 1
    if meta is not None and meta.get("applyable") is not None:
        # Terraform's own verdict: planned changes or output changes; drift alone is not applyable
        return 2 if meta["applyable"] else 0
    has_outputs = bool(meta and meta.get("output_changes"))
    return 2 if pending or has_outputs else 0


def summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Per unit: add, change, destroy, replace, forget and drift counts, max risk and exit code.

    Counts follow Terraform's "Plan: N to add, M to change, K to destroy" (a replace is one add and
    one destroy, and is also counted in ``replace``); ``drift`` counts resources changed outside
    Terraform. Units come from the rows and from ``changes.attrs["plans"]`` (so a clean unit shows
    with zeros). ``exit_code`` is 0 (no changes), 1 (errored plan) or 2 (changes), as
    ``-detailed-exitcode``; ``frame.attrs["exit_code"]`` holds the aggregate as ``run --all`` gives it.
    """
    metas = {m["unit"]: m for m in changes.attrs.get("plans", [])}
    # plain arrays, not the frame: pandas deep-copies attrs on every operation
    unit_col = changes["unit"].astype(str).to_numpy()
    kind = changes["kind"].to_numpy()
    action = changes["action"].to_numpy()
    planned = kind == "planned"
    acting = ~pd.Series(action).isin(_QUIET).to_numpy()
    flags = pd.DataFrame(
        {
            "unit": unit_col,
            "add": planned & pd.Series(action).isin(["create", "replace"]).to_numpy(),
            "change": planned & (action == "update"),
            "destroy": planned & pd.Series(action).isin(["delete", "replace"]).to_numpy(),
            "replace": planned & (action == "replace"),
            "forget": planned & (action == "forget"),
            "drift": kind == "drift",
            "pending": planned & acting,
        }
    )
    counts = flags.groupby("unit").sum().to_dict(orient="index") if len(flags) else {}
    risky = pd.DataFrame({"unit": unit_col[acting], "risk": changes["risk"].to_numpy()[acting]})
    risks = {str(k): max_risk(v) for k, v in risky.groupby("unit")["risk"].agg(list).items()}
    records = []
    for unit in sorted(set(unit_col) | set(metas)):
        c = counts.get(unit, {})
        meta = metas.get(unit)
        record = {k: int(c.get(k, 0)) for k in ("add", "change", "destroy", "replace", "forget", "drift")}
        records.append(
            {
                "unit": unit,
                **record,
                "output_changes": int(meta.get("output_changes", 0)) if meta else 0,
                "max_risk": risks.get(unit),
                "errored": bool(meta.get("errored")) if meta else False,
                "exit_code": _unit_code(int(c.get("pending", 0)), meta),
            }
        )
    frame = pd.DataFrame(records, columns=SUMMARY_COLUMNS)
    frame.attrs["exit_code"] = aggregate_exit_code(frame["exit_code"].tolist())
    return frame


def exit_code(changes: pd.DataFrame) -> int:
    """The exit code ``terragrunt run --all plan -detailed-exitcode`` would give for ``changes``."""
    return int(summary(changes).attrs["exit_code"])

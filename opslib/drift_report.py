"""Everything the drift report notebook shows, computed here so tests can reach it.

:func:`build_report` takes the changes (``load_plans``), optionally the tree and the drift history
store, and returns a :class:`DriftReport` of frames: drifted units by account/environment, drifted
resources with their changed attributes, drift grouped by cause, risk, drift age, the blast radius of
drifted units and the exit code verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opslib import drift
from opslib.plans import RISK_LEVELS, risk_category, summary

__all__ = ["DriftReport", "build_report", "verdict_text"]

_QUIET = ("no-op", "read")


@dataclass
class DriftReport:
    """The drift report's frames (see :func:`build_report` for their columns)."""

    changes: pd.DataFrame
    summary: pd.DataFrame
    drifted: pd.DataFrame
    attributes: pd.DataFrame
    causes: pd.DataFrame
    matrix: pd.DataFrame
    risk: pd.DataFrame
    ages: pd.DataFrame
    blast: pd.DataFrame
    exit_code: int
    verdict: str
    outside_tree: list[str] = field(default_factory=list)

    def exit_code_counts(self) -> pd.DataFrame:
        """Units per exit code and environment: ``exit_code`` (text), ``environment``, ``units``."""
        frame = self.summary.assign(
            exit_code=self.summary["exit_code"].map({0: "0 clean", 1: "1 error", 2: "2 changes"}),
            environment=self.summary["environment"].astype(object).fillna("(none)"),
        )
        counts = frame.groupby(["exit_code", "environment"]).size().rename("units").reset_index()
        return counts.sort_values(["exit_code", "environment"]).reset_index(drop=True)

    def headline_text(self) -> str:
        """One line: "drift found: 8 resources in 3 units (exit code 2)", or "no drift (exit code 0)"."""
        units = int(self.drifted["unit"].nunique())
        if len(self.drifted):
            text = f"drift found: {_plural(len(self.drifted), 'resource')} in {_plural(units, 'unit')}"
        else:
            text = "no drift"
        changed = int((self.summary["exit_code"] == 2).sum())
        errored = int((self.summary["exit_code"] == 1).sum())
        if changed:
            text += f"; {_plural(changed, 'unit')} with changes to apply"
        if errored:
            text += f"; {_plural(errored, 'plan')} errored"
        return f"{text} (exit code {self.exit_code})"

    def headline(self) -> dict[str, Any]:
        """The figures ``reports/index.html`` shows."""
        drifted_units = int(self.drifted["unit"].nunique())
        oldest = int(self.ages["age_days"].max()) if len(self.ages) else 0
        return {
            "headline": self.headline_text(),
            "exit_code": self.exit_code,
            "units_planned": len(self.summary),
            "units_with_drift": drifted_units,
            "drifted_resources": len(self.drifted),
            "units_with_changes": int((self.summary["exit_code"] == 2).sum()),
            "errored_units": int((self.summary["exit_code"] == 1).sum()),
            "oldest_drift_days": oldest,
            "blast_radius_units": len(self.blast),
        }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict_text(exit_code: int, summary_frame: pd.DataFrame, drifted_units: int) -> str:
    """One sentence: what ``terragrunt run --all plan -detailed-exitcode`` would say, and why."""
    changed = int((summary_frame["exit_code"] == 2).sum())
    errored = summary_frame.loc[summary_frame["exit_code"] == 1, "unit"].tolist()
    parts = [f"{changed} unit(s) with changes to apply", f"{drifted_units} unit(s) drifted outside Terraform"]
    if errored:
        parts.append(f"{len(errored)} plan(s) errored ({', '.join(errored)})")
    meaning = {0: "no changes", 1: "error", 2: "changes present"}[exit_code]
    return f"exit code {exit_code} ({meaning}): " + "; ".join(parts) + "."


def _units_frame(tree: Any, units: pd.DataFrame | None) -> pd.DataFrame | None:
    if units is not None:
        return units
    if tree is not None:
        return tree.units
    return None


def _risk_table(rows: pd.DataFrame) -> pd.DataFrame:
    acting = rows[~rows["action"].isin(_QUIET)]
    cats = acting.assign(category=acting["type"].map(lambda t: risk_category(t) or "other"))
    by_cat = cats.groupby(["kind", "category", "risk"]).size().rename("resources").reset_index()
    by_cat["order"] = by_cat["risk"].map(RISK_LEVELS.index)
    return (
        by_cat.sort_values(["kind", "order", "category"], ascending=[True, False, True])
        .drop(columns="order")
        .reset_index(drop=True)
    )


def _ages(history: str | Path | pd.DataFrame | None, drifted: pd.DataFrame, scope: set[str]) -> pd.DataFrame:
    cols = ["unit", "address", "type", "first_seen", "last_seen", "runs", "age_days", "open", "risk"]
    if history is None:
        return pd.DataFrame(columns=cols)
    hist = history if isinstance(history, pd.DataFrame) else drift.history(history)
    if hist.empty:
        return pd.DataFrame(columns=cols)
    # open drift of the units drifted now, and drift since fixed in the units in scope
    now = hist["unit"].isin(set(drifted["unit"]))
    fixed = ~hist["open"].astype(bool) & hist["unit"].isin(scope)
    keep = hist[now | fixed]
    return keep[cols].reset_index(drop=True)


def build_report(
    changes: pd.DataFrame,
    *,
    tree: Any = None,
    units: pd.DataFrame | None = None,
    history: str | Path | pd.DataFrame | None = None,
    environment: str | None = None,
    account: str | None = None,
) -> DriftReport:
    """Shape ``changes`` (from ``load_plans``) into the drift report's frames.

    ``tree`` (a ``TerragruntTree``) or ``units`` (its units frame) place units in accounts and
    environments, and ``tree`` gives the blast radius; plans of units the tree does not know are
    listed in ``outside_tree`` and left out. ``environment`` keeps one environment and ``account`` one
    account (both None: all; a control row in JupyterLab sets them). ``history`` is a
    drift store folder (or ``drift.history`` frame) for drift age.

    Frames: ``summary`` (``plans.summary`` + account, environment), ``drifted`` (drift rows: unit,
    address, type, action, risk, changed_paths, account, environment), ``attributes``
    (``drift.attribute_changes`` of the drift), ``causes`` (``drift.causes``), ``matrix`` (drifted
    resources per account × environment), ``risk`` (kind, category, risk, resources), ``ages``
    (history rows of drifted resources and of drift since fixed), ``blast`` (unit, distance, reason:
    units affected by the drifted ones, from ``tree.blast_radius``).
    """
    meta = _units_frame(tree, units)
    outside: list[str] = []
    metas = list(changes.attrs.get("plans", []))
    # a frame without attrs: pandas deep-copies attrs on every operation, which is slow here
    rows = changes.copy(deep=False)
    rows.attrs = {}
    if meta is not None:
        known = set(meta["unit"])
        outside = sorted((set(rows["unit"]) | {p["unit"] for p in metas}) - known)
        chosen = meta
        if environment:
            chosen = chosen[(chosen["environment"] == environment).fillna(False).astype(bool)]
        if account:
            chosen = chosen[(chosen["account"] == account).fillna(False).astype(bool)]
        if environment or account:
            known = set(chosen["unit"])
        rows = rows[rows["unit"].isin(known)]
        metas = [p for p in metas if p["unit"] in known]
    scope = {str(p["unit"]) for p in metas} | set(rows["unit"])
    rows.attrs["plans"] = metas
    plan_summary = summary(rows)
    rows.attrs = {}
    code = int(plan_summary.attrs["exit_code"])
    place = (
        meta[["unit", "account", "environment"]].drop_duplicates("unit")
        if meta is not None
        else pd.DataFrame({"unit": rows["unit"].unique(), "account": None, "environment": None})
    )
    plan_summary = plan_summary.merge(place, on="unit", how="left")
    drift_rows = rows[(rows["kind"] == "drift") & ~rows["action"].isin(_QUIET)]
    drifted = (
        drift_rows[["unit", "address", "type", "action", "risk", "changed_paths"]]
        .merge(place, on="unit", how="left")
        .reset_index(drop=True)
    )
    blast = pd.DataFrame(columns=["unit", "distance", "reason"])
    if tree is not None and len(drifted):
        blast = tree.blast_radius(sorted(set(drifted["unit"])))
    matrix = drift.unit_matrix(rows, place) if len(drift_rows) else pd.DataFrame(dtype=int)
    rows.attrs["plans"] = metas
    return DriftReport(
        changes=rows,
        summary=plan_summary,
        drifted=drifted,
        attributes=drift.attribute_changes(drift_rows),
        causes=drift.causes(rows),
        matrix=matrix,
        risk=_risk_table(rows),
        ages=_ages(history, drifted, scope),
        blast=blast,
        exit_code=code,
        verdict=verdict_text(code, plan_summary, int(drifted["unit"].nunique())),
        outside_tree=outside,
    )

"""Everything the cost report notebook shows, computed here so tests reach it (the notebook only displays).

``build_cost_report`` takes the notebook's parameters: an infracost JSON file or ``"estimate"``, a tree,
plans, a baseline and a threshold. The defaults point at the bundled sample data only when the cost
input itself is the sample: a user's own infracost file is never allocated with the sample tree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from opslib._paths import sample_dir
from opslib.costs._money import dsum
from opslib.costs.allocation import unowned_share
from opslib.costs.compare import CostVerdict, check, diff, totals, unpriced
from opslib.costs.estimate import estimate_costs
from opslib.costs.infracost import load_costs, read_infracost
from opslib.errors import ParameterError

__all__ = ["GROUPS", "TOP_COLUMNS", "CostReport", "build_cost_report"]

log = logging.getLogger(__name__)

GROUPS = ("account", "environment", "team", "cost_center")
TOP_COLUMNS = [
    "unit",
    "address",
    "resource_type",
    "monthly_cost",
    "status",
    "account",
    "environment",
    "team",
    "cost_center",
]


@dataclass
class CostReport:
    """The cost report's tables and headline figures."""

    costs: pd.DataFrame
    source: str
    currency: str
    inputs: dict[str, str | None]
    totals: dict[str, pd.DataFrame] = field(default_factory=dict)
    top_resources: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame | None = None
    verdict: CostVerdict | None = None
    unpriced: pd.DataFrame = field(default_factory=pd.DataFrame)
    untagged: pd.DataFrame = field(default_factory=pd.DataFrame)
    unowned: dict[str, Any] = field(default_factory=dict)

    @property
    def total_monthly(self) -> Decimal:
        return dsum(self.costs["monthly_cost_exact"]) or Decimal(0)

    def select(
        self,
        *,
        account: str | None = None,
        environment: str | None = None,
        team: str | None = None,
        top: int | None = None,
    ) -> CostReport:
        """The same report for one account, environment and/or team (None: all), e.g. for a control row.

        Costs, totals, top resources, unpriced and untagged resources and the changes are restricted;
        the threshold verdict stays the whole platform's (the approval step judges the whole change).
        """
        chosen = {
            k: v for k, v in {"account": account, "environment": environment, "team": team}.items() if v
        }
        if not chosen:
            return self
        out = CostReport(
            costs=self.costs[_matches(self.costs, chosen).to_numpy(dtype=bool)],
            source=self.source,
            currency=self.currency,
            inputs=dict(self.inputs),
            verdict=self.verdict,
        )
        _fill(out, top if top is not None else max(len(self.top_resources), 1))
        if self.changes is not None:
            out.changes = self.changes[_matches(self.changes, chosen).to_numpy(dtype=bool)]
        return out

    def headline_text(self) -> str:
        """One line for ``reports/index.html``: monthly cost and its change against the baseline."""
        cur = self.currency
        text = f"{self.total_monthly:,.2f} {cur}/month over {len(self.costs)} resources"
        if self.verdict is not None:
            v = self.verdict
            text += (
                f"; change {v.increase:+,.2f} {cur}/month ({v.status.replace('_', ' ')}, "
                f"exit code {v.exit_code})"
            )
        if len(self.unpriced):
            text += f"; {len(self.unpriced)} unpriced"
        return text

    def summary(self) -> dict[str, Any]:
        """Headline figures for ``reports/index.html`` (JSON-safe)."""
        out: dict[str, Any] = {
            "source": self.source,
            "currency": self.currency,
            "resources": len(self.costs),
            "monthly_cost": float(self.total_monthly),
            "annual_cost": float(self.total_monthly * 12),
            "unpriced_resources": len(self.unpriced),
            "untagged_resources": len(self.untagged),
            "unowned_share": self.unowned.get("share", 0.0),
            "headline": self.headline_text(),
        }
        if self.verdict is not None:
            out.update(
                {
                    "verdict": self.verdict.status,
                    "exit_code": self.verdict.exit_code,
                    "monthly_increase": float(self.verdict.increase),
                    "annual_impact": float(self.verdict.annual_impact),
                    "threshold": float(self.verdict.threshold),
                }
            )
        return out


def _given(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _resolve(costs: Any, tree: Any, plans: Any, baseline: Any) -> dict[str, Any]:
    """Which files to read; sample defaults only for the sample itself."""
    sample = sample_dir()
    estimate = isinstance(costs, str) and costs.strip().lower() == "estimate"
    use_sample = not _given(costs) or (estimate and not _given(plans) and not _given(tree))
    resolved: dict[str, Any] = {"estimate": estimate}
    if estimate:
        resolved["costs"] = None
        resolved["plans"] = Path(plans) if _given(plans) else (sample / "plans" if use_sample else None)
    else:
        resolved["costs"] = Path(costs) if _given(costs) else sample / "costs" / "infracost-breakdown.json"
        resolved["plans"] = None
    if tree is not None and not isinstance(tree, (str, Path)):
        resolved["tree"] = getattr(tree, "root", "<tree>")  # an already loaded TerragruntTree
    else:
        default_tree = sample / "infrastructure-live" if use_sample else None
        resolved["tree"] = Path(str(tree)) if _given(tree) else default_tree
    if baseline == "":
        resolved["baseline"] = None
    elif _given(baseline):
        resolved["baseline"] = Path(baseline)
    elif use_sample and not estimate:
        resolved["baseline"] = sample / "costs" / "infracost-baseline.json"
    else:
        resolved["baseline"] = None
    return resolved


def build_cost_report(
    costs: Any = None,
    tree: Any = None,
    plans: Any = None,
    baseline: Any = None,
    threshold: Any = 100,
    currency: str | None = None,
    top: int = 15,
) -> CostReport:
    """Load or estimate costs, allocate them, and compare with a baseline under a threshold.

    ``costs``: an infracost JSON path, ``"estimate"`` (offline, from ``plans`` or else ``tree``), or
    None for the sample breakdown. ``baseline``: an infracost JSON to compare with; None uses the sample
    baseline for the sample, the past breakdown of an infracost diff file, or the plans' current state
    for an estimate from plans; ``""`` skips the comparison.
    """
    paths = _resolve(costs, tree, plans, baseline)
    live: Any = None
    if tree is not None and not isinstance(tree, (str, Path)):
        live = tree  # an already loaded TerragruntTree
    elif paths["tree"] is not None:
        from opslib import load_tree

        live = load_tree(paths["tree"])
    head, base, verdict_input = _load(paths, live)
    label = currency or str(head.attrs.get("currency") or "USD")
    report = CostReport(
        costs=head,
        source="catalog" if paths["estimate"] else "infracost",
        currency=label,
        inputs={k: (str(v) if v is not None else None) for k, v in paths.items() if k != "estimate"},
    )
    _fill(report, int(top))
    if base is not None:
        report.changes = diff(base, head)
    if verdict_input is not None:
        report.verdict = check(verdict_input[0], threshold=threshold, baseline=verdict_input[1])
    return report


def _fill(report: CostReport, top: int) -> None:
    """The tables derived from ``report.costs``: totals, top resources, unpriced, untagged, unowned."""
    head = report.costs
    for group in GROUPS:
        report.totals[group] = totals(head, group)
    ranked = head.sort_values("monthly_cost", ascending=False, na_position="last", kind="stable")
    report.top_resources = ranked.head(top)[TOP_COLUMNS].reset_index(drop=True)
    report.unpriced = unpriced(head)[
        ["unit", "address", "resource_type", "status", "usage_based", "price_not_found"]
    ].reset_index(drop=True)
    missing = head["team"].isna() | head["cost_center"].isna()
    report.untagged = head[missing][
        ["unit", "address", "resource_type", "monthly_cost", "team", "cost_center", "allocation_source"]
    ].reset_index(drop=True)
    report.unowned = unowned_share(head)


def _matches(frame: pd.DataFrame, chosen: dict[str, Any]) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    for column, value in chosen.items():
        keep &= (frame[column].astype(object) == value).fillna(False).astype(bool)
    return keep


def _load(
    paths: dict[str, Any], live: Any
) -> tuple[pd.DataFrame, pd.DataFrame | None, tuple[Any, Any] | None]:
    """(head costs, base costs or None, (check input, check baseline) or None)."""
    if paths["estimate"]:
        source = paths["plans"] if paths["plans"] is not None else live
        if source is None:
            raise ParameterError("costs='estimate' needs plans or a tree")
        head = estimate_costs(source, tree=live)
        base = None
        if paths["baseline"] is not None:
            base = load_costs(paths["baseline"], tree=live)
        elif paths["plans"] is not None:
            # the plans' "before" is what runs today: the estimate's own baseline
            base = estimate_costs(source, tree=live, state="before")
        return head, base, ((diff(base, head), None) if base is not None else None)
    head = load_costs(paths["costs"], tree=live)
    if paths["baseline"] is not None:
        base = load_costs(paths["baseline"], tree=live)
        return head, base, (paths["costs"], paths["baseline"])
    if read_infracost(paths["costs"]).has_past:
        base = load_costs(paths["costs"], section="past", tree=live)
        return head, base, (paths["costs"], None)
    # nothing to compare with: the report shows costs, no verdict (``opslib cost check`` would count
    # every cost as new)
    return head, None, None

"""Totals, diffs and the cost gate (the DevOps playbook's ``/cost-estimate`` step).

Sums are exact (``Decimal``); an unknown cost (NaN) is left out of a sum and counted, never added as 0.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from opslib.costs._money import dsum, to_decimal, to_float
from opslib.costs.infracost import load_costs, read_infracost
from opslib.errors import ParameterError, SchemaError

__all__ = ["DIFF_COLUMNS", "CostVerdict", "check", "diff", "totals", "unpriced"]

log = logging.getLogger(__name__)

DIFF_COLUMNS = [
    "project",
    "unit",
    "address",
    "resource_type",
    "change",
    "base_monthly_cost",
    "head_monthly_cost",
    "delta_monthly_cost",
    "base_status",
    "head_status",
    "account",
    "environment",
    "team",
    "cost_center",
    "base_monthly_cost_exact",
    "head_monthly_cost_exact",
    "delta_monthly_cost_exact",
]
NONE_LABEL = "(none)"
_PARTIAL = {"price_not_found", "unsupported", "unknown"}


def _exact(frame: pd.DataFrame, column: str = "monthly_cost") -> pd.Series:
    exact = f"{column}_exact"
    if exact in frame.columns:
        return frame[exact]
    return frame[column].map(lambda v: None if pd.isna(v) else to_decimal(float(v)))


def _as_costs(value: Any, section: str = "breakdown") -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, (str, Path)):
        return load_costs(value, section=section)  # type: ignore[arg-type]
    raise SchemaError(f"expected a cost frame or an infracost JSON path, not {type(value).__name__}")


def unpriced(costs: pd.DataFrame) -> pd.DataFrame:
    """Rows whose cost is not known: no price found, unsupported type, or usage-based without usage."""
    mask = costs["price_not_found"].astype(bool) | costs["monthly_cost"].isna()
    return costs[mask]


def totals(costs: pd.DataFrame, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Monthly totals per group (or overall): ``monthly_cost`` (float), ``monthly_cost_exact`` (Decimal),
    ``hourly_cost``, ``resources``, ``unpriced`` (rows with an unknown cost), ``share`` of the known
    total. Missing group values show as ``(none)``, so unallocated cost stays visible."""
    keys = [by] if isinstance(by, str) else list(by or [])
    frame = costs.copy()
    frame["_exact"] = _exact(costs)
    frame["_hourly"] = _exact(costs, "hourly_cost") if "hourly_cost" in costs else None
    frame["_unpriced"] = costs["price_not_found"].astype(bool) | costs["monthly_cost"].isna()
    for key in keys:
        frame[key] = frame[key].astype("string").fillna(NONE_LABEL) if key in frame else NONE_LABEL
    groups: Any = frame.groupby(keys, dropna=False, sort=True) if keys else [((), frame)]
    rows = []
    for key, group in groups:
        key_tuple: tuple[Any, ...] = key if isinstance(key, tuple) else (key,)
        total = dsum(group["_exact"])
        hourly = dsum(group["_hourly"])
        rows.append(
            {
                **dict(zip(keys, key_tuple, strict=False)),
                "monthly_cost": to_float(total),
                "hourly_cost": to_float(hourly),
                "monthly_cost_exact": total,
                "resources": len(group),
                "unpriced": int(group["_unpriced"].sum()),
            }
        )
    out = pd.DataFrame(
        rows, columns=[*keys, "monthly_cost", "hourly_cost", "monthly_cost_exact", "resources", "unpriced"]
    )
    grand = dsum(out["monthly_cost_exact"]) if len(out) else None
    out["share"] = [
        float(v / grand) if v is not None and grand else float("nan") for v in out["monthly_cost_exact"]
    ]
    if keys:
        out = out.sort_values("monthly_cost", ascending=False, na_position="last", kind="stable")
    return out.reset_index(drop=True)


def _keyed(costs: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "unit_key": costs["unit"].astype("string").fillna(costs["project"].astype("string")).fillna(""),
            "address": costs["address"].astype("string").fillna(""),
            "project": costs["project"].astype("string"),
            "unit": costs["unit"].astype("string"),
            "resource_type": costs["resource_type"].astype("string"),
            "exact": _exact(costs),
            "status": costs["status"].astype("string"),
        }
    )
    for col in ("account", "environment", "team", "cost_center"):
        frame[col] = (
            costs[col].astype("string")
            if col in costs
            else pd.Series(pd.NA, index=costs.index, dtype="string")
        )
    # the same address twice in a unit (two projects on one folder): add them up
    agg = frame.groupby(["unit_key", "address"], sort=False, dropna=False).agg(
        project=("project", "first"),
        unit=("unit", "first"),
        resource_type=("resource_type", "first"),
        exact=("exact", lambda s: dsum(s)),
        status=("status", "first"),
        account=("account", "first"),
        environment=("environment", "first"),
        team=("team", "first"),
        cost_center=("cost_center", "first"),
    )
    return agg.reset_index()


def diff(base: Any, head: Any = None) -> pd.DataFrame:
    """Per unit and resource: base and head monthly cost and the change.

    ``base``/``head`` are cost frames or infracost JSON paths. With only ``base`` given as an infracost
    *diff* file, its past breakdown is compared with its current one. Columns: ``project``, ``unit``,
    ``address``, ``resource_type``, ``change`` (``added|removed|changed|unchanged|unknown``),
    ``base_monthly_cost``, ``head_monthly_cost``, ``delta_monthly_cost`` (NaN when either side is
    unknown), ``base_status``, ``head_status``, ``account``, ``environment``, ``team``, ``cost_center``
    and the exact ``*_exact`` Decimals. Sorted by the size of the change, ties by unit and address.
    ``attrs["currency"]`` is the currency both sides are priced in; two different ones raise ``SchemaError``.
    """
    if head is None:
        if not isinstance(base, (str, Path)):
            raise SchemaError("diff needs two cost frames, or one infracost diff file")
        head, base = load_costs(base, section="breakdown"), load_costs(base, section="past")
    base_c, head_c = _as_costs(base), _as_costs(head)
    currency = _common_currency(base_c, head_c)
    base_k, head_k = _keyed(base_c), _keyed(head_c)
    merged = base_k.merge(
        head_k, on=["unit_key", "address"], how="outer", suffixes=("_b", "_h"), indicator=True
    )
    rows = []
    for rec in merged.to_dict(orient="records"):
        side = rec["_merge"]
        b = rec["exact_b"] if side != "right_only" else None
        h = rec["exact_h"] if side != "left_only" else None
        b = None if b is None or (isinstance(b, float) and pd.isna(b)) else b
        h = None if h is None or (isinstance(h, float) and pd.isna(h)) else h
        change, delta = _change(side, b, h, rec.get("status_b"), rec.get("status_h"))
        pick = "_h" if side != "left_only" else "_b"
        rows.append(
            {
                "project": rec[f"project{pick}"],
                "unit": rec[f"unit{pick}"],
                "address": rec["address"],
                "resource_type": rec[f"resource_type{pick}"],
                "change": change,
                "base_monthly_cost": to_float(b),
                "head_monthly_cost": to_float(h),
                "delta_monthly_cost": to_float(delta),
                "base_status": rec["status_b"] if side != "right_only" else pd.NA,
                "head_status": rec["status_h"] if side != "left_only" else pd.NA,
                **{c: rec[f"{c}{pick}"] for c in ("account", "environment", "team", "cost_center")},
                "base_monthly_cost_exact": b,
                "head_monthly_cost_exact": h,
                "delta_monthly_cost_exact": delta,
            }
        )
    out = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    for col in (
        "project",
        "unit",
        "address",
        "resource_type",
        "change",
        "base_status",
        "head_status",
        "account",
        "environment",
        "team",
        "cost_center",
    ):
        out[col] = out[col].astype("string")
    for col in ("base_monthly_cost", "head_monthly_cost", "delta_monthly_cost"):
        out[col] = out[col].astype("float64")
    order = out["delta_monthly_cost"].abs().fillna(-1.0)
    out = out.iloc[order.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)
    out.attrs["currency"] = currency
    return out


def _common_currency(base: pd.DataFrame, head: pd.DataFrame) -> str | None:
    """The currency both sides are priced in (None when neither says); two currencies cannot be compared."""
    b, h = base.attrs.get("currency"), head.attrs.get("currency")
    if b and h and str(b) != str(h):
        raise SchemaError(
            f"base is priced in {b} and head in {h}: costs in two currencies cannot be compared"
        )
    return str(b or h) if (b or h) else None


def _change(
    side: str, base: Decimal | None, head: Decimal | None, b_status: Any, h_status: Any
) -> tuple[str, Decimal | None]:
    # a partly priced resource (a part without price) has a partial total: no delta can be trusted
    partial_b, partial_h = str(b_status) in _PARTIAL, str(h_status) in _PARTIAL
    if side == "right_only":
        return "added", None if partial_h else head
    if side == "left_only":
        return "removed", None if base is None or partial_b else -base
    if partial_b or partial_h:
        same = partial_b and partial_h and base == head
        return ("unchanged" if same else "unknown"), None
    if base is None or head is None:
        if base is None and head is None and str(b_status) == str(h_status):
            return "unchanged", None
        return "unknown", None
    delta = head - base
    return ("unchanged" if delta == 0 else "changed"), delta


@dataclass(frozen=True)
class CostVerdict:
    """The threshold decision: ``exit_code`` 2 when the monthly increase passes the threshold."""

    current_monthly: Decimal
    past_monthly: Decimal
    increase: Decimal
    threshold: Decimal
    currency: str
    baseline: str
    unpriced: int = 0

    @property
    def annual_impact(self) -> Decimal:
        return self.increase * 12

    @property
    def savings(self) -> Decimal:
        return -self.increase if self.increase < 0 else Decimal(0)

    @property
    def increase_pct(self) -> float | None:
        return float(self.increase / self.past_monthly * 100) if self.past_monthly else None

    @property
    def status(self) -> str:
        if self.increase > self.threshold:
            return "over_threshold"
        if -self.increase > self.threshold:
            return "savings"
        return "within_threshold"

    @property
    def exit_code(self) -> int:
        return 2 if self.status == "over_threshold" else 0

    @property
    def message(self) -> str:
        cur, sign = self.currency, "+" if self.increase >= 0 else "-"
        amount = (
            f"{sign}{abs(self.increase):,.2f} {cur}/month ({sign}{abs(self.annual_impact):,.2f} {cur}/year)"
        )
        text = {
            "over_threshold": f"cost increase {amount} passes the threshold of {self.threshold:,.2f} {cur}: "
            "approval needed",
            "savings": f"savings of {abs(self.increase):,.2f} {cur}/month ({abs(self.annual_impact):,.2f} "
            f"{cur}/year) beyond the threshold of {self.threshold:,.2f} {cur}",
            "within_threshold": f"cost change {amount} is within the threshold of "
            f"{self.threshold:,.2f} {cur}",
        }[self.status]
        if self.unpriced:
            text += f"; {self.unpriced} resource(s) have no known cost and are not counted"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: money as floats, plus the exact values as strings under ``exact``."""
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "currency": self.currency,
            "current_monthly": float(self.current_monthly),
            "past_monthly": float(self.past_monthly),
            "increase_monthly": float(self.increase),
            "increase_pct": self.increase_pct,
            "savings_monthly": float(self.savings),
            "annual_impact": float(self.annual_impact),
            "threshold": float(self.threshold),
            "baseline": self.baseline,
            "unpriced": self.unpriced,
            "message": self.message,
            "exact": {
                "current_monthly": str(self.current_monthly),
                "past_monthly": str(self.past_monthly),
                "increase_monthly": str(self.increase),
                "annual_impact": str(self.annual_impact),
            },
        }


def _report_total(path: str | Path) -> tuple[Decimal, Decimal, str, int, bool]:
    """(current, past, currency, unpriced, has_past) from an infracost file's own totals."""
    report = read_infracost(path)
    costs = load_costs(path)
    current = report.totals.get("totalMonthlyCost")
    if current is None:
        current = dsum(costs["monthly_cost_exact"]) or Decimal(0)
    past = report.totals.get("pastTotalMonthlyCost") if report.has_past else None
    return current, past or Decimal(0), report.currency, len(unpriced(costs)), report.has_past


def check(costs_or_diff: Any, threshold: Any = 100, baseline: Any = None) -> CostVerdict:
    """Gate a cost change: over ``threshold`` (monthly, in the file's currency) → ``exit_code`` 2.

    ``costs_or_diff``: an infracost JSON path (its total, past and diff totals are used, as the cost gate's
    ``/cost-estimate`` step reads them), a cost frame, or a frame from :func:`diff`. ``baseline`` (a path or
    a cost frame) replaces the past: increase = current total − baseline total. Without a baseline and
    without a past in the file, every cost counts as new (as infracost's own diff does).
    """
    limit = _threshold(threshold)
    if isinstance(costs_or_diff, (str, Path)):
        current, past, currency, n_unpriced, has_past = _report_total(costs_or_diff)
        label = "past breakdown in the file" if has_past else "none (all costs counted as new)"
    elif isinstance(costs_or_diff, pd.DataFrame) and "delta_monthly_cost" in costs_or_diff.columns:
        frame = costs_or_diff
        current = dsum(frame["head_monthly_cost_exact"]) or Decimal(0)
        past = dsum(frame["base_monthly_cost_exact"]) or Decimal(0)
        currency = str(frame.attrs.get("currency") or "USD")
        n_unpriced = int((frame["change"] == "unknown").sum())
        label = "diff frame"
        if baseline is not None:
            raise ParameterError("a diff frame already has its baseline; do not pass baseline= too")
    elif isinstance(costs_or_diff, pd.DataFrame):
        current = dsum(_exact(costs_or_diff)) or Decimal(0)
        past, currency = Decimal(0), str(costs_or_diff.attrs.get("currency") or "USD")
        n_unpriced, label = len(unpriced(costs_or_diff)), "none (all costs counted as new)"
    else:
        raise SchemaError(
            f"check takes an infracost path, a cost frame or a diff, not {type(costs_or_diff).__name__}"
        )
    if baseline is not None:
        past, label = (
            _baseline_total(baseline),
            f"baseline {baseline if isinstance(baseline, (str, Path)) else 'frame'}",
        )
    return CostVerdict(
        current_monthly=current,
        past_monthly=past,
        increase=current - past,
        threshold=limit,
        currency=currency,
        baseline=str(label),
        unpriced=n_unpriced,
    )


def _baseline_total(baseline: Any) -> Decimal:
    if isinstance(baseline, (str, Path)):
        report = read_infracost(baseline)
        total = report.totals.get("totalMonthlyCost")
        if total is not None:
            return total
    return dsum(_exact(_as_costs(baseline))) or Decimal(0)


def _threshold(value: Any) -> Decimal:
    try:
        limit = to_decimal(value)
    except ValueError as exc:
        raise ParameterError(f"threshold: {exc}") from None
    if limit is None or limit < 0:
        raise ParameterError(f"threshold must be a number >= 0, not {value!r}")
    return limit

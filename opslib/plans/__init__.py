"""Terraform plans: load every form, mask secrets, score risk, summarise as ``-detailed-exitcode``."""

from __future__ import annotations

from opslib.plans._diff import changed_paths
from opslib.plans._load import ACTIONS, CHANGE_COLUMNS, load_plans, normalize_actions, plan_errors
from opslib.plans._risk import HIGH_RISK_CATEGORIES, RISK_LEVELS, max_risk, risk_category, risk_of
from opslib.plans._summary import SUMMARY_COLUMNS, aggregate_exit_code, exit_code, summary

__all__ = [
    "ACTIONS",
    "CHANGE_COLUMNS",
    "HIGH_RISK_CATEGORIES",
    "RISK_LEVELS",
    "SUMMARY_COLUMNS",
    "aggregate_exit_code",
    "changed_paths",
    "exit_code",
    "load_plans",
    "max_risk",
    "normalize_actions",
    "plan_errors",
    "risk_category",
    "risk_of",
    "summary",
]

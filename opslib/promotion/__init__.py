"""Environment promotion: which module version each environment runs, how far production lags, when each
version reached each environment, and the exact edit that promotes one environment's refs to the next.

- :func:`refs` — one row per unit: component, environment, ref, ref kind, version.
- :func:`lag` — per component and target unit: versions behind and a status.
- :func:`timeline` / :func:`lead_times` — from the activity history: when versions reached environments.
- :func:`plan_promotion` / :func:`apply_promotion` — a unified diff that changes only refs, and writing it.
"""

from __future__ import annotations

from opslib.promotion.edit import Edit, PromotionPlan, apply_promotion, plan_promotion
from opslib.promotion.lag import LAG_COLUMNS, lag, match_environment, pipeline
from opslib.promotion.refs import REF_COLUMNS, SemVer, classify_ref, parse_source, parse_version, refs
from opslib.promotion.report import CheckResult, PromotionReport, build_report, check
from opslib.promotion.timeline import LEAD_COLUMNS, TIMELINE_COLUMNS, lead_times, timeline

__all__ = [
    "LAG_COLUMNS",
    "LEAD_COLUMNS",
    "REF_COLUMNS",
    "TIMELINE_COLUMNS",
    "CheckResult",
    "Edit",
    "PromotionPlan",
    "PromotionReport",
    "SemVer",
    "apply_promotion",
    "build_report",
    "check",
    "classify_ref",
    "lag",
    "lead_times",
    "match_environment",
    "parse_source",
    "parse_version",
    "pipeline",
    "plan_promotion",
    "refs",
    "timeline",
]

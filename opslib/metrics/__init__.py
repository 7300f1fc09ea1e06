"""Failure analysis: failure rates, recovery, repeat failures, streaks, DORA measures and run reports.

Every function takes a history frame (``opslib.load_history``) or a run-report frame
(``opslib.load_run_report``) and returns a DataFrame whose columns its docstring lists. The history
measures also take ``prepare(history)``: the log read once, so a report computing many measures on
one log does not read it again for each.
"""

from __future__ import annotations

from opslib.metrics._common import failure_mask, wilson_interval
from opslib.metrics._events import Events, prepare
from opslib.metrics.dora import deployments, dora
from opslib.metrics.rates import failure_rates
from opslib.metrics.recovery import recoveries, recovery_stats, repeat_failures, streaks, unresolved
from opslib.metrics.report import (
    UserQuery,
    area_values,
    headline_text,
    load_run_reports,
    open_incidents,
    rate_matrix,
    select_events,
    user_queries,
)
from opslib.metrics.terragrunt_runs import (
    OPSLIB_TRANSIENT_ERRORS,
    TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS,
    classify_error,
    root_causes,
    run_failures,
    transient_patterns,
)

__all__ = [
    "OPSLIB_TRANSIENT_ERRORS",
    "TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS",
    "Events",
    "UserQuery",
    "area_values",
    "classify_error",
    "deployments",
    "dora",
    "failure_mask",
    "failure_rates",
    "headline_text",
    "load_run_reports",
    "open_incidents",
    "prepare",
    "rate_matrix",
    "recoveries",
    "recovery_stats",
    "repeat_failures",
    "root_causes",
    "run_failures",
    "select_events",
    "streaks",
    "transient_patterns",
    "unresolved",
    "user_queries",
    "wilson_interval",
]

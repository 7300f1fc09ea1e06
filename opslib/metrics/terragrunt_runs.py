"""Failures in Terragrunt run reports: which units failed, which only exited early because an ancestor
failed (attributed to the root failing unit), and whether each failure looks transient or persistent.

Transient means the error text matches a pattern Terragrunt retries by default
(:data:`TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS`) or one of the few state-lock and AWS throttling patterns
opslib adds (:data:`OPSLIB_TRANSIENT_ERRORS`), or the report says the run only succeeded on a retry.
Everything else is persistent: running it again without a change will fail again.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = [
    "OPSLIB_TRANSIENT_ERRORS",
    "RUN_FAILURE_COLUMNS",
    "TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS",
    "TERRAGRUNT_SOURCE",
    "classify_error",
    "root_causes",
    "run_failures",
    "transient_patterns",
]

TERRAGRUNT_SOURCE = (
    "gruntwork-io/terragrunt internal/retry/defaults.go, DefaultRetryableErrors (earlier releases: "
    "options.DEFAULT_RETRYABLE_ERRORS in options/auto_retry_options.go; the list "
    "get_default_retryable_errors() returns and the retryable_errors reference page documents)"
)

#: Terragrunt's default retryable errors, verbatim (Go RE2 syntax that Python's ``re`` reads the same
#: way). Source: :data:`TERRAGRUNT_SOURCE`.
TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS: tuple[str, ...] = (
    r"(?s).*Failed to load state.*tcp.*timeout.*",
    r"(?s).*Failed to load backend.*TLS handshake timeout.*",
    r"(?s).*Creating metric alarm failed.*request to update this alarm is in progress.*",
    r"(?s).*Error installing provider.*TLS handshake timeout.*",
    r"(?s).*Error configuring the backend.*TLS handshake timeout.*",
    r"(?s).*Error installing provider.*tcp.*timeout.*",
    r"(?s).*Error installing provider.*tcp.*connection reset by peer.*",
    r"NoSuchBucket: The specified bucket does not exist",
    r"(?s).*Error creating SSM parameter: TooManyUpdates:.*",
    r"(?s).*app.terraform.io.*: 429 Too Many Requests.*",
    r"(?s).*ssh_exchange_identification.*Connection closed by remote host.*",
    r"(?s).*Client\.Timeout exceeded while awaiting headers.*",
    r"(?s).*Could not download module.*The requested URL returned error: 429.*",
    r"(?s).*net/http: TLS.*handshake timeout.*",
    r"(?s).*could not query provider registry.*context deadline exceeded.*",
    r"(?s).*provider.*TLS handshake timeout.*",
    r"(?s).*provider.*tcp.*timeout.*",
    r"(?s).*provider.*tcp.*connection reset by peer.*",
    r"(?s).*provider.*context deadline exceeded.*",
    r"(?s).*registry.*context deadline exceeded.*",
    r"(?s).*Failed to resolve provider.*timeout.*",
    r"(?s).*Failed to resolve provider.*connection reset by peer.*",
    r"(?s).*Failed to resolve provider.*context deadline exceeded.*",
    r"(?s).*could not connect to registry.*timeout.*",
    r"(?s).*could not connect to registry.*connection reset by peer.*",
    r"(?s).*could not connect to registry.*context deadline exceeded.*",
    r"(?s).*failed to request discovery document.*context deadline exceeded.*",
    r"(?s).*Failed to query available provider packages.*timeout.*",
    r"(?s).*Failed to query available provider packages.*connection reset by peer.*",
    r"(?s).*Failed to query available provider packages.*context deadline exceeded.*",
)

#: Patterns opslib also treats as transient, with where each comes from. Terragrunt does not retry
#: these by default, but they clear up on their own: another run holding the state lock (Terraform's
#: "Error acquiring the state lock", raised by the S3/DynamoDB backend while the lock is held) and AWS
#: API throttling (the codes aws-sdk-go-v2 ``aws/retry`` lists in ``DefaultThrottleErrorCodes``, minus
#: ``LimitExceededException``, which is as often a hard service quota as a rate limit).
OPSLIB_TRANSIENT_ERRORS: tuple[tuple[str, str], ...] = (
    (r"(?s).*Error acquiring the state lock.*", "Terraform state locking (backend lock held)"),
    (
        r"(?s).*\b(Throttling|ThrottlingException|ThrottledException|RequestThrottledException|"
        r"TooManyRequestsException|ProvisionedThroughputExceededException|TransactionInProgressException|"
        r"RequestLimitExceeded|BandwidthLimitExceeded|RequestThrottled|SlowDown|PriorRequestNotComplete|"
        r"EC2ThrottledException)\b.*",
        "aws/aws-sdk-go-v2 aws/retry DefaultThrottleErrorCodes",
    ),
    (r"(?s).*Rate exceeded.*", "AWS API throttling message"),
)

RETRY_SUCCEEDED_SOURCE: str | None = "run report: retry succeeded"

_COMPILED: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    [(re.compile(p), p, TERRAGRUNT_SOURCE) for p in TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS]
    + [(re.compile(p), p, src) for p, src in OPSLIB_TRANSIENT_ERRORS]
)

RUN_FAILURE_COLUMNS = [
    "unit",
    "result",
    "reason",
    "cause",
    "started",
    "ended",
    "duration_s",
    "root_unit",
    "depth",
    "failure_class",
    "matched_pattern",
    "pattern_source",
]
_FAILED_RESULTS = {"failed", "early exit"}
# runs that succeeded in the end but hit an error on the way
_SOFT_FAILURE_REASONS = {"retry succeeded", "error ignored"}


def transient_patterns() -> pd.DataFrame:
    """Every pattern that makes a failure transient, with where it comes from: ``pattern``,
    ``source``, ``origin`` (``terragrunt default`` | ``opslib``)."""
    rows = [
        {"pattern": p, "source": TERRAGRUNT_SOURCE, "origin": "terragrunt default"}
        for p in TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS
    ]
    rows += [{"pattern": p, "source": src, "origin": "opslib"} for p, src in OPSLIB_TRANSIENT_ERRORS]
    return pd.DataFrame(rows, columns=["pattern", "source", "origin"])


def classify_error(text: Any) -> tuple[str, str | None, str | None]:
    """``("transient", pattern, source)`` when ``text`` matches a retryable pattern, else
    ``("persistent", None, None)``. Matching is a search anywhere in the text, as Go's
    ``regexp.MatchString`` does."""
    if isinstance(text, str) and text:
        for regex, pattern, source in _COMPILED:
            if regex.search(text):
                return "transient", pattern, source
    return "persistent", None, None


def run_failures(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per unit run that did not simply succeed, attributed to the unit whose error caused it.

    Rows: ``result`` ``failed`` or ``early exit``, and runs that succeeded only after a retry
    (``reason == "retry succeeded"``) or whose error was ignored (``"error ignored"``). A unit that exited
    early because of an ``ancestor error`` names that ancestor in ``cause``; the chain is followed (an
    ancestor may itself have exited early) to the *root* unit that really failed.

    Columns: ``unit``, ``result``, ``reason``, ``cause``, ``started``, ``ended``, ``duration_s`` (as the
    run report gave them), ``root_unit`` (the unit itself for a direct failure), ``depth`` (0 for the
    root, 1 for its direct dependents, ...), ``failure_class`` (``transient`` | ``persistent``: a retry
    that succeeded is transient; otherwise the root's error text is matched against
    :data:`TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS` and :data:`OPSLIB_TRANSIENT_ERRORS`; units that exited
    early share their root's class), ``matched_pattern``, ``pattern_source``, plus ``source_file`` when
    the input has it (chains are followed within one report file).
    """
    frame = _normalise_runs(runs)
    extra = ["source_file"] if "source_file" in frame.columns else []
    columns = [*RUN_FAILURE_COLUMNS, *extra]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    failing = frame["result"].isin(_FAILED_RESULTS) | frame["reason"].isin(_SOFT_FAILURE_REASONS)
    rows: list[dict[str, Any]] = []
    groups = frame.groupby("source_file", sort=False) if extra else [(None, frame)]
    for _, report in groups:
        lookup = _unit_lookup(report)
        for pos in range(len(report)):
            if not failing.loc[report.index[pos]]:
                continue
            rows.append(_failure_row(report, pos, lookup, extra))
    return pd.DataFrame(rows, columns=columns)


def _normalise_runs(runs: pd.DataFrame) -> pd.DataFrame:
    frame = runs.copy()
    # accept the raw report's capitalised names too (Name, Result, Reason, Cause...)
    frame = frame.rename(
        columns={
            c: c.lower()
            for c in frame.columns
            if c in ("Name", "Started", "Ended", "Result", "Reason", "Cause", "Ref", "Cmd", "Args")
        }
    )
    if "unit" not in frame.columns and "name" in frame.columns:
        frame = frame.rename(columns={"name": "unit"})
    for col in ("unit", "result", "reason", "cause"):
        if col not in frame.columns:
            frame[col] = ""
        frame[col] = [
            "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in frame[col]
        ]
    for col in ("result", "reason"):
        frame[col] = pd.Series([v.strip().lower() for v in frame[col]], index=frame.index, dtype=object)
    for col in ("started", "ended"):
        if col not in frame.columns:
            frame[col] = pd.NaT
    if "duration_s" not in frame.columns:
        started = pd.to_datetime(frame["started"], utc=True, errors="coerce")
        ended = pd.to_datetime(frame["ended"], utc=True, errors="coerce")
        frame["duration_s"] = (ended - started).dt.total_seconds()
    return frame


def _unit_lookup(report: pd.DataFrame) -> dict[str, int]:
    """Unit name -> position; also by trailing path so an absolute ``cause`` finds a relative unit."""
    lookup: dict[str, int] = {}
    for pos, unit in enumerate(report["unit"]):
        name = unit.strip().rstrip("/")
        lookup.setdefault(name, pos)
        lookup.setdefault(name.removeprefix("./"), pos)
    return lookup


def _find(lookup: dict[str, int], name: str) -> int | None:
    name = name.strip().rstrip("/").removeprefix("./")
    if not name:
        return None
    if name in lookup:
        return lookup[name]
    # a path-suffix match: "/abs/live/prod/vpc" names unit "prod/vpc" (longest unit wins)
    best: tuple[int, int] | None = None
    for unit, pos in lookup.items():
        if (
            unit
            and (name.endswith("/" + unit) or unit.endswith("/" + name))
            and (best is None or len(unit) > best[0])
        ):
            best = (len(unit), pos)
    return None if best is None else best[1]


def _failure_row(report: pd.DataFrame, pos: int, lookup: dict[str, int], extra: list[str]) -> dict[str, Any]:
    row = report.iloc[pos]
    root, depth, seen = pos, 0, {pos}
    reasons, causes = list(report["reason"]), [str(c) for c in report["cause"]]
    while reasons[root] == "ancestor error":
        parent = _find(lookup, causes[root])
        if parent is None or parent in seen:
            break
        seen.add(parent)
        root, depth = parent, depth + 1
    root_row = report.iloc[root]
    if root_row["reason"] == "retry succeeded":
        klass, pattern, source = "transient", None, RETRY_SUCCEEDED_SOURCE
    elif root_row["reason"] == "ancestor error":
        # the chain ends outside this report: the ancestor's error is unknown
        klass, pattern, source = classify_error(None)
    else:
        klass, pattern, source = classify_error(root_row["cause"])
    root_unit = root_row["unit"]
    if root_row["reason"] == "ancestor error" and root_row["cause"]:
        # the chain leaves this report: attribute to the last ancestor the report names
        root_unit, depth = root_row["cause"], depth + 1
    out = {
        "unit": row["unit"],
        "result": row["result"],
        "reason": row["reason"],
        "cause": row["cause"],
        "started": row["started"],
        "ended": row["ended"],
        "duration_s": row["duration_s"],
        "root_unit": root_unit,
        "depth": depth,
        "failure_class": klass,
        "matched_pattern": pattern,
        "pattern_source": source,
    }
    for col in extra:
        out[col] = row[col]
    return out


def root_causes(runs: pd.DataFrame) -> pd.DataFrame:
    """Failures grouped by root unit: what failed, and how many units it held back.

    Columns: ``root_unit``, ``failure_class``, ``cause`` (the root's own error text), ``failed`` (rows
    attributed to it), ``blocked`` (units that exited early because of it) and ``blocked_units`` (list),
    worst first.
    """
    failures = run_failures(runs)
    columns = ["root_unit", "failure_class", "cause", "failed", "blocked", "blocked_units"]
    if failures.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    rows = []
    for root, group in failures.groupby("root_unit", sort=True):
        own = group[group["depth"] == 0]
        blocked = group[group["depth"] > 0]
        rows.append(
            {
                "root_unit": root,
                "failure_class": group["failure_class"].iloc[0],
                "cause": own["cause"].iloc[0] if not own.empty else "",
                "failed": len(group),
                "blocked": len(blocked),
                "blocked_units": sorted(blocked["unit"]),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(
        ["blocked", "failed", "root_unit"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)

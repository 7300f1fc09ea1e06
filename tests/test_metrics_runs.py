"""Failures in Terragrunt run reports: root attribution of ancestor errors, transient vs persistent."""

from __future__ import annotations

import pandas as pd
import pytest

from opslib.metrics import (
    OPSLIB_TRANSIENT_ERRORS,
    TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS,
    classify_error,
    root_causes,
    run_failures,
)

T0 = "2026-11-20T10:00:00Z"


def run(unit, result, reason="", cause=""):
    return {
        "unit": unit,
        "started": pd.Timestamp(T0),
        "ended": pd.Timestamp(T0),
        "duration_s": 1.0,
        "result": result,
        "reason": reason,
        "cause": cause,
        "ref": "",
        "cmd": "apply",
        "args": [],
    }


@pytest.fixture
def runs():
    return pd.DataFrame(
        [
            run(
                "prod/vpc",
                "failed",
                "run error",
                "Error: Failed to load state: Get https://s3.amazonaws.com: "
                "dial tcp 52.0.0.1:443: i/o timeout",
            ),
            run("prod/eks", "early exit", "ancestor error", "prod/vpc"),
            run("prod/app", "early exit", "ancestor error", "/home/ci/live/prod/eks"),  # absolute path
            run("prod/rds", "failed", "run error", "Error: creating RDS DB Instance: InvalidParameterValue"),
            run("prod/s3", "succeeded", "retry succeeded", "transient_errors"),
            run("prod/iam", "succeeded"),
            run("prod/legacy", "excluded", "exclude block", "legacy"),
            run("prod/dns", "failed", "run error", "Error: Error acquiring the state lock\nLock Info: ..."),
            run(
                "prod/sg",
                "failed",
                "run error",
                "operation error EC2: AuthorizeSecurityGroupIngress, api error RequestLimitExceeded",
            ),
        ]
    )


def test_failed_units_and_root_attribution(runs):
    out = run_failures(runs).set_index("unit")
    assert sorted(out.index) == [
        "prod/app",
        "prod/dns",
        "prod/eks",
        "prod/rds",
        "prod/s3",
        "prod/sg",
        "prod/vpc",
    ]
    assert out.loc["prod/vpc", ["root_unit", "depth"]].tolist() == ["prod/vpc", 0]
    assert out.loc["prod/eks", ["root_unit", "depth"]].tolist() == ["prod/vpc", 1]
    # prod/app names prod/eks by absolute path, which exited because of prod/vpc
    assert out.loc["prod/app", ["root_unit", "depth"]].tolist() == ["prod/vpc", 2]


def test_transient_and_persistent(runs):
    out = run_failures(runs).set_index("unit")
    # "Failed to load state ... tcp ... timeout" is Terragrunt's first default retryable error
    assert out.loc["prod/vpc", "failure_class"] == "transient"
    assert out.loc["prod/vpc", "matched_pattern"] == TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS[0]
    assert "gruntwork-io/terragrunt" in out.loc["prod/vpc", "pattern_source"]
    # dependents share their root's class
    assert out.loc["prod/app", "failure_class"] == "transient"
    assert out.loc["prod/rds", "failure_class"] == "persistent"
    assert pd.isna(out.loc["prod/rds", "matched_pattern"])
    assert out.loc["prod/s3", "failure_class"] == "transient"  # succeeded on retry
    assert out.loc["prod/dns", "matched_pattern"] == OPSLIB_TRANSIENT_ERRORS[0][0]
    assert "aws-sdk-go-v2" in out.loc["prod/sg", "pattern_source"]


def test_root_causes(runs):
    roots = root_causes(runs)
    first = roots.iloc[0]
    assert (first["root_unit"], first["blocked"], first["failed"]) == ("prod/vpc", 2, 3)
    assert first["blocked_units"] == ["prod/app", "prod/eks"]
    assert set(roots["root_unit"]) == {"prod/vpc", "prod/rds", "prod/s3", "prod/dns", "prod/sg"}


def test_ancestor_outside_the_report():
    out = run_failures(pd.DataFrame([run("prod/app", "early exit", "ancestor error", "prod/gone")]))
    assert out[["root_unit", "depth", "failure_class"]].values.tolist() == [["prod/gone", 1, "persistent"]]


def test_raw_report_column_names_and_empty_report():
    raw = pd.DataFrame(
        [
            {
                "Name": "a",
                "Started": T0,
                "Ended": T0,
                "Result": "failed",
                "Reason": "run error",
                "Cause": "Client.Timeout exceeded while awaiting headers",
            }
        ]
    )
    out = run_failures(raw)
    assert out["failure_class"].tolist() == ["transient"]
    assert out["duration_s"].tolist() == [0.0]
    assert run_failures(pd.DataFrame(columns=["unit", "result"])).empty
    assert root_causes(pd.DataFrame(columns=["unit", "result"])).empty


def test_every_default_pattern_compiles_and_classifies():
    samples = {
        TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS[1]: "Failed to load backend: net/http: TLS handshake timeout",
        TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS[7]: "NoSuchBucket: The specified bucket does not exist",
    }
    for pattern, text in samples.items():
        assert classify_error(text)[1] == pattern
    assert classify_error("Error: Invalid reference")[0] == "persistent"
    assert classify_error(None) == ("persistent", None, None)
    assert len(TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS) == 30


def test_reports_are_kept_apart():
    rows = [
        dict(run("vpc", "failed", "run error", "boom"), source_file="a.json"),
        dict(run("eks", "early exit", "ancestor error", "vpc"), source_file="a.json"),
        dict(run("vpc", "succeeded"), source_file="b.json"),
        dict(run("eks", "early exit", "ancestor error", "vpc"), source_file="b.json"),
    ]
    out = run_failures(pd.DataFrame(rows))
    # in b.json vpc succeeded, so eks's ancestor is the vpc row of b.json: the chain stops there
    assert out[["source_file", "unit", "root_unit", "depth"]].values.tolist() == [
        ["a.json", "vpc", "vpc", 0],
        ["a.json", "eks", "vpc", 1],
        ["b.json", "eks", "vpc", 1],
    ]


def test_transient_patterns_name_their_source():
    from opslib.metrics import transient_patterns

    table = transient_patterns()
    assert len(table) == len(TERRAGRUNT_DEFAULT_RETRYABLE_ERRORS) + len(OPSLIB_TRANSIENT_ERRORS)
    assert set(table["origin"]) == {"terragrunt default", "opslib"}
    assert table["source"].str.len().gt(10).all()


def test_a_cause_that_is_not_text_is_persistent():
    # a report cell read by pandas: NaN for a blank cause, a number for a bare exit code
    assert classify_error(float("nan")) == ("persistent", None, None)
    assert classify_error(503) == ("persistent", None, None)


def test_report_where_nothing_failed_still_has_the_failure_columns():
    from opslib.metrics.terragrunt_runs import RUN_FAILURE_COLUMNS

    out = run_failures(pd.DataFrame([run("prod/vpc", "succeeded"), run("prod/eks", "excluded")]))
    assert out.empty
    assert list(out.columns) == RUN_FAILURE_COLUMNS


def test_report_read_with_its_own_column_names_keeps_the_unit():
    raw = {"Name": "prod/vpc", "Result": "failed", "Reason": "run error", "Cause": "Error: boom"}
    assert run_failures(pd.DataFrame([raw]))["unit"].tolist() == ["prod/vpc"]
    # a CSV report read as is has lower-case headers: "name" is the unit
    lower = {k.lower(): v for k, v in raw.items()}
    assert run_failures(pd.DataFrame([lower]))["unit"].tolist() == ["prod/vpc"]
    # a frame that has both keeps "unit" and leaves "name" alone
    both = dict(run("prod/vpc", "failed", "run error", "Error: boom"), name="VPC (prod)")
    out = run_failures(pd.DataFrame([both, dict(both, unit="prod/eks", name="EKS (prod)")]))
    assert out["unit"].tolist() == ["prod/vpc", "prod/eks"]


def test_blank_cells_read_as_empty_text():
    rows = [
        # no result written, but the reason says it only passed on a retry
        {"unit": "prod/vpc", "result": None, "reason": "Retry Succeeded", "cause": None},
        {"unit": None, "result": "FAILED", "reason": "run error", "cause": "Rate exceeded"},
    ]
    out = run_failures(pd.DataFrame(rows))
    assert out[["unit", "result", "reason", "failure_class"]].values.tolist() == [
        ["prod/vpc", "", "retry succeeded", "transient"],
        ["", "failed", "run error", "transient"],
    ]


def test_a_filtered_report_keeps_its_rows(runs):
    # the rows' labels no longer run 0..n-1 once a row is filtered out
    kept = runs[runs["unit"] != "prod/iam"]
    out = run_failures(kept).set_index("unit")
    assert sorted(out.index) == [
        "prod/app",
        "prod/dns",
        "prod/eks",
        "prod/rds",
        "prod/s3",
        "prod/sg",
        "prod/vpc",
    ]
    assert out.loc["prod/sg", ["result", "reason"]].tolist() == ["failed", "run error"]


def test_units_named_with_a_leading_dot_slash():
    report = pd.DataFrame(
        [
            run("./vpc", "failed", "run error", "Error: Rate exceeded"),
            run("prod/vpc", "failed", "run error", "Error: InvalidParameterValue"),
            run("./app", "early exit", "ancestor error", "vpc"),
        ]
    )
    out = run_failures(report).set_index("unit")
    # "vpc" is the "./vpc" of this report, not the longer "prod/vpc"
    assert out.loc["./app", ["root_unit", "depth", "failure_class"]].tolist() == ["./vpc", 1, "transient"]


def test_ancestor_named_with_a_trailing_slash_or_capitals():
    report = pd.DataFrame(
        [
            run("dns/MX", "failed", "run error", "Error: Error acquiring the state lock"),
            run("mail", "early exit", "ancestor error", "dns/MX/"),
        ]
    )
    out = run_failures(report).set_index("unit")
    assert out.loc["mail", ["root_unit", "depth", "failure_class"]].tolist() == ["dns/MX", 1, "transient"]
    assert out.loc["mail", "matched_pattern"] == OPSLIB_TRANSIENT_ERRORS[0][0]


def test_failure_rows_keep_the_run_times():
    started, ended = pd.Timestamp("2026-11-20T10:00:00Z"), pd.Timestamp("2026-11-20T10:01:30Z")
    row = dict(run("prod/vpc", "failed", "run error", "boom"), started=started, ended=ended, duration_s=90.0)
    out = run_failures(pd.DataFrame([row]))
    assert out[["started", "ended", "duration_s"]].values.tolist() == [[started, ended, 90.0]]


def test_root_cause_rows_carry_the_roots_own_error(runs):
    roots = root_causes(runs).set_index("root_unit")
    assert roots.loc["prod/rds", "cause"] == "Error: creating RDS DB Instance: InvalidParameterValue"
    assert roots.loc["prod/vpc", "cause"].startswith("Error: Failed to load state")
    # a root outside the report has no error text of its own here
    gone = root_causes(pd.DataFrame([run("prod/app", "early exit", "ancestor error", "prod/gone")]))
    assert gone[["root_unit", "cause", "failed", "blocked"]].values.tolist() == [["prod/gone", "", 1, 1]]

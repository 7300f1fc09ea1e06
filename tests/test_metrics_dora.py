"""DORA measures on small hand-made logs; each figure and tier is worked out by hand next to the events."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from _metrics_logs import ev, frame

from opslib.errors import ParameterError
from opslib.metrics import dora
from opslib.metrics.dora import (
    change_failure_tier,
    deployment_frequency_bucket,
    deployments,
    hours_bucket,
    lead_time_tier,
    restore_tier,
)

APP = "live/app/terragrunt.hcl"
DB = "live/db/main.tf"
NOW = "2026-03-15T12:00:00Z"


@pytest.fixture
def log():
    # 2026-03-01 is a Sunday; the period is the 14 days before NOW (from 2026-03-01 12:00)
    return frame(
        ev("c1", "2026-03-02 09:00", "dev", "implementation", "completed", [APP]),
        ev("d1", "2026-03-02 15:00", "ops", "deployment", "completed", [APP]),
        ev("i1", "2026-03-02 20:00", "ops", "incident", "completed", [APP], tags=["incident"]),
        ev("r1", "2026-03-02 22:00", "ops", "resolution", "completed", [APP], tags=["incident"]),
        ev("c2", "2026-03-09 10:00", "dev", "configuration", "completed", [DB]),
        ev("d2", "2026-03-09 12:00", "ops", "deployment", "failed", [DB]),
        ev("d3", "2026-03-10 12:00", "ops", "deployment", "completed", [DB, APP]),
        ev("old", "2026-02-01 12:00", "ops", "deployment", "completed", [APP]),  # before the period
        ev("nots", None, "ops", "deployment", "failed", [APP]),  # no timestamp: ignored
    )


def measures(table):
    return table.set_index("measure")


def test_dora_figures_and_tiers(log):
    table = measures(dora(log, now=NOW, period="14D", window="24h"))
    assert list(table.index) == [
        "deployment_frequency",
        "lead_time",
        "change_failure_rate",
        "time_to_restore",
    ]

    # deployment frequency: d1 and d3 completed in the period (d2 failed, "old" is before it).
    # The measured days run from the period's start (03-01, the log goes back further) to NOW (03-15):
    # 15 days, so 2 / 15 * 7 per week. Sunday weeks: 03-01..03-07 has one deploy day (03-02),
    # 03-08..03-14 one (03-10), 03-15 none: median days/week 1 (< 3, not Daily), median deployed-weeks
    # 1 -> Weekly.
    df = table.loc["deployment_frequency"]
    assert df["value"] == pytest.approx(2 / 15 * 7)
    assert (df["bucket"], df["tier"], df["n"]) == ("Weekly", "high", 2)
    assert df["unit"] == "deployments/week"

    # lead time: c1 -> d1 = 6 h; c2 -> d3 = 26 h (d2 failed, so it shipped nothing);
    # r1 (a completed change to APP) -> d3 = 03-02 22:00 .. 03-10 12:00 = 182 h. Median 26 h.
    lt = table.loc["lead_time"]
    assert lt["value"] == pytest.approx(26.0)
    assert (lt["bucket"], lt["tier"], lt["n"]) == ("One week", "high", 3)

    # change failure rate: 3 deployments in the period (d1, d2, d3); d2 failed; d1 is followed 5 h later
    # by incident i1 on the same file (within 24 h); d3 by nothing. (1 + 1) / 3.
    cfr = table.loc["change_failure_rate"]
    assert cfr["value"] == pytest.approx(2 / 3)
    assert (cfr["bucket"], cfr["tier"], cfr["n"]) == ("46-60%", "low", 3)

    # time to restore: i1 -> r1 = 2 h; d2 -> d3 (completed, same file) = 24 h. Median 13 h.
    ttr = table.loc["time_to_restore"]
    assert ttr["value"] == pytest.approx(13.0)
    assert (ttr["bucket"], ttr["tier"], ttr["n"]) == ("One day", "high", 2)

    assert table["period_start"].iloc[0] == pd.Timestamp("2026-03-01 12:00", tz="UTC")
    assert table["period_end"].iloc[0] == pd.Timestamp(NOW)
    assert table["source"].str.contains("State of DevOps").all()
    assert table["thresholds"].str.len().gt(20).all()


def test_window_decides_which_deployments_caused_failures(log):
    # with a 4 h window, i1 (5 h after d1) no longer counts against d1: 1 / 3
    cfr = measures(dora(log, now=NOW, period="14D", window="4h")).loc["change_failure_rate"]
    assert cfr["value"] == pytest.approx(1 / 3)
    assert (cfr["bucket"], cfr["tier"]) == ("16-45%", "medium")


def test_rollback_tag_counts_against_a_deployment():
    log = frame(
        ev("d", "2026-01-01 10:00", "ops", "deployment", "completed", [APP]),
        ev("rb", "2026-01-01 11:00", "ops", "configuration", "completed", [APP], tags=["rollback"]),
        ev("d2", "2026-01-02 10:00", "ops", "deployment", "completed", [DB]),
        ev("d3", "2026-01-03 10:00", "ops", "deployment", "completed", [DB]),
        ev("d4", "2026-01-04 10:00", "ops", "deployment", "completed", [DB]),
    )
    cfr = measures(dora(log, period="30D")).loc["change_failure_rate"]
    # 1 of 4 deployments followed by a rollback: 0.25 -> "16-45%", high (<= 30 %)
    assert cfr["value"] == pytest.approx(0.25)
    assert (cfr["bucket"], cfr["tier"]) == ("16-45%", "high")


def test_log_without_deployments():
    log = frame(
        ev("f", "2026-01-01 10:00", "dev", "implementation", "failed", [APP]),
        ev("ok", "2026-01-01 10:30", "dev", "implementation", "completed", [APP]),
    )
    table = measures(dora(log))
    df = table.loc["deployment_frequency"]
    assert (df["value"], df["bucket"], df["tier"], df["n"]) == (0.0, "Yearly", "low", 0)
    for name in ("lead_time", "change_failure_rate"):
        assert math.isnan(table.loc[name, "value"])
        assert table.loc[name, "tier"] == "n/a"
    # f -> ok: 30 minutes, an elite time to restore
    ttr = table.loc["time_to_restore"]
    assert ttr["value"] == pytest.approx(0.5)
    assert (ttr["bucket"], ttr["tier"]) == ("One day", "elite")


def test_empty_log():
    table = measures(dora(pd.DataFrame(columns=["id", "timestamp", "action_type", "status"])))
    assert table["tier"].tolist() == ["n/a"] * 4
    assert table["value"].isna().all()
    assert table["n"].tolist() == [0, 0, 0, 0]


def test_only_missing_timestamps():
    log = frame(ev("x", None, "ops", "deployment", "completed", [APP]))
    assert measures(dora(log))["tier"].tolist() == ["n/a"] * 4


def test_nothing_after_now_counts(log):
    # as of 03-09 13:00: d2 failed at 12:00 and its recovery d3 (03-10) has not happened yet
    table = measures(dora(log, now="2026-03-09T13:00:00Z", period="14D"))
    assert table.loc["time_to_restore", "value"] == pytest.approx(2.0)  # only i1 -> r1
    assert table.loc["time_to_restore", "tier"] == "high"
    # deployments d1 (completed, followed by i1) and d2 (failed): 2 / 2
    assert table.loc["change_failure_rate", "value"] == pytest.approx(1.0)


def test_daily_bucket_needs_three_deploy_days_in_most_weeks():
    # Sunday 2026-03-01 .. Saturday 03-14: two full weeks
    days = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-09", "2026-03-10", "2026-03-11"]
    assert deployment_frequency_bucket(days, "2026-03-01", "2026-03-14") == "Daily"
    assert deployment_frequency_bucket(days[:5], "2026-03-01", "2026-03-14") == "Weekly"  # 3 and 2 days
    # one deploy in a month-long span: weeks without one outnumber those with one, but the month has 1
    assert deployment_frequency_bucket(["2026-03-02"], "2026-03-01", "2026-03-28") == "Monthly"
    assert deployment_frequency_bucket([], "2026-03-01", "2026-03-28") == "Yearly"


def test_tier_boundaries():
    assert [restore_tier(h) for h in (0.5, 1.0, 23.9, 24.0, 167.0, 168.0)] == [
        "elite",
        "high",
        "high",
        "medium",
        "medium",
        "low",
    ]
    assert [lead_time_tier(h) for h in (23.0, 24.0, 167.0, 168.0, 729.0, 730.0)] == [
        "elite",
        "high",
        "high",
        "medium",
        "medium",
        "low",
    ]
    assert [change_failure_tier(r) for r in (0.15, 0.16, 0.30, 0.45, 0.46)] == [
        ("0-15%", "elite"),
        ("16-45%", "high"),
        ("16-45%", "high"),
        ("16-45%", "medium"),
        ("46-60%", "low"),
    ]
    assert [hours_bucket(h) for h in (1, 24, 168, 730, 4380)] == [
        "One day",
        "One week",
        "One month",
        "Six months",
        "One year",
    ]
    assert restore_tier(float("nan")) == "n/a"


def test_bad_parameters(log):
    with pytest.raises(ParameterError):
        dora(log, period="a while")
    with pytest.raises(ParameterError):
        dora(log, now="not a date")


def test_deployments_per_week(log):
    weekly = deployments(log, "week")
    # weeks start on Monday: 02-01 ("old") is in the week of 01-26; d1 in 03-02; d2, d3 in 03-09;
    # the weeks between have no deployment and are listed with zeros
    assert weekly["period"].iloc[0] == pd.Timestamp("2026-01-26", tz="UTC")
    assert weekly["period"].iloc[-1] == pd.Timestamp("2026-03-09", tz="UTC")
    assert len(weekly) == 7
    last = weekly.iloc[-1]
    assert (last["deployments"], last["completed"], last["failed"]) == (2, 1, 1)
    assert weekly["deployments"].sum() == 4  # "nots" has no timestamp
    assert deployments(frame(ev("x", "2026-01-01", "a", "review", "completed"))).empty


def test_whole_log_period_includes_the_first_event():
    log = frame(
        ev("d1", "2026-01-05 10:00", "ops", "deployment", "completed", [APP]),
        ev("d2", "2026-01-06 10:00", "ops", "deployment", "failed", [APP]),
    )
    cfr = measures(dora(log, period=None)).loc["change_failure_rate"]
    # both deployments count (d1 is the first event); d2 failed and is also the failure that follows
    # d1 on the same file within 24 h: (1 failed + 1 followed) / 2
    assert (cfr["n"], cfr["value"]) == (2, 1.0)
    assert measures(dora(log, period=None))["period_start"].iloc[0] == pd.Timestamp(
        "2026-01-05 10:00", tz="UTC"
    )


def test_a_resolution_tagged_incident_is_not_a_change_failure():
    log = frame(
        ev("d", "2026-01-01 10:00", "ops", "deployment", "completed", [APP]),
        # the fix of an earlier incident, on the same unit an hour later: it closes a failure, it is not one
        ev("r", "2026-01-01 11:00", "ops", "resolution", "completed", [APP], tags=["incident"]),
    )
    cfr = measures(dora(log, period="30D")).loc["change_failure_rate"]
    # 0 of 1 deployments failed or was followed by a failure
    assert (cfr["n"], cfr["value"], cfr["bucket"], cfr["tier"]) == (1, 0.0, "0-15%", "elite")


def test_deployment_frequency_bucket_uses_no_deprecated_pandas_spelling():
    # pandas 3.1 deprecates Series.dt.weekday and the unit "d" (both go in pandas 4): the bucket must
    # keep working
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Sunday weeks 03-01..03-07 and 03-08..03-14 each have one deploy day: Weekly
        assert (
            deployment_frequency_bucket(["2026-03-02", "2026-03-10"], "2026-03-01", "2026-03-14") == "Weekly"
        )


def test_period_bounds_are_utc_nanosecond_timestamps(log):
    # one type whatever the log: UTC nanoseconds, also when the bounds are NaT (an empty log)
    for table in (dora(log, now=NOW, period="14D"), dora(frame())):
        assert str(table["period_start"].dtype) == "datetime64[ns, UTC]"
        assert str(table["period_end"].dtype) == "datetime64[ns, UTC]"


def test_window_as_a_number_of_hours(log):
    # window=4 is 4 hours: i1 (5 h after d1) no longer counts against d1, as with "4h": 1 / 3
    cfr = measures(dora(log, now=NOW, period="14D", window=4)).loc["change_failure_rate"]
    assert cfr["value"] == pytest.approx(1 / 3)

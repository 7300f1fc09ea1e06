"""Failure rates, recoveries, unresolved failures, repeat failures and streaks on small hand-made logs.

Every expected figure is worked out by hand in the test from the events listed next to it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _metrics_logs import ev, frame

from opslib.errors import ParameterError
from opslib.metrics import (
    failure_rates,
    recoveries,
    recovery_stats,
    repeat_failures,
    streaks,
    unresolved,
    wilson_interval,
)

VPC = "live/prod/vpc/terragrunt.hcl"
RDS = "live/prod/rds/main.tf"
Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


@pytest.fixture
def log():
    return frame(
        ev("e1", "2026-11-01 10:00", "alice", "implementation", "completed", [VPC], "vpc", tags=["infra"]),
        ev("e2", "2026-11-01 11:00", "alice", "deployment", "failed", [VPC], "vpc", tags=["deployment"]),
        ev("e3", "2026-11-01 13:00", "bob", "resolution", "completed", [VPC], "fix vpc", tags=["infra"]),
        ev("e4", "2026-11-01 14:00", "bob", "escalation", "completed", [], "eks upgrade", "operations"),
        ev("e5", "2026-11-01 20:00", "carol", "implementation", "completed", [], "EKS upgrade"),
        ev("e6", "2026-11-01 15:00", "alice", "deployment", "failed", [RDS], "rds", tags=["deployment"]),
        ev("e7", None, "alice", "deployment", "failed", ["other.txt"], "misc"),
    )


def wilson_by_hand(k, n, z=Z95):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# --- failure rates -------------------------------------------------------------------------------


def test_rates_by_agent(log):
    rates = failure_rates(log, by="agent").set_index("agent")
    # alice: e1 ok, e2 e6 e7 failed -> 3 of 4; bob: e3 ok, e4 escalation -> 1 of 2; carol: 0 of 1
    assert rates.loc["alice", ["events", "failures"]].tolist() == [4, 3]
    assert rates.loc["bob", ["events", "failures"]].tolist() == [2, 1]
    assert rates.loc["carol", ["events", "failures"]].tolist() == [1, 0]
    assert rates.loc["alice", "failure_rate"] == pytest.approx(0.75)
    low, high = wilson_by_hand(1, 2)
    assert rates.loc["bob", "ci_low"] == pytest.approx(low)
    assert rates.loc["bob", "ci_high"] == pytest.approx(high)
    assert rates.loc["bob", "ci_low"] == pytest.approx(0.0945, abs=1e-4)
    assert rates.loc["carol", "ci_low"] == 0.0
    assert list(rates.reset_index().columns) == [
        "agent",
        "events",
        "failures",
        "failure_rate",
        "ci_low",
        "ci_high",
    ]


def test_small_samples_get_wide_intervals():
    low2, high2 = wilson_interval([1], [2])
    low100, high100 = wilson_interval([50], [100])
    # same rate, very different certainty
    assert (high2 - low2)[0] > 0.8
    assert (high100 - low100)[0] < 0.2
    assert low100[0] == pytest.approx(wilson_by_hand(50, 100)[0])
    empty_low, empty_high = wilson_interval([0], [0])
    assert np.isnan(empty_low[0]) and np.isnan(empty_high[0])


def test_rates_by_tag_count_an_event_in_each_tag(log):
    rates = failure_rates(log, by="tag").set_index("tag")
    # deployment: e2 e6 (both failed); infra: e1 e3 (none); (none): e4 e5 e7 -> e4 e7 failed
    assert rates.loc["deployment", ["events", "failures"]].tolist() == [2, 2]
    assert rates.loc["infra", ["events", "failures"]].tolist() == [2, 0]
    assert rates.loc["(none)", ["events", "failures"]].tolist() == [3, 2]


def test_rates_by_action_type_and_category(log):
    by_action = failure_rates(log, by="action_type").set_index("action_type")
    assert by_action.loc["deployment", ["events", "failures"]].tolist() == [3, 3]
    assert by_action.loc["escalation", "failures"] == 1
    both = failure_rates(log, by=["agent", "category"])
    bob_ops = both[(both["agent"] == "bob") & (both["category"] == "operations")]
    assert bob_ops[["events", "failures"]].values.tolist() == [[1, 1]]
    assert failure_rates(log, by="area").columns[0] == "category"


def test_rates_by_unit_and_file(log):
    units = failure_rates(log, by="unit").set_index("unit")
    # the vpc unit: e1, e2, e3 (e2 failed); the rds unit: e6
    assert units.loc["prod/vpc", ["events", "failures"]].tolist() == [3, 1]
    assert units.loc["prod/rds", ["events", "failures"]].tolist() == [1, 1]
    files = failure_rates(log, by="file").set_index("file")
    assert files.loc["other.txt", ["events", "failures"]].tolist() == [1, 1]


def test_rates_by_a_numeric_column():
    # a column the log does not define, holding numbers: each number is a group, a blank one "(none)"
    log = frame(
        ev("a", "2026-11-01 10:00", "alice", "deployment", "failed"),
        ev("b", "2026-11-01 11:00", "alice", "deployment", "completed"),
        ev("c", "2026-11-01 12:00", "bob", "deployment", "failed"),
        ev("d", "2026-11-01 13:00", "bob", "deployment", "completed"),
    )
    log["attempt"] = [1, 2, 1, None]
    rates = failure_rates(log, by="attempt").set_index("attempt")
    # attempt 1: a, c both failed; attempt 2: b; no attempt: d
    assert rates.loc["1.0", ["events", "failures"]].tolist() == [2, 2]
    assert rates.loc["2.0", ["events", "failures"]].tolist() == [1, 0]
    assert rates.loc["(none)", ["events", "failures"]].tolist() == [1, 0]


def test_rates_by_a_list_column_group_whole_lists():
    # by="files_modified" (not "file"): an event's group is its whole list, as written, repeats kept
    log = frame(
        ev("a", "2026-11-01 10:00", "alice", "deployment", "failed", [VPC]),
        ev("b", "2026-11-01 11:00", "alice", "deployment", "completed", [VPC]),
        ev("c", "2026-11-01 12:00", "alice", "deployment", "failed", [VPC, RDS, VPC]),
        ev("d", "2026-11-01 13:00", "alice", "review", "completed", []),
    )
    rates = failure_rates(log, by="files_modified")
    assert rates[["files_modified", "events", "failures"]].values.tolist() == [
        [str([VPC, RDS, VPC]), 1, 1],
        [str([VPC]), 2, 1],
        ["[]", 1, 0],
    ]


def test_rates_by_timestamp_group_the_same_instant():
    # the same instant written with two offsets is one group, labelled in UTC
    log = frame(
        ev("a", "2026-11-01 10:00", "alice", "deployment", "failed"),
        ev("b", "2026-11-01 11:00", "alice", "deployment", "completed"),
    )
    log["timestamp"] = ["2026-11-01T10:00:00Z", "2026-11-01T12:00:00+02:00"]
    rates = failure_rates(log, by="timestamp")
    assert rates[["timestamp", "events", "failures"]].values.tolist() == [["2026-11-01 10:00:00+00:00", 2, 1]]


def test_rates_refuse_a_confidence_of_0_or_1():
    # a 100 % (or 0 %) interval has no finite z: the caller is told, not given [0, 1]
    log = frame(ev("a", "2026-11-01 10:00", "alice", "deployment", "failed"))
    for confidence in (0.0, 1.0):
        with pytest.raises(ParameterError, match="confidence"):
            failure_rates(log, confidence=confidence)


def test_files_that_only_look_like_unit_files_name_no_unit():
    from opslib.metrics._common import units_of

    files = ["live/prod/vpc/main.tfX", "live/prod/vpc/terragrunt.hclXX", "live/prod/rds/main.tf/"]
    assert units_of(files) == ["prod/rds"]
    log = frame(ev("a", "2026-11-01 10:00", "alice", "implementation", "failed", files[:2]))
    assert failure_rates(log, by="unit")["unit"].tolist() == ["(none)"]


def test_rates_per_period_skip_events_without_timestamp(log):
    daily = failure_rates(log, by=None, period="day")
    # e7 has no timestamp: 6 events on 2026-11-01, 3 failures (e2, e4, e6)
    assert daily["period"].tolist() == [pd.Timestamp("2026-11-01", tz="UTC")]
    assert daily[["events", "failures"]].values.tolist() == [[6, 3]]
    overall = failure_rates(log, by=None)
    assert overall[["events", "failures"]].values.tolist() == [[7, 4]]


def test_rates_per_week_start_on_monday():
    log = frame(
        ev("a", "2026-11-01 10:00", "x", "implementation", "failed"),  # a Sunday
        ev("b", "2026-11-02 10:00", "x", "implementation", "completed"),  # the next Monday
    )
    weekly = failure_rates(log, by="agent", period="week")
    assert weekly["period"].tolist() == [
        pd.Timestamp("2026-10-26", tz="UTC"),
        pd.Timestamp("2026-11-02", tz="UTC"),
    ]
    assert weekly["failures"].tolist() == [1, 0]
    monthly = failure_rates(log, by="agent", period="month")
    assert monthly["period"].tolist() == [pd.Timestamp("2026-11-01", tz="UTC")]


def test_rates_on_an_empty_log():
    empty = pd.DataFrame(columns=["id", "timestamp", "agent", "action_type", "status"])
    rates = failure_rates(empty, by="agent", period="week")
    assert rates.empty
    assert list(rates.columns) == [
        "agent",
        "period",
        "events",
        "failures",
        "failure_rate",
        "ci_low",
        "ci_high",
    ]


def test_rates_reject_unknown_group_and_period(log):
    with pytest.raises(ParameterError, match="nope"):
        failure_rates(log, by="nope")
    with pytest.raises(ParameterError, match="fortnight"):
        failure_rates(log, period="fortnight")


# --- recoveries ----------------------------------------------------------------------------------


def test_recovery_pairs(log):
    rec = recoveries(log).set_index("id")
    # e2 (failed deployment of the vpc) -> e3, the next completed event on the same file: 2 h
    assert rec.loc["e2", "recovered_by"] == "e3"
    assert rec.loc["e2", "matched_on"] == "file"
    assert rec.loc["e2", "hours_to_recover"] == pytest.approx(2.0)
    assert rec.loc["e2", "units"] == ["prod/vpc"]
    # e4 (escalation) -> e5, same task (case-insensitive): 14:00 -> 20:00
    assert rec.loc["e4", "recovered_by"] == "e5"
    assert rec.loc["e4", "matched_on"] == "task"
    assert rec.loc["e4", "hours_to_recover"] == pytest.approx(6.0)
    assert rec.loc["e4", "kind"] == "escalation"
    # e6: nothing completed touches the rds unit afterwards
    assert rec.loc["e6", "state"] == "unresolved"
    assert math.isnan(rec.loc["e6", "hours_to_recover"])
    # e7 cannot be paired without a timestamp, but it is listed
    assert rec.loc["e7", "state"] == "no timestamp"
    assert sorted(rec.index) == ["e2", "e4", "e6", "e7"]


def test_recovery_needs_a_later_completed_non_failure():
    log = frame(
        ev("f1", "2026-01-01 00:00", "a", "deployment", "failed", [VPC]),
        ev("p1", "2026-01-01 01:00", "a", "implementation", "partial", [VPC]),  # partial: not a fix
        ev("x1", "2026-01-01 02:00", "b", "escalation", "completed", [VPC]),  # escalation: not a fix
        ev("ok", "2026-01-01 05:00", "b", "implementation", "completed", ["live/prod/vpc/main.tf"]),
    )
    rec = recoveries(log).set_index("id")
    # ok touches another file of the same unit folder: recovered through the unit, 5 h later
    assert rec.loc["f1", "recovered_by"] == "ok"
    assert rec.loc["f1", "matched_on"] == "unit"
    assert rec.loc["f1", "hours_to_recover"] == pytest.approx(5.0)
    assert rec.loc["x1", "hours_to_recover"] == pytest.approx(3.0)


def test_recovery_window(log):
    rec = recoveries(log, window="3h").set_index("id")
    assert rec.loc["e2", "state"] == "recovered"  # 2 h <= 3 h
    assert rec.loc["e4", "state"] == "unresolved"  # 6 h > 3 h
    with pytest.raises(ParameterError):
        recoveries(log, window="soon")


def test_recovery_stats_by_agent(log):
    stats = recovery_stats(recoveries(log), by="agent").set_index("agent")
    # alice: e2 (2 h), e6 unresolved, e7 no timestamp; bob: e4 (6 h)
    assert stats.loc["alice", ["failures", "recovered", "unresolved"]].tolist() == [3, 1, 1]
    assert stats.loc["alice", "mean_hours"] == pytest.approx(2.0)
    assert stats.loc["bob", "median_hours"] == pytest.approx(6.0)
    overall = recovery_stats(recoveries(log), by=None)
    assert overall["mean_hours"].iloc[0] == pytest.approx(4.0)  # (2 + 6) / 2
    assert overall["median_hours"].iloc[0] == pytest.approx(4.0)
    by_area = recovery_stats(recoveries(log), by="area").set_index("category")
    assert by_area.loc["operations", "recovered"] == 1
    by_unit = recovery_stats(recoveries(log), by="unit").set_index("unit")
    # e2 touches the vpc unit (2 h), e6 the rds unit (unresolved); e4 and e7 touch no unit
    assert by_unit.loc["prod/vpc", "median_hours"] == pytest.approx(2.0)
    assert by_unit.loc["prod/rds", "unresolved"] == 1
    assert by_unit.loc["(none)", "failures"] == 2
    by_tag = recovery_stats(recoveries(log), by="tag").set_index("tag")
    assert by_tag.loc["deployment", "failures"] == 2  # e2 and e6
    with pytest.raises(ParameterError):
        recovery_stats(recoveries(log), by="nope")


def test_recoveries_of_an_empty_log():
    rec = recoveries(pd.DataFrame())
    assert rec.empty and "hours_to_recover" in rec.columns


# --- unresolved ----------------------------------------------------------------------------------


def test_unresolved_with_age(log):
    open_ = unresolved(log, now="2026-11-02T15:00:00Z")
    assert open_["id"].tolist() == ["e6"]
    assert open_["age_hours"].tolist() == [pytest.approx(24.0)]
    assert open_["age_days"].tolist() == [pytest.approx(1.0)]


def test_unresolved_age_defaults_to_the_newest_event(log):
    # newest timestamp in the log: e5 at 20:00; e6 failed at 15:00 -> 5 h old
    assert unresolved(log)["age_hours"].tolist() == [pytest.approx(5.0)]


def test_unresolved_age_from_timestamps_written_with_several_offsets():
    log = frame(
        ev("a", "2026-11-01 10:00", "alice", "deployment", "failed"),
        ev("b", "2026-11-01 11:00", "bob", "review", "completed"),
    )
    # b is 12:00 UTC, the newest event: a (10:00 UTC) has been unresolved for 2 h
    log["timestamp"] = ["2026-11-01T10:00:00Z", "2026-11-01T14:00:00+02:00"]
    assert unresolved(log)[["id", "age_hours"]].values.tolist() == [["a", 2.0]]


def test_unresolved_on_an_empty_log():
    assert unresolved(pd.DataFrame()).empty


# --- repeat failures and streaks -----------------------------------------------------------------


def test_repeat_failures_within_window():
    log = frame(
        ev("a", "2026-01-01 00:00", "x", "deployment", "failed", [VPC]),
        ev("b", "2026-01-03 00:00", "y", "deployment", "failed", [VPC]),  # 48 h after a
        ev("c", "2026-01-20 00:00", "x", "deployment", "failed", [VPC]),  # 17 days after b
        ev("d", "2026-01-01 00:00", "x", "deployment", "failed", [RDS]),  # rds fails once
    )
    rep = repeat_failures(log, window="7D")
    vpc_file = rep[(rep["kind"] == "file") & (rep["key"] == VPC)].iloc[0]
    assert vpc_file["failures"] == 3
    assert vpc_file["repeats"] == 1  # only b repeats within 7 days
    assert vpc_file["shortest_gap_hours"] == pytest.approx(48.0)
    assert vpc_file["agents"] == ["x", "y"]
    assert vpc_file["ids"] == ["a", "b", "c"]
    assert set(rep["key"]) == {VPC, "prod/vpc"}  # rds never repeats
    wide = repeat_failures(log, window="30D")
    assert wide.loc[wide["key"] == VPC, "repeats"].item() == 2
    assert repeat_failures(log, window="1D").empty


def test_streaks_per_agent(log):
    found = streaks(log)
    # alice in time order: e1 ok, e2 failed, e6 failed (e7 has no timestamp and is skipped)
    assert found[["agent", "length", "ongoing"]].values.tolist() == [["alice", 2, True]]
    assert found["ids"].iloc[0] == ["e2", "e6"]
    singles = streaks(log, min_length=1)
    # bob's escalation is a streak of one, followed by nothing else of bob's
    assert sorted(singles["agent"]) == ["alice", "bob"]


def test_streak_that_ended():
    log = frame(
        ev("1", "2026-01-01 00:00", "x", "deployment", "failed"),
        ev("2", "2026-01-01 01:00", "x", "deployment", "failed"),
        ev("3", "2026-01-01 02:00", "x", "escalation", "completed"),
        ev("4", "2026-01-01 03:00", "x", "deployment", "completed"),
        ev("5", "2026-01-01 04:00", "x", "deployment", "failed"),
    )
    found = streaks(log)
    assert found[["length", "ongoing"]].values.tolist() == [[3, False]]
    assert found["start"].iloc[0] == pd.Timestamp("2026-01-01 00:00", tz="UTC")
    assert found["end"].iloc[0] == pd.Timestamp("2026-01-01 02:00", tz="UTC")


def test_streaks_and_repeats_on_empty_log():
    assert streaks(pd.DataFrame()).empty
    assert repeat_failures(pd.DataFrame()).empty


def test_list_columns_may_be_arrays_or_strings():
    # a Parquet round trip gives numpy arrays; a hand-written frame may hold a bare string
    log = pd.DataFrame(
        {
            "id": ["a", "b"],
            "timestamp": ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"],
            "agent": ["x", "y"],
            "action_type": ["deployment", "implementation"],
            "status": ["failed", "completed"],
            "files_modified": [np.array([VPC]), VPC],
            "tags": [np.array(["#Deploy"]), None],
        }
    )
    rec = recoveries(log)
    assert rec["recovered_by"].tolist() == ["b"]
    assert failure_rates(log, by="tag").set_index("tag").loc["deploy", "failures"] == 1


def test_recovery_through_related_entries_unit_mentions_and_titles():
    lb = "infrastructure-live/prod/us-east-1/prod/alb/terragrunt.hcl"
    log = frame(
        # an escalation names the unit in its title only; the fix touches the unit's file 3 h later
        ev(
            "esc",
            "2026-02-01 10:00",
            "ops",
            "escalation",
            "partial",
            [],
            "Escalate failed apply of prod/us-east-1/prod/alb",
        ),
        ev("fix", "2026-02-01 13:00", "ops", "deployment", "completed", [lb], "Fix: alb listener"),
        # an incident with no files, resolved by an event whose title shares most of its words
        ev(
            "inc",
            "2026-02-02 10:00",
            "sre",
            "incident_response",
            "failed",
            [],
            "INCIDENT: api p99 latency > 1s and 5xx errors in prod",
        ),
        ev("other", "2026-02-02 10:30", "dev", "resolution", "completed", [], "Resolved: queue backlog"),
        ev("res", "2026-02-02 11:30", "dev", "resolution", "completed", [], "Resolved: api latency in prod"),
        # a failed deployment fixed by an entry that lists it in related_entries (shape B)
        ev("bad", "2026-02-03 10:00", "ops", "deployment", "failed", [], "Deploy thing"),
        ev("good", "2026-02-03 12:00", "ops", "deployment", "completed", [], "Something else"),
    )
    log["extra"] = [{} for _ in range(len(log))]
    log.at[6, "extra"] = {"context.related_entries": ["bad"]}
    rec = recoveries(log).set_index("id")
    assert rec.loc["esc", ["recovered_by", "matched_on", "hours_to_recover"]].tolist() == ["fix", "unit", 3.0]
    assert rec.loc["esc", "units"] == ["prod/us-east-1/prod/alb"]  # named in its title
    assert rec.loc["inc", ["recovered_by", "matched_on", "hours_to_recover"]].tolist() == [
        "res",
        "title",
        1.5,
    ]
    assert rec.loc["inc", "kind"] == "incident"
    assert rec.loc["bad", ["recovered_by", "matched_on", "hours_to_recover"]].tolist() == ["good", "id", 2.0]


def test_related_entries_are_read_wherever_the_loader_kept_them():
    log = frame(
        ev("bad1", "2026-02-03 10:00", "ops", "deployment", "failed", [], "Deploy thing"),
        ev("bad2", "2026-02-03 10:00", "dev", "deployment", "failed", [], "Deploy widget"),
        ev("good1", "2026-02-03 12:00", "ops", "deployment", "completed", [], "Something else"),
        ev("good2", "2026-02-03 14:00", "dev", "deployment", "completed", [], "Another thing"),
    )
    # a top-level "related_entries" key, and one inside a "context" object
    log["extra"] = [{}, {}, {"related_entries": ["bad1"]}, {"context": {"related_entries": ["bad2"]}}]
    rec = recoveries(log).set_index("id")
    assert rec.loc["bad1", ["recovered_by", "matched_on", "hours_to_recover"]].tolist() == [
        "good1",
        "id",
        2.0,
    ]
    assert rec.loc["bad2", ["recovered_by", "matched_on", "hours_to_recover"]].tolist() == [
        "good2",
        "id",
        4.0,
    ]


def test_recovery_is_the_earliest_fix_whatever_the_log_order():
    # the log is not in time order: the title match (12:00) is written before the file match (11:00)
    log = frame(
        ev(
            "esc",
            "2026-02-01 10:00",
            "ops",
            "escalation",
            "partial",
            [VPC],
            "Escalate: api latency prod errors",
        ),
        ev("res", "2026-02-01 12:00", "dev", "resolution", "completed", [], "Resolved: api latency prod"),
        ev("fix", "2026-02-01 11:00", "ops", "deployment", "completed", [VPC], "Roll out vpc"),
    )
    rec = recoveries(log).set_index("id")
    assert rec.loc["esc", ["recovered_by", "matched_on", "hours_to_recover"]].tolist() == ["fix", "file", 1.0]


def test_units_are_relative_to_the_live_tree():
    from opslib.metrics._common import canonical_unit, task_key, units_in_text

    assert canonical_unit("infrastructure-live/prod/us-east-1/prod/vpc") == "prod/us-east-1/prod/vpc"
    assert canonical_unit("prod/vpc") == "prod/vpc"
    assert units_in_text("Update worker autoscaling (non-prod/us-east-1/dev/ecs-worker).") == [
        "non-prod/us-east-1/dev/ecs-worker"
    ]
    assert units_in_text("edit services/api/config/flags.yaml") == []  # a file that is not a unit file
    assert task_key("INCIDENT:  Aurora writer failover") == "aurora writer failover"
    assert task_key("Weekly drift check: mgmt") == "weekly drift check: mgmt"  # not a one-word prefix


def test_wilson_ends_are_exact():
    low, high = wilson_interval([0, 3], [3, 3])
    assert low[0] == 0.0 and high[1] == 1.0
    # 0 of 3: the upper bound by hand is z^2 / (n + z^2)
    assert high[0] == pytest.approx(Z95**2 / (3 + Z95**2))

"""load_run_report: terragrunt run reports in JSON and CSV (schema v4 and the early releases)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import opslib
from opslib.errors import ParseError, SchemaError
from opslib.runs import RUN_COLUMNS

RUNS = Path(__file__).parent / "fixtures" / "runs"


def test_json_v4() -> None:
    runs = opslib.load_run_report(RUNS / "report-v4.json")
    assert list(runs.columns) == RUN_COLUMNS
    assert runs["unit"].tolist() == [
        "prod/us-east-1/prod/vpc",
        "prod/us-east-1/prod/rds",
        "prod/us-east-1/prod/ecs-api",
        "mgmt/us-east-1/mgmt/sandbox",
    ]
    first = runs.iloc[0]
    assert first["started"] == pd.Timestamp("2026-11-20T10:00:01.123456Z")
    assert str(runs["started"].dt.tz) == "UTC"
    assert first["duration_s"] == pytest.approx(44.5)
    assert first["args"] == ["-detailed-exitcode", "-lock=false"]
    assert (first["ref"], first["cmd"]) == ("main", "plan")
    early = runs.iloc[2]
    assert (early["result"], early["reason"], early["cause"]) == (
        "early exit",
        "ancestor error",
        "prod/us-east-1/prod/rds",
    )
    assert runs.iloc[3]["args"] == []
    assert runs.attrs["errors"] == []


def test_csv_v4_matches_json() -> None:
    csv_runs = opslib.load_run_report(RUNS / "report-v4.csv")
    json_runs = opslib.load_run_report(RUNS / "report-v4.json")
    assert csv_runs.loc[0, "args"] == ["-detailed-exitcode", "-lock=false"]
    assert csv_runs.loc[1, "reason"] == "run error"
    assert csv_runs.loc[3, "reason"] == "retry succeeded"
    assert csv_runs.loc[0, "source_line"] == 2
    cols = ["unit", "result", "reason", "cause"]
    pd.testing.assert_frame_equal(csv_runs[cols].head(3), json_runs[cols].head(3))


def test_early_release_formats() -> None:
    csv_runs = opslib.load_run_report(RUNS / "report-early.csv")
    assert csv_runs["result"].tolist() == ["excluded", "failed", "succeeded"]
    assert csv_runs["cmd"].isna().all()
    json_runs = opslib.load_run_report(RUNS / "report-early.json")
    assert json_runs["unit"].tolist() == ["network-skip", "queue-ok"]
    assert json_runs.loc[1, "duration_s"] == pytest.approx(0.221247)


def test_bad_rows_lenient_and_strict() -> None:
    runs = opslib.load_run_report(RUNS / "report-bad-rows.csv")
    assert runs["unit"].tolist() == ["ok"]
    errors = runs.attrs["errors"]
    assert [e["line"] for e in errors] == [3, 4]
    assert "exploded" in errors[0]["message"]
    with pytest.raises(SchemaError) as info:
        opslib.load_run_report(RUNS / "report-bad-rows.csv", strict=True)
    assert "report-bad-rows.csv:3" in str(info.value)


def test_broken_json_names_line() -> None:
    with pytest.raises(ParseError) as info:
        opslib.load_run_report(RUNS / "report-broken.json", strict=True)
    assert "report-broken.json:2" in str(info.value)
    assert opslib.load_run_report(RUNS / "report-broken.json").empty


def test_folder_and_missing(tmp_path: Path) -> None:
    runs = opslib.load_run_report(RUNS)
    assert len(runs) == 4 + 4 + 3 + 2 + 1
    with pytest.raises(ParseError):
        opslib.load_run_report(tmp_path / "none.json")


def test_sample_run_reports(sample: Path) -> None:
    folder = sample / "run-reports"
    # the sample is committed: a renamed or missing folder is a failure, not a skip
    assert folder.is_dir(), f"committed sample folder missing: {folder}"
    runs = opslib.load_run_report(folder, strict=True)
    assert set(runs["result"]) <= {"succeeded", "failed", "early exit", "excluded"}
    assert (runs["duration_s"] >= 0).all()


def test_non_utf8_json_report_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    bad = tmp_path / "report.json"
    bad.write_bytes(b'[\n  {"Name": "a",\n   "Cause": "caf\xe9"}\n]\n')
    with pytest.raises(ParseError) as info:
        opslib.load_run_report(bad, strict=True)
    assert info.value.line == 3 and "UTF-8" in str(info.value)

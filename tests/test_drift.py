"""Drift store (record/history), report shaping (causes, matrix) and collection with terraform."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import opslib
from opslib import drift
from opslib.errors import ConfigError, ExecutionError, MissingDependencyError
from opslib.plans import summary

PLANS = Path(__file__).parent / "fixtures" / "plans"
DRIFT_PLAN = PLANS / "show-1.2-drift-sensitive.json"


def _changes(unit: str = "prod/us-east-1/prod/rds") -> pd.DataFrame:
    return opslib.load_plans(DRIFT_PLAN, unit=unit)


def _no_drift(unit: str) -> pd.DataFrame:
    frame = _changes(unit)
    out = frame[frame["kind"] != "drift"].copy()
    out.attrs = frame.attrs
    return out


# ----------------------------------------------------------------------------- shaping


def test_attribute_changes_and_causes_across_units() -> None:
    both = pd.concat([_changes("a/rds"), _changes("b/rds")], ignore_index=True)
    attrs = drift.attribute_changes(both[both["kind"] == "drift"])
    row = attrs[attrs["path"] == "backup_retention_period"].iloc[0]
    assert (row["before"], row["after"]) == ("7", "1")
    assert attrs[attrs["path"] == "tags.Owner"].iloc[0]["before"] == "null"
    grouped = drift.causes(both)
    top = grouped.iloc[0]
    assert top["units"] == 2 and top["unit_list"] == ["a/rds", "b/rds"]
    assert set(grouped["path"]) == {"backup_retention_period", "tags.Owner"}
    assert set(grouped["risk"]) == {"high"}  # update of a database: medium + 1


def test_causes_empty() -> None:
    frame = _no_drift("x")
    assert drift.causes(frame).empty


def test_unit_matrix() -> None:
    both = pd.concat([_changes("a/rds"), _changes("b/rds"), _changes("c/rds")], ignore_index=True)
    units = pd.DataFrame(
        {"unit": ["a/rds", "b/rds"], "account": ["prod", "non-prod"], "environment": ["prod", "dev"]}
    )
    matrix = drift.unit_matrix(both, units)
    assert matrix.loc["prod", "prod"] == 1
    assert matrix.loc["non-prod", "dev"] == 1
    assert matrix.loc["(outside tree)", "(outside tree)"] == 1
    assert matrix.loc["prod", "dev"] == 0


# ----------------------------------------------------------------------------- store


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_record_and_history(tmp_path: Path, fmt: str) -> None:
    store = tmp_path / "store"
    days = ["2026-11-08T06:00:00Z", "2026-11-10T06:00:00Z", "2026-11-12T06:00:00Z", "2026-11-17T06:00:00Z"]
    drift.record(_changes("u/rds"), store, at=days[0], fmt=fmt)
    drift.record(_no_drift("u/rds"), store, at=days[1])  # fixed...
    drift.record(_changes("u/rds"), store, at=days[2])  # ...and drifted again
    rows = drift.record(_changes("u/rds"), store, at=days[3])
    assert len(rows) == 1 and rows.iloc[0]["run_id"] == "20261117T060000Z"
    assert (store / f"drift.{fmt}").exists() and (store / f"runs.{fmt}").exists()
    hist = drift.history(store)
    assert list(hist.columns) == drift.HISTORY_COLUMNS
    row = hist.iloc[0]
    assert row["address"] == "aws_rds_cluster.this"
    assert row["first_seen"] == pd.Timestamp(days[2])
    assert row["last_seen"] == pd.Timestamp(days[3])
    assert (row["runs"], row["age_days"], row["open"]) == (3, 5, True)
    assert row["changed_paths"] == ["backup_retention_period", "tags.Owner"]
    runs, table = drift.load_store(store)
    assert runs["drifted_resources"].tolist() == [1, 0, 1, 1]
    assert json.loads(table.iloc[0]["diff"])[0] == {
        "path": "backup_retention_period",
        "before": "7",
        "after": "1",
    }


def test_record_same_run_twice_replaces(tmp_path: Path) -> None:
    drift.record(_changes(), tmp_path, run_id="nightly-1", at="2026-11-20T06:00:00Z")
    drift.record(_changes(), tmp_path, run_id="nightly-1", at="2026-11-20T06:00:00Z")
    runs, table = drift.load_store(tmp_path)
    assert len(runs) == 1 and len(table) == 1


def test_run_not_covering_unit_keeps_streak(tmp_path: Path) -> None:
    drift.record(_changes("u/rds"), tmp_path, at="2026-11-01T00:00:00Z")
    drift.record(_no_drift("other/unit"), tmp_path, at="2026-11-05T00:00:00Z")
    drift.record(_changes("u/rds"), tmp_path, at="2026-11-10T00:00:00Z")
    row = drift.history(tmp_path).iloc[0]
    assert (row["age_days"], row["open"]) == (9, True)


def test_closed_drift(tmp_path: Path) -> None:
    drift.record(_changes("u/rds"), tmp_path, at="2026-11-01T00:00:00Z")
    drift.record(_changes("u/rds"), tmp_path, at="2026-11-03T00:00:00Z")
    drift.record(_no_drift("u/rds"), tmp_path, at="2026-11-04T00:00:00Z")
    row = drift.history(tmp_path).iloc[0]
    assert (row["age_days"], row["open"], row["runs"]) == (2, False, 2)


def test_record_planned_kinds_and_masking(tmp_path: Path) -> None:
    rows = drift.record(_changes(), tmp_path, kinds=("drift", "planned"), at="2026-11-20T00:00:00Z")
    assert set(rows["kind"]) == {"drift", "planned"}
    text = (tmp_path / "drift.jsonl").read_text()
    assert "CANARY" not in text and "****" in text


def test_empty_store_and_bad_format(tmp_path: Path) -> None:
    assert drift.history(tmp_path).empty
    with pytest.raises(ConfigError):
        drift.record(_changes(), tmp_path, fmt="xml")


def test_sample_drift_history(sample: Path) -> None:
    folder = sample / "drift-history"
    # the sample is committed: a renamed or missing folder is a failure, not a skip
    assert folder.is_dir(), f"committed sample folder missing: {folder}"
    hist = drift.history(folder)
    assert hist["open"].any()
    assert hist["age_days"].max() >= 7


# ----------------------------------------------------------------------------- collection


def test_collect_refuses_apply(tmp_path: Path) -> None:
    with pytest.raises(ExecutionError, match="refusing"):
        drift._tf("terraform", ["apply", "-auto-approve"], tmp_path, 10)


def test_collect_missing_binary(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError):
        drift.collect(tmp_path, tmp_path / "out", terraform="no-such-terraform-binary")
    with pytest.raises(ConfigError):
        drift.collect(tmp_path / "missing", tmp_path / "out")


TF = shutil.which("terraform")
CONFIG = """
variable "size" {
  type    = string
  default = "small"
}
resource "terraform_data" "db" {
  input = { size = var.size, engine = "postgres" }
}
"""


def _tf(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE="/dev/null")
    return subprocess.run(
        ["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=120
    )


@pytest.mark.terraform
@pytest.mark.slow
@pytest.mark.skipif(TF is None, reason="no terraform binary on PATH")
def test_collect_with_real_terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", "/dev/null")
    unit = tmp_path / "live" / "prod" / "db"
    unit.mkdir(parents=True)
    (unit / "main.tf").write_text(CONFIG)
    broken = tmp_path / "live" / "prod" / "broken"
    broken.mkdir(parents=True)
    (broken / "main.tf").write_text('resource "terraform_data" "x" {\n  nope = 1\n}\n')
    _tf(unit, "init", "-input=false")
    _tf(unit, "apply", "-auto-approve", "-input=false")
    state_before = (unit / "terraform.tfstate").read_text()

    clean = drift.collect(tmp_path / "live" / "prod" / "db", tmp_path / "out0")
    assert clean.exit_code == 0
    assert clean.results["exit_code"].tolist() == [0]

    # a change made outside terraform: edit the attribute in the state, as a console edit would
    state = json.loads(state_before)
    state["resources"][0]["instances"][0]["attributes"]["input"]["value"]["size"] = "large"
    state["serial"] += 1
    (unit / "terraform.tfstate").write_text(json.dumps(state))

    result = drift.collect(tmp_path / "live", tmp_path / "out", jobs=2)
    codes = dict(zip(result.results["unit"], result.results["exit_code"], strict=True))
    assert codes == {"prod/db": 2, "prod/broken": 1}
    assert result.exit_code == 1
    assert "nope" in result.results.set_index("unit").loc["prod/broken", "error"]
    # collect never applies: the tampered state is untouched
    assert json.loads((unit / "terraform.tfstate").read_text())["serial"] == state["serial"]

    changes = opslib.load_plans(tmp_path / "out")
    row = changes[(changes["unit"] == "prod/db") & (changes["action"] == "update")].iloc[0]
    assert row["changed_paths"] == ["input.size", "output"]
    assert row["before"]["input"]["size"] == "large" and row["after"]["input"]["size"] == "small"
    s = summary(changes).set_index("unit")
    assert s.loc["prod/db", "exit_code"] == 2
    assert not (tmp_path / "out" / "prod" / "db" / "tfplan").exists()  # binary plan removed


FAKE_TERRAGRUNT = """#!/usr/bin/env python3
# Stands in for terragrunt: checks the command line collect builds, then writes what
# `run --all plan --json-out-dir DIR --report-file R` would.
import json, shutil, sys
args = sys.argv[1:]
assert args[:3] == ["run", "--all", "--non-interactive"], args
assert "apply" not in args and args[args.index("--") + 1] == "plan", args
out = args[args.index("--json-out-dir") + 1]
report = args[args.index("--report-file") + 1]
shutil.copytree(sys.argv[0] + ".plans", out, dirs_exist_ok=True)
runs = [
    {"Name": "prod/us-east-1/prod/rds", "Started": "2026-11-20T06:00:00Z", "Ended": "2026-11-20T06:00:30Z",
     "Result": "succeeded", "Cmd": "plan"},
    {"Name": "non-prod/us-east-1/dev/vpc", "Started": "2026-11-20T06:00:00Z",
     "Ended": "2026-11-20T06:00:10Z", "Result": "succeeded", "Cmd": "plan"},
    {"Name": "mgmt/_global/iam-roles", "Started": "2026-11-20T06:00:00Z", "Ended": "2026-11-20T06:00:05Z",
     "Result": "failed", "Reason": "run error", "Cause": "exit status 1", "Cmd": "plan"},
]
json.dump(runs, open(report, "w"))
sys.exit(1)
"""


def test_collect_with_terragrunt_command_line(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "terragrunt"
    fake.parent.mkdir()
    fake.write_text(FAKE_TERRAGRUNT)
    fake.chmod(0o755)
    shutil.copytree(PLANS / "outdir", str(fake) + ".plans")
    live = tmp_path / "live"
    (live / "prod").mkdir(parents=True)
    (live / "prod" / "terragrunt.hcl").write_text("# unit\n")
    result = drift.collect(live, tmp_path / "out", terragrunt=str(fake))
    codes = dict(zip(result.results["unit"], result.results["exit_code"], strict=True))
    assert codes == {
        "prod/us-east-1/prod/rds": 2,
        "non-prod/us-east-1/dev/vpc": 0,
        "mgmt/_global/iam-roles": 1,
    }
    assert result.exit_code == 1
    assert result.results.set_index("unit").loc["mgmt/_global/iam-roles", "error"] == "exit status 1"

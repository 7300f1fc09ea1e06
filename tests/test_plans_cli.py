"""``opslib plan`` and ``opslib drift`` commands: exit codes, output, and no secret ever printed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from opslib.cli import main

PLANS = Path(__file__).parent / "fixtures" / "plans"
CANARIES = ("CANARY-pl4nted-S3cret", "CANARY-b00tstrap-T0ken")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_plan_summary_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run(capsys, "plan", "summary", str(PLANS / "outdir"))
    assert rc == 1  # one errored unit
    assert "prod/us-east-1/prod/rds" in out and "exit code: 1" in out
    rc, out = run(capsys, "plan", "summary", str(PLANS / "outdir" / "non-prod"))
    assert rc == 0
    rc, _ = run(capsys, "plan", "summary", str(PLANS / "show-1.0-encodings.json"))
    assert rc == 2


def test_plan_show_json_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run(
        capsys,
        "plan",
        "show",
        str(PLANS / "show-1.2-drift-sensitive.json"),
        "--values",
        "--no-op",
        "--format",
        "json",
    )
    assert rc == 2
    rows = json.loads(out)
    assert {r["address"] for r in rows} >= {"aws_rds_cluster.this", "terraform_data.copy"}
    for canary in CANARIES:
        assert canary not in out
    for fmt in ("table", "csv"):
        rc, out = run(
            capsys,
            "plan",
            "show",
            str(PLANS / "show-1.2-drift-sensitive.json"),
            "--values",
            "--no-op",
            "--format",
            fmt,
        )
        assert not any(c in out for c in CANARIES)


def test_plan_show_filters(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run(capsys, "plan", "show", str(PLANS / "outdir"), "--kind", "drift", "--format", "json")
    assert rc == 1
    rows = json.loads(out)
    assert [(r["unit"], r["kind"]) for r in rows] == [("prod/us-east-1/prod/rds", "drift")]
    assert rows[0]["changed_paths"] == ["backup_retention_period", "tags.Owner"]


def test_plan_bad_file_is_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    binary = tmp_path / "tfplan"
    binary.write_bytes(b"PK\x03\x04")
    rc, out = run(capsys, "plan", "summary", str(binary))
    assert rc == 1  # lenient: the unit is errored
    assert "tfplan" in out


def test_drift_record_and_show(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = tmp_path / "store"
    plans = str(PLANS / "show-1.2-drift-sensitive.json")
    rc, out = run(capsys, "drift", "record", plans, "--store", str(store), "--at", "2026-11-10T06:00:00Z")
    assert rc == 0 and "recorded 1 drifted resources" in out
    rc, out = run(capsys, "drift", "record", plans, "--store", str(store), "--at", "2026-11-19T06:00:00Z")
    rc, out = run(capsys, "drift", "show", "--store", str(store), "--format", "json")
    assert rc == 2
    (row,) = json.loads(out)
    assert (row["age_days"], row["runs"], row["open"]) == (9, 2, True)
    rc, out = run(capsys, "drift", "show", plans, "--causes")
    assert rc == 2 and "backup_retention_period" in out
    rc, out = run(capsys, "drift", "show", plans)
    assert rc == 2 and not any(c in out for c in CANARIES)
    rc, out = run(capsys, "drift", "show", str(PLANS / "outdir" / "non-prod"))
    assert rc == 0
    rc, out = run(capsys, "drift", "show")
    assert rc == 2 and "either PLANS or --store" in out


def test_drift_record_parquet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, _ = run(
        capsys,
        "drift",
        "record",
        str(PLANS / "outdir"),
        "--store",
        str(tmp_path),
        "--parquet",
        "--include-planned",
    )
    assert rc == 0
    assert (tmp_path / "drift.parquet").exists()


def test_drift_collect_missing_terraform(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, out = run(
        capsys,
        "drift",
        "collect",
        str(tmp_path),
        "--out",
        str(tmp_path / "o"),
        "--terraform",
        "no-such-terraform",
    )
    assert rc == 1 and "no-such-terraform" in out


@pytest.mark.terraform
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform binary on PATH")
def test_drift_collect_cli_with_terraform(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", "/dev/null")
    unit = tmp_path / "live" / "app"
    unit.mkdir(parents=True)
    (unit / "main.tf").write_text('resource "terraform_data" "x" {\n  input = "a"\n}\n')
    store = tmp_path / "store"
    rc, out = run(
        capsys,
        "drift",
        "collect",
        str(tmp_path / "live"),
        "--out",
        str(tmp_path / "out"),
        "--store",
        str(store),
        "--include-planned",
        "--format",
        "json",
    )
    assert rc == 2
    assert json.loads(out)[0]["exit_code"] == 2
    assert "terraform_data.x" in (store / "drift.jsonl").read_text()
    assert not (unit / "terraform.tfstate").exists()  # planned, never applied

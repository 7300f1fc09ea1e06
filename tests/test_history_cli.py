"""``opslib history``: thin wrappers over the library, checked end to end."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from opslib.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "history"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path / "cache"))


def test_show_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "show", str(FIXTURES / "folders" / "basic"), "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert "qa-engineer" in out and "escalation" in out and "Rotated" not in out


def test_show_json_keeps_lists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "show", str(FIXTURES / "md" / "style1_oldest_first.md"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and rows[-1]["tags"] == ["infrastructure", "deployment", "vpc"]
    assert rows[-1]["extra"]["title"] == "Roll out vpc change 1"


def test_query_csv(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "history",
            "query",
            str(FIXTURES / "folders" / "basic"),
            "--tags",
            "infra|drift",
            "--agent",
            "devops-engineer",
            "--touching",
            "live/**",
            "--since",
            "2026-05-01",
            "--format",
            "csv",
        ]
    )
    assert rc == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == ["20260501-100000-devops_engineer"]
    assert rows[0]["files_modified"] == "live/prod/vpc/terragrunt.hcl"


def test_query_failed_newest(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "history",
                "query",
                str(FIXTURES / "folders" / "basic"),
                "--failed",
                "-n",
                "5",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["action_type"] for r in rows] == ["escalation"]


def test_check_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "check", str(FIXTURES / "folders" / "basic"), "--format", "json"]) == 2
    kinds = sorted(r["kind"] for r in json.loads(capsys.readouterr().out))
    assert kinds == ["json_only", "md_only"]
    assert main(["history", "check", str(FIXTURES / "folders" / "nested")]) == 0


def test_log_then_check_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURES / "folders" / "nested", tmp_path / "repo")
    rc = main(
        [
            "history",
            "log",
            str(tmp_path / "repo"),
            "--agent",
            "devops-engineer",
            "--action",
            "deployment",
            "--description",
            "Applied the WAF rule",
            "--status",
            "completed",
            "--tag",
            "waf",
            "--modified",
            "live/prod/waf/terragrunt.hcl",
            "--extra",
            "issue=OPS-9",
            "--extra",
            'tests={"added": 1}',
            "--timestamp",
            "2026-06-01T09:00:00Z",
        ]
    )
    assert rc == 0
    entry = json.loads(capsys.readouterr().out)
    assert entry["issue"] == "OPS-9" and entry["tests"] == {"added": 1}
    assert main(["history", "check", str(tmp_path / "repo")]) == 0


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(FIXTURES / "bad" / "truncated.json", tmp_path / "project_history.json")
    rc = main(
        [
            "history",
            "log",
            str(tmp_path),
            "--agent",
            "a",
            "--action",
            "x",
            "--description",
            "d",
            "--status",
            "completed",
        ]
    )
    assert rc == 1
    err = capsys.readouterr().err
    assert err.startswith("opslib: error: ") and "project_history.json:" in err and len(err.splitlines()) == 1
    assert main(["history", "show", str(tmp_path / "nothing-here")]) != 0


def test_log_table_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "history",
            "log",
            str(tmp_path),
            "--agent",
            "qa-engineer",
            "--action",
            "validation",
            "--description",
            "Ran the smoke suite",
            "--status",
            "failed",
            "--tag",
            "#QA",
            "--format",
            "csv",
        ]
    )
    assert rc == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["status"] == "failed" and rows[0]["tags"] == "qa" and rows[0]["agent"] == "qa-engineer"

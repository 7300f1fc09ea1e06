"""``opslib incident``: steps listing and the dry-run postmortem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opslib.cli import main

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = ROOT / "data" / "sample" / "runbooks" / "service-outage.md"
FIXTURES = Path(__file__).parent / "fixtures" / "runbook"


def test_steps_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incident", "steps", str(FIXTURES / "variants" / "seed.md"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 14
    assert rows[9] == {
        "step": 9,
        "phase": "Mitigation",
        "order": 2,
        "text": "Rollback: `kubectl rollout undo deployment/api`",
        "commands": ["kubectl rollout undo deployment/api"],
        "placeholders": [],
        "line": 19,
    }


def test_steps_table_and_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["incident", "steps", str(FIXTURES / "bad" / "unclosed-fence.md")]) == 0
    out = capsys.readouterr()
    assert "kubectl rollout restart deployment/<service>" in out.out
    assert "unclosed-fence.md:5: code fence" in out.err
    assert main(["incident", "steps", "--strict", str(FIXTURES / "bad" / "unclosed-fence.md")]) == 1
    assert "unclosed-fence.md:5:" in capsys.readouterr().err


def test_postmortem_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "incident",
            "postmortem",
            str(RUNBOOK),
            "--incident-id",
            "INC-7",
            "--service",
            "api",
            "--namespace",
            "prod",
            "--started-at",
            "2026-11-18T16:00:00Z",
            "--out",
            str(tmp_path),
        ]
    )
    assert rc == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == tmp_path / "postmortem-INC-7.md"
    text = path.read_text()
    assert "# Postmortem: INC-7 — Service Outage" in text
    assert "`kubectl rollout undo deployment/api -n prod` dry-run" in text
    assert "Mitigated | 2026-11-18" in text


def test_postmortem_stdout_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "incident",
                "postmortem",
                str(RUNBOOK),
                "--incident-id",
                "X",
                "--service",
                "api",
                "--started-at",
                "2026-11-18T16:00:00Z",
                "--stdout",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith("# Postmortem: X")
    assert not list(tmp_path.iterdir())
    assert (
        main(
            [
                "incident",
                "postmortem",
                str(RUNBOOK),
                "--incident-id",
                "X",
                "--service",
                "api",
                "--severity",
                "huge",
            ]
        )
        == 1
    )
    assert "severity must be one of" in capsys.readouterr().err
    assert (
        main(
            ["incident", "postmortem", str(tmp_path / "missing.md"), "--incident-id", "X", "--service", "api"]
        )
        == 1
    )
    assert "cannot read runbook" in capsys.readouterr().err

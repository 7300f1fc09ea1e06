"""``load_history`` on real history files from public repositories (tests/fixtures/history/real).

Entries are counted here independently of the loader (JSON: the entries array; Markdown: ``## ``
headings that start with a date, outside code fences); every entry must come back as a row, or be
named in the errors with its file and position.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from opslib.errors import OpslibError
from opslib.history import errors_of, load_history

REAL = Path(__file__).parent / "fixtures" / "history" / "real"
FILES = sorted(p for p in REAL.iterdir() if p.suffix in (".json", ".md") and p.name != "README.md")
STATUSES = {"completed", "partial", "failed", "unknown"}
# Files that are not an activity history in any known shape (read by eye): a handoff document, an agents'
# log of "key: value" paragraphs, two JSON logs with their own schema. They must load as no rows *and* say so.
NOT_HISTORY = {
    "ayushpatravali__pcardb__PROJECT_HISTORY.md",
    "AI-Nikitka93__infraagent-replayops__PROJECT_HISTORY.md",
    "splashdown1__coil-system__project_history.json",
    "jeansung1998__coco-ai__project_history.json",
}
_ENTRY_HEADING = re.compile(r"^##\s+\[?\d{4}-\d{2}-\d{2}")


def _count_entries(path: Path) -> int | None:
    """Entries in the file as its own format defines them; ``None`` when it has no entry list."""
    if path.suffix == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, list):
            return len(doc)
        entries = doc.get("entries") if isinstance(doc, dict) else None
        return len(entries) if isinstance(entries, list) else None
    count, fenced = 0, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and _ENTRY_HEADING.match(line):
            count += 1
    return count


def test_fixture_set_is_real_and_documented() -> None:
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    assert len(FILES) >= 10
    for path in FILES:
        assert f"`{path.name}`" in readme, path.name
    assert sum(p.stat().st_size for p in REAL.iterdir()) < 800_000


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_file_loads_every_entry(path: Path) -> None:
    expected = _count_entries(path)
    frame = load_history(path, cache=False)
    errors = errors_of(frame)
    # every problem names this file and a position (JSON entry index or line)
    assert (errors["source_file"] == str(path)).all()
    assert (errors["index"].notna() | errors["line"].notna()).all()
    if path.name in NOT_HISTORY:
        # not a history in any known shape: no rows, and said so rather than returning nothing
        assert not expected
        assert len(frame) == 0
        assert len(errors) >= 1
        return
    assert expected is not None
    if expected == 0:
        # a fresh log (the agents' own templates): empty and fine
        assert len(frame) == 0 and len(errors) == 0
    missing = expected - len(frame)
    assert missing >= 0
    assert missing == 0 or len(errors) >= missing
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert set(frame["status"]) <= STATUSES
    # a row without a timestamp is always explained in the errors
    no_stamp = frame.loc[frame["timestamp"].isna(), "source_line"].tolist()
    explained = set(errors["index"].dropna().astype(int)) | set(errors["line"].dropna().astype(int))
    assert set(no_stamp) <= explained


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_file_strict_raises_only_opslib_errors(path: Path) -> None:
    lenient = errors_of(load_history(path, cache=False))
    if len(lenient):
        with pytest.raises(OpslibError):
            load_history(path, strict=True, cache=False)
    else:
        assert len(load_history(path, strict=True, cache=False)) == _count_entries(path)


def _load(name: str) -> pd.DataFrame:
    return load_history(REAL / name, cache=False)


def test_shutdown_protocol_pair_reads_the_same_event() -> None:
    js = _load("100rd__platform-design__project_history.json").iloc[0]
    md = _load("100rd__platform-design__PROJECT_HISTORY.md").iloc[0]
    assert js["timestamp"] == pd.Timestamp("2026-06-15T19:42:44Z")
    assert md["timestamp"] == pd.Timestamp("2026-06-15T19:42:33Z")
    for row in (js, md):
        assert row["agent"] == "terraform-engineer"
        assert row["action_type"] == "implementation"
        assert row["status"] == "completed"
        assert "catalog/units/aws-ml-abac-iam/terragrunt.hcl" in list(row["files_modified"])
        assert len(row["files_modified"]) == 7
        assert "apply-gated" in list(row["tags"])
    assert md["category"] == "infrastructure" and js["category"] == "infrastructure"
    assert list(md["follow_up"]) == ["Reviewer merge after CI (tflint runs in CI; not installed locally)"]


def test_loose_json_variant_keeps_extra_keys() -> None:
    row = _load("100rd__Omniscience__project_history.json").iloc[0]
    assert row["action_type"] == "feature_implementation"
    assert row["description"] == "Datadog (monitors + events) connector for Omniscience"
    assert len(row["files_created"]) == 14  # files.added
    assert row["status"] == "unknown"  # no outcome at all
    assert row["extra"]["issue"] == 240
    assert row["extra"]["tests"]["passing"] == 44
    assert row["extra"]["quality_gates"]["mypy_strict"] == "clean"


def test_style3_file_lists_are_paths_only() -> None:
    row = _load("100rd__Omniscience__PROJECT_HISTORY.md").iloc[0]
    assert row["agent"] == "senior-backend-engineer"
    assert list(row["files_modified"]) == ["packages/connectors/src/omniscience_connectors/__init__.py"]
    assert len(row["files_created"]) == 5
    assert "wave-3" in list(row["tags"])


def test_agentless_style3_log_is_not_an_error() -> None:
    frame = _load("Ladnav__ProjetoMidgard__PROJECT_HISTORY.md")
    assert len(frame) == 33
    assert len(errors_of(frame)) == 0
    assert frame["agent"].isna().all()
    assert frame["description"].iloc[0] == "Sprint 0 validation"
    assert frame["extra"].iloc[0]["body"].startswith("- Established the assistant's role")
    assert frame["timestamp"].iloc[-1] == pd.Timestamp("2026-06-29T00:00:00Z")


def test_free_text_action_is_a_description() -> None:
    frame = _load("Erdemhan__uav-iot-dc-env__project_history.json")
    assert frame["action_type"].isna().all()
    assert frame["description"].iloc[0] == "Config Sınıfı Tanımlandı"
    assert frame["extra"].iloc[0]["module"] == "config.py"
    # naive timestamps are read as UTC
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-02-01T20:03:01.403322Z")


def test_foreign_json_schemas_say_what_they_hold() -> None:
    errors = errors_of(_load("splashdown1__coil-system__project_history.json"))
    assert "no `entries`" in errors["message"].iloc[0]
    assert "`milestones`" in errors["message"].iloc[0]
    trees = errors_of(_load("Pakheria__ProximaForge__project_history.json"))
    assert sorted(trees["index"].astype(int)) == [0, 1, 2, 3, 4]
    assert all("none of the history keys" in m for m in trees["message"])


@pytest.mark.parametrize("repo", ["100rd__platform-design", "100rd__Omniscience"])
def test_real_pair_reconciles_to_one_event(repo: str, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(REAL / f"{repo}__project_history.json", folder / "project_history.json")
    shutil.copy(REAL / f"{repo}__PROJECT_HISTORY.md", folder / "PROJECT_HISTORY.md")
    frame = load_history(tmp_path, cache=False)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert bool(row["in_json"]) and bool(row["in_md"])
    assert len(errors_of(frame)) == 0


def test_date_led_heading_without_separator_is_an_entry(tmp_path: Path) -> None:
    # heading shape seen in a public development log: a note between the date and the dash
    path = tmp_path / "PROJECT_HISTORY.md"
    path.write_text(
        "# Dev Log\n\n## 2026-03-01 (Session 2) — Workspace CRUD\n\n### What Was Done\nCRUD\n\n"
        "## 2026-03-02\n\nMore\n",
        encoding="utf-8",
    )
    frame = load_history(path, cache=False)
    assert list(frame["timestamp"]) == [
        pd.Timestamp("2026-03-01", tz="UTC"),
        pd.Timestamp("2026-03-02", tz="UTC"),
    ]
    assert frame["description"].iloc[0] == "CRUD"
    assert len(errors_of(frame)) == 0


def test_fresh_template_pair_is_an_empty_history(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("project_history.json", "PROJECT_HISTORY.md"):
        shutil.copy(REAL / f"100rd__multi-team-agentic__{name}", folder / name)
    frame = load_history(tmp_path, cache=False)
    assert len(frame) == 0
    assert len(errors_of(frame)) == 0


def test_engineers_log_with_nested_lists() -> None:
    frame = _load("AdarBahar__portfolio-tracker__PROJECT_HISTORY.md")
    assert list(frame["timestamp"]) == [
        pd.Timestamp("2025-11-26", tz="UTC"),
        pd.Timestamp("2025-11-25", tz="UTC"),
    ]
    first = frame.iloc[0]
    assert first["description"].startswith("Phase 3: Admin Panel Enhancements")
    assert first["summary"].startswith("Enhanced admin panel")
    assert list(first["files_created"]) == [
        "backend/scripts/load-fake-data.sql",
        "docs/ADMIN_PANEL_ENHANCEMENTS.md",
        "backend/scripts/README.md",
    ]
    assert len(first["follow_up"]) == 8  # "Open questions / next steps"
    # indented bold sub-headings stay in the text of their list, they are not fields
    assert "schema_fixes" not in first["extra"]
    assert "Schema Fixes" in first["extra"]["body"]
    assert len(frame.iloc[1]["files_modified"]) == 3

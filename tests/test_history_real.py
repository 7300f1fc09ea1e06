"""``load_history`` on the format variants seen in public activity logs (tests/fixtures/history/realworld).

The fixtures are hand-written reproductions: every file is our own invented content laid out the way a
class of public logs is laid out (see the folder's README). Entries are counted here independently of the
loader (JSON: the entries array; Markdown: ``## `` headings that start with a date, outside code
fences); every entry must come back as a row, or be named in the errors with its file and position.
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

REALWORLD = Path(__file__).parent / "fixtures" / "history" / "realworld"
FILES = sorted(p for p in REALWORLD.rglob("*") if p.suffix in (".json", ".md") and p.name != "README.md")
IDS = [p.relative_to(REALWORLD).as_posix() for p in FILES]
STATUSES = {"completed", "partial", "failed", "unknown"}
# Files that are not an activity history in any known shape: a handoff document, an agents' log of
# "key: value" paragraphs, two JSON logs with their own schema. They must load as no rows *and* say so.
NOT_HISTORY = {
    "handoff_document.md",
    "key_value_paragraphs_de.md",
    "own_schema_milestones.json",
    "own_schema_history.json",
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


def test_fixture_set_is_documented() -> None:
    readme = (REALWORLD / "README.md").read_text(encoding="utf-8")
    assert len(FILES) >= 15
    for rel in IDS:
        assert f"`{rel}`" in readme, rel
    assert set(IDS) >= NOT_HISTORY
    assert sum(p.stat().st_size for p in REALWORLD.rglob("*") if p.is_file()) < 200_000


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_variant_loads_every_entry(path: Path) -> None:
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


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_variant_strict_raises_only_opslib_errors(path: Path) -> None:
    lenient = errors_of(load_history(path, cache=False))
    if len(lenient):
        with pytest.raises(OpslibError):
            load_history(path, strict=True, cache=False)
    else:
        assert len(load_history(path, strict=True, cache=False)) == _count_entries(path)


def _load(name: str) -> pd.DataFrame:
    return load_history(REALWORLD / name, cache=False)


def test_shutdown_protocol_pair_reads_the_same_event() -> None:
    js = _load("shutdown_pair/project_history.json").iloc[0]
    md = _load("shutdown_pair/PROJECT_HISTORY.md").iloc[0]
    # the Markdown side is written first, a few seconds before the JSON side
    assert js["timestamp"] == pd.Timestamp("2026-08-03T14:07:52Z")
    assert md["timestamp"] == pd.Timestamp("2026-08-03T14:07:43Z")
    for row in (js, md):
        assert row["agent"] == "infra-engineer"
        assert row["action_type"] == "implementation"
        assert row["status"] == "completed"
        assert "modules/ledger-queue/alarms.tf" in list(row["files_modified"])
        assert len(row["files_modified"]) == 6
        assert "plan-only" in list(row["tags"])
    assert md["category"] == "infrastructure" and js["category"] == "infrastructure"
    assert list(md["follow_up"]) == ["Apply after the change window (needs the on-call lead's sign-off)"]
    assert list(js["follow_up"]) == ["Apply after the change window"]


def test_loose_json_variant_keeps_extra_keys() -> None:
    row = _load("loose_pair/project_history.json").iloc[0]
    assert row["action_type"] == "feature_implementation"
    assert row["description"] == "Consumer-lag exporter for the ingest cluster"  # action.summary
    assert len(row["files_created"]) == 11  # files.added
    assert list(row["files_modified"]) == ["services/registry.py"]
    assert row["status"] == "unknown"  # no outcome at all
    assert row["extra"]["ticket"] == 87
    assert row["extra"]["branch"] == "feat/87-lag-exporter"
    assert row["extra"]["tests"]["passing"] == 31
    assert row["extra"]["quality_gates"]["mypy_strict"] == "clean"


def test_style3_file_lists_are_paths_only() -> None:
    row = _load("loose_pair/PROJECT_HISTORY.md").iloc[0]
    assert row["agent"] == "data-pipeline-engineer"
    # "`path` — note": the path only; "(registration only)" is a note about the list, not a file
    assert list(row["files_modified"]) == ["services/registry.py"]
    assert len(row["files_created"]) == 6  # a brace-expanded item stays one item
    assert "tests/fixtures/lag/{offsets_empty,offsets_two_groups,offsets_rebalancing,topics}.json" in list(
        row["files_created"]
    )
    assert row["description"].startswith("Added an exporter")
    assert "sprint-12" in list(row["tags"])


def test_agentless_style3_log_is_not_an_error() -> None:
    frame = _load("style3_no_agent.md")
    assert len(frame) == 10
    assert len(errors_of(frame)) == 0
    assert frame["agent"].isna().all()
    assert frame["description"].iloc[0] == "Kick-off review"
    assert frame["extra"].iloc[0]["body"].startswith("- Agreed on the goal")
    # a bullet wrapped onto an indented second line stays in its entry
    assert "keyed on `go.sum`" in frame["extra"].iloc[2]["body"]
    assert frame["timestamp"].iloc[-1] == pd.Timestamp("2026-04-15T00:00:00Z")


def test_free_text_action_is_a_description() -> None:
    frame = _load("bare_array_free_text_action.json")
    assert frame["action_type"].isna().all()
    assert frame["description"].iloc[1] == "Sensormodell geladen"
    assert frame["extra"].iloc[1]["module"] == "sensors.py"
    # naive timestamps are read as UTC
    assert frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-17T08:41:12.250001Z")
    nested = _load("bare_array_nested_payload.json").iloc[0]
    assert pd.isna(nested["action_type"])
    assert nested["description"] == "Roadmap drafted"
    assert nested["timestamp"] == pd.Timestamp("2025-03-11T08:22:40.118Z")
    assert len(nested["extra"]["plan"]["steps"]) == 4


def test_foreign_json_schemas_say_what_they_hold() -> None:
    errors = errors_of(_load("own_schema_milestones.json"))
    assert "no `entries`" in errors["message"].iloc[0]
    assert "`milestones`" in errors["message"].iloc[0]
    errors = errors_of(_load("own_schema_history.json"))
    assert "`history`" in errors["message"].iloc[0]
    trees = errors_of(_load("bare_array_folder_trees.json"))
    assert sorted(trees["index"].astype(int)) == [0, 1, 2, 3]
    assert all("none of the history keys" in m for m in trees["message"])


def test_documents_that_are_not_logs_say_so() -> None:
    for name in ("handoff_document.md", "key_value_paragraphs_de.md"):
        errors = errors_of(_load(name))
        assert len(errors) == 1
        assert "no history entries" in errors["message"].iloc[0]
        assert errors["line"].iloc[0] == 1


@pytest.mark.parametrize("pair", ["shutdown_pair", "loose_pair"])
def test_pair_reconciles_to_one_event(pair: str, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    shutil.copytree(REALWORLD / pair, folder)
    frame = load_history(tmp_path, cache=False)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert bool(row["in_json"]) and bool(row["in_md"])
    assert len(errors_of(frame)) == 0


def test_date_led_heading_without_separator_is_an_entry() -> None:
    # a note between the date and the dash, or nothing after the date at all
    frame = _load("session_note_headings.md")
    assert list(frame["timestamp"]) == [
        pd.Timestamp("2026-05-11", tz="UTC"),
        pd.Timestamp("2026-05-12", tz="UTC"),
        pd.Timestamp("2026-05-13", tz="UTC"),
    ]
    assert frame["description"].iloc[0] == "Boards can be created, renamed and archived."
    assert frame["extra"].iloc[0]["notes"] == "Archived boards stay readable."
    assert len(errors_of(frame)) == 0


def test_text_directly_under_a_heading_is_kept() -> None:
    frame = _load("text_under_heading.md")
    assert len(frame) == 2 and len(errors_of(frame)) == 0
    first, second = frame.iloc[0], frame.iloc[1]
    assert first["description"] == "Nightly backups"
    assert first["extra"]["body"].startswith("Moved the database dump to 02:00")
    assert first["status"] == "completed"
    assert second["extra"]["body"] == "Nothing changed in the repository; spent the day on the storage quote."


def test_fresh_template_pair_is_an_empty_history(tmp_path: Path) -> None:
    shutil.copytree(REALWORLD / "fresh_templates", tmp_path / "project")
    frame = load_history(tmp_path, cache=False)
    assert len(frame) == 0
    assert len(errors_of(frame)) == 0


def test_engineers_log_with_nested_lists() -> None:
    frame = _load("nested_lists_path_notes.md")
    # newest first, en-dash headings with a colon and a dash in the title
    assert list(frame["timestamp"]) == [
        pd.Timestamp("2026-10-09", tz="UTC"),
        pd.Timestamp("2026-10-07", tz="UTC"),
    ]
    assert frame["agent"].isna().all()
    first = frame.iloc[0]
    assert first["description"].startswith("Release 2: Invoice Export")
    assert first["summary"].startswith("Added a monthly invoice export")
    assert list(first["files_created"]) == [
        "api/billing/export.py",
        "scripts/seed-billing.sql",
        "docs/RECONCILIATION.md",
    ]
    assert list(first["files_modified"]) == ["api/billing/routes.py", "db/migrations/0042_refund_kind.sql"]
    assert len(first["follow_up"]) == 6  # "Open questions / next steps"
    assert first["follow_up"][0].startswith("**Scheduling**")
    # indented bold sub-headings stay in the text of their list, they are not fields
    assert "ledger_fixes" not in first["extra"]
    assert "Ledger Fixes" in first["extra"]["body"]
    assert "Settlements without an invoice" in first["extra"]["body"]
    second = frame.iloc[1]
    assert second["description"] == "Docs refresh - Billing Schema & API Reference"
    assert len(second["files_modified"]) == 3

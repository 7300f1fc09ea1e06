"""log_activity: both files, each style and shape kept, atomic and locked."""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from opslib._io import locked
from opslib.errors import ConfigError, LockError, ParameterError, ParseError, SchemaError, WriteError
from opslib.history import check_history, load_history, log_activity, writer
from opslib.history.markdown import read_markdown_history

FIXTURES = Path(__file__).parent / "fixtures" / "history"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path / "cache"))


def _event(**over: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "agent": "devops-engineer",
        "action_type": "deployment",
        "status": "completed",
        "description": "Applied the WAF rate rule in prod",
        "category": "infrastructure",
        "task": "Add WAF rate rule",
        "summary": "Rule active, no false positives",
        "files_modified": ["live/prod/us-east-1/waf/terragrunt.hcl"],
        "follow_up": ["Review WAF logs"],
        "tags": ["#Infrastructure", "waf"],
        "timestamp": "2026-06-01T09:00:00Z",
    }
    event.update(over)
    return event


def _folder(tmp_path: Path, json_fixture: str | None, md_fixture: str | None) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir(parents=True)
    if json_fixture:
        shutil.copy(FIXTURES / json_fixture, folder / "project_history.json")
    if md_fixture:
        shutil.copy(FIXTURES / md_fixture, folder / "PROJECT_HISTORY.md")
    return folder


def test_creates_both_files_with_headers(tmp_path: Path) -> None:
    entry = log_activity(tmp_path / "new", **_event())
    doc = json.loads((tmp_path / "new" / "project_history.json").read_text())
    assert doc["entries"] == [entry]
    assert {"version", "project", "created_at", "updated_at"} <= set(doc)
    assert entry["id"] == "20260601-090000-devops_engineer"
    assert entry["tags"] == ["infrastructure", "waf"]
    md = (tmp_path / "new" / "PROJECT_HISTORY.md").read_text()
    assert md.startswith("# Project History\n")
    assert "## [2026-06-01 09:00:00] devops-engineer: Add WAF rate rule" not in md  # title = description
    assert "## [2026-06-01 09:00:00] devops-engineer: Applied the WAF rate rule in prod" in md
    frame = load_history(tmp_path / "new")
    assert len(frame) == 1 and bool(frame["in_json"].iloc[0]) and bool(frame["in_md"].iloc[0])
    row = frame.iloc[0]
    assert row["summary"] == "Rule active, no false positives" and row["status"] == "completed"
    assert check_history(tmp_path / "new").empty


def test_title_and_extra_keys(tmp_path: Path) -> None:
    entry = log_activity(tmp_path, **_event(title="WAF rule", issue="OPS-7", tests={"added": 2}))
    assert entry["issue"] == "OPS-7" and entry["tests"] == {"added": 2}
    assert "devops-engineer: WAF rule\n" in (tmp_path / "PROJECT_HISTORY.md").read_text()
    row = load_history(tmp_path).iloc[0]
    assert row["extra"]["issue"] == "OPS-7" and row["extra"]["tests"] == {"added": 2}


@pytest.mark.parametrize(
    "md_fixture, style, newest_first",
    [
        ("md/style1_oldest_first.md", 1, False),
        ("md/style1_newest_first.md", 1, True),
        ("md/style2_log_activity.md", 2, True),
        ("md/style3_dashes.md", 3, False),
    ],
)
def test_markdown_keeps_style_and_order(
    tmp_path: Path, md_fixture: str, style: int, newest_first: bool
) -> None:
    folder = _folder(tmp_path, None, md_fixture)
    before = read_markdown_history(folder / "PROJECT_HISTORY.md")
    original = (folder / "PROJECT_HISTORY.md").read_text()
    entry = log_activity(folder, **_event(timestamp="2026-06-01T09:00:00Z"))
    after = read_markdown_history(folder / "PROJECT_HISTORY.md")
    assert after.errors == []
    assert len(after.frame) == len(before.frame) + 1
    assert after.style == style and after.newest_first == newest_first
    new_row = after.frame.iloc[0 if newest_first else -1]
    assert new_row["description"] == "Applied the WAF rate rule in prod"
    assert new_row["status"] == "completed" and list(new_row["tags"]) == ["infrastructure", "waf"]
    if style == 2:
        assert new_row["id"] == entry["id"]
    text = (folder / "PROJECT_HISTORY.md").read_text()
    if newest_first:
        # the preamble (with its own ## headings and table) stays on top, untouched
        preamble = original.splitlines(keepends=True)[: before.first_entry_line]
        assert text.startswith("".join(preamble))
        assert text.endswith(original[len("".join(preamble)) :])
    else:
        assert text.startswith(original.rstrip("\n"))


def test_json_shape_b_and_metadata_are_kept(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "json/object_squad_metadata.json", None)
    entry = log_activity(folder, **_event(agent_type="devops"))
    doc = json.loads((folder / "project_history.json").read_text())
    assert doc["schema"] == "multi-agent-squad-history"  # unknown top-level key kept
    assert entry["agent"] == {"name": "devops-engineer", "type": "devops"}
    assert entry["outcome"]["result"] == "Rule active, no false positives"
    assert entry["outcome"]["follow_up_actions"] == ["Review WAF logs"]
    assert doc["metadata"]["total_entries"] == 2
    assert doc["metadata"]["agents_active"] == ["security-engineer", "devops-engineer"]
    assert doc["metadata"]["tags_used"] == ["security", "iam", "infrastructure", "waf"]
    frame = load_history(folder / "project_history.json")
    assert frame["agent_type"].tolist() == ["security", "devops"]


def test_json_file_alone_reads_back_every_field(tmp_path: Path) -> None:
    # read the JSON file on its own: loading the folder would fill its gaps from the Markdown twin
    folder = tmp_path / "new"
    log_activity(
        folder,
        **_event(files_created=["modules/waf/main.tf"], files_deleted=["live/prod/old-waf/terragrunt.hcl"]),
    )
    row = load_history(folder / "project_history.json", cache=False).iloc[0]
    assert (row["agent"], row["action_type"], row["status"]) == ("devops-engineer", "deployment", "completed")
    assert row["description"] == "Applied the WAF rate rule in prod"
    assert (row["category"], row["task"]) == ("infrastructure", "Add WAF rate rule")
    assert row["summary"] == "Rule active, no false positives"
    assert list(row["files_created"]) == ["modules/waf/main.tf"]
    assert list(row["files_modified"]) == ["live/prod/us-east-1/waf/terragrunt.hcl"]
    assert list(row["files_deleted"]) == ["live/prod/old-waf/terragrunt.hcl"]
    assert list(row["follow_up"]) == ["Review WAF logs"]
    assert list(row["tags"]) == ["infrastructure", "waf"]
    assert row["timestamp"] == pd.Timestamp("2026-06-01T09:00:00Z")


def test_new_file_header_times_are_utc_stamps(tmp_path: Path) -> None:
    log_activity(tmp_path / "new", **_event())
    doc = json.loads((tmp_path / "new" / "project_history.json").read_text())
    for key in ("created_at", "updated_at"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", doc[key]), doc[key]
        assert abs(pd.Timestamp(doc[key]) - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(hours=1)
    # an existing file's updated_at is refreshed to a real stamp too
    log_activity(tmp_path / "new", **_event(timestamp="2026-06-02T09:00:00Z"))
    again = json.loads((tmp_path / "new" / "project_history.json").read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", again["updated_at"])
    assert again["created_at"] == doc["created_at"]


def test_blank_description_titles_the_entry_by_its_action(tmp_path: Path) -> None:
    log_activity(tmp_path, **_event(description="   ", timestamp="2026-06-01T09:00:00Z"))
    md = (tmp_path / "PROJECT_HISTORY.md").read_text()
    assert "## [2026-06-01 09:00:00] devops-engineer: deployment\n" in md


def test_metadata_last_updated_is_the_event_time(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    header = {"metadata": {"last_updated": "2026-01-01T00:00:00Z"}}
    (folder / "project_history.json").write_text(json.dumps({**header, "entries": []}), encoding="utf-8")
    log_activity(folder, **_event(timestamp="2026-06-01T09:00:00Z"))
    meta = json.loads((folder / "project_history.json").read_text())["metadata"]
    assert meta["last_updated"] == "2026-06-01T09:00:00Z"


def test_json_shape_b_entry_fields_read_back(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "json/object_squad_metadata.json", None)
    first = log_activity(folder, **_event(agent_type="devops"))
    second = log_activity(folder, **_event(agent_type="devops", category=None, task=None, status="failed"))
    # shape B ids are UUIDs, one per entry
    assert uuid.UUID(first["id"]).version == 4 and first["id"] != second["id"]
    assert first["action"]["category"] == "infrastructure" and second["action"]["category"] == ""
    assert first["context"]["task"] == "Add WAF rate rule" and second["context"]["task"] == ""
    assert (first["outcome"]["status"], second["outcome"]["status"]) == ("completed", "failed")
    rows = load_history(folder / "project_history.json", cache=False).iloc[-2:]
    assert rows["id"].tolist() == [first["id"], second["id"]]
    assert rows["category"].tolist() == ["infrastructure", ""]
    assert rows["task"].tolist() == ["Add WAF rate rule", ""]
    assert rows["status"].tolist() == ["completed", "failed"]


def test_metadata_lists_gain_new_names_once(tmp_path: Path) -> None:
    # shape A (agent is a plain string) with a metadata block: names and tags are added, never twice
    folder = tmp_path / "proj"
    folder.mkdir()
    header = {"metadata": {"agents_active": ["sre-oncall"], "tags_used": ["waf"], "total_entries": 0}}
    (folder / "project_history.json").write_text(json.dumps({**header, "entries": []}), encoding="utf-8")
    log_activity(folder, **_event())
    log_activity(folder, **_event(timestamp="2026-06-01T10:00:00Z"))
    meta = json.loads((folder / "project_history.json").read_text())["metadata"]
    assert meta["agents_active"] == ["sre-oncall", "devops-engineer"]
    assert meta["tags_used"] == ["waf", "infrastructure"]
    assert meta["total_entries"] == 2


def test_updated_at_refreshed_and_bare_array_stays_array(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "json/object_version_header.json", None)
    log_activity(folder, **_event())
    doc = json.loads((folder / "project_history.json").read_text())
    assert doc["updated_at"] != "2026-05-01T10:00:00Z" and doc["created_at"] == "2026-05-01T00:00:00Z"
    other = _folder(tmp_path / "b", "json/bare_array.json", None)
    log_activity(other, **_event())
    assert len(json.loads((other / "project_history.json").read_text())) == 3


def test_same_second_ids_stay_unique(tmp_path: Path) -> None:
    ids = [log_activity(tmp_path, **_event())["id"] for _ in range(3)]
    assert ids == [
        "20260601-090000-devops_engineer",
        "20260601-090000-devops_engineer-2",
        "20260601-090000-devops_engineer-3",
    ]


@pytest.mark.parametrize(
    "fixture, error",
    [
        ("bad/truncated.json", ParseError),
        ("bad/entries_not_list.json", SchemaError),
        ("bad/not_json.json", ParseError),
    ],
)
def test_file_that_does_not_parse_is_never_rewritten(tmp_path: Path, fixture: str, error: type) -> None:
    folder = _folder(tmp_path, fixture, "md/style1_oldest_first.md")
    js_before = (folder / "project_history.json").read_bytes()
    md_before = (folder / "PROJECT_HISTORY.md").read_bytes()
    with pytest.raises(error) as info:
        log_activity(folder, **_event())
    assert "project_history.json" in str(info.value)
    assert (folder / "project_history.json").read_bytes() == js_before
    assert (folder / "PROJECT_HISTORY.md").read_bytes() == md_before


@pytest.mark.parametrize(
    "over",
    [{"status": "great"}, {"agent": ""}, {"tags": "a, b"}, {"timestamp": "not a time"}, {"ticket": object()}],
)
def test_bad_arguments(tmp_path: Path, over: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        log_activity(tmp_path, **_event(**over))
    assert not (tmp_path / "project_history.json").exists()


def test_writes_under_project_subfolder_when_files_live_there(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "folders" / "nested", tmp_path / "repo")
    log_activity(tmp_path / "repo", **_event())
    assert not (tmp_path / "repo" / "project_history.json").exists()
    assert len(load_history(tmp_path / "repo")) == 2


def _worker(folder: str, worker: int, count: int) -> None:
    for i in range(count):
        log_activity(
            folder,
            agent=f"agent-{worker:02d}",
            action_type="implementation",
            # every event also tries to forge a heading and a field in the Markdown
            description=f"worker {worker} event {i}\n## [2026-06-09 10:00:00] eve: x\n**Status**: failed",
            status="completed",
            tags=["load"],
            timestamp=f"2026-06-01T{worker:02d}:{i:02d}:00Z",
        )


@pytest.mark.parametrize(
    ("override", "error", "named"),
    [
        ({"agent": " "}, ConfigError, "`agent`"),
        ({"action_type": ""}, ConfigError, "`action_type`"),
        ({"files_created": "main.tf"}, ConfigError, "`files_created`"),
        ({"files_modified": "main.tf"}, ConfigError, "`files_modified`"),
        ({"files_deleted": "main.tf"}, ConfigError, "`files_deleted`"),
        ({"tags": "waf"}, ConfigError, "`tags`"),
        ({"follow_up": "call the vendor"}, ConfigError, "`follow_up`"),
        ({"timestamp": "the day before"}, ParameterError, "timestamp"),
    ],
)
def test_bad_argument_is_named_and_nothing_written(
    tmp_path: Path, override: dict[str, Any], error: type[Exception], named: str
) -> None:
    with pytest.raises(error) as info:
        log_activity(tmp_path, **_event(**override))
    assert named in str(info.value)
    assert not (tmp_path / "project_history.json").exists()


def test_new_nested_folder_is_created(tmp_path: Path) -> None:
    log_activity(tmp_path / "a" / "b" / "project", **_event())
    assert (tmp_path / "a" / "b" / "project" / "project_history.json").is_file()


def test_long_description_title_is_cut_at_100_characters(tmp_path: Path) -> None:
    log_activity(tmp_path, **_event(description="x" * 150))
    heading = next(
        line for line in (tmp_path / "PROJECT_HISTORY.md").read_text().splitlines() if line.startswith("## [")
    )
    assert heading.endswith("devops-engineer: " + "x" * 100)


def test_json_file_is_indented_for_review(tmp_path: Path) -> None:
    # the file is committed and reviewed in diffs: one key per line, two-space indent
    log_activity(tmp_path, **_event())
    text = (tmp_path / "project_history.json").read_text()
    assert text.endswith("}\n") and '\n  "entries": [\n' in text


def test_existing_entries_that_are_not_objects_do_not_stop_a_write(tmp_path: Path) -> None:
    doc = {"entries": ["a stray note", {"id": "20260601-090000-devops_engineer", "agent": "devops-engineer"}]}
    (tmp_path / "project_history.json").write_text(json.dumps(doc), encoding="utf-8")
    entry = log_activity(tmp_path, **_event())
    # the id already taken by the object entry is not reused
    assert entry["id"] == "20260601-090000-devops_engineer-2"
    assert json.loads((tmp_path / "project_history.json").read_text())["entries"][0] == "a stray note"


def test_held_lock_times_out_with_lock_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log_activity(tmp_path, **_event())
    before = (tmp_path / "project_history.json").read_bytes()
    monkeypatch.setattr(writer, "locked", functools.partial(writer.locked, timeout=0.3))
    with locked(tmp_path / "project_history.json"), pytest.raises(LockError) as info:
        log_activity(tmp_path, **_event(timestamp="2026-06-02T09:00:00Z"))
    assert "project_history.json" in str(info.value)
    assert (tmp_path / "project_history.json").read_bytes() == before


def test_concurrent_writers_lose_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = _folder(tmp_path / "real", "json/object_project_entries.json", "md/style1_oldest_first.md")
    folder = tmp_path / "proj"  # the writers reach both files through symlinks
    folder.mkdir()
    for name in ("project_history.json", "PROJECT_HISTORY.md"):
        (folder / name).symlink_to(real / name)
    # 16 writers queue on one lock; on a loaded machine a writer may wait minutes for its turn. This
    # test is about losing nothing; test_held_lock_times_out_with_lock_error covers the timeout.
    monkeypatch.setattr(writer, "locked", functools.partial(writer.locked, timeout=900))
    # fork: 16 spawned interpreters would spend most of the test importing pandas
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_worker, args=(str(folder), w, 10)) for w in range(16)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(900)
        assert proc.exitcode == 0
    doc = json.loads((folder / "project_history.json").read_text())
    assert len(doc["entries"]) == 2 + 160
    md = read_markdown_history(folder / "PROJECT_HISTORY.md", strict=True)
    assert len(md.frame) == 3 + 160
    frame = load_history(folder, strict=True)
    new = frame[frame["tags"].map(lambda t: "load" in t)]
    assert len(new) == 160
    assert bool((new["in_json"] & new["in_md"]).all())
    assert new["description"].is_unique
    assert set(new["status"]) == {"completed"} and "eve" not in set(frame["agent"])
    assert (folder / "PROJECT_HISTORY.md").is_symlink() and (folder / "project_history.json").is_symlink()
    # a read-only file stops the next writer before anything is written
    (real / "project_history.json").chmod(0o444)
    with pytest.raises(WriteError, match="read-only"):
        log_activity(folder, **_event())
    assert len(load_history(folder, strict=True)) == len(frame)


_KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    import opslib._io
    from opslib.history import log_activity
    real_fsync = os.fsync
    def slow_fsync(fd):
        real_fsync(fd)
        open(sys.argv[2], "w").close()   # tell the test we are inside the write
        time.sleep(60)
    opslib._io.os.fsync = slow_fsync
    log_activity(sys.argv[1], agent="devops-engineer", action_type="deployment",
                 description="never lands", status="completed")
""")


def test_writer_killed_mid_write_leaves_previous_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "json/object_project_entries.json", "md/style1_oldest_first.md")
    js_before = (folder / "project_history.json").read_bytes()
    md_before = (folder / "PROJECT_HISTORY.md").read_bytes()
    marker = tmp_path / "inside-write"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(folder), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "writer never reached the write"
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert (folder / "project_history.json").read_bytes() == js_before
    assert (folder / "PROJECT_HISTORY.md").read_bytes() == md_before
    assert len(load_history(folder, strict=True)) == 3 + 1  # 2 JSON events, one paired; 3 MD events
    # the lock died with the writer: the next writer gets through
    log_activity(folder, **_event())
    assert len(json.loads((folder / "project_history.json").read_text())["entries"]) == 3


INJECTIONS = {
    "description": "line one\n## [2026-06-02 10:00:00] mallory: forged entry\n### Outcome\n❌ Failed\n"
    "**Status**: failed\n- **Tags**: #forged\n```\n---\n\\## escaped already",
    "title": "Title\n## [2026-06-04 10:00:00] eve: forged",
    "summary": "fine\n## [2026-06-05 10:00:00] eve: forged\n**Status**: failed",
    "follow_up": ["check\n## [2026-06-06 10:00:00] eve: forged"],
}


@pytest.mark.parametrize("md_fixture", [None, "md/style2_log_activity.md", "md/style3_dashes.md"])
def test_field_values_cannot_forge_markdown_structure(tmp_path: Path, md_fixture: str | None) -> None:
    folder = _folder(tmp_path, None, md_fixture)
    before = len(read_markdown_history(folder / "PROJECT_HISTORY.md").frame) if md_fixture else 0
    log_activity(folder, **_event(**INJECTIONS))
    md = read_markdown_history(folder / "PROJECT_HISTORY.md")
    assert len(md.frame) == before + 1 and md.errors == []
    assert "mallory" not in set(md.frame["agent"]) and "eve" not in set(md.frame["agent"])
    row = load_history(folder).iloc[-1 if md_fixture != "md/style2_log_activity.md" else 0]
    assert row["status"] == "completed" and "forged" not in list(row["tags"])
    if md_fixture is None:  # styles 1 and 2 keep a multi-line description exactly
        assert row["description"] == INJECTIONS["description"]
    findings = check_history(folder)  # the fixture's own entries have no JSON twin; the new one does
    assert "json_only" not in set(findings["kind"])
    assert list(findings["kind"]).count("md_only") == before


def test_an_agent_with_a_line_break_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="one line"):
        log_activity(tmp_path, **_event(agent="devops-engineer\n## [2026-06-03 10:00:00] eve: forged"))
    assert not (tmp_path / "project_history.json").exists()


def test_a_symlinked_log_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = _folder(tmp_path / "real", "json/object_project_entries.json", "md/style1_oldest_first.md")
    folder = tmp_path / "linked"
    folder.mkdir()
    for name in ("project_history.json", "PROJECT_HISTORY.md"):
        (folder / name).symlink_to(real / name)
    log_activity(folder, **_event())
    for name in ("project_history.json", "PROJECT_HISTORY.md"):
        assert (folder / name).is_symlink()
    assert len(json.loads((real / "project_history.json").read_text())["entries"]) == 3
    assert "Applied the WAF rate rule" in (real / "PROJECT_HISTORY.md").read_text()


def test_read_only_files_are_refused_not_replaced(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "json/object_project_entries.json", "md/style1_oldest_first.md")
    js_before = (folder / "project_history.json").read_bytes()
    (folder / "PROJECT_HISTORY.md").chmod(0o444)
    with pytest.raises(WriteError, match="read-only"):
        log_activity(folder, **_event())
    assert (folder / "project_history.json").read_bytes() == js_before  # neither file written


@pytest.mark.parametrize("layout", ["under_a_file", "folder_as_json", "binary_md"])
def test_unwritable_places_are_opslib_errors(tmp_path: Path, layout: str) -> None:
    if layout == "under_a_file":
        (tmp_path / "plain").write_text("x")
        target, error = tmp_path / "plain" / "sub", WriteError
    elif layout == "folder_as_json":
        (tmp_path / "project_history.json").mkdir()
        target, error = tmp_path, WriteError
    else:
        (tmp_path / "PROJECT_HISTORY.md").write_bytes("# History\n\xe9t\xe9\n".encode("latin-1"))
        target, error = tmp_path, ParseError
    with pytest.raises(error):
        log_activity(target, **_event())


def test_an_interrupted_write_is_completed_by_the_next_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "proj"
    log_activity(folder, **_event(timestamp="2026-06-01T08:00:00Z"))
    import opslib.history.writer as writer

    real_write = writer.atomic_write_text

    def failing(path: Any, text: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer, "atomic_write_text", failing)  # the Markdown write fails after the JSON
    with pytest.raises(OSError):
        log_activity(folder, **_event(description="second event", timestamp="2026-06-01T09:00:00Z"))
    findings = check_history(folder)
    assert list(findings["kind"]) == ["json_only"]  # the divergence, as `history check` reports it
    assert (folder / writer.PENDING_NAME).exists()
    (folder / ".PROJECT_HISTORY.md.x1.tmp").write_text("left by a killed writer")
    monkeypatch.setattr(writer, "atomic_write_text", real_write)
    log_activity(folder, **_event(description="third event", timestamp="2026-06-01T10:00:00Z"))
    assert check_history(folder).empty
    frame = load_history(folder)
    assert list(frame["description"]) == ["Applied the WAF rate rule in prod", "second event", "third event"]
    assert not (folder / writer.PENDING_NAME).exists()
    assert not list(folder.glob(".*.tmp"))

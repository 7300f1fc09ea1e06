"""The bundled sample history loads, reconciles and checks as its generator says it should."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from opslib._paths import sample_dir
from opslib.history import by_tags, check_history, errors_of, failed, load_history

PROJECT = sample_dir() / "project"


def test_sample_history_is_committed() -> None:
    # a renamed or missing sample file fails here instead of silently skipping the tests below
    assert (PROJECT / "project_history.json").is_file()
    assert (PROJECT / "PROJECT_HISTORY.md").is_file()


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def events() -> list:
    sys.path.insert(0, str(sample_dir()))
    try:
        from _gen import history  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return list(history.build_events())


def test_sample_loads_and_reconciles(events: list) -> None:
    frame = load_history(sample_dir())
    assert errors_of(frame).empty
    assert len(frame) >= 300
    assert len(frame) == len(events)
    assert int(frame["in_json"].sum()) == sum(e.in_json for e in events)
    assert int(frame["in_md"].sum()) == sum(e.in_md for e in events)
    assert int((frame["in_json"] & frame["in_md"]).sum()) == sum(e.in_json and e.in_md for e in events)
    assert set(frame["agent_type"].dropna()) and frame["timestamp"].notna().all()
    assert len(failed(frame)) > 0 and len(by_tags(frame, "drift")) > 0


def test_sample_json_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shapes A and B mixed: the Arrow path reads it, and exactly as the plain path does."""
    from opslib.history.arrow_path import try_fast
    from opslib.history.json_loader import read_json_history

    path = PROJECT / "project_history.json"
    fast = try_fast(path.read_bytes(), str(path))
    assert fast is not None
    monkeypatch.setattr("opslib.history.arrow_path.try_fast", lambda data, source: None)
    pd.testing.assert_frame_equal(fast, read_json_history(path).frame)


def test_sample_check_names_the_one_file_events(events: list) -> None:
    findings = check_history(PROJECT)
    json_only = {e.id for e in events if not e.in_md}
    assert set(findings.loc[findings["kind"] == "json_only", "id"]) == json_only
    assert int((findings["kind"] == "md_only").sum()) == sum(not e.in_json for e in events)
    assert set(findings["kind"]) == {"json_only", "md_only"}


def test_log_into_a_copy_of_the_sample(tmp_path: Path) -> None:
    import shutil

    from opslib.history import log_activity

    shutil.copytree(PROJECT, tmp_path / "project")
    before = load_history(tmp_path)
    entry = log_activity(
        tmp_path,
        agent="devops-engineer",
        action_type="deployment",
        description="Applied the WAF rule",
        status="completed",
        tags=["waf"],
        timestamp="2026-11-20T12:00:00Z",
    )
    assert isinstance(entry["agent"], str)  # the sample is mostly shape A, so the new entry is too
    after = load_history(tmp_path)
    assert len(after) == len(before) + 1
    newest_row = after.iloc[-1]
    assert newest_row["id"] == entry["id"] and bool(newest_row["in_json"]) and bool(newest_row["in_md"])
    assert len(check_history(tmp_path)) == len(check_history(PROJECT))

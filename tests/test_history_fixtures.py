"""Data-driven tests: every file under tests/fixtures/history/{json,md,bad} and every folder under
folders/ comes with a ``.expect.json`` (or ``expect.json``) that says what loading it must give.

Add a fixture and its expectation file, get a test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from opslib.errors import OpslibError, ParseError, SchemaError
from opslib.history import check_history, errors_of, load_history, load_history_with_errors
from opslib.history.arrow_path import try_fast
from opslib.history.json_loader import read_json_history
from opslib.history.load import history_files
from opslib.history.markdown import read_markdown_history
from opslib.history.reconcile import match_records
from opslib.history.schema import COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "history"
FILES = sorted(
    p
    for sub in ("json", "md", "bad")
    for p in (FIXTURES / sub).iterdir()
    if not p.name.endswith(".expect.json")
)
FOLDERS = sorted(p for p in (FIXTURES / "folders").iterdir() if p.is_dir())
ERRORS = {"ParseError": ParseError, "SchemaError": SchemaError}


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path / "cache"))


def _expect(path: Path) -> dict[str, Any]:
    sidecar = path / "expect.json" if path.is_dir() else Path(str(path) + ".expect.json")
    return json.loads(sidecar.read_text(encoding="utf-8"))


def _same(actual: Any, expected: Any, column: str) -> bool:
    if column == "timestamp":
        return pd.isna(actual) if expected is None else actual == pd.Timestamp(expected)
    if expected is None:
        return actual is None or bool(pd.isna(actual))
    if isinstance(expected, list):
        return list(actual) == expected
    return bool(actual == expected)


def assert_rows(frame: pd.DataFrame, expect: dict[str, Any]) -> None:
    for key, fields in expect.items():
        if not key.startswith("row") or key == "rows":
            continue
        position = int(key[3:] or 0)
        row = frame.iloc[position]
        for column, expected in fields.items():
            assert _same(row[column], expected, column), (key, column, row[column], expected)


def assert_errors(errors: pd.DataFrame, expect: dict[str, Any], path: Path) -> None:
    wanted = expect.get("errors", [])
    assert len(errors) == len(wanted), errors.to_dict(orient="records")
    assert set(errors["source_file"]) <= {str(path)}
    for want in wanted:
        hits = errors[errors["message"].str.contains(want["message"], regex=False)]
        for field in ("index", "line"):
            if field in want:
                hits = hits[hits[field] == want[field]]
        assert len(hits) == 1, (want, errors.to_dict(orient="records"))


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_fixture_loads_as_expected(path: Path) -> None:
    expect = _expect(path)
    frame, errors = load_history_with_errors(path)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == expect["rows"]
    assert frame["status"].isin(["completed", "partial", "failed", "unknown"]).all()
    assert frame["id"].notna().all() and frame["id"].is_unique
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    for tags in frame["tags"]:
        assert all(t == t.lower() and not t.startswith("#") for t in tags)
    assert_rows(frame, expect)
    assert_errors(errors, expect, path)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_fixture_strict(path: Path) -> None:
    strict = _expect(path).get("strict")
    if strict is None:
        frame = load_history(path, strict=True, cache=False)
        assert len(frame) == _expect(path)["rows"]
        assert errors_of(frame).empty
        return
    with pytest.raises(ERRORS[strict["error"]]) as info:
        load_history(path, strict=True, cache=False)
    err = info.value
    assert isinstance(err, OpslibError)
    assert err.path == str(path)
    assert str(err).startswith(str(path))
    if "line" in strict:
        assert err.line == strict["line"]
    if "message" in strict:
        assert strict["message"] in str(err)


# `action` is a bare string; an `agent` object below the entry level.
PLAIN_ONLY = {"loose_action_string.json", "loose_nested_agent_object.json"}
CLEAN_JSON = [p for p in FILES if p.suffix == ".json" and p.parent.name == "json"]


@pytest.mark.parametrize("path", CLEAN_JSON, ids=[p.name for p in CLEAN_JSON])
def test_fast_path_matches_plain_path(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Arrow path, where it accepts a file, gives exactly the plain path's frame."""
    fast = try_fast(path.read_bytes(), str(path))
    if path.name in PLAIN_ONLY:
        assert fast is None
        return
    assert fast is not None, path
    monkeypatch.setattr("opslib.history.arrow_path.try_fast", lambda data, source: None)
    plain = read_json_history(path).frame
    pd.testing.assert_frame_equal(fast, plain)


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.suffix == ".md"], ids=[p.name for p in FILES if p.suffix == ".md"]
)
def test_markdown_style_and_order(path: Path) -> None:
    expect = _expect(path)
    parsed = read_markdown_history(path)
    if "style" in expect:
        assert parsed.style == expect["style"]
        assert parsed.newest_first == expect["newest_first"]


def test_truncated_file_keeps_entries_before_the_break() -> None:
    frame = load_history(FIXTURES / "bad" / "truncated.json")
    assert frame["id"].tolist() == ["20260501-100001-devops_engineer", "20260501-100002-devops_engineer"]


def test_hash_id_is_stable_for_entries_without_id() -> None:
    first = load_history(FIXTURES / "json" / "loose_no_id.json", cache=False)
    again = load_history(FIXTURES / "json" / "loose_no_id.json", cache=False)
    assert first["id"].iloc[0].startswith("h-")
    assert first["id"].iloc[0] == again["id"].iloc[0]


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_folder_reconciles(folder: Path) -> None:
    expect = _expect(folder)
    frame = load_history(folder)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == expect["rows"]
    assert int((frame["in_json"] & frame["in_md"]).sum()) == expect["both"]
    assert (frame["in_json"] | frame["in_md"]).all()
    only_json = frame[frame["in_json"] & ~frame["in_md"]]
    assert sorted(only_json["id"]) == sorted(expect["json_only"])
    only_md = frame[~frame["in_json"] & frame["in_md"]]
    assert sorted(only_md["agent"]) == sorted(expect["md_only_agents"])
    assert frame["timestamp"].is_monotonic_increasing
    for entry_id, fields in expect.get("filled", {}).items():
        row = frame[frame["id"] == entry_id].iloc[0]
        for column, value in fields.items():
            assert _same(row[column], value, column), (entry_id, column, row[column])


@pytest.mark.parametrize(
    "folder",
    [f for f in FOLDERS if "pairs" in _expect(f)],
    ids=[f.name for f in FOLDERS if "pairs" in _expect(f)],
)
def test_pairs_are_chosen_by_words_not_only_time(folder: Path) -> None:
    js_path, md_path = history_files(folder)
    assert js_path is not None and md_path is not None
    js = read_json_history(js_path).frame
    md = read_markdown_history(md_path)
    pairs = {
        js["id"].iloc[m.json_row]: int(md.frame["source_line"].iloc[m.md_row])
        for m in match_records(js, md.frame, md.precision)
    }
    for entry_id, line in _expect(folder)["pairs"].items():
        assert pairs.get(entry_id) == line, (entry_id, pairs)


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_check_lists_one_file_events(folder: Path) -> None:
    findings = check_history(folder)
    counts = findings["kind"].value_counts().to_dict()
    assert counts == _expect(folder)["check"]

"""The disk cache: a warm load gives the same frame, any change to the file invalidates it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from opslib.history import cache as history_cache
from opslib.history import errors_of, load_history

FIXTURES = Path(__file__).parent / "fixtures" / "history"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "history"


@pytest.mark.parametrize(
    "fixture",
    [
        "json/loose_extra_keys.json",
        "json/mixed_shapes.json",
        "bad/entry_not_object.json",
        "md/style2_log_activity.md",
        "folders/style3_dates",
    ],
)
def test_warm_load_equals_cold_load(fixture: str, _cache_dir: Path) -> None:
    cold = load_history(FIXTURES / fixture)
    assert any(_cache_dir.glob("*.arrow"))
    warm = load_history(FIXTURES / fixture)
    pd.testing.assert_frame_equal(cold, warm)
    pd.testing.assert_frame_equal(errors_of(cold), errors_of(warm))
    uncached = load_history(FIXTURES / fixture, cache=False)
    pd.testing.assert_frame_equal(cold, uncached)


def test_warm_load_does_not_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / "json" / "object_project_entries.json"
    load_history(path)

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr("opslib.history.json_loader.read_json_history", boom)
    assert len(load_history(path)) == 2


def test_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "project_history.json"
    shutil.copy(FIXTURES / "json" / "bare_array.json", path)
    assert len(load_history(path)) == 2
    shutil.copy(FIXTURES / "json" / "object_entries_only.json", path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert len(load_history(path)) == 1


def test_damaged_cache_file_is_ignored(_cache_dir: Path) -> None:
    path = FIXTURES / "json" / "bare_array.json"
    load_history(path)
    for cached in _cache_dir.glob("*.arrow"):
        cached.write_bytes(b"not arrow")
    assert len(load_history(path)) == 2


def test_one_cache_file_per_source(tmp_path: Path, _cache_dir: Path) -> None:
    path = tmp_path / "project_history.json"
    for i, fixture in enumerate(["json/bare_array.json", "json/object_entries_only.json"]):
        shutil.copy(FIXTURES / fixture, path)
        os.utime(path, ns=(10**18 + i, 10**18 + i))
        load_history(path)
    assert len(list(_cache_dir.glob("*.arrow"))) == 1


def test_cache_dir_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OPSLIB_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert history_cache.cache_dir() == tmp_path / "xdg" / "opslib" / "history"

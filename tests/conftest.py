"""Shared fixtures: every test gets its own opslib cache folder so runs never share state."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path_factory.mktemp("opslib-cache")))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def sample() -> Path:
    return SAMPLE

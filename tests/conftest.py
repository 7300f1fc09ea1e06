"""Shared fixtures: every test gets its own opslib cache folder so runs never share state."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = REPO / "data" / "sample"

# Property-based tests on a shared 2-core machine: a draw or an example may take seconds under load,
# which says nothing about opslib, so no deadline and no "too slow" health check. No example database
# either: it would be written into the checkout (.hypothesis/); a failure prints its seed to rerun.
settings.register_profile(
    "opslib", deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, print_blob=True
)
settings.load_profile("opslib")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path_factory.mktemp("opslib-cache")))


# pure functions opslib memoises with lru_cache: emptied before each test so a test sees the code as it
# is now (mutation testing forks every mutant from a process whose caches the clean run filled)
_MEMOISED = {
    "opslib.metrics._common": ("canonical_unit", "_units_in_text", "unit_of_path_in_text"),
    "opslib.metrics._events": ("_unit_of_file",),
    "opslib.secrets._names": ("is_secret_name",),
}


@pytest.fixture(autouse=True)
def _fresh_memos() -> None:
    for module, names in _MEMOISED.items():
        loaded = sys.modules.get(module)
        for name in names if loaded is not None else ():
            getattr(loaded, name).cache_clear()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def sample() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """Every report notebook run once on the sample data (in parallel), shared by the tests that read them.

    Tests using it carry ``xdist_group("notebooks")`` so one worker runs them all and pays once.
    """
    from opslib import reports

    out = tmp_path_factory.mktemp("reports")
    results = {r.name: r for r in reports.run_all(out_dir=out, jobs=2, sample=True)}
    return out, results  # type: ignore[return-value]

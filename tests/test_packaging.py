"""The wheel carries the notebooks and the sample data, so `opslib report all` works outside a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_bundles_notebooks_and_sample_data(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0 and "hatchling" in proc.stderr and "No matching distribution" in proc.stderr:
        pytest.skip("the hatchling build backend cannot be installed here")
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("opslib-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for notebook in (REPO / "notebooks").glob("*.ipynb"):
        assert f"opslib/_bundled/notebooks/{notebook.name}" in names
    assert "opslib/_bundled/data/sample/README.md" in names or not (REPO / "data/sample/README.md").exists()
    assert any(n.startswith("opslib/_bundled/data/sample/infrastructure-live/") for n in names)
    assert "opslib/py.typed" in names

"""A process that only loads a cached history imports neither the parsers nor the writer: what a warm
``load_history`` costs as a whole process is mostly its imports (benchmarks/bench_scale.py measures it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "project" / "project_history.json"

PROBE = """
import json, sys
from opslib.history import load_history
frame = load_history(sys.argv[1])
print(json.dumps({"rows": len(frame), "modules": sorted(sys.modules)}))
"""

# needed only to parse a file, write one, or check one
NOT_ON_A_WARM_LOAD = [
    "opslib.history.json_loader",
    "opslib.history.arrow_path",
    "opslib.history.markdown",
    "opslib.history.reconcile",
    "opslib.history.writer",
    "opslib.history.check",
    "opslib.history.query",
    "opslib._io",
    "filelock",
    "pyarrow.json",
]


def _run(tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, "OPSLIB_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(SAMPLE)], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_warm_history_load_imports_no_parser(tmp_path: Path) -> None:
    cold = _run(tmp_path)  # parses both files and fills the cache
    assert "opslib.history.json_loader" in cold["modules"]  # type: ignore[operator]
    warm = _run(tmp_path)
    assert warm["rows"] == cold["rows"]
    loaded = [m for m in NOT_ON_A_WARM_LOAD if m in warm["modules"]]  # type: ignore[operator]
    assert loaded == []


def test_every_public_history_name_resolves() -> None:
    import opslib.history as history

    for name in history.__all__:
        assert getattr(history, name) is not None
    assert set(history.__all__) <= set(dir(history))

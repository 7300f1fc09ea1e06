"""Helpers shared by the benchmarks: run one measurement in a fresh process, print ratios.

Each measurement runs in its own Python process so its peak memory (``ru_maxrss`` of the process and of
any worker processes it waited for) belongs to it alone, and no measurement warms another's caches
inside the interpreter. Import time is excluded: the child times only the work.

A benchmark script calls ``child_main(phases)`` when started with ``--phase NAME`` and
``run_phase(script, NAME, *args)`` from the parent.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Measurement", "child_main", "peak_rss_mb", "print_ratios", "run_phase", "timed"]

_MARK = "BENCH-RESULT "


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: float
    peak_mb: float
    info: dict[str, Any]


def peak_rss_mb() -> float:
    """Peak resident memory of this process plus the largest of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # Linux reports KiB


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def child_main(phases: dict[str, Callable[..., dict[str, Any]]], argv: Sequence[str]) -> int:
    """In the child: run ``phases[argv[0]](*argv[1:])`` (which returns info incl. ``seconds``)."""
    name, *args = argv
    info = phases[name](*args)
    info["peak_mb"] = peak_rss_mb()
    print(_MARK + json.dumps(info, default=str), flush=True)
    return 0


def run_phase(script: Path, name: str, *args: str, label: str | None = None) -> Measurement:
    """Run one phase of ``script`` in a fresh interpreter and collect its result line."""
    proc = subprocess.run(
        [sys.executable, str(script), "--phase", name, *args], capture_output=True, text=True, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith(_MARK):
            info = json.loads(line[len(_MARK) :])
            return Measurement(label or name, float(info.pop("seconds")), float(info.pop("peak_mb")), info)
    raise RuntimeError(f"phase {name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def print_ratios(rows: Sequence[Measurement], baseline: Measurement) -> None:
    """A table of time and peak memory, each also as a ratio of ``baseline``."""
    width = max(len(r.name) for r in rows)
    print(f"{'measurement':<{width}}  {'seconds':>9}  {'x base':>7}  {'peak MB':>9}  {'x base':>7}")
    for row in rows:
        print(
            f"{row.name:<{width}}  {row.seconds:9.2f}  {row.seconds / baseline.seconds:7.3f}  "
            f"{row.peak_mb:9.0f}  {row.peak_mb / baseline.peak_mb:7.3f}"
        )

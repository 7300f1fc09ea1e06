"""Terragrunt run reports: ``terragrunt run --all ... --report-file r.json|r.csv`` (schema v4).

JSON is an array of runs with ``Name``, ``Started``, ``Ended``, ``Result``, and optional ``Reason``,
``Cause``, ``Ref``, ``Cmd``, ``Args`` (early releases wrote the keys in lower case; both are read). CSV
has the header ``Name,Started,Ended,Result,Reason,Cause,Ref,Cmd,Args`` (early releases stop after
``Cause``), with ``Args`` joined by commas.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from opslib._io import json_depth, limits, read_bytes
from opslib.errors import OpslibError, ParseError, SchemaError

__all__ = ["REASONS", "RESULTS", "RUN_COLUMNS", "load_run_report"]

log = logging.getLogger(__name__)

RUN_COLUMNS = [
    "unit",
    "started",
    "ended",
    "duration_s",
    "result",
    "reason",
    "cause",
    "ref",
    "cmd",
    "args",
    "source_file",
    "source_line",
]
RESULTS = ("succeeded", "failed", "early exit", "excluded")
REASONS = ("retry succeeded", "error ignored", "run error", "exclude block", "ancestor error")
_FIELDS = ("name", "started", "ended", "result", "reason", "cause", "ref", "cmd", "args")


def _record(raw: dict[str, Any], path: Path, line: int | None) -> dict[str, Any]:
    item = {str(k).lower(): v for k, v in raw.items()}
    missing = [f for f in ("name", "started", "ended", "result") if not item.get(f)]
    if missing:
        raise SchemaError(f"run is missing {', '.join(missing)}", path=path, line=line)
    result = str(item["result"])
    if result not in RESULTS:
        raise SchemaError(
            f"unknown result {result!r} (expected one of {', '.join(RESULTS)})", path=path, line=line
        )
    started = pd.to_datetime(str(item["started"]), utc=True, errors="coerce", format="ISO8601")
    ended = pd.to_datetime(str(item["ended"]), utc=True, errors="coerce", format="ISO8601")
    if pd.isna(started) or pd.isna(ended):
        raise SchemaError("Started/Ended is not an RFC 3339 time", path=path, line=line)
    args = item.get("args")
    if isinstance(args, str):
        args = [a for a in args.split(",") if a]
    elif args is not None and not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
        raise SchemaError("Args must be a list of strings", path=path, line=line)
    for key in ("name", "result", "reason", "cause", "ref", "cmd"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise SchemaError(f"{key.capitalize()} must be a string", path=path, line=line)
    return {
        "unit": str(item["name"]),
        "started": started,
        "ended": ended,
        "duration_s": (ended - started).total_seconds(),
        "result": result,
        "reason": item.get("reason") or None,
        "cause": item.get("cause") or None,
        "ref": item.get("ref") or None,
        "cmd": item.get("cmd") or None,
        "args": list(args or []),
        "source_file": str(path),
        "source_line": line,
    }


def _json_runs(path: Path, data: bytes) -> list[tuple[dict[str, Any], int | None]]:
    _decode(path, data)  # a stray byte is reported at its own line, not where orjson gives up
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if json_depth(data) > limits().json_depth:
            raise ParseError(f"JSON nests deeper than {limits().json_depth} levels", path=path) from None
        raise ParseError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from exc
    if isinstance(doc, dict) and isinstance(doc.get("runs"), list):
        doc = doc["runs"]
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise SchemaError("a run report is a JSON array of run objects", path=path)
    return [(r, i) for i, r in enumerate(doc)]


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 text (a BOM dropped); a stray byte is reported with its line, not as a traceback."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ParseError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path=path, line=line, column=column
        ) from exc


def _csv_runs(path: Path, data: bytes) -> list[tuple[dict[str, Any], int | None]]:
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ParseError(f"invalid CSV: {exc}", path=path, line=1) from exc
    if header[:4] != ["name", "started", "ended", "result"]:
        raise SchemaError("CSV header must start with Name,Started,Ended,Result", path=path, line=1)
    rows: list[tuple[dict[str, Any], int | None]] = []
    try:
        for row in reader:
            if row:
                rows.append((dict(zip(header, row, strict=False)), reader.line_num))
    except csv.Error as exc:
        raise ParseError(f"invalid CSV: {exc}", path=path, line=reader.line_num) from exc
    return rows


def _report_files(root: Path) -> list[Path]:
    if root.is_dir():
        return sorted(
            p
            for p in root.rglob("*")
            if p.suffix in (".json", ".csv") and p.is_file() and "schema" not in p.name
        )
    return [root]


def load_run_report(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Load a terragrunt run report (JSON or CSV, or a folder of them) into one row per unit run.

    Columns: ``unit`` (the report's ``Name``: the unit path relative to where terragrunt ran),
    ``started``, ``ended`` (UTC timestamps), ``duration_s``, ``result`` (succeeded | failed | early exit
    | excluded), ``reason`` (retry succeeded | error ignored | run error | exclude block | ancestor
    error), ``cause``, ``ref``, ``cmd`` (plan, apply...), ``args`` (list), ``source_file``,
    ``source_line`` (CSV line, or the JSON array index).

    Lenient by default: a bad row is skipped and listed in ``frame.attrs["errors"]`` (path, line,
    message); ``strict=True`` raises.

    >>> runs = load_run_report("data/sample/run-reports/2026-11-20-plan.json")  # doctest: +SKIP
    >>> runs[runs.result == "failed"][["unit", "reason", "cause"]]  # doctest: +SKIP
    """
    root = Path(path)
    if not root.exists():
        raise ParseError("no such file or folder", path=root)
    records: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for file in _report_files(root):
        try:
            data = read_bytes(file, "run_report", what="run report")
            runs = _csv_runs(file, data) if file.suffix.lower() == ".csv" else _json_runs(file, data)
            for raw, line in runs:
                try:
                    records.append(_record(raw, file, line))
                except OpslibError as exc:
                    if strict:
                        raise
                    errors.append({"path": exc.path, "line": exc.line, "message": exc.reason})
        except OpslibError as exc:
            if strict:
                raise
            log.warning("%s", exc)
            errors.append({"path": exc.path, "line": exc.line, "message": exc.reason})
    frame = pd.DataFrame(records, columns=RUN_COLUMNS)
    for col in ("started", "ended"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    frame["duration_s"] = frame["duration_s"].astype(float)
    frame.attrs["errors"] = errors
    return frame

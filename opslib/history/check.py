"""``check_history``: what a reviewer of the two history files should look at.

Findings (one row each): ``kind`` (``json_only``, ``md_only``, ``missing_field``, ``unreadable``,
``missing_file``), ``source_file``, ``line`` (Markdown heading line, or JSON entry index), ``id``,
``timestamp``, ``agent``, ``message``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from opslib.history.json_loader import read_json_history
from opslib.history.load import JSON_NAME, MD_NAME, history_files
from opslib.history.markdown import read_markdown_history
from opslib.history.reconcile import reconcile

__all__ = ["FINDING_COLUMNS", "REQUIRED_FIELDS", "check_history"]

FINDING_COLUMNS = ("kind", "source_file", "line", "id", "timestamp", "agent", "message")
# What the shutdown protocol asks every entry to record, as history columns.
REQUIRED_FIELDS: tuple[str, ...] = ("timestamp", "agent", "action_type", "description", "status", "tags")


def _missing(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Events lacking a required field in every record of them (JSON values filled from Markdown)."""
    findings: list[dict[str, Any]] = []
    for row in frame.itertuples(index=False):
        absent = [name for name in REQUIRED_FIELDS if _blank(getattr(row, name), name)]
        if row.in_json and str(row.id).startswith("h-"):
            absent.insert(0, "id")
        if absent:
            findings.append(_finding("missing_field", row, f"missing {', '.join(absent)}"))
    return findings


def _blank(value: Any, name: str) -> bool:
    if name == "status":
        return value == "unknown"
    if name == "tags":
        return value is None or len(value) == 0
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    return bool(pd.isna(value))


def _finding(kind: str, row: Any, message: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "source_file": row.source_file,
        "line": row.source_line,
        "id": row.id,
        "timestamp": row.timestamp,
        "agent": row.agent,
        "message": message,
    }


def check_history(path: str | Path) -> pd.DataFrame:
    """Findings for a history folder or file (see the module docstring); empty when all is well."""
    js_path, md_path = history_files(path)
    findings: list[dict[str, Any]] = []
    js_frame = md_frame = None
    precision: list[str] = []
    if js_path is not None:
        js = read_json_history(js_path)
        js_frame = js.frame
        findings += [_error(e) for e in js.errors]
    if md_path is not None:
        md = read_markdown_history(md_path)
        md_frame, precision = md.frame, md.precision
        findings += [_error(e) for e in md.errors]
    if js_frame is not None and md_frame is not None:
        merged = reconcile(js_frame, md_frame, precision)
        findings += _missing(merged)
        for row in merged[merged["in_json"] != merged["in_md"]].itertuples(index=False):
            other = MD_NAME if row.in_json else JSON_NAME
            findings.append(
                _finding(
                    "json_only" if row.in_json else "md_only",
                    row,
                    f"logged only in {Path(str(row.source_file)).name}, not in {other}",
                )
            )
    else:
        findings += _missing(js_frame if js_frame is not None else md_frame)  # type: ignore[arg-type]
    if (js_frame is None or md_frame is None) and Path(path).is_dir():
        missing = MD_NAME if md_path is None else JSON_NAME
        findings.append(
            {
                "kind": "missing_file",
                "source_file": str(js_path or md_path),
                "message": f"{missing} is missing; every event should be in both files",
            }
        )
    return _frame(findings)


def _error(error: dict[str, Any]) -> dict[str, Any]:
    line = error.get("line") if error.get("line") is not None else error.get("index")
    return {
        "kind": "unreadable",
        "source_file": error.get("source_file"),
        "line": line,
        "message": error.get("message"),
    }


def _frame(findings: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame({name: [f.get(name) for f in findings] for name in FINDING_COLUMNS})
    frame["line"] = pd.array(frame["line"].tolist(), dtype="Int64")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame

"""Render findings as a table, JSON or SARIF text (what ``opslib lint`` prints or writes)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from opslib.rules._base import SEVERITIES

__all__ = ["FORMATS", "render", "summary"]

FORMATS = ("table", "json", "sarif")


def summary(findings: pd.DataFrame) -> str:
    """``3 findings (1 critical, 2 high), 1 suppressed`` for the end of a report."""
    active = findings[~findings["suppressed"]] if len(findings) else findings
    counts = active["severity"].value_counts() if len(active) else pd.Series(dtype="int64")
    parts = [f"{int(counts[s])} {s}" for s in SEVERITIES if s in counts.index]
    text = f"{len(active)} finding{'s' if len(active) != 1 else ''}"
    if parts:
        text += f" ({', '.join(parts)})"
    suppressed = len(findings) - len(active)
    if suppressed:
        text += f", {suppressed} suppressed"
    return text


def _table(findings: pd.DataFrame, show_suppressed: bool) -> str:
    shown = findings if show_suppressed else findings[~findings["suppressed"]]
    if shown.empty:
        return f"no findings\n{summary(findings)}\n"
    columns = ["severity", "rule", "location", "message"]
    rows = [
        [
            str(r["severity"]),
            str(r["rule_id"]),
            f"{r['path']}:{int(r['line'])}",
            # the location has its own column: drop the "unit x, path:line: " prefix of the message
            str(r["message"]).split(": ", 1)[-1] + ("  [suppressed]" if r["suppressed"] else ""),
        ]
        for r in shown.to_dict(orient="records")
    ]
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(columns[:-1])]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in [columns, *rows]
    ]
    body = "\n".join(line.rstrip() for line in lines)
    return f"{body}\n{summary(findings)}\n"


def _json(findings: pd.DataFrame) -> str:
    records = [
        {**row, "line": int(row["line"]), "suppressed": bool(row["suppressed"])}
        for row in findings.to_dict(orient="records")
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def render(
    findings: pd.DataFrame,
    fmt: str = "table",
    *,
    root: str | Path | None = None,
    show_suppressed: bool = False,
) -> str:
    """The findings as text in ``fmt`` (``table``, ``json`` or ``sarif``). Table output leaves out
    suppressed findings unless ``show_suppressed``; JSON and SARIF always carry them, marked."""
    if fmt == "json":
        return _json(findings)
    if fmt == "sarif":
        from opslib.rules.sarif import to_sarif_json

        return to_sarif_json(findings, root=root)
    if fmt == "table":
        return _table(findings, show_suppressed)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")

"""Findings a change introduces: lint on base and on HEAD matched by a line-independent fingerprint,
and SARIF files from other scanners mapped to units and split the same way."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from opslib.errors import ParseError

__all__ = ["FINDING_DIFF_COLUMNS", "fingerprint", "read_sarif", "split_findings", "split_sarif"]

FINDING_DIFF_COLUMNS = [
    "state",
    "tool",
    "rule_id",
    "severity",
    "unit",
    "path",
    "line",
    "message",
    "fingerprint",
]
_LINE_WORDS = re.compile(r"(?:line|lines|:)\s*\d+(?::\d+)?")
_SARIF_SEVERITY = {"error": "high", "warning": "medium", "note": "low", "none": "low"}


def fingerprint(row: dict[Any, Any], text_of: Any = None) -> str:
    """Rule, unit, file, message without line numbers, and the flagged line's text: a finding keeps its
    fingerprint when lines are added above it, and changes it when its own line changes."""
    message = _LINE_WORDS.sub("", str(row.get("message", "")))
    source = ""
    if text_of is not None and row.get("line") and row.get("path"):
        source = text_of(str(row["path"]), int(row["line"])).strip()
    key = (
        "\x1f".join(str(row.get(k) or "") for k in ("rule_id", "unit", "path")) + f"\x1f{message}\x1f{source}"
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def _line_reader(root: Path) -> Any:
    cache: dict[str, list[str]] = {}

    def text_of(path: str, line: int) -> str:
        if path not in cache:
            try:
                cache[path] = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                cache[path] = []
        lines = cache[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""

    return text_of


def _with_fingerprints(findings: pd.DataFrame, root: Path) -> pd.DataFrame:
    text_of = _line_reader(root)
    rows = findings.to_dict(orient="records")
    return findings.assign(fingerprint=[fingerprint(r, text_of) for r in rows])


def split_findings(base: pd.DataFrame, head: pd.DataFrame, base_root: Path, head_root: Path) -> pd.DataFrame:
    """Lint findings of both sides as ``introduced``, ``fixed`` or ``existing`` (suppressed ones left out)."""
    base = _with_fingerprints(_active(base), base_root)
    head = _with_fingerprints(_active(head), head_root)
    before = Counter(base["fingerprint"])
    after = Counter(head["fingerprint"])
    rows = []
    seen: Counter[str] = Counter()
    for row in head.to_dict(orient="records"):
        seen[row["fingerprint"]] += 1
        # the first N copies of a fingerprint were there before; copies beyond that are new
        state = "existing" if seen[row["fingerprint"]] <= before[row["fingerprint"]] else "introduced"
        rows.append(row | {"state": state, "tool": "opslib"})
    gone: Counter[str] = Counter()
    for row in base.to_dict(orient="records"):
        gone[row["fingerprint"]] += 1
        if gone[row["fingerprint"]] > after[row["fingerprint"]]:
            rows.append(row | {"state": "fixed", "tool": "opslib"})
    return pd.DataFrame(rows, columns=FINDING_DIFF_COLUMNS)


def _active(findings: pd.DataFrame) -> pd.DataFrame:
    if "suppressed" in findings.columns:
        return findings[~findings["suppressed"].astype(bool)]
    return findings


def read_sarif(path: str | Path) -> list[dict[str, Any]]:
    """Results of a SARIF 2.1.0 file: tool, rule id, level, message, uri, line, baseline state."""
    source = Path(path)
    try:
        log = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParseError(f"cannot read SARIF file: {exc.strerror or exc}", path=source) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(f"not a SARIF JSON file: {exc}", path=source, line=line) from exc
    runs = log.get("runs") if isinstance(log, dict) else None
    if not isinstance(runs, list):
        raise ParseError("not a SARIF log: no runs list", path=source)
    results = []
    for run in runs:
        if not isinstance(run, dict):
            continue
        driver = (run.get("tool") or {}).get("driver") or {}
        tool = str(driver.get("name") or source.stem)
        for result in run.get("results") or []:
            if isinstance(result, dict):
                results.append(_sarif_result(result, tool))
    return results


def _sarif_result(result: dict[str, Any], tool: str) -> dict[str, Any]:
    location = ((result.get("locations") or [{}])[0] or {}).get("physicalLocation") or {}
    uri = str((location.get("artifactLocation") or {}).get("uri") or "")
    if uri.startswith("file:"):
        uri = unquote(urlsplit(uri).path)
    region = location.get("region") or {}
    message = result.get("message") or {}
    level = str(result.get("level") or "warning")
    return {
        "tool": tool,
        "rule_id": str(result.get("ruleId") or ""),
        "severity": _SARIF_SEVERITY.get(level, "medium"),
        "message": str(message.get("text") or message.get("markdown") or ""),
        "uri": uri,
        "line": region.get("startLine"),
        "baseline": result.get("baselineState"),
    }


def split_sarif(
    results: list[dict[str, Any]],
    *,
    top: Path,
    tree_root: Path,
    units: list[str],
    added: dict[str, set[int]],
) -> pd.DataFrame:
    """SARIF results as introduced/existing/fixed: the file's ``baselineState`` where it has one, else
    introduced when the result sits on a line the change adds."""
    ordered = sorted(units, key=len, reverse=True)
    rows = []
    for result in results:
        rel_top = _relative(result["uri"], top)
        path = _relative(str(top / rel_top), tree_root) if rel_top else ""
        unit = next((u for u in ordered if path == u or path.startswith(u.rstrip("/") + "/")), None)
        state = {"new": "introduced", "absent": "fixed", "unchanged": "existing", "updated": "existing"}.get(
            str(result["baseline"]), ""
        )
        if not state:
            line = result["line"]
            state = (
                "introduced" if rel_top in added and (line is None or line in added[rel_top]) else "existing"
            )
        row = {k: result[k] for k in ("tool", "rule_id", "severity", "message", "line")}
        row |= {"state": state, "unit": unit, "path": rel_top}
        row["fingerprint"] = fingerprint(row)
        rows.append(row)
    return pd.DataFrame(rows, columns=FINDING_DIFF_COLUMNS)


def _relative(uri: str, base: Path) -> str:
    text = uri.replace("%SRCROOT%", "").lstrip("/") if not Path(uri).is_absolute() else uri
    path = Path(text)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()

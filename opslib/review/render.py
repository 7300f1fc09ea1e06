"""A review as a pull-request comment (Markdown), JSON, or SARIF of the findings it introduces."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from opslib.review.core import Review

__all__ = ["COMMENT_LIMIT", "MAX_ROWS", "to_json", "to_markdown", "to_sarif"]

#: GitHub refuses comments over 65,536 characters; stay well under it
COMMENT_LIMIT = 60_000
MAX_ROWS = 50
MARKER = "<!-- opslib-review -->"  # lets CI find and update its own comment


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else ""
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "…"


def _table(frame: pd.DataFrame, columns: list[str], limit: int = MAX_ROWS) -> str:
    if frame.empty:
        return "_none_\n"
    shown = frame[columns].head(limit)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    if len(frame) > limit:
        lines.append(f"\n_and {len(frame) - limit:,} more_")
    return "\n".join(lines) + "\n"


def _section(title: str, body: str, open_: bool = False) -> str:
    return f"<details{' open' if open_ else ''}><summary><b>{title}</b></summary>\n\n{body}\n</details>\n"


def _verdict_line(result: Review) -> str:
    mark = "⛔ **approval required**" if result.reasons else "✅ **ok**"
    because = f" — {'; '.join(result.reasons)}" if result.reasons else ""
    return f"{mark}{because}"


def to_markdown(result: Review, limit: int = COMMENT_LIMIT) -> str:
    """The pull-request comment: the verdict first, then collapsible sections; under ``limit`` chars."""
    parts = [MARKER, f"### opslib change review: {_verdict_line(result)}\n"]
    parts.append(
        f"`{result.base[:12]}..{result.head}` · {len(result.files)} files · {len(result.affected)} units "
        f"affected ({int(result.affected['production'].sum())} in production) · "
        f"{len(result.introduced())} new findings\n"
    )
    new = result.introduced()
    fixed = result.findings[result.findings["state"] == "fixed"]
    existing = result.findings[result.findings["state"] == "existing"]
    cols = ["severity", "tool", "rule_id", "unit", "path", "line", "message"]
    parts.append(
        _section(
            f"Findings: {len(new)} new, {len(fixed)} fixed, {len(existing)} already there",
            _table(new.sort_values(["severity", "path", "line"]), cols)
            + (f"\nFixed by this change:\n\n{_table(fixed, cols)}" if len(fixed) else ""),
            open_=bool(len(new)),
        )
    )
    affected = result.affected
    parts.append(
        _section(
            f"Blast radius: {len(affected)} units",
            _table(affected, ["unit", "distance", "reason", "environment", "production", "deleted"]),
        )
    )
    if len(result.plan):
        plan_cols = [c for c in ("unit", "address", "action", "risk") if c in result.plan.columns]
        parts.append(_section(f"Plan: {len(result.plan)} changes", _table(result.plan, plan_cols)))
    if result.cost is not None:
        parts.append(_section("Cost", result.cost.message + "\n"))
    if len(result.refs):
        parts.append(_section("Production refs", _table(result.refs, list(result.refs.columns))))
    if len(result.formatting):
        diffs = "\n".join(f"```diff\n{d}\n```" for d in result.formatting["diff"].head(10))
        parts.append(_section(f"Formatting: {len(result.formatting)} files not formatted", diffs))
    files = result.files
    parts.append(_section(f"Files: {len(files)}", _table(files, ["status", "path", "old_path"])))
    if result.notes:
        parts.append(_section("Notes", "\n".join(f"- {n}" for n in result.notes) + "\n"))
    return _fit(result.scrub("\n".join(parts)), limit)


def _fit(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    tail = "\n\n_(comment cut to fit the size limit: run `opslib review --format json` for everything)_\n"
    cut = text[: limit - len(tail)]
    # never leave an open <details> or code fence behind
    cut = cut[: cut.rfind("\n</details>") + len("\n</details>")] if "\n</details>" in cut else cut
    return cut + tail


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from opslib.cli._output import frame_to_records

    return frame_to_records(frame)


def to_json(result: Review) -> str:
    """Everything, JSON-safe."""
    data = {
        "verdict": result.verdict,
        "exit_code": result.exit_code,
        "reasons": result.reasons,
        "base": result.base,
        "head": result.head,
        "files": _records(result.files),
        "affected": _records(result.affected),
        "findings": _records(result.findings),
        "plan": _records(
            result.plan[[c for c in ("unit", "address", "type", "action", "risk") if c in result.plan]]
        ),
        "refs": _records(result.refs),
        "formatting": _records(result.formatting),
        "cost": result.cost.to_dict() if result.cost is not None else None,
        "notes": result.notes,
    }
    return result.scrub(json.dumps(data, indent=2, default=str)) + "\n"


def to_sarif(result: Review) -> str:
    """A SARIF 2.1.0 log of the findings this change introduces (opslib's and the other scanners')."""
    from opslib.rules.sarif import to_sarif as lint_sarif

    new = result.introduced()
    ours = new[new["tool"] == "opslib"].drop(columns=["state", "tool"])
    log = lint_sarif(ours.assign(suppressed=False), root=result.tree_root)
    others = new[new["tool"] != "opslib"]
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    for tool, group in others.groupby("tool"):
        log["runs"].append(
            {
                "tool": {"driver": {"name": str(tool)}},
                "results": [
                    {
                        "ruleId": r["rule_id"],
                        "level": levels.get(str(r["severity"]), "warning"),
                        "message": {"text": str(r["message"])},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": r["path"]},
                                    **(
                                        {"region": {"startLine": int(r["line"])}}
                                        if pd.notna(r["line"])
                                        else {}
                                    ),
                                }
                            }
                        ],
                        "partialFingerprints": {"opslib/v1": r["fingerprint"]},
                    }
                    for r in group.to_dict(orient="records")
                ],
            }
        )
    return result.scrub(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"

"""The fleet index: one row per project with each report's status, headline and age."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opslib._io import atomic_write_text
from opslib.fleet._file import Fleet

__all__ = ["fleet_rows", "write_fleet_index"]

_RUN_SUFFIX = ".run.json"


def _age(started: str, now: datetime) -> str:
    try:
        when = datetime.fromisoformat(started)
    except (TypeError, ValueError):
        return "—"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    minutes = max(0, int((now - when).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} days ago"


def fleet_rows(out: Path, fleet: Fleet, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per project and report: status, headline (or skip reason / error), age, link."""
    from opslib.reports import headline

    now = now or datetime.now(UTC)
    rows = []
    for project in fleet.projects:
        folder = out / project.name
        for run_file in sorted(folder.glob(f"*{_RUN_SUFFIX}")):
            try:
                info = json.loads(run_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            name = str(info.get("name") or run_file.name[: -len(_RUN_SUFFIX)])
            status = str(info.get("status") or "?")
            error = ""
            if info.get("error"):
                try:
                    error = str(json.loads(info["error"]).get("message", ""))
                except (json.JSONDecodeError, AttributeError):
                    error = str(info["error"])
            text = (
                str(info.get("reason") or "") if status == "skipped" else headline(info.get("summary") or {})
            )
            page = folder / f"{name}.html"
            rows.append(
                {
                    "project": project.name,
                    "report": name,
                    "status": status,
                    "headline": error or text,
                    "age": _age(str(info.get("started_at") or ""), now),
                    "link": f"{project.name}/{name}.html" if page.exists() and status == "ok" else None,
                }
            )
    return rows


def write_fleet_index(out_dir: str | Path, fleet: Fleet, errors: Mapping[str, str] | None = None) -> Path:
    """Write ``OUT/index.html``: a row per project, its reports' statuses, headlines and ages."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    errors = errors or {}
    by_project: dict[str, list[dict[str, Any]]] = {p.name: [] for p in fleet.projects}
    for row in fleet_rows(out, fleet):
        by_project[row["project"]].append(row)
    body = []
    for project in fleet.projects:
        reports = by_project[project.name]
        failed = project.name in errors or any(r["status"] == "failed" for r in reports)
        status = "failed" if failed else ("ok" if reports else "not run")
        cells = []
        if project.name in errors:
            cells.append(f"<div class='error'>{html.escape(errors[project.name])}</div>")
        for r in reports:
            name = html.escape(r["report"])
            link = f"<a href='{html.escape(r['link'])}'>{name}</a>" if r["link"] else name
            state = html.escape(r["status"])
            cells.append(
                f"<div class='r {state}'><span class='badge'>{state}</span> {link}: "
                f"{html.escape(r['headline'])} <span class='age'>{html.escape(r['age'])}</span></div>"
            )
        own_index = out / project.name / "index.html"
        title = html.escape(project.name)
        if own_index.exists():
            title = f"<a href='{html.escape(project.name)}/index.html'>{title}</a>"
        where = html.escape(str(project.path))
        body.append(
            f"<tr class='{status.replace(' ', '-')}'><td>{title}<br><code>{where}</code></td>"
            f"<td>{html.escape(status)}</td><td>{''.join(cells) or '—'}</td></tr>"
        )
    page = _TEMPLATE.format(
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        fleet=html.escape(str(fleet.file)),
        rows="\n".join(body),
    )
    target = out / "index.html"
    atomic_write_text(target, page)
    return target


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>opslib fleet</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
tr.failed > td {{ background: #fde8e8; }}
.r {{ margin: .15rem 0; }}
.badge {{ display: inline-block; min-width: 4.5em; font-size: .8em; border-radius: 3px; padding: 0 .3em;
  background: #e7f5e9; }}
.r.failed .badge {{ background: #f8c9c9; }} .r.skipped .badge {{ background: #eee; }}
.age {{ color: #777; font-size: .85em; }} .error {{ color: #a00; }}
</style></head>
<body><h1>opslib fleet</h1><p>Fleet file <code>{fleet}</code>; generated {generated}</p>
<table><thead><tr><th>Project</th><th>Status</th><th>Reports</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""

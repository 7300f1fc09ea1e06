"""Render one event as a Markdown history entry in the file's own style, and place it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["NEW_FILE_HEADER", "MdEvent", "insert_entry", "render_entry"]

NEW_FILE_HEADER = (
    "# Project History\n\n"
    "Activity log kept by the agents working on this project (shutdown protocol).\n"
    "Newest entries are at the bottom; `project_history.json` holds the same events as structured data.\n"
)

_EMOJI = {"completed": "✅ Completed", "partial": "⚠️ Partial", "failed": "❌ Failed"}


@dataclass(frozen=True)
class MdEvent:
    """What a Markdown entry shows (the JSON entry carries the same facts)."""

    id: str
    timestamp: pd.Timestamp
    agent: str
    title: str
    action_type: str
    category: str | None
    task: str | None
    description: str
    status: str
    summary: str | None
    files_created: Sequence[str]
    files_modified: Sequence[str]
    files_deleted: Sequence[str]
    follow_up: Sequence[str]
    tags: Sequence[str]


def _outcome(event: MdEvent) -> str:
    text = _EMOJI.get(event.status, event.status.capitalize())
    return f"{text} - {event.summary}" if event.summary else text


def _files_changed(event: MdEvent) -> list[str]:
    lines = []
    for label, files in (
        ("Created", event.files_created),
        ("Modified", event.files_modified),
        ("Deleted", event.files_deleted),
    ):
        if files:
            lines.append(f"- {label}: {', '.join(files)}")
    return lines or ["- None"]


def _style12(event: MdEvent, style: int) -> list[str]:
    stamp = event.timestamp.strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"## [{stamp}] {event.agent}: {event.title}", ""]
    if style == 2:
        lines.append(f"**ID**: {event.id}")
    lines.append(f"**Action**: {event.action_type}")
    if event.category:
        lines.append(f"**Category**: {event.category}")
    lines.append("")
    if style == 2 and event.task:
        lines += ["### Context", event.task, ""]
    lines += ["### What Was Done", event.description, ""]
    lines += ["### Files Changed", *_files_changed(event), ""]
    lines += ["### Outcome", _outcome(event), ""]
    if event.follow_up:
        lines += [
            "### Follow-up Actions" if style == 2 else "### Follow-up",
            *(f"- [ ] {item}" for item in event.follow_up),
            "",
        ]
    if event.tags:
        lines += [f"**Tags**: {' '.join('#' + t for t in event.tags)}", ""]
    return lines


def _style3(event: MdEvent) -> list[str]:
    lines = [
        f"## {event.timestamp.strftime('%Y-%m-%d')} — {event.agent} — {event.title}",
        "",
        f"**What**: {event.description}",
        f"**Action**: {event.action_type}",
    ]
    if event.category:
        lines.append(f"**Category**: {event.category}")
    for label, files in (
        ("Files added", event.files_created),
        ("Files modified", event.files_modified),
        ("Files deleted", event.files_deleted),
    ):
        if files:
            lines += [f"**{label}**:", *(f"- {f}" for f in files)]
    summary = f" — {event.summary}" if event.summary else ""
    lines.append(f"**Outcome**: {event.status}{summary}")
    if event.follow_up:
        lines += ["**Follow-up**:", *(f"- {item}" for item in event.follow_up)]
    if event.tags:
        lines.append(f"**Tags**: {', '.join(event.tags)}")
    lines.append("")
    return lines


def render_entry(event: MdEvent, style: int) -> str:
    """The entry's text, ending with the closing ``---`` line and a newline."""
    lines = _style3(event) if style == 3 else _style12(event, style)
    return "\n".join(lines) + "\n---\n"


def insert_entry(text: str, entry: str, *, newest_first: bool, first_entry_line: int | None) -> str:
    """``text`` with ``entry`` appended at the bottom, or above the first entry when newest-first."""
    lines = text.splitlines(keepends=True)
    if newest_first and first_entry_line is not None:
        head, tail = lines[:first_entry_line], lines[first_entry_line:]
        opener = "" if _ends_with_rule(head) else "---\n\n"
        return "".join(head) + opener + entry + "\n" + "".join(tail)
    body = "".join(lines).rstrip("\n")
    opener = "\n\n" if _ends_with_rule(lines) else "\n\n---\n\n"
    return (body + opener if body else "") + entry


def _ends_with_rule(lines: list[str]) -> bool:
    for line in reversed(lines):
        if line.strip():
            return line.strip() in ("---", "***", "___")
    return False

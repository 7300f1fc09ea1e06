"""Render one event as a Markdown history entry in the file's own style, and place it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["NEW_FILE_HEADER", "MdEvent", "block", "insert_entry", "one_line", "render_entry", "unescaped"]

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


# A line the reader takes as structure: a heading or section, a bold field (`**Status**: failed`, also
# as a list item), a code fence (which would hide every heading after it), a rule.
_STRUCTURE = re.compile(r"^(?:#|\*\*|[-*+]\s+\*\*|\s*```|\s*~~~|\s*(?:-{3,}|\*{3,}|_{3,})\s*$|\\)")


def one_line(text: str) -> str:
    """``text`` on one line: newlines and other breaks folded into single spaces."""
    return " ".join(text.split())


def block(text: str) -> str:
    """Multi-line text whose lines can never read as structure: such a line gets a leading backslash.

    The reader drops that backslash again (and Markdown renders ``\\#`` as ``#``), so the text
    round-trips; a description can no longer forge an entry, a section or a field.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join("\\" + line if _STRUCTURE.match(line) else line for line in lines)


def unescaped(line: str) -> str | None:
    """The text of a line :func:`block` escaped, or ``None`` when ``line`` is not one."""
    if line.startswith("\\") and _STRUCTURE.match(line[1:]):
        return line[1:]
    return None


def _outcome(event: MdEvent) -> str:
    text = _EMOJI.get(event.status, event.status.capitalize())
    if not event.summary:
        return text
    first, _, rest = event.summary.partition("\n")  # the first line follows the status, not a line start
    return f"{text} - {first}" + (f"\n{block(rest)}" if rest else "")


def _files_changed(event: MdEvent) -> list[str]:
    lines = []
    for label, files in (
        ("Created", event.files_created),
        ("Modified", event.files_modified),
        ("Deleted", event.files_deleted),
    ):
        if files:
            lines.append(f"- {label}: {', '.join(one_line(f) for f in files)}")
    return lines or ["- None"]


def _style12(event: MdEvent, style: int) -> list[str]:
    stamp = event.timestamp.strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"## [{stamp}] {one_line(event.agent)}: {one_line(event.title)}", ""]
    if style == 2:
        lines.append(f"**ID**: {one_line(event.id)}")
    lines.append(f"**Action**: {one_line(event.action_type)}")
    if event.category:
        lines.append(f"**Category**: {one_line(event.category)}")
    lines.append("")
    if style == 2 and event.task:
        lines += ["### Context", block(event.task), ""]
    lines += ["### What Was Done", block(event.description), ""]
    lines += ["### Files Changed", *_files_changed(event), ""]
    lines += ["### Outcome", _outcome(event), ""]
    if event.follow_up:
        lines += [
            "### Follow-up Actions" if style == 2 else "### Follow-up",
            *(f"- [ ] {one_line(item)}" for item in event.follow_up),
            "",
        ]
    if event.tags:
        lines += [f"**Tags**: {' '.join('#' + one_line(t).replace(' ', '-') for t in event.tags)}", ""]
    return lines


def _style3(event: MdEvent) -> list[str]:
    # this style keeps each field on its bold line: multi-line values are folded
    lines = [
        f"## {event.timestamp.strftime('%Y-%m-%d')} — {one_line(event.agent)} — {one_line(event.title)}",
        "",
        f"**What**: {one_line(event.description)}",
        f"**Action**: {one_line(event.action_type)}",
    ]
    if event.category:
        lines.append(f"**Category**: {one_line(event.category)}")
    for label, files in (
        ("Files added", event.files_created),
        ("Files modified", event.files_modified),
        ("Files deleted", event.files_deleted),
    ):
        if files:
            lines += [f"**{label}**:", *(f"- {one_line(f)}" for f in files)]
    summary = f" — {one_line(event.summary)}" if event.summary else ""
    lines.append(f"**Outcome**: {event.status}{summary}")
    if event.follow_up:
        lines += ["**Follow-up**:", *(f"- {one_line(item)}" for item in event.follow_up)]
    if event.tags:
        lines.append(f"**Tags**: {', '.join(one_line(t) for t in event.tags)}")
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

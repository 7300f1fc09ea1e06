"""Read ``PROJECT_HISTORY.md`` in the three styles real projects write.

Entries are found by their ``## `` heading lines (a date in the heading tells an entry from a preamble
heading); nothing relies on a Markdown parser, because the ``---`` under a paragraph that closes each
entry makes CommonMark read a setext heading.

* style 1 (shutdown protocol): ``## [YYYY-MM-DD HH:MM:SS] agent: Title``, ``**Action**:``,
  ``**Category**:``, ``### What Was Done``, ``### Files Changed``, ``### Outcome``, ``### Follow-up``,
  ``**Tags**: #a #b``; oldest first;
* style 2 (``/log-activity``): the same plus ``**ID**:``, ``### Context``, ``### Follow-up Actions``;
  newest first, under a preamble with its own ``##`` headings and tables;
* style 3: ``## YYYY-MM-DD — agent — Title`` with ``**What**:``, ``**Files added**:`` bullet lists,
  ``**Outcome**:`` and ``**Tags**: a, b``.

Columns are the history columns; ``source_line`` is the 1-based line of the entry's heading and
``extra`` holds the title and any section or field the columns do not name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from opslib._io import decode_utf8, read_bytes
from opslib.errors import ParseError
from opslib.history.json_loader import rows_to_frame
from opslib.history.md_format import unescaped
from opslib.history.schema import no_gc, normalise_status, normalise_tag

__all__ = ["Layout", "MarkdownHistory", "parse_markdown", "read_markdown_history", "scan_layout"]

_HEADING = re.compile(r"^##(?!#)\s*(?P<rest>.*?)\s*$")
_BRACKETED = re.compile(r"^\[(?P<ts>[^\]]+)\]\s*(?P<tail>.*)$")
_DATED = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s*(?:Z|UTC|[+-]\d{2}:?\d{2}))?)"
    r"\s*(?:[—–|:]|\s-\s)\s*(?P<tail>.*)$"
)
# A heading that starts with a date but has no separator after it ("## 2026-03-01 (Session 2) — Title",
# "## 2026-06-27"): still an entry, never a silently skipped one.
_DATE_LEAD = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)\b\s*(?P<tail>.*)$"
)
_BOLD = re.compile(r"^\s*(?:[-*]\s+)?\*\*(?P<key>[^*]+?)\s*:?\s*\*\*\s*:?\s*(?P<value>.*?)\s*$")
_SECTION = re.compile(r"^###\s+(?P<name>.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?(?P<item>.*?)\s*$")
_FILE_LINE = re.compile(
    r"^\s*[-*]\s+\*{0,2}(?P<kind>created|added|new|modified|changed|updated|deleted|"
    r"removed)\*{0,2}\s*:?\*{0,2}\s*:?\s*(?P<files>.*)$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_NEWEST_FIRST = re.compile(
    r"newest\s+(?:entries\s+)?(?:first|at the top|on top)|most recent first|"
    r"reverse chronological|prepended",
    re.IGNORECASE,
)
_EMOJI = {
    "✅": "completed",
    "⚠️": "partial",
    "⚠": "partial",
    "❌": "failed",
    "🟡": "partial",
    "🔴": "failed",
    "🟢": "completed",
}

_FIELD_KEYS: dict[str, str] = {
    "action": "action_type",
    "action type": "action_type",
    "type": "action_type",
    "category": "category",
    "id": "id",
    "agent": "agent",
    "agent type": "agent_type",
    "task": "task",
    "status": "status",
    "outcome": "outcome",
    "result": "summary",
    "summary": "summary",
    "what": "description",
    "what was done": "description",
    "description": "description",
    "tags": "tags",
    "files added": "files_created",
    "files created": "files_created",
    "files modified": "files_modified",
    "files changed": "files_modified",
    "files deleted": "files_deleted",
    "files removed": "files_deleted",
    "follow-up": "follow_up",
    "follow up": "follow_up",
    "follow-up actions": "follow_up",
    "next steps": "follow_up",
}
_SECTION_KEYS: dict[str, str] = {
    "what was done": "description",
    "what": "description",
    "description": "description",
    "summary": "description",
    "changes": "description",
    "files changed": "files",
    "files": "files",
    "outcome": "outcome",
    "result": "outcome",
    "follow-up": "follow_up",
    "follow up": "follow_up",
    "follow-up actions": "follow_up",
    "next steps": "follow_up",
    "tags": "tags",
}
_FILE_KIND = {
    "created": "files_created",
    "added": "files_created",
    "new": "files_created",
    "modified": "files_modified",
    "changed": "files_modified",
    "updated": "files_modified",
    "deleted": "files_deleted",
    "removed": "files_deleted",
}


@dataclass
class MarkdownHistory:
    """A parsed Markdown history and what a writer needs to add to it in the same style."""

    frame: pd.DataFrame
    errors: list[dict[str, Any]] = field(default_factory=list)
    style: int = 1
    newest_first: bool = False
    first_entry_line: int | None = None  # 0-based index of the line where the first entry starts
    # per entry: "second", "day" (a date-only heading) or "local" (style 2 writes local time)
    precision: list[str] = field(default_factory=list)


def read_markdown_history(path: str | Path, *, strict: bool = False) -> MarkdownHistory:
    """Read one Markdown history file; lenient unless ``strict``."""
    source = Path(path)
    text, problem = decode_markdown(read_bytes(source, "history", what="history file"), source)
    if problem is not None and strict:
        raise problem
    result = parse_markdown(text, source, strict=strict)
    if problem is not None:
        result.errors.insert(0, {"source_file": str(source), "line": problem.line, "message": problem.reason})
    return result


def decode_markdown(data: bytes, source: Path) -> tuple[str, ParseError | None]:
    """The text of a Markdown history and, when it is not clean UTF-8, the problem to report.

    UTF-16 with a byte-order mark (what some Windows editors write) is decoded. A NUL byte or a byte
    that is not UTF-8 is reported with its line, and the rest of the file is still read.
    """
    try:
        text = decode_utf8(data, source, utf16=True)
    except ParseError as exc:
        return data.decode("utf-8", errors="replace"), exc
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        problem = ParseError(
            "binary data (a NUL byte): not a UTF-8 text file (UTF-16 without a byte-order mark?)",
            path=source,
            line=line,
        )
        return text.replace("\x00", ""), problem
    return text, None


@dataclass(frozen=True)
class Layout:
    """How a Markdown history is laid out: what a writer must follow to add an entry."""

    style: int
    newest_first: bool
    first_entry_line: int | None
    entries: int


def scan_layout(text: str) -> Layout:
    """The file's style and order from its heading lines alone (cheap: writers call it per append)."""
    headings: list[tuple[int, str, int]] = []  # (0-based line, timestamp text, style)
    line = 0
    last = 0
    for match in _HEADING_LINE.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        rest = match.group(1).strip()
        bracketed = _BRACKETED.match(rest)
        dated = _DATED.match(rest)
        if bracketed and re.match(r"\d{4}-\d{2}-\d{2}", bracketed.group("ts").strip()):
            headings.append((line, _stamp_text(bracketed.group("ts")), 1))
        elif dated:
            headings.append((line, _stamp_text(dated.group("ts")), 3))
    styles = [style for _, _, style in headings]
    style = max(set(styles), key=styles.count) if styles else 1
    if style == 1 and _STYLE2_MARK.search(text):
        style = 2
    stamps = [stamp for _, stamp, _ in headings]
    down = sum(1 for a, b in pairwise(stamps) if b < a)
    up = sum(1 for a, b in pairwise(stamps) if b > a)
    lines = text.splitlines()
    preamble = "\n".join(lines[: headings[0][0]] if headings else lines)
    return Layout(
        style=style,
        newest_first=down > up if down != up else bool(_NEWEST_FIRST.search(preamble)),
        first_entry_line=_entry_start(lines, headings[0][0]) if headings else None,
        entries=len(headings),
    )


_HEADING_LINE = re.compile(r"^##(?!#)(.*)$", re.MULTILINE)
_STYLE2_MARK = re.compile(r"^\*\*ID\*\*\s*:|^###\s+Follow-up Actions\s*$", re.MULTILINE | re.IGNORECASE)


@dataclass
class _Entry:
    line: int
    stamp: str
    tail: str
    style: int
    body: list[str]


def parse_markdown(text: str, source: Path, *, strict: bool = False) -> MarkdownHistory:
    """Parse the text of a Markdown history (see the module docstring for the styles)."""
    with no_gc():
        return _parse_markdown(text, source, strict=strict)


def _parse_markdown(text: str, source: Path, *, strict: bool) -> MarkdownHistory:
    lines = text.splitlines()
    entries = _split(lines)
    errors: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    precision: list[str] = []
    for entry in entries:
        row, problems = _entry_row(entry)
        errors += [{"source_file": str(source), "line": entry.line + 1, "message": m} for m in problems]
        rows.append(row)
        precision.append("second" if ":" in entry.stamp else "day")
    frame, bad = rows_to_frame(rows, str(source), in_json=False)
    errors += [
        {"source_file": str(source), "line": int(frame["source_line"].iloc[pos]), "message": msg}
        for pos, msg in bad
    ]
    if not entries and _has_content(lines):
        errors.append(
            {
                "source_file": str(source),
                "line": 1,
                "message": "no history entries: no `## ` heading starts with a date "
                "(`## [YYYY-MM-DD HH:MM:SS] agent: title` or `## YYYY-MM-DD — agent — title`)",
            }
        )
    errors.sort(key=lambda e: e["line"])
    if strict and errors:
        raise ParseError(errors[0]["message"], path=source, line=errors[0]["line"])
    layout = scan_layout(text)
    return MarkdownHistory(
        frame=frame,
        errors=errors,
        style=layout.style,
        newest_first=layout.newest_first,
        first_entry_line=layout.first_entry_line,
        precision=[("local" if p == "second" and layout.style == 2 else p) for p in precision],
    )


def _has_content(lines: list[str]) -> bool:
    """Whether a file without entries is more than a fresh history's header and preamble."""
    # A fresh log is "# Project History" plus a line, or the /log-activity template (a "How to Read
    # This Log" section, tables, "New entries should be added below this line"); it says what it is.
    # A document that is not an activity log runs to sections and tables without such a line.
    text = "\n".join(lines)
    if _FRESH_LOG.search(text):
        return False
    body = [ln for ln in lines if ln.strip() and not ln.startswith("# ") and not _RULE.match(ln)]
    return len(body) > 12 and any(_HEADING.match(ln) for ln in lines)


_FRESH_LOG = re.compile(
    r"new entries (?:should be |are )?(?:added|appended|prepended)|newest entries|"
    r"how to read this log|auto-generated activity log|reverse chronological",
    re.IGNORECASE,
)


def _split(lines: list[str]) -> list[_Entry]:
    entries: list[_Entry] = []
    current: _Entry | None = None
    fenced = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is None:
            if current is not None:
                current.body.append(line)
            continue
        rest = heading.group("rest")
        current = None
        bracketed = _BRACKETED.match(rest)
        dated = _DATED.match(rest)
        if bracketed and re.match(r"\d{4}-\d{2}-\d{2}", bracketed.group("ts").strip()):
            current = _Entry(number, bracketed.group("ts").strip(), bracketed.group("tail"), 1, [])
        elif dated:
            current = _Entry(number, dated.group("ts").strip(), dated.group("tail"), 3, [])
        elif lead := _DATE_LEAD.match(rest):
            tail = lead.group("tail").lstrip("—–|:- ").strip()
            current = _Entry(number, lead.group("ts").strip(), tail, 3, [])
        if current is not None:
            entries.append(current)
    return entries


def _split_agent(entry: _Entry) -> tuple[str | None, str]:
    tail = entry.tail.strip()
    separators = (
        [r":\s+", r"\s+[—–]\s+", r"\s+-\s+"] if entry.style == 1 else [r"\s+[—–]\s+", r"\s+-\s+", r":\s+"]
    )
    for sep in separators:
        parts = re.split(sep, tail, maxsplit=1)
        if len(parts) == 2 and parts[0] and " " not in parts[0].strip().strip("*`"):
            return parts[0].strip().strip("*`"), parts[1].strip()
    if tail and " " not in tail:
        return tail.strip("*`:"), ""
    return None, tail


def _entry_row(entry: _Entry) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    agent, title = _split_agent(entry)
    # style 1 and 2 headings always name the agent; engineers' style-3 logs often write only
    # "date — title", which is complete as written
    if agent is None and entry.style == 1:
        problems.append(f"entry heading names no agent: {entry.tail!r}")
    fields: dict[str, Any] = {
        "files_created": [],
        "files_modified": [],
        "files_deleted": [],
        "follow_up": [],
        "tags": [],
    }
    extra: dict[str, Any] = {}
    if title:
        extra["title"] = title
    _read_body(entry, fields, extra)
    if any(e.startswith("**ID**") for e in entry.body):
        entry.style = 2
    if "follow_up_section" in fields:
        entry.style = 2 if fields.pop("follow_up_section") == "follow-up actions" else entry.style
    outcome = fields.pop("outcome", None)
    status, summary = _outcome(outcome) if outcome else ("unknown", None)
    if fields.get("status"):
        status = normalise_status(fields.pop("status"))
    row = {
        "id": fields.get("id"),
        "timestamp": _stamp_text(entry.stamp),
        "agent": fields.get("agent") or agent,
        "agent_type": fields.get("agent_type"),
        "action_type": fields.get("action_type"),
        "description": fields.get("description") or title or None,
        "category": fields.get("category"),
        "task": fields.get("task"),
        "status": status,
        "summary": fields.get("summary") or summary,
        "files_created": fields["files_created"],
        "files_modified": fields["files_modified"],
        "files_deleted": fields["files_deleted"],
        "follow_up": fields["follow_up"],
        "tags": [t for t in (normalise_tag(x) for x in fields["tags"]) if t],
        "source_line": entry.line + 1,
        "extra": extra,
    }
    return row, problems


def _stamp_text(stamp: str) -> str:
    return re.sub(r"\s*UTC$", "Z", stamp.strip())


def _read_body(entry: _Entry, fields: dict[str, Any], extra: dict[str, Any]) -> None:
    section: str | None = None
    target: str | None = None  # a bold key whose value continues as a bullet list below it
    buffer: dict[str, list[str]] = {}
    for line in entry.body:
        text = unescaped(line)
        if text is not None:  # a line of text the writer kept from reading as structure
            buffer.setdefault(section or "extra:body", []).append(text)
            continue
        if _RULE.match(line):
            continue
        sec = _SECTION.match(line)
        if sec:
            name = sec.group("name").strip().strip("*").strip().lower()
            section = _SECTION_KEYS.get(name, "extra:" + _snake(name))
            if section == "follow_up":
                fields["follow_up_section"] = name
            target = None
            continue
        # an indented bold line is a sub-heading inside a bullet list ("  - **Schema Fixes**:"), part of
        # the list above it, not a field of the entry
        bold = None if line[:1] in (" ", "\t") else _BOLD.match(line)
        if bold and (
            section is None
            or section.startswith("extra:")
            or section == "description"
            or not _BULLET.match(line)
        ):
            key = bold.group("key").strip().lower()
            value = bold.group("value")
            target = _apply_field(key, value, fields, extra)
            continue
        bullet = _BULLET.match(line)
        if target is not None and bullet:
            _add_list(fields, target, [bullet.group("item")])
            continue
        if section is not None:
            buffer.setdefault(section, []).append(line)
        elif line.strip():
            # text straight under the heading (engineers' logs: "## date — title" then bullets) is
            # kept rather than dropped
            buffer.setdefault("extra:body", []).append(line)
    for name, body in buffer.items():
        _apply_section(name, body, fields, extra)


def _apply_field(key: str, value: str, fields: dict[str, Any], extra: dict[str, Any]) -> str | None:
    column = _FIELD_KEYS.get(key)
    if column is None and re.search(r"\bnext steps?\b|\bfollow[- ]?ups?\b", key):
        column = "follow_up"  # "Open questions / next steps", "Follow-ups"
    if column is None:
        extra[_snake(key)] = value
        return None
    if column in ("files_created", "files_modified", "files_deleted", "follow_up"):
        # "**Files modified** (additive only):" - a note about the list, not a file
        value = re.sub(r"^\([^)]*\)\s*:?\s*", "", value).strip()
        if value:
            _add_list(fields, column, _split_files(value) if column.startswith("files") else [value])
        return column
    if column == "tags":
        fields["tags"].extend(t for t in re.split(r"[\s,]+", value) if t)
        return None
    fields[column] = value.strip("`").strip() or None
    return None


def _apply_section(name: str, body: list[str], fields: dict[str, Any], extra: dict[str, Any]) -> None:
    text = "\n".join(body).strip()
    if name == "description":
        if text and not fields.get("description"):
            fields["description"] = text
    elif name == "files":
        for line in body:
            match = _FILE_LINE.match(line)
            if match:
                _add_list(fields, _FILE_KIND[match.group("kind").lower()], _split_files(match.group("files")))
            elif _BULLET.match(line):
                _add_list(fields, "files_modified", _split_files(_BULLET.match(line).group("item")))  # type: ignore[union-attr]
    elif name == "outcome":
        if text:
            fields["outcome"] = text
    elif name == "follow_up":
        for line in body:
            bullet = _BULLET.match(line)
            if bullet and bullet.group("item"):
                fields["follow_up"].append(bullet.group("item"))
    elif name == "tags":
        fields["tags"].extend(t for t in re.split(r"[\s,]+", text) if t)
    elif text:
        key = name.removeprefix("extra:")
        if key == "context" and not fields.get("task"):
            fields["task"] = text
        else:
            extra[key] = text


def _add_list(fields: dict[str, Any], column: str, items: list[str]) -> None:
    # "- None" under Files Changed means no files; a follow-up item is kept as written
    placeholders = ("none", "n/a", "-", "—") if column.startswith("files") else ()
    fields[column].extend(
        item
        for item in (_file_item(i) if column.startswith("files") else i.strip() for i in items)
        if item and item.lower() not in placeholders
    )


def _file_item(item: str) -> str:
    """A file path from a list item: "`path` — what changed" keeps the backticked path only."""
    item = item.strip()
    quoted = re.match(r"^`([^`]+)`", item)
    if quoted:
        return quoted.group(1).strip()
    return re.split(r"\s+[—–]\s+", item, maxsplit=1)[0].strip("`").strip()


def _split_files(value: str) -> list[str]:
    return [part for part in (p.strip().strip("`").strip() for p in value.split(",")) if part]


def _outcome(text: str) -> tuple[str, str | None]:
    """``✅ Completed - result`` (or ``success — result``) into a status and the result text."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    status = "unknown"
    for emoji, mapped in _EMOJI.items():
        if first.startswith(emoji):
            status, first = mapped, first[len(emoji) :].strip()
            break
    summary: str | None = first
    match = _OUTCOME_WORD.match(first)
    if match and normalise_status(match.group("word")) != "unknown":
        status = status if status != "unknown" else normalise_status(match.group("word"))
        summary = match.group("summary")
    joined = "\n".join(p for p in ((summary or "").strip(), rest.strip()) if p)
    return status, joined or None


_OUTCOME_WORD = re.compile(r"^\**(?P<word>[A-Za-z][A-Za-z_ -]*?)\**\s*(?:[-—–:]\s*(?P<summary>.*))?$")


def _snake(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")


def _entry_start(lines: list[str], heading: int) -> int:
    """The first line of an entry: its heading, or the ``---`` rule right above it."""
    start = heading
    probe = heading - 1
    while probe >= 0 and not lines[probe].strip():
        probe -= 1
    if probe >= 0 and _RULE.match(lines[probe]):
        start = probe
    return start

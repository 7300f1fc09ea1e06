"""``log_activity``: append one event to both history files, atomically and under one lock.

Both files are read and checked before either is written, so a file that does not parse (or is not
UTF-8, or is read-only, or is a folder) is never rewritten: the error names it and nothing changes. The
JSON is rewritten whole through a temporary file, fsync and rename; the Markdown gets the entry in its
own style and order. One lock (``project_history.json.lock``, beside the real file when the path is a
symlink, which is followed) covers both, so concurrent writers serialise.

Field values cannot create Markdown structure: one-line fields (agent, title, action, category, files,
follow-ups, tags) have their line breaks folded, and a line of a multi-line field (description, task,
summary) that would read as a heading, a section, a field, a fence or a rule gets a leading backslash,
which the reader drops again.

The two files are written one after the other, so a writer killed (or failing) between them would leave
an event in one file only. Before writing, the entry is recorded in ``.project_history.pending.json``;
the record goes once both files hold the entry. A writer that finds a record left behind completes that
interrupted write first: an entry in one file only is added to the other (an entry in neither was never
written and is dropped). Temporary files of killed writers are removed. One-sided entries that no
interrupted write explains (a hand edit) are left for ``opslib history check`` to report.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from opslib._io import (
    atomic_write_bytes,
    atomic_write_text,
    clean_stale_temps,
    decode_utf8,
    locked,
    read_bytes,
    writable_target,
)
from opslib._time import utc_timestamp
from opslib.errors import ConfigError, OpslibError, ParseError, WriteError
from opslib.history.json_loader import document_entries, parse_document
from opslib.history.load import JSON_NAME, MD_NAME
from opslib.history.markdown import scan_layout
from opslib.history.md_format import NEW_FILE_HEADER, MdEvent, insert_entry, one_line, render_entry
from opslib.history.schema import normalise_status, normalise_tag

__all__ = ["PENDING_NAME", "history_paths", "log_activity"]

log = logging.getLogger(__name__)

#: the record of a write in progress, beside project_history.json
PENDING_NAME = ".project_history.pending.json"

_STATUSES = ("completed", "partial", "failed")


def history_paths(folder: str | Path) -> tuple[Path, Path]:
    """Where ``log_activity`` writes: the folder's own files, or those under ``project/``."""
    base = Path(folder)
    for candidate in (base, base / "project"):
        js, md = candidate / JSON_NAME, candidate / MD_NAME
        if js.exists() or md.exists():
            return js, md
    return base / JSON_NAME, base / MD_NAME


def _stamp(timestamp: str | dt.datetime | pd.Timestamp | None) -> pd.Timestamp:
    if timestamp is None:
        return pd.Timestamp.now(tz="UTC").floor("s")
    return utc_timestamp(timestamp, "timestamp")


def _strings(name: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, str):
        raise ConfigError(f"`{name}` must be a list of strings, not a string")
    # one item per line in both files: a line break inside one would split it on reload
    return [one_line(str(v)) for v in values]


def _uses_shape_b(entries: list[Any]) -> bool:
    dicts = [e for e in entries if isinstance(e, dict)]
    shape_b = sum(1 for e in dicts if isinstance(e.get("agent"), dict))
    return bool(dicts) and shape_b * 2 > len(dicts)


def _unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def log_activity(
    folder: str | Path,
    *,
    agent: str,
    action_type: str,
    description: str,
    status: str,
    category: str | None = None,
    task: str | None = None,
    summary: str | None = None,
    files_created: Iterable[str] = (),
    files_modified: Iterable[str] = (),
    files_deleted: Iterable[str] = (),
    follow_up: Iterable[str] = (),
    tags: Iterable[str] = (),
    title: str | None = None,
    timestamp: str | dt.datetime | pd.Timestamp | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Append one event to ``project_history.json`` and ``PROJECT_HISTORY.md`` in ``folder``.

    Files missing are created (JSON in shape A with a header, Markdown in style 1). An existing JSON
    file keeps its shape (A unless it already uses B), its unknown top-level keys, and gets
    ``updated_at`` and ``metadata`` counters refreshed when it has them. The Markdown entry follows
    the file's style and order. ``extra`` keyword arguments become extra top-level JSON keys
    (``issue=``, ``branch=``, ``tests=``...). Returns the JSON entry as written.

    Raises ``ConfigError`` for bad arguments, ``ParseError``/``SchemaError`` (naming the file) when an
    existing file does not parse, and ``LockError`` when another writer holds the lock too long.
    """
    if not isinstance(agent, str) or not agent.strip():
        raise ConfigError("`agent` must be a non-empty string")
    if len(agent.strip().split()) > 1 and any(c in agent for c in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"):
        # the heading names the agent: a line break would start a new line of the file
        raise ConfigError(f"`agent` must be one line, not {agent!r}")
    if not isinstance(action_type, str) or not action_type.strip():
        raise ConfigError("`action_type` must be a non-empty string")
    norm_status = normalise_status(status)
    if norm_status not in _STATUSES:
        raise ConfigError(f"`status` must be one of {', '.join(_STATUSES)}, not {status!r}")
    try:
        orjson.dumps(extra)
    except TypeError as exc:
        raise ConfigError(f"extra fields must be JSON values: {exc}") from exc
    js_path, md_path = history_paths(folder)
    stamp = _stamp(timestamp)
    event = MdEvent(
        id="",
        timestamp=stamp,
        agent=one_line(agent),
        action_type=one_line(action_type),
        title=one_line(title or _first_line(description) or action_type)[:100],
        category=one_line(category) if category is not None else None,
        task=task,
        description=description.strip(),
        status=norm_status,
        summary=summary,
        files_created=_strings("files_created", files_created),
        files_modified=_strings("files_modified", files_modified),
        files_deleted=_strings("files_deleted", files_deleted),
        follow_up=_strings("follow_up", follow_up),
        tags=[t for t in (normalise_tag(x) for x in _strings("tags", tags)) if t],
    )
    _make_folder(js_path.parent)
    with locked(os.path.realpath(js_path)):
        for path in (js_path, md_path):
            writable_target(path)  # both checked before either is written
        for path in (js_path, md_path, js_path.parent / PENDING_NAME):
            clean_stale_temps(path)  # a killed writer's; none is live while the lock is held
        doc = _read_json(js_path)
        md_text = _read_md(md_path)
        entries = doc if isinstance(doc, list) else doc["entries"]
        md_text = _complete_interrupted(js_path.parent / PENDING_NAME, entries, md_text)
        layout = scan_layout(md_text) if md_text is not None else None
        taken = {str(e.get("id")) for e in entries if isinstance(e, dict) and e.get("id") is not None}
        shape_b = _uses_shape_b(entries)
        entry = _shape_b(event, extra, taken) if shape_b else _shape_a(event, extra, taken)
        event = _with_id(event, str(entry["id"]))
        rendered = render_entry(event, layout.style if layout is not None else 1)
        _record_pending(js_path.parent / PENDING_NAME, entry, rendered)
        entries.append(entry)
        if isinstance(doc, dict):
            _refresh_header(doc, entries, stamp)
        atomic_write_bytes(js_path, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        atomic_write_text(md_path, _with_entry(md_text, rendered))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(js_path.parent / PENDING_NAME)
    return entry


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise WriteError(
            "cannot create the history folder: a part of its path is a file", path=folder
        ) from None
    except OSError as exc:
        raise WriteError(f"cannot create the history folder: {exc.strerror or exc}", path=folder) from None


def _read_md(path: Path) -> str | None:
    """The Markdown history's text, or ``None`` when there is none yet; only UTF-8 is rewritten."""
    if not path.exists() and not path.is_symlink():
        return None
    data = read_bytes(path, "history", what="history file")
    text = decode_utf8(data, path)  # ParseError naming the byte's line: a file never re-encoded
    if "\x00" in text:
        raise ParseError("binary data (a NUL byte): not a UTF-8 text file; not rewritten", path=path)
    return text


def _with_entry(md_text: str | None, rendered: str) -> str:
    if md_text is None:
        return NEW_FILE_HEADER + "\n---\n\n" + rendered
    layout = scan_layout(md_text)
    return insert_entry(
        md_text, rendered, newest_first=layout.newest_first, first_entry_line=layout.first_entry_line
    )


def _record_pending(path: Path, entry: dict[str, Any], rendered: str) -> None:
    atomic_write_bytes(path, orjson.dumps({"entry": entry, "markdown": rendered}))


def _complete_interrupted(pending: Path, entries: list[Any], md_text: str | None) -> str | None:
    """Finish the write a killed or failed writer left in ``pending``; returns the Markdown text.

    An entry in the JSON only is added to the Markdown (``entries`` is changed in place for the
    opposite case); an entry in neither file was never written and is dropped.
    """
    if not pending.exists():
        return md_text
    try:
        record = orjson.loads(read_bytes(pending, "history", what="pending write record"))
        entry, rendered = record["entry"], record["markdown"]
        entry_id = entry["id"]
        if not isinstance(rendered, str) or not isinstance(entry, dict):
            raise TypeError("unexpected record")
    except (OpslibError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        log.warning("%s: ignoring an unreadable record of an interrupted write: %s", pending, exc)
        return md_text
    in_json = any(isinstance(e, dict) and e.get("id") == entry_id for e in entries)
    in_md = md_text is not None and rendered in md_text
    if in_json and not in_md:
        md_text = _with_entry(md_text, rendered)
    elif in_md and not in_json:
        entries.append(entry)
    if in_json != in_md:
        log.warning("completed an interrupted write: entry %s is now in both history files", entry_id)
    return md_text


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0].strip() if stripped else ""


def _with_id(event: MdEvent, entry_id: str) -> MdEvent:
    fields = {k: getattr(event, k) for k in event.__dataclass_fields__}
    fields["id"] = entry_id
    return MdEvent(**fields)


def _read_json(path: Path) -> Any:
    data = read_bytes(path, "history", what="history file") if path.exists() or path.is_symlink() else b""
    if not data.strip():
        now = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        project = path.resolve().parent.name
        if project == "project":
            project = path.resolve().parent.parent.name
        return {"version": "1.0", "project": project, "created_at": now, "updated_at": now, "entries": []}
    doc = parse_document(data, path)
    document_entries(doc, path)  # raises SchemaError when `entries` is missing or not a list
    return doc


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _shape_a(event: MdEvent, extra: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    base = f"{event.timestamp.strftime('%Y%m%d-%H%M%S')}-{event.agent.replace('-', '_')}"
    entry: dict[str, Any] = {
        "id": _unique_id(base, taken),
        "timestamp": _iso(event.timestamp),
        "agent": event.agent,
        "action": {"type": event.action_type, "description": event.description},
        "context": {"task": event.task or "", "category": event.category or ""},
        "files": {
            "created": list(event.files_created),
            "modified": list(event.files_modified),
            "deleted": list(event.files_deleted),
        },
        "outcome": {"status": event.status, "summary": event.summary or ""},
        "follow_up": list(event.follow_up),
        "tags": list(event.tags),
    }
    entry.update(extra)
    return entry


def _shape_b(event: MdEvent, extra: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    extra = dict(extra)
    agent_type = extra.pop("agent_type", None) or "agent"
    entry_id = str(uuid.uuid4())
    while entry_id in taken:  # pragma: no cover - a uuid4 collision
        entry_id = str(uuid.uuid4())
    entry: dict[str, Any] = {
        "id": entry_id,
        "timestamp": _iso(event.timestamp),
        "agent": {"name": event.agent, "type": agent_type},
        "action": {
            "type": event.action_type,
            "category": event.category or "",
            "description": event.description,
        },
        "context": {"task": event.task or "", "related_entries": [], "triggered_by": "log_activity"},
        "files": {
            "created": list(event.files_created),
            "modified": list(event.files_modified),
            "deleted": list(event.files_deleted),
        },
        "outcome": {
            "status": event.status,
            "result": event.summary or "",
            "follow_up_actions": list(event.follow_up),
        },
        "tags": list(event.tags),
    }
    entry.update(extra)
    return entry


def _refresh_header(doc: dict[str, Any], entries: list[Any], stamp: pd.Timestamp) -> None:
    if "updated_at" in doc:
        doc["updated_at"] = _iso(pd.Timestamp.now(tz="UTC").floor("s"))
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        return
    if "total_entries" in meta:
        meta["total_entries"] = len(entries)
    agents = meta.get("agents_active")
    if isinstance(agents, list):
        meta["agents_active"] = _union(agents, [_agent_name(e) for e in entries[-1:]])
    tags = meta.get("tags_used")
    if isinstance(tags, list):
        last = entries[-1] if entries and isinstance(entries[-1], dict) else {}
        meta["tags_used"] = _union(tags, list(last.get("tags") or []))
    if "last_updated" in meta:
        meta["last_updated"] = _iso(stamp)


def _agent_name(entry: Any) -> str | None:
    agent = entry.get("agent") if isinstance(entry, dict) else None
    return agent.get("name") if isinstance(agent, dict) else agent


def _union(current: list[Any], new: list[Any]) -> list[Any]:
    out = list(current)
    for item in new:
        if item is not None and item not in out:
            out.append(item)
    return out

"""``log_activity``: append one event to both history files, atomically and under one lock.

Both files are read and checked before either is written, so a file that does not parse is never
rewritten (the error names it and nothing changes). The JSON is rewritten whole through a temporary
file, fsync and rename; the Markdown gets the entry in its own style and order. One lock
(``project_history.json.lock``) covers both, so concurrent writers serialise.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from opslib._io import atomic_write_bytes, atomic_write_text, locked
from opslib._time import utc_timestamp
from opslib.errors import ConfigError
from opslib.history.json_loader import document_entries, parse_document
from opslib.history.load import JSON_NAME, MD_NAME
from opslib.history.markdown import scan_layout
from opslib.history.md_format import NEW_FILE_HEADER, MdEvent, insert_entry, render_entry
from opslib.history.schema import normalise_status, normalise_tag

__all__ = ["history_paths", "log_activity"]

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
    items = [str(v) for v in values]
    return items


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
        agent=agent.strip(),
        action_type=action_type.strip(),
        title=(title or _first_line(description) or action_type)[:100],
        category=category,
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
    js_path.parent.mkdir(parents=True, exist_ok=True)
    with locked(js_path):
        doc = _read_json(js_path)
        md_text = md_path.read_text(encoding="utf-8") if md_path.exists() else None
        layout = scan_layout(md_text) if md_text is not None else None
        entries = doc if isinstance(doc, list) else doc["entries"]
        taken = {str(e.get("id")) for e in entries if isinstance(e, dict) and e.get("id") is not None}
        shape_b = _uses_shape_b(entries)
        entry = _shape_b(event, extra, taken) if shape_b else _shape_a(event, extra, taken)
        event = _with_id(event, str(entry["id"]))
        entries.append(entry)
        if isinstance(doc, dict):
            _refresh_header(doc, entries, stamp)
        atomic_write_bytes(js_path, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        if layout is None or md_text is None:
            atomic_write_text(md_path, NEW_FILE_HEADER + "\n---\n\n" + render_entry(event, 1))
        else:
            new_text = insert_entry(
                md_text,
                render_entry(event, layout.style),
                newest_first=layout.newest_first,
                first_entry_line=layout.first_entry_line,
            )
            atomic_write_text(md_path, new_text)
    return entry


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0].strip() if stripped else ""


def _with_id(event: MdEvent, entry_id: str) -> MdEvent:
    fields = {k: getattr(event, k) for k in event.__dataclass_fields__}
    fields["id"] = entry_id
    return MdEvent(**fields)


def _read_json(path: Path) -> Any:
    if not path.exists() or not path.read_bytes().strip():
        now = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        project = path.resolve().parent.name
        if project == "project":
            project = path.resolve().parent.parent.name
        return {"version": "1.0", "project": project, "created_at": now, "updated_at": now, "entries": []}
    doc = parse_document(path.read_bytes(), path)
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

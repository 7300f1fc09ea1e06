"""Read ``project_history.json`` in every shape real logs use.

Two paths build the same frame:

* the fast path hands the whole file to Arrow's JSON reader (C++, no Python object per value) and
  derives every column with Arrow compute kernels. It is taken when the file is well-formed and every
  field has one consistent type, which is what large machine-written logs look like;
* the plain path (``orjson`` plus one small function per entry) handles everything else: mixed entry
  shapes, wrong types, entries that are not objects, truncated files. It reports each problem with the
  entry index instead of failing the whole file.

Columns: see :mod:`opslib.history.schema` (``id``, ``timestamp``, ``agent``, ``agent_type``,
``action_type``, ``description``, ``category``, ``task``, ``status``, ``summary``, ``files_created``,
``files_modified``, ``files_deleted``, ``follow_up``, ``tags``, ``in_json``, ``in_md``, ``source_file``,
``source_line`` (entry index), ``extra``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opslib._io import json_depth, limits, loads_json, read_bytes
from opslib.errors import ParseError, SchemaError
from opslib.history import arrow_path
from opslib.history.schema import (
    COLUMNS,
    build_frame,
    iso_to_utc,
    no_gc,
    normalise_status,
    normalise_tag,
    stable_id,
)

__all__ = ["JsonHistory", "parse_document", "read_json_history"]

log = logging.getLogger(__name__)

# Top-level entry keys the columns cover; anything else goes to ``extra``.
KNOWN_TOP = frozenset(
    {"id", "timestamp", "agent", "action", "context", "files", "outcome", "follow_up", "tags"}
)
# Known keys inside the nested objects; other nested keys go to ``extra`` as "parent.key".
KNOWN_NESTED: dict[str, frozenset[str]] = {
    "agent": frozenset({"name", "type"}),
    "action": frozenset({"type", "description", "summary", "category"}),
    "context": frozenset({"task", "category"}),
    "files": frozenset({"created", "added", "modified", "deleted"}),
    "outcome": frozenset({"status", "summary", "result", "follow_up_actions"}),
}


@dataclass
class JsonHistory:
    """A parsed JSON history: the frame, the problems, and the document's own shape."""

    frame: pd.DataFrame
    errors: list[dict[str, Any]] = field(default_factory=list)


def read_json_history(path: str | Path, *, strict: bool = False) -> JsonHistory:
    """Read one JSON history file; lenient unless ``strict`` (then the first problem raises)."""
    source = Path(path)
    data = read_bytes(source, "history", what="history file")
    # Checked once here: Arrow's reader recurses per level (and crashes the process far down), the
    # plain path's parsers raise RecursionError.
    limit = limits().json_depth
    if json_depth(data) > limit:
        error = ParseError(f"JSON nests deeper than {limit} levels (OPSLIB_MAX_JSON_DEPTH)", path=source)
        if strict:
            raise error
        problem = {"source_file": str(source), "line": 1, "message": error.reason}
        return JsonHistory(entries_frame([], source, []), [problem])
    # The fast path only accepts files it can read without a single problem, so strict mode may use it.
    frame = arrow_path.try_fast(data, str(source))
    if frame is not None:
        return JsonHistory(frame)
    return _read_plain(data, source, strict=strict)


def parse_document(data: bytes, source: Path, *, check_depth: bool = True) -> Any:
    """The whole document, or a :class:`ParseError` naming the line and column of the first fault."""
    return loads_json(data, source, check_depth=check_depth)


def document_entries(doc: Any, source: Path) -> list[Any]:
    """The entry list of a parsed document (bare array or an object with ``entries``)."""
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        raise SchemaError("top level must be an object with `entries` or an array of entries", path=source)
    if "entries" not in doc:
        lists = [k for k, v in doc.items() if isinstance(v, list)]
        hint = f"; its arrays are {', '.join(f'`{k}`' for k in lists)}" if lists else ""
        raise SchemaError(
            f"the object has no `entries` key{hint}: not an activity history in a known shape", path=source
        )
    entries = doc["entries"]
    if not isinstance(entries, list):
        raise SchemaError(f"`entries` must be a list, not {_json_type(entries)}", path=source)
    return entries


def _read_plain(data: bytes, source: Path, *, strict: bool) -> JsonHistory:
    with no_gc():
        return _read_plain_objects(data, source, strict=strict)


def _read_plain_objects(data: bytes, source: Path, *, strict: bool) -> JsonHistory:
    errors: list[dict[str, Any]] = []
    try:
        doc = parse_document(data, source, check_depth=False)  # read_json_history checked it
        entries = document_entries(doc, source)
    except ParseError as exc:
        if strict:
            raise
        entries = list(_salvage(data))
        errors.append(
            {
                "source_file": str(source),
                "line": exc.line,
                "message": f"{exc.reason} (kept the {len(entries)} complete entries before it)",
            }
        )
    except SchemaError as exc:
        if strict:
            raise
        entries = []
        # the whole document is at fault: point at its start so every problem has a position
        errors.append({"source_file": str(source), "line": 1, "message": exc.reason})
    return JsonHistory(entries_frame(entries, source, errors, strict=strict), errors)


def _salvage(data: bytes) -> Iterator[Any]:
    """The complete entries in front of the point where a truncated or damaged file breaks."""
    text = data.decode("utf-8", errors="replace")
    start = text.lstrip().startswith("[") and text.index("[") + 1
    if not start:
        match = re.search(r'"entries"\s*:\s*\[', text)
        if match is None:
            return
        start = match.end()
    decoder = json.JSONDecoder()
    pos = int(start)
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, ValueError, RecursionError):
            return
        yield value


def entries_frame(
    entries: list[Any], source: Path, errors: list[dict[str, Any]], *, strict: bool = False
) -> pd.DataFrame:
    """Normalise a list of raw entries into the history frame (the plain path)."""
    rows: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        problems: list[str] = []
        if not isinstance(entry, dict):
            problems.append(f"entry is {_json_type(entry)}, not an object; skipped")
            row = None
        else:
            row = normalise_entry(entry, problems)
            row["source_line"] = index
            if not KNOWN_TOP.intersection(entry):
                keys = ", ".join(f"`{k}`" for k in list(entry)[:5]) or "none"
                problems.append(f"entry has none of the history keys (its keys: {keys}); kept with no values")
            elif entry.get("timestamp") is None:
                problems.append("entry has no `timestamp`; kept with none")
        for message in problems:
            if strict:
                raise SchemaError(f"entry {index}: {message}", path=source)
            errors.append({"source_file": str(source), "index": index, "message": message})
        if row is not None:
            rows.append(row)
    frame, bad_stamps = rows_to_frame(rows, str(source), in_json=True)
    for position, message in bad_stamps:
        index = int(frame["source_line"].iloc[position])
        if strict:
            raise SchemaError(f"entry {index}: {message}", path=source)
        errors.append({"source_file": str(source), "index": index, "message": message})
    return frame


# the normalised fields a row carries; the rest (timestamp, provenance) are filled while building
_ROW_KEYS = tuple(c for c in COLUMNS if c not in ("timestamp", "in_json", "in_md", "source_file"))


def rows_to_frame(
    rows: list[dict[str, Any]], source: str, *, in_json: bool
) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Rows of normalised fields (timestamps still raw) into the frame, filling ids that are missing.

    Also returns ``(row position, message)`` for each timestamp that could not be read.
    """
    n = len(rows)
    columns: dict[str, Any] = {key: [row.get(key) for row in rows] for key in _ROW_KEYS}
    stamps = parse_timestamps([row.get("timestamp") for row in rows])
    bad = [
        (i, f"unparseable timestamp {row['timestamp']!r}")
        for i, (row, stamp) in enumerate(zip(rows, stamps, strict=True))
        if row.get("timestamp") is not None and pd.isna(stamp)
    ]
    columns["timestamp"] = stamps
    columns["id"] = [
        row_id if row_id else stable_id(stamp, agent, action, desc)
        for row_id, stamp, agent, action, desc in zip(
            columns["id"],
            stamps,
            columns["agent"],
            columns["action_type"],
            columns["description"],
            strict=True,
        )
    ]
    columns["in_json"] = [in_json] * n
    columns["in_md"] = [not in_json] * n
    columns["source_file"] = [source] * n
    columns["extra"] = [row.get("extra") or {} for row in rows]
    return build_frame(columns, n), bad


def parse_timestamps(values: list[Any]) -> pd.Series:
    """UTC timestamps from ISO 8601 strings (naive ones are taken as UTC) or epoch numbers."""
    texts = pd.Series([v if isinstance(v, str) else None for v in values], dtype=object)
    stamps = iso_to_utc(texts)
    stamps = pd.Series(stamps, dtype="datetime64[ns, UTC]")
    for i, value in enumerate(values):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # epoch seconds, or milliseconds when the number is too large for seconds
            unit = "ms" if abs(value) > 1e11 else "s"
            try:
                stamps.iloc[i] = pd.Timestamp(value, unit=unit, tz="UTC")
            except (ValueError, OverflowError):  # out of range, inf, nan: reported as unparseable
                stamps.iloc[i] = pd.NaT
        elif isinstance(value, str) and pd.isna(stamps.iloc[i]):
            stamps.iloc[i] = _lenient_stamp(value)
    return stamps


def _lenient_stamp(text: str) -> Any:
    try:
        stamp = pd.Timestamp(text.strip().replace(" UTC", "").replace("Z", "+00:00"))
    except (ValueError, TypeError):
        return pd.NaT
    if pd.isna(stamp):
        return pd.NaT
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


_JSON_TYPES = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
}


def _json_type(value: Any) -> str:
    """How JSON calls the type of ``value`` (messages speak the file's language, not Python's)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _obj(entry: dict[str, Any], key: str, problems: list[str]) -> dict[str, Any]:
    value = entry.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if key == "action" and isinstance(value, str):
        # `"action": "deployment"` names a type; free text ("Project phases generated", seen in real
        # logs) is what was done, and would make a useless action type
        return {"description": value} if re.search(r"\s", value.strip()) else {"type": value}
    problems.append(f"`{key}` is {_json_type(value)}, expected an object")
    return {}


def _text(value: Any, name: str, problems: list[str]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    problems.append(f"`{name}` is {_json_type(value)}, expected a string")
    return str(value) if not isinstance(value, (dict, list)) else json.dumps(value, default=str)


def _strings(value: Any, name: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        problems.append(f"`{name}` is a string, expected a list; split it on commas")
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    if not isinstance(value, list):
        problems.append(f"`{name}` is {_json_type(value)}, expected a list")
        return [str(value)]
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            # follow-up actions are sometimes objects ({"action": ..., "owner": ...})
            out.append(
                str(
                    item.get("action")
                    or item.get("description")
                    or item.get("title")
                    or json.dumps(item, default=str)
                )
            )
        elif item is not None:
            out.append(str(item))
    return out


def normalise_entry(entry: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """One raw entry (shape A, B or a looser variant) into column values."""
    action = _obj(entry, "action", problems)
    context = _obj(entry, "context", problems)
    files = _obj(entry, "files", problems)
    outcome = _obj(entry, "outcome", problems)
    agent_raw = entry.get("agent")
    agent_type = None
    if isinstance(agent_raw, dict):
        agent = _text(agent_raw.get("name"), "agent.name", problems)
        agent_type = _text(agent_raw.get("type"), "agent.type", problems)
    else:
        agent = _text(agent_raw, "agent", problems)
    raw_id = entry.get("id")
    stamp = entry.get("timestamp")
    if stamp is not None and not isinstance(stamp, (str, int, float)):
        problems.append(f"`timestamp` is {_json_type(stamp)}, expected a string")
        stamp = None
    follow = _strings(entry.get("follow_up"), "follow_up", problems)
    if not follow:
        follow = _strings(outcome.get("follow_up_actions"), "outcome.follow_up_actions", problems)
    row = {
        "id": str(raw_id) if raw_id not in (None, "") else None,
        "timestamp": stamp,
        "agent": agent,
        "agent_type": agent_type,
        "action_type": _text(action.get("type"), "action.type", problems),
        "description": _text(_first(action, "description", "summary"), "action.description", problems),
        "category": _text(
            _first(context, "category") or action.get("category"), "context.category", problems
        ),
        "task": _text(context.get("task"), "context.task", problems),
        "status": normalise_status(outcome.get("status")),
        "summary": _text(_first(outcome, "summary", "result"), "outcome.summary", problems),
        "files_created": _strings(_first(files, "created", "added"), "files.created", problems),
        "files_modified": _strings(files.get("modified"), "files.modified", problems),
        "files_deleted": _strings(files.get("deleted"), "files.deleted", problems),
        "follow_up": follow,
        "tags": [t for t in (normalise_tag(x) for x in _strings(entry.get("tags"), "tags", problems)) if t],
        "extra": _extra(entry),
    }
    return row


def _first(obj: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = obj.get(key)
        if value is not None:
            return value
    return None


def _extra(entry: dict[str, Any]) -> dict[str, Any]:
    extra = {k: v for k, v in entry.items() if k not in KNOWN_TOP and v is not None}
    for parent, known in KNOWN_NESTED.items():
        nested = entry.get(parent)
        if isinstance(nested, dict):
            extra.update({f"{parent}.{k}": v for k, v in nested.items() if k not in known and v is not None})
    return extra

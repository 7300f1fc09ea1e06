"""The fast path for large, clean JSON logs: Arrow's C++ JSON reader plus compute kernels.

Parsing 1M entries with a Python object per value costs seconds before any column exists; Arrow reads
the document straight into columnar buffers. The path is all-or-nothing: any irregularity (a type that
changes between entries, an entry that is not an object, an unreadable timestamp) returns ``None`` and
the caller uses the plain path, which reports the problem with its entry index.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from opslib.history.schema import LIST_TYPE, build_frame, iso_to_utc, no_gc, normalise_status, stable_id

__all__ = ["try_fast"]

log = logging.getLogger(__name__)

_MAX_BLOCK = (1 << 31) - 1
_ALIASES: dict[str, tuple[str, ...]] = {
    "action_type": ("action.type",),
    "description": ("action.description", "action.summary"),
    "category": ("context.category", "action.category"),
    "task": ("context.task",),
    "summary": ("outcome.summary", "outcome.result"),
    "files_created": ("files.created", "files.added"),
    "files_modified": ("files.modified",),
    "files_deleted": ("files.deleted",),
    "tags": ("tags",),
}
_KNOWN_TOP = frozenset(
    {
        "id",
        "timestamp",
        "agent",
        "agent__object",
        "action",
        "context",
        "files",
        "outcome",
        "follow_up",
        "tags",
    }
)
_KNOWN_NESTED: dict[str, frozenset[str]] = {
    "agent": frozenset({"name", "type"}),
    "action": frozenset({"type", "description", "summary", "category"}),
    "context": frozenset({"task", "category"}),
    "files": frozenset({"created", "added", "modified", "deleted"}),
    "outcome": frozenset({"status", "summary", "result", "follow_up_actions"}),
}


class _Irregular(Exception):
    """The file needs the plain path."""


def try_fast(data: bytes, source: str) -> pd.DataFrame | None:
    """The history frame of a clean JSON document, or ``None`` when the plain path must handle it."""
    try:
        entries = _read_entries(data)
        return _frame(entries, source)
    except (_Irregular, pa.ArrowException, ValueError, TypeError, KeyError) as exc:
        log.debug("fast JSON path not taken for %s: %s", source, exc)
        return None


# Shape A writes `"agent": "name"`, shape B `"agent": {"name", "type"}`; Arrow needs one type per field,
# so the object form is renamed to a key of its own before parsing. Plain byte replacement is safe in
# valid JSON: inside a string the quotes around `agent` would be escaped (`\"agent\"`), so never match.
# A match below the entry level is detected after parsing and sends the file to the plain path.
_AGENT_FORMS = (b'"agent":{', b'"agent": {')
_AGENT_RENAMED = "agent__object"


def _split_agent_forms(data: bytes) -> bytes:
    forms = [form for form in _AGENT_FORMS if form in data]
    if not forms:
        return data
    if _AGENT_RENAMED.encode() in data:
        raise _Irregular("the file already uses the key the fast path renames to")
    for form in forms:
        data = data.replace(form, form.replace(b'"agent"', b'"' + _AGENT_RENAMED.encode() + b'"'))
    return data


def _read_entries(data: bytes) -> pa.StructArray:
    data = _split_agent_forms(data)
    head = data[:64].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        raise _Irregular("byte order mark")
    if head.startswith(b"["):
        # Arrow reads objects only; wrap a bare array (rare for big files, so the copy is fine).
        data = b'{"entries":' + data + b"}"
    elif not head.startswith(b"{"):
        raise _Irregular("not an object or array")
    if len(data) >= _MAX_BLOCK:
        raise _Irregular("larger than one Arrow block")
    block = max(1 << 20, len(data) + 1)
    table = pajson.read_json(
        pa.BufferReader(pa.py_buffer(data)),
        read_options=pajson.ReadOptions(block_size=block, use_threads=True),
        parse_options=pajson.ParseOptions(newlines_in_values=True),
    )
    if table.num_rows != 1 or "entries" not in table.column_names:
        raise _Irregular("no single `entries` list")
    column = table.column("entries").combine_chunks()
    if not pa.types.is_list(column.type) or column.null_count:
        raise _Irregular("`entries` is not a list")
    values = column.flatten()
    if pa.types.is_null(values.type) and len(values) == 0:
        return pa.array([], type=pa.struct([]))
    if not pa.types.is_struct(values.type) or values.null_count:
        raise _Irregular("entries are not all objects")
    return values


def _field(entries: pa.StructArray, dotted: str) -> pa.Array | None:
    parent = entries
    for part in dotted.split("."):
        if not pa.types.is_struct(parent.type) or parent.type.get_field_index(part) < 0:
            return None
        parent = pc.struct_field(parent, part)
    return parent


def _string(entries: pa.StructArray, *paths: str) -> pa.Array:
    result: pa.Array | None = None
    for dotted in paths:
        arr = _field(entries, dotted)
        if arr is None or pa.types.is_null(arr.type):
            continue
        if not pa.types.is_string(arr.type):
            raise _Irregular(f"{dotted} is {arr.type}")
        result = arr if result is None else pc.coalesce(result, arr)
    return result if result is not None else pa.nulls(len(entries), pa.string())


def _strings(entries: pa.StructArray, *paths: str) -> pa.Array:
    result: pa.Array | None = None
    for dotted in paths:
        arr = _field(entries, dotted)
        if arr is None or pa.types.is_null(arr.type):
            continue
        if pa.types.is_list(arr.type) and pa.types.is_null(arr.type.value_type):
            if pc.any(pc.greater(pc.list_value_length(arr), 0)).as_py():
                raise _Irregular(f"{dotted} holds nulls")
            continue
        if arr.type != LIST_TYPE:
            raise _Irregular(f"{dotted} is {arr.type}")
        if result is None:
            result = arr
        else:
            # the first path wins unless it is missing or empty (files.created over files.added)
            empty = pc.fill_null(pc.equal(pc.list_value_length(result), 0), True)
            result = pc.if_else(empty, arr, result)
    if result is None:
        return pa.array([[]] * len(entries), type=LIST_TYPE)
    filled = pc.if_else(pc.is_null(result), pa.scalar([], type=LIST_TYPE), result)
    if pc.list_flatten(filled).null_count:
        raise _Irregular("null inside a list")
    return filled


def _tags(entries: pa.StructArray) -> pa.Array:
    tags = _strings(entries, "tags")
    values = pc.list_flatten(tags)
    clean = pc.utf8_lower(
        pc.utf8_trim_whitespace(
            pc.replace_substring_regex(pc.utf8_trim_whitespace(values), pattern="^#+", replacement="")
        )
    )
    if pc.any(pc.equal(pc.utf8_length(clean), 0)).as_py():
        raise _Irregular("empty tag")
    offsets = pc.subtract(tags.offsets, tags.offsets[0])
    return pa.ListArray.from_arrays(offsets, clean)


def _status(entries: pa.StructArray) -> pa.Array:
    raw = _string(entries, "outcome.status")
    encoded = raw.dictionary_encode()
    mapped = pa.array([normalise_status(v) for v in encoded.dictionary.to_pylist()], type=pa.string())
    return pc.fill_null(pc.take(mapped, encoded.indices), "unknown")


def _timestamps(entries: pa.StructArray) -> pd.Series:
    arr = _field(entries, "timestamp")
    if not len(entries):
        return pd.Series([], dtype="datetime64[ns, UTC]")
    if arr is None or arr.null_count:
        # an entry without a timestamp is a problem the plain path reports with its index
        raise _Irregular("an entry has no timestamp")
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:
            arr = pc.assume_timezone(arr, "UTC")
        return pd.Series(arr.cast(pa.timestamp("ns", "UTC")).to_pandas()).reset_index(drop=True)
    if not pa.types.is_string(arr.type):
        raise _Irregular(f"timestamp is {arr.type}")
    text = arr.to_pandas()
    stamps = iso_to_utc(text)
    if int((stamps.isna() & text.notna()).sum()):
        raise _Irregular("unreadable timestamp")
    return pd.Series(stamps, dtype="datetime64[ns, UTC]").reset_index(drop=True)


def _agent(entries: pa.StructArray) -> tuple[pa.Array, pa.Array]:
    arr = _field(entries, "agent")
    obj = _field(entries, _AGENT_RENAMED)
    n = len(entries)
    name = agent_type = pa.nulls(n, pa.string())
    if arr is not None and not pa.types.is_null(arr.type):
        if not pa.types.is_string(arr.type):
            raise _Irregular(f"agent is {arr.type}")
        name = arr
    if obj is not None and not pa.types.is_null(obj.type):
        if not pa.types.is_struct(obj.type):
            raise _Irregular(f"agent object is {obj.type}")
        if any(f.name not in ("name", "type") for f in obj.type):
            raise _Irregular("agent object has other keys")
        # an entry has one `agent` key, so at most one of the two forms is set
        name = pc.coalesce(name, _string(entries, f"{_AGENT_RENAMED}.name"))
        agent_type = _string(entries, f"{_AGENT_RENAMED}.type")
    return name, agent_type


def _renamed_elsewhere(data_type: pa.DataType, top: bool = True) -> bool:
    """Whether the renamed agent key sits anywhere but directly in an entry (then extra would change)."""
    if pa.types.is_struct(data_type):
        return any(
            (f.name == _AGENT_RENAMED and not top) or _renamed_elsewhere(f.type, False) for f in data_type
        )
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return _renamed_elsewhere(data_type.value_type, False)
    return False


def _follow_up(entries: pa.StructArray) -> pa.Array:
    return _strings(entries, "follow_up", "outcome.follow_up_actions")


def _extra(entries: pa.StructArray) -> list[dict[str, Any]]:
    n = len(entries)
    extra: list[dict[str, Any]] = [{} for _ in range(n)]
    unknown: list[tuple[str, pa.Array]] = []
    struct_type = entries.type
    for i in range(struct_type.num_fields):
        name = struct_type.field(i).name
        if name not in _KNOWN_TOP:
            unknown.append((name, pc.struct_field(entries, name)))
        elif name in _KNOWN_NESTED:
            nested = pc.struct_field(entries, name)
            if pa.types.is_struct(nested.type):
                for j in range(nested.type.num_fields):
                    sub = nested.type.field(j).name
                    if sub not in _KNOWN_NESTED[name]:
                        unknown.append((f"{name}.{sub}", pc.struct_field(nested, sub)))
    for key, arr in unknown:
        if pa.types.is_null(arr.type):
            continue
        present = pc.indices_nonzero(pc.is_valid(arr)).to_numpy()
        values = arr.take(pa.array(present)).to_pylist()
        for row, value in zip(present.tolist(), values, strict=True):
            extra[row][key] = _drop_nulls(value)
    return extra


def _drop_nulls(value: Any) -> Any:
    # Arrow fills keys an object lacked with null; the plain path never sees those keys.
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _check_containers(entries: pa.StructArray) -> None:
    # The plain path reads `"action": "deployment"` as the action type and reports other non-objects;
    # leave both to it rather than silently reading nulls here.
    for name in ("action", "context", "files", "outcome"):
        arr = _field(entries, name)
        if arr is not None and not (pa.types.is_struct(arr.type) or pa.types.is_null(arr.type)):
            raise _Irregular(f"{name} is {arr.type}")


def _frame(entries: pa.StructArray, source: str) -> pd.DataFrame:
    _check_containers(entries)
    if _renamed_elsewhere(entries.type):
        raise _Irregular("an `agent` object below the entry level")
    n = len(entries)
    id_arr = _field(entries, "id")
    if id_arr is not None and not (pa.types.is_string(id_arr.type) or pa.types.is_null(id_arr.type)):
        raise _Irregular(f"id is {id_arr.type}")
    agent, agent_type = _agent(entries)
    columns: dict[str, Any] = {
        name: _string(entries, *paths)
        for name, paths in _ALIASES.items()
        if not name.startswith(("files_", "tags"))
    }
    columns.update(agent=agent, agent_type=agent_type, status=_status(entries))
    columns["id"] = (
        pc.if_else(pc.equal(pc.fill_null(id_arr, ""), ""), pa.nulls(n, pa.string()), id_arr)
        if id_arr is not None and pa.types.is_string(id_arr.type)
        else pa.nulls(n, pa.string())
    )
    stamps = _timestamps(entries)
    pandas_cols: dict[str, Any] = {k: _to_pandas(v) for k, v in columns.items()}
    pandas_cols["id"] = _fill_ids(pandas_cols, stamps)
    for name in ("files_created", "files_modified", "files_deleted"):
        pandas_cols[name] = pd.arrays.ArrowExtensionArray(_strings(entries, *_ALIASES[name]))
    pandas_cols["follow_up"] = pd.arrays.ArrowExtensionArray(_follow_up(entries))
    pandas_cols["tags"] = pd.arrays.ArrowExtensionArray(_tags(entries))
    pandas_cols["timestamp"] = stamps
    pandas_cols["in_json"] = [True] * n
    pandas_cols["in_md"] = [False] * n
    pandas_cols["source_file"] = [source] * n
    pandas_cols["source_line"] = range(n)
    with no_gc():
        pandas_cols["extra"] = _extra(entries)
    return build_frame(pandas_cols, n)


def _to_pandas(arr: pa.Array) -> list[Any] | pd.Series:
    return pd.Series(arr.to_pandas()).reset_index(drop=True)


def _fill_ids(cols: dict[str, Any], stamps: pd.Series) -> pd.Series:
    ids: pd.Series = cols["id"].astype(object)
    missing = ids.isna()
    if missing.any():
        for i in missing[missing].index:
            ids.iloc[i] = stable_id(
                stamps.iloc[i],
                cols["agent"].iloc[i],
                cols["action_type"].iloc[i],
                cols["description"].iloc[i],
            )
    return ids

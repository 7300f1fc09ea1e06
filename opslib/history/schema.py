"""The history frame's columns and the small normalisers every reader shares.

Both the JSON and the Markdown readers, the fast (Arrow) path and the plain-Python path end in
:func:`build_frame`, so every frame has the same columns and dtypes whichever way it was read.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "COLUMNS",
    "ERROR_COLUMNS",
    "LIST_COLUMNS",
    "STATUSES",
    "build_frame",
    "empty_frame",
    "errors_frame",
    "iso_to_utc",
    "list_array",
    "no_gc",
    "normalise_status",
    "normalise_tag",
    "stable_id",
]

COLUMNS: tuple[str, ...] = (
    "id",
    "timestamp",
    "agent",
    "agent_type",
    "action_type",
    "description",
    "category",
    "task",
    "status",
    "summary",
    "files_created",
    "files_modified",
    "files_deleted",
    "follow_up",
    "tags",
    "in_json",
    "in_md",
    "source_file",
    "source_line",
    "extra",
)
STRING_COLUMNS: tuple[str, ...] = (
    "id",
    "agent",
    "agent_type",
    "action_type",
    "description",
    "category",
    "task",
    "status",
    "summary",
    "source_file",
)
LIST_COLUMNS: tuple[str, ...] = ("files_created", "files_modified", "files_deleted", "follow_up", "tags")
ERROR_COLUMNS: tuple[str, ...] = ("source_file", "index", "line", "message")
STATUSES: tuple[str, ...] = ("completed", "partial", "failed", "unknown")

LIST_TYPE = pa.list_(pa.string())

# Words real logs use for an outcome, folded onto the four statuses of the contract.
_STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "completed",
            "complete",
            "done",
            "success",
            "successful",
            "succeeded",
            "ok",
            "pass",
            "passed",
            "resolved",
            "fixed",
            "✅",
        ),
        "completed",
    ),
    **dict.fromkeys(
        (
            "partial",
            "partially_completed",
            "partially completed",
            "partially-completed",
            "in_progress",
            "in progress",
            "in-progress",
            "wip",
            "warning",
            "⚠️",
            "⚠",
        ),
        "partial",
    ),
    **dict.fromkeys(
        (
            "failed",
            "failure",
            "fail",
            "error",
            "errored",
            "blocked",
            "aborted",
            "rolled_back",
            "rolled back",
            "❌",
        ),
        "failed",
    ),
}


def normalise_status(value: object) -> str:
    """``completed | partial | failed | unknown`` from whatever word or emoji the log used."""
    if not isinstance(value, str):
        return "unknown"
    text = value.strip().lower()
    if text in _STATUS_WORDS:
        return _STATUS_WORDS[text]
    for word, status in _STATUS_WORDS.items():
        if text.startswith(word):
            return status
    return "unknown"


def normalise_tag(tag: str) -> str:
    """Tags compare lower-case and without the Markdown ``#``."""
    return tag.strip().lstrip("#").strip().lower()


_WORD = re.compile(r"\s+")


def stable_id(timestamp: object, agent: object, action_type: object, description: object) -> str:
    """An id for entries that carry none: the same event always hashes to the same id."""
    stamp = timestamp.isoformat() if isinstance(timestamp, pd.Timestamp) and not pd.isna(timestamp) else ""
    parts = [
        stamp,
        *(
            _WORD.sub(" ", str(p)).strip() if isinstance(p, str) else ""
            for p in (agent, action_type, description)
        ),
    ]
    return "h-" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many containers at once.

    Each few hundred thousand new dicts or lists trigger a full collection that walks every live
    object; for a million-row frame that costs several times the building itself. Nothing built here
    forms reference cycles, so the pause loses nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _age_young_objects()
            gc.enable()


def _age_young_objects() -> None:
    """Count the containers just built as old, without walking them.

    Re-enabling the collector leaves them in the youngest generation, whose next collection walks
    every one (half a second for a million-entry log); a freeze followed by an unfreeze moves them all
    to the oldest generation in constant time. Skipped when the program froze objects itself, whose
    freeze it would undo.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def list_array(values: Iterable[Sequence[str] | None]) -> pd.api.extensions.ExtensionArray:
    """A pandas array of lists of strings, Arrow-backed so large frames stay compact."""
    arr = pa.array([list(v) if v is not None else [] for v in values], type=LIST_TYPE)
    return pd.arrays.ArrowExtensionArray(arr)


def build_frame(columns: Mapping[str, Any], n: int, *, masked: bool = False) -> pd.DataFrame:
    """Assemble the history frame from column values (lists or arrays), filling missing columns.

    Secrets are masked here (:mod:`opslib.history.masking`), the one point every reader passes;
    ``masked=True`` for columns that were masked already (the cache holds masked frames)."""
    if not masked:
        from opslib.history.masking import mask_columns

        columns = mask_columns(dict(columns), n)
    data: dict[str, Any] = {}
    for name in COLUMNS:
        value = columns.get(name)
        if name in LIST_COLUMNS:
            data[name] = (
                value
                if isinstance(value, pd.api.extensions.ExtensionArray)
                else list_array(value if value is not None else [[]] * n)
            )
        elif name == "timestamp":
            data[name] = _timestamps(value, n)
        elif name in ("in_json", "in_md"):
            data[name] = pd.array(value if value is not None else [False] * n, dtype="bool")
        elif name == "source_line":
            data[name] = pd.array(value if value is not None else [None] * n, dtype="Int64")
        elif name == "extra":
            extra = pd.Series([{} for _ in range(n)] if value is None else list(value), dtype=object)
            data[name] = extra
        else:
            data[name] = pd.array(value if value is not None else [None] * n, dtype=_string_dtype())
    frame = pd.DataFrame(data)
    frame.index = pd.RangeIndex(len(frame))
    return frame


_HAS_OFFSET = r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"


def iso_to_utc(texts: pd.Series) -> pd.Series:
    """ISO 8601 strings to UTC timestamps (NaT where unreadable); strings without an offset are UTC.

    Strings with and without an offset are parsed apart: pandas 2.2 would give the naive ones the
    offset of the first string that has one.
    """
    texts = pd.Series(texts, dtype=object).reset_index(drop=True)
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns, UTC]")
    present = texts.notna()
    if not present.any():
        return out
    stripped = pc.utf8_trim_whitespace(pa.array(texts[present].astype(str).tolist(), type=pa.string()))
    has_offset = pd.Series(
        pc.match_substring_regex(stripped, pattern=_HAS_OFFSET).to_numpy(zero_copy_only=False),
        index=texts[present].index,
    )
    for mask in (has_offset, ~has_offset):
        part = texts[present][mask]
        if len(part):
            parsed = pd.to_datetime(part, utc=True, format="ISO8601", errors="coerce")
            out.loc[part.index] = parsed.astype("datetime64[ns, UTC]")
    return out


def _string_dtype() -> Any:
    # pandas 3 has a default string dtype; pandas 2.2 keeps object columns of str.
    return pd.Series([""]).dtype


def _timestamps(value: Any, n: int) -> pd.Series:
    if value is None:
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
    series = pd.Series(value) if not isinstance(value, pd.Series) else value.reset_index(drop=True)
    if series.dtype != "datetime64[ns, UTC]":
        series = pd.to_datetime(series, utc=True).astype("datetime64[ns, UTC]")
    return series


def empty_frame() -> pd.DataFrame:
    """A history frame with no rows and every column."""
    return build_frame({}, 0)


def errors_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Problems found while reading: ``source_file``, ``index`` (JSON entry), ``line``, ``message``."""
    records = list(rows)
    return pd.DataFrame(
        {
            "source_file": pd.array([r.get("source_file") for r in records], dtype=_string_dtype()),
            "index": pd.array([r.get("index") for r in records], dtype="Int64"),
            "line": pd.array([r.get("line") for r in records], dtype="Int64"),
            "message": pd.array([r.get("message") for r in records], dtype=_string_dtype()),
        }
    )

"""A disk cache of parsed history frames, so a warm load skips JSON parsing entirely.

Entries are Arrow IPC files (memory-mapped on read, so loading is close to a copy of the columns)
keyed on the source file's resolved path, size and ``mtime_ns``: any write to the file changes the key.
The cache lives in ``$OPSLIB_CACHE_DIR/history`` or ``~/.cache/opslib/history``. A damaged or stale
cache file is ignored, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa

from opslib._private import private_dir
from opslib.history.schema import LIST_COLUMNS, build_frame, no_gc

__all__ = ["Cached", "cache_dir", "cache_key", "load_cached", "store"]

log = logging.getLogger(__name__)

# Bump when the frame's columns or their meaning change, so old cache files stop matching.
CACHE_VERSION = "3"  # 3: frames are stored masked (older files may hold secrets in clear)


def cache_dir() -> Path:
    """Where cached frames live (``$OPSLIB_CACHE_DIR/history`` or ``~/.cache/opslib/history``)."""
    root = os.environ.get("OPSLIB_CACHE_DIR")
    base = Path(root) if root else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "opslib"
    return base / "history"


def cache_key(path: Path) -> str | None:
    """The key of ``path``'s current content, or ``None`` when the file cannot be stat'ed."""
    try:
        stat = path.stat()
    except OSError:
        return None
    ident = f"{CACHE_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha1(ident.encode("utf-8")).hexdigest()


def _replace_without_fsync(path: Path, data: bytes | pa.Table) -> None:
    """Write via a temporary file and rename, skipping fsync: a cache file lost to a crash is only a miss
    (a torn Arrow file fails to open and is ignored), and fsync costs more than the write on busy disks.
    A table is streamed to the file as Arrow IPC, never held twice in memory.
    """
    private_dir(path.parent)  # mkstemp below makes the file 0600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, pa.Table):
                with pa.ipc.new_file(handle, data.schema) as writer:
                    writer.write_table(data)
            else:
                handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _file(key: str) -> Path:
    return cache_dir() / f"{key}.arrow"


Cached = tuple[pd.DataFrame, list[dict[str, Any]], dict[str, Any]]


def load_cached(path: Path) -> Cached | None:
    """The cached frame, errors and reader notes for ``path``, or ``None`` on a miss."""
    key = cache_key(path)
    if key is None:
        return None
    target = _file(key)
    if not target.is_file():
        return None
    try:
        with pa.memory_map(str(target)) as source:
            table = pa.ipc.open_file(source).read_all()
        return _from_table(table)
    except (OSError, pa.ArrowException, ValueError, KeyError, orjson.JSONDecodeError) as exc:
        log.debug("ignoring unreadable cache file %s: %s", target, exc)
        return None


def store(
    path: Path, frame: pd.DataFrame, errors: list[dict[str, Any]], meta: dict[str, Any] | None = None
) -> None:
    """Remember ``frame`` for ``path``; failures to write only cost the next load its speed."""
    key = cache_key(path)
    if key is None:
        return
    try:
        with no_gc():
            table = _to_table(frame, errors, meta or {})
        _replace_without_fsync(_file(key), table)
        _prune(path, key)
    except (OSError, pa.ArrowException, TypeError, ValueError) as exc:
        log.warning("could not write the history cache for %s: %s", path, exc)


def _prune(path: Path, keep: str) -> None:
    # One cache file per source: drop the previous version of this source's entry.
    marker = cache_dir() / (hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest() + ".latest")
    with contextlib.suppress(OSError):
        previous = marker.read_text().strip()
        if previous and previous != keep:
            _file(previous).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        _replace_without_fsync(marker, keep.encode())


def _to_table(frame: pd.DataFrame, errors: list[dict[str, Any]], meta: dict[str, Any]) -> pa.Table:
    table = pa.Table.from_pandas(frame.drop(columns=["extra"]), preserve_index=False)
    # ``extra`` is a dict per row and mostly empty: keep only the non-empty ones, as one JSON document,
    # so a warm load decodes them in a single call instead of one per row.
    values = frame["extra"].tolist()
    rows = [i for i, e in enumerate(values) if e]
    extras = {"rows": rows, "values": [values[i] for i in rows]}
    return table.replace_schema_metadata(
        {
            b"opslib.errors": orjson.dumps(errors, default=str),
            b"opslib.meta": orjson.dumps(meta, default=str),
            b"opslib.extra": orjson.dumps(extras, default=str),
        }
    )


def _from_table(table: pa.Table) -> Cached:
    meta = table.schema.metadata or {}
    errors = orjson.loads(meta.get(b"opslib.errors", b"[]"))
    notes = orjson.loads(meta.get(b"opslib.meta", b"{}"))
    with no_gc():
        extras = orjson.loads(meta[b"opslib.extra"])
        extra: list[dict[str, Any]] = [{} for _ in range(table.num_rows)]
        for row, value in zip(extras["rows"], extras["values"], strict=True):
            extra[row] = value
    columns: dict[str, Any] = {"extra": extra}
    for name in table.column_names:
        col = table.column(name)
        if name in LIST_COLUMNS:
            columns[name] = pd.arrays.ArrowExtensionArray(col.combine_chunks())
        else:
            columns[name] = col.to_pandas()
    return build_frame(columns, table.num_rows, masked=True), errors, notes

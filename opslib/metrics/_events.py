"""The history frame as columns the metrics compute on: one pass over the frame, then array operations.

:class:`Events` reads a history frame lazily, one column at a time as a measure asks for it:

* text columns are dictionary-encoded (Arrow), so a test on ``status`` or ``action_type`` runs on the few
  distinct values and spreads to every row by code; Python strings are made only for the rows a table
  shows;
* list columns become *pairs* (row, code) with the distinct values beside them;
* the keys that tie events together (ids, files, unit folders, task titles) become one long table of
  (row, kind, code); Python only runs on distinct values (file paths, titles, descriptions).

:func:`next_match`, the search every measure shares ("the first later event that shares a key"), is
one sort of the candidates' (key, time) and one binary search per source key.

The rules are those of :mod:`opslib.metrics._common` (``as_list``, ``files_of``, ``units_of``,
``units_in_text``, ``task_key``, ``related_ids``); a property test compares every measure with the
per-event implementation this replaced.
"""

from __future__ import annotations

import functools
import logging
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from opslib.metrics._common import (
    _UNIT_FILES,
    _UNIT_SUFFIXES,
    ESCALATION_TYPES,
    FAILURE_STATUSES,
    INCIDENT_TYPES,
    as_list,
    canonical_unit,
    related_ids,
)
from opslib.metrics._text import task_keys, text_units

__all__ = ["KIND_NAMES", "Block", "Events", "Keys", "TimeOrder", "as_events", "next_match", "prepare"]

log = logging.getLogger(__name__)

#: key kinds, in the order a tie in time is reported (most specific first)
KIND_ID, KIND_FILE, KIND_UNIT, KIND_TASK = 0, 1, 2, 3
KIND_NAMES = ("id", "file", "unit", "task")
_EMPTY_INT = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Block:
    """(row, code) pairs, rows ascending, each row's pairs in their original order."""

    rows: np.ndarray
    codes: np.ndarray

    @staticmethod
    def empty() -> Block:
        return Block(_EMPTY_INT, _EMPTY_INT)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _lower(value: Any) -> str:
    return _as_text(value).strip().lower()


def _arrow_text(series: pd.Series) -> pa.Array | None:
    """The column as an Arrow string array when it is one already (the loader's columns), else None."""
    dtype = series.dtype
    arrow = isinstance(dtype, pd.ArrowDtype) or (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    )
    if not arrow:
        return None
    arr = pa.array(series.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    return None


class _Text:
    """One text column as codes into its distinct values as the metrics read them (``""`` for a
    missing value; ``lower``: stripped, lower case)."""

    def __init__(self, series: pd.Series | None, n: int, *, lower: bool = False) -> None:
        self.n = n
        self.lower = lower
        self.codes: np.ndarray
        self.dictionary: pa.Array | None = None  # distinct raw values (Arrow path), null = missing
        self._uniques: np.ndarray | None = None
        if series is None:
            self.codes = np.zeros(n, dtype=np.int64)
            self._uniques = np.asarray([""], dtype=object)
            return
        arr = None if lower else _arrow_text(series)
        if arr is not None:
            if arr.null_count:
                arr = pc.fill_null(arr, "")  # a missing value reads as "", the same value as ""
            encoded = pc.dictionary_encode(arr)
            self.codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            self.dictionary = encoded.dictionary
            return
        convert = _lower if lower else _as_text
        try:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            values = [convert(v) for v in _pylist(uniques)]
        except TypeError:  # unhashable cells (lists, dicts): one conversion per row
            codes, uniques = pd.factorize(pd.Series([convert(v) for v in series.tolist()], dtype=object))
            values = list(uniques)
        codes = np.asarray(codes, dtype=np.int64)
        if (codes < 0).any():
            values.append(convert(None))
            codes = np.where(codes < 0, len(values) - 1, codes)
        # distinct values may read the same ("1" and 1, "Failed" and "failed"): merge their codes
        merged, inverse = np.unique(np.asarray([*values, ""], dtype=object)[:-1], return_inverse=True)
        self.codes = inverse.reshape(-1)[codes].astype(np.int64) if len(codes) else codes
        self._uniques = merged.astype(object)

    @property
    def uniques(self) -> np.ndarray:
        """The distinct values as Python str (index = code)."""
        if self._uniques is None:
            assert self.dictionary is not None
            self._uniques = np.asarray(
                [("" if v is None else v) for v in self.dictionary.to_pylist()] + [""], dtype=object
            )[:-1]
        return self._uniques

    def arrow_uniques(self) -> pa.Array:
        """The distinct values as an Arrow string array (missing as ``""``)."""
        if self.dictionary is not None:
            return pc.fill_null(self.dictionary, "")
        return pa.array(self.uniques.tolist(), type=pa.large_string())

    def isin(self, wanted: Iterable[str]) -> np.ndarray:
        wanted = list(wanted)
        if self.dictionary is not None:
            hit = pc.fill_null(pc.is_in(self.dictionary, value_set=pa.array(wanted, type=pa.string())), False)
            hits = hit.to_numpy(zero_copy_only=False).copy()
            if "" in wanted:
                hits |= pc.is_null(self.dictionary).to_numpy(zero_copy_only=False)
        else:
            hits = np.isin(self.uniques, wanted) if len(self.uniques) else np.zeros(0, dtype=bool)
        return hits[self.codes] if self.n else np.zeros(0, dtype=bool)

    def values_of(self, codes: np.ndarray) -> list[str]:
        """The values of some codes as Python str."""
        if self.dictionary is not None and self._uniques is None:
            picked = self.dictionary.take(pa.array(codes, type=pa.int64())).to_pylist()
            return [("" if v is None else v) for v in picked]
        return list(self.uniques[codes].tolist())

    def arrow_take(self, rows: np.ndarray) -> pa.Array:
        """The values at ``rows`` as an Arrow string array."""
        return self.arrow_uniques().take(pa.array(self.codes[rows], type=pa.int64()))

    def take(self, rows: np.ndarray) -> list[str]:
        """The values at ``rows`` as Python str."""
        if len(rows) == 0:
            return []
        if self.dictionary is not None and self._uniques is None:
            picked = self.dictionary.take(pa.array(self.codes[rows])).to_pylist()
            return [("" if v is None else v) for v in picked]
        return list(self.uniques[self.codes[rows]].tolist())

    def labels(self, none_label: str) -> tuple[np.ndarray, np.ndarray]:
        """(code per row, sorted label per code): each value, or ``none_label`` when blank."""
        names = [none_label if not v.strip() else v for v in self.uniques.tolist()]
        merged, inverse = np.unique(np.asarray([*names, ""], dtype=object)[:-1], return_inverse=True)
        return inverse.reshape(-1)[self.codes] if self.n else _EMPTY_INT, merged.astype(object)


def _pylist(values: Any) -> list[Any]:
    """Values as Python objects (Arrow-backed arrays convert in one call)."""
    if isinstance(values, pd.Index):
        values = values.array
    if isinstance(getattr(values, "dtype", None), pd.ArrowDtype):
        return list(pa.array(values).to_pylist())
    return list(values.tolist()) if hasattr(values, "tolist") else list(values)


def _list_pairs(series: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(rows, codes, distinct values) of every string a list column holds, with :func:`as_list`'s
    rules: None, NaN and blank values dropped, other values as ``str``."""
    if isinstance(series.dtype, pd.ArrowDtype):
        arr = pa.array(series.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        kind = arr.type
        if (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
        ):
            rows = pc.list_parent_indices(arr).to_numpy().astype(np.int64)
            flat = pc.list_flatten(arr)
            if len(flat) == 0:
                return rows, _EMPTY_INT, []
            encoded = pc.dictionary_encode(flat)
            codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
            uniques = encoded.dictionary.to_pylist()
            keep_unique = np.asarray([bool(v.strip()) for v in uniques] + [False], dtype=bool)
            ok = keep_unique[codes]
            return rows[ok], codes[ok], uniques
    rows_out: list[int] = []
    values_out: list[str] = []
    for i, cell in enumerate(series.tolist()):
        for v in as_list(cell):
            rows_out.append(i)
            values_out.append(v)
    if not values_out:
        return _EMPTY_INT, _EMPTY_INT, []
    codes, uniques = pd.factorize(np.asarray(values_out, dtype=object))
    return np.asarray(rows_out, dtype=np.int64), np.asarray(codes, dtype=np.int64), list(uniques)


class _Names:
    """A growing code space for the values of one kind (file paths, unit folders, tags)."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}
        self.names: list[str] = []

    def of(self, value: str) -> int:
        code = self.code.get(value)
        if code is None:
            code = self.code[value] = len(self.names)
            self.names.append(value)
        return code

    def array(self) -> np.ndarray:
        return np.asarray([*self.names, ""], dtype=object)[:-1]


@functools.lru_cache(maxsize=65536)
def _unit_of_file(path: str) -> str | None:
    """The unit folder a touched file names (see ``units_of``), or None."""
    clean = path.replace("\\", "/").rstrip("/")
    name = posixpath.basename(clean)
    if name in _UNIT_FILES or name.endswith(_UNIT_SUFFIXES):
        parent = posixpath.dirname(clean)
        if parent:
            return canonical_unit(parent)
    return None


def _spread(codes: np.ndarray, n_uniques: int, at: np.ndarray, values: np.ndarray) -> Block:
    """Values found per distinct text (``at``: the text's code, ascending; ``values``: codes found, in
    order) given to every row holding that text: a :class:`Block`."""
    if len(at) == 0 or len(codes) == 0:
        return Block.empty()
    per_text = np.bincount(at, minlength=n_uniques)
    first = np.cumsum(per_text) - per_text
    counts = per_text[codes]
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(codes), dtype=np.int64), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return Block(rows, values[np.repeat(first[codes], counts) + within].astype(np.int64))


@dataclass(frozen=True)
class Keys:
    """The keys of every event as a long table (``rows``, ``kinds``, ``codes``; one code per distinct
    (kind, value)). Id keys are only those two events share. ``names`` gives file and unit codes their
    path."""

    rows: np.ndarray
    kinds: np.ndarray
    codes: np.ndarray
    names: dict[int, str]

    def select(self, kinds: Iterable[int]) -> Keys:
        keep = np.isin(self.kinds, list(kinds))
        return Keys(self.rows[keep], self.kinds[keep], self.codes[keep], self.names)


class Events:
    """The columns of a history frame the metrics read (see the module docstring).

    Missing columns get empty defaults: ``timestamp`` UTC (unparseable -> NaT), text columns ``""``
    when missing (``status`` and ``action_type`` stripped and lower case; an empty ``id`` becomes
    ``row-<position>``), list columns with blank values dropped, tags lower case without ``#``.
    """

    TEXT_COLUMNS = ("id", "agent", "action_type", "category", "task", "status", "description")

    def __init__(self, history: pd.DataFrame) -> None:
        self.history = history
        n = self.n = len(history)
        raw = history["timestamp"] if "timestamp" in history.columns else pd.Series([pd.NaT] * n)
        stamps = pd.to_datetime(raw, utc=True, errors="coerce")
        self.timestamp = pd.Series(stamps.array, name="timestamp")
        self.has_time = self.timestamp.notna().to_numpy()
        ns = self.timestamp.dt.as_unit("ns").array.asi8 if n else _EMPTY_INT
        self.ts = np.asarray(ns, dtype=np.int64)
        missing = int(n - self.has_time.sum())
        if missing:
            log.info("%d of %d events have no usable timestamp; time-based measures skip them", missing, n)
        self._text: dict[str, _Text] = {}
        self.failed = self.text("status").isin(FAILURE_STATUSES) | self.text("action_type").isin(
            ESCALATION_TYPES
        )
        self.incident = self.text("action_type").isin(INCIDENT_TYPES)
        self._lists: dict[str, tuple[Block, np.ndarray]] = {}
        self._files: tuple[list[Block], _Names] | None = None
        self._units: tuple[list[Block], _Names] | None = None
        self._keys: Keys | None = None
        #: results a measure keeps for the next one asking the same (e.g. the recoveries table, which
        #: unresolved failures and open incidents start from); keyed by the measure and its arguments
        self.memo: dict[tuple[Any, ...], Any] = {}

    # ---- text ---------------------------------------------------------------------------------------

    def text(self, col: str) -> _Text:
        if col not in self._text:
            series = self.history[col] if col in self.history.columns else None
            column = _Text(series, self.n, lower=col in ("status", "action_type"))
            if col == "id" and self.n:
                column = self._fill_ids(column)
            self._text[col] = column
        return self._text[col]

    def _fill_ids(self, ids: _Text) -> _Text:
        # an entry without an id still needs a stable name in the tables: its position in the log
        blank = ids.isin([""])
        if not blank.any():
            return ids
        values = np.asarray([*ids.take(np.arange(self.n)), ""], dtype=object)[:-1]
        rows = np.flatnonzero(blank)
        values[rows] = [f"row-{i}" for i in rows.tolist()]
        return _Text(pd.Series(values, dtype=object), self.n)

    def isin(self, col: str, wanted: Iterable[str]) -> np.ndarray:
        return self.text(col).isin(wanted)

    def take(self, col: str, rows: np.ndarray) -> list[str]:
        return self.text(col).take(rows)

    # ---- lists --------------------------------------------------------------------------------------

    def list_block(self, col: str) -> tuple[Block, np.ndarray]:
        """A list column as a block and its distinct values (tags lower case without ``#``)."""
        if col not in self._lists:
            if col in self.history.columns:
                rows, codes, uniques = _list_pairs(self.history[col])
            else:
                rows, codes, uniques = _EMPTY_INT, _EMPTY_INT, []
            if col == "tags":
                names = _Names()
                fixed = np.asarray([names.of(t.lower().lstrip("#")) for t in uniques], dtype=np.int64)
                codes = fixed[codes] if len(codes) else codes
                self._lists[col] = (Block(rows, codes), names.array())
            else:
                self._lists[col] = (Block(rows, codes), np.asarray([*uniques, ""], dtype=object)[:-1])
        return self._lists[col]

    def files(self) -> tuple[list[Block], np.ndarray]:
        """Files each event created, modified and deleted (one block per column, paths stripped and
        without ``./``), and the path of each code."""
        if self._files is None:
            names = _Names()
            blocks = []
            for col in ("files_created", "files_modified", "files_deleted"):
                block, uniques = self.list_block(col)
                clean = np.asarray(
                    [names.of(p.strip().removeprefix("./")) for p in uniques.tolist()], dtype=np.int64
                )
                blocks.append(Block(block.rows, clean[block.codes] if len(block.codes) else _EMPTY_INT))
            self._files = (blocks, names)
        return self._files[0], self._files[1].array()

    def units(self) -> tuple[list[Block], np.ndarray]:
        """Unit folders per event, in ``recoveries``' order: those of its files (one block per file
        column), then those its task and description name; and the folder of each code."""
        if self._units is None:
            names = _Names()
            file_blocks, paths = self.files()
            unit_of = np.asarray(
                [-1 if (u := _unit_of_file(p)) is None else names.of(u) for p in paths.tolist()] + [-1],
                dtype=np.int64,
            )
            blocks = []
            for block in file_blocks:
                found = unit_of[block.codes] if len(block.codes) else _EMPTY_INT
                keep = found >= 0
                blocks.append(Block(block.rows[keep], found[keep]))
            for col in ("task", "description"):
                text = self.text(col)
                distinct = text.arrow_uniques()
                at, units = text_units(distinct)
                codes = np.asarray([names.of(u) for u in units], dtype=np.int64)
                blocks.append(_spread(text.codes, len(distinct), at, codes))
            self._units = (blocks, names)
        return self._units[0], self._units[1].array()

    @functools.cached_property
    def order(self) -> TimeOrder:
        """The rows in time order (for :func:`next_match`), computed on first use."""
        return TimeOrder.of(self.ts)

    # ---- keys ---------------------------------------------------------------------------------------

    def keys(self) -> Keys:
        """Every event's keys (``event_keys``): ids it shares with another event (its own and those in
        ``related_entries``), files, unit folders and task title without a ``WORD:`` prefix."""
        if self._keys is None:
            self._keys = self._build_keys()
        return self._keys

    def _build_keys(self) -> Keys:
        rows: list[np.ndarray] = []
        kinds: list[np.ndarray] = []
        codes: list[np.ndarray] = []
        names: dict[int, str] = {}
        offset = 0

        def add(kind: int, blocks: Sequence[Block], size: int) -> None:
            nonlocal offset
            for block in blocks:
                rows.append(block.rows)
                kinds.append(np.full(len(block.rows), kind, dtype=np.int8))
                codes.append(block.codes + offset)
            offset += size

        id_block, id_size = self._id_keys()
        add(KIND_ID, [id_block], id_size)
        file_blocks, paths = self.files()
        names.update((offset + i, p) for i, p in enumerate(paths.tolist()))
        add(KIND_FILE, file_blocks, len(paths))
        unit_blocks, units = self.units()
        names.update((offset + i, u) for i, u in enumerate(units.tolist()))
        add(KIND_UNIT, unit_blocks, len(units))
        task_block, task_size = self._task_keys()
        add(KIND_TASK, [task_block], task_size)
        return Keys(np.concatenate(rows), np.concatenate(kinds), np.concatenate(codes), names)

    def _task_keys(self) -> tuple[Block, int]:
        task = self.text("task")
        if self.n == 0:
            return Block.empty(), 0
        titles = task_keys(task.arrow_uniques())
        encoded = pc.dictionary_encode(titles)
        per_unique = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        blank = pc.equal(encoded.dictionary, "").to_numpy(zero_copy_only=False)
        per_unique = np.where(blank[per_unique], -1, per_unique) if len(per_unique) else per_unique
        per_row = per_unique[task.codes]
        keep = per_row >= 0
        return Block(np.flatnonzero(keep).astype(np.int64), per_row[keep]), len(encoded.dictionary)

    def _id_keys(self) -> tuple[Block, int]:
        """Ids as keys, kept only where two events share one (an id alone ties nothing together)."""
        if self.n == 0:
            return Block.empty(), 0
        ids = self.text("id")
        own = ids.codes
        size = int(own.max()) + 1
        if "extra" not in self.history.columns:
            rel_rows, rel_codes = _EMPTY_INT, _EMPTY_INT
        else:
            rel_rows, rel_values = _related(self.history["extra"])
            rel_codes, size = _codes_in(ids, rel_values, size)
            # an entry naming itself, or the same entry twice, ties nothing more
            fresh = rel_codes != own[rel_rows] if len(rel_rows) else np.zeros(0, dtype=bool)
            rel_rows, rel_codes = rel_rows[fresh], rel_codes[fresh]
            if len(rel_rows):
                _, first = np.unique(rel_rows * size + rel_codes, return_index=True)
                first.sort()
                rel_rows, rel_codes = rel_rows[first], rel_codes[first]
        counts = np.bincount(own, minlength=size) + np.bincount(rel_codes, minlength=size)
        shared = counts >= 2
        keep_own = shared[own]
        keep_rel = shared[rel_codes] if len(rel_codes) else np.zeros(0, dtype=bool)
        rows = np.concatenate([np.flatnonzero(keep_own), rel_rows[keep_rel]]).astype(np.int64)
        codes = np.concatenate([own[keep_own], rel_codes[keep_rel]]).astype(np.int64)
        order = np.argsort(rows, kind="stable")
        return Block(rows[order], codes[order]), size


def prepare(history: pd.DataFrame) -> Events:
    """The history read once for several measures: every measure accepts it in place of the frame.

    A report that computes many measures on one log (rates, recoveries, unresolved failures, DORA...)
    pays for reading the columns and the keys that tie events together once instead of once per
    measure, and the recoveries table once. Prepare after the last change to the frame: the measures
    read the frame as it is when they first need a column.

    >>> events = prepare(history)                                   # doctest: +SKIP
    >>> recoveries(events); unresolved(events); dora(events)        # doctest: +SKIP
    """
    return Events(history)


def as_events(history: pd.DataFrame | Events) -> Events:
    """``history`` as :class:`Events`: a prepared one as it is, a frame read afresh."""
    return history if isinstance(history, Events) else Events(history)


def _codes_in(ids: _Text, values: list[str], size: int) -> tuple[np.ndarray, int]:
    """Codes of ``values`` in the id column's code space; values no row has get new codes."""
    if not values:
        return _EMPTY_INT, size
    if ids.dictionary is not None and ids._uniques is None:
        # the few related values are hashed, not the million ids
        named = pc.fill_null(pc.is_in(ids.dictionary, value_set=pa.array(values, type=pa.string())), False)
        at = np.flatnonzero(named.to_numpy(zero_copy_only=False))
        lookup = dict(zip(ids.dictionary.take(pa.array(at)).to_pylist(), at.tolist(), strict=True))
        codes = np.asarray([lookup.get(v, -1) for v in values], dtype=np.int64)
    else:
        lookup = {v: i for i, v in enumerate(ids.uniques.tolist())}
        codes = np.asarray([lookup.get(v, -1) for v in values], dtype=np.int64)
    extra: dict[str, int] = {}
    for i in np.flatnonzero(codes < 0).tolist():
        codes[i] = extra.setdefault(values[i], size + len(extra))
    return codes, size + len(extra)


def _related(extra: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(row, id) for every id an entry names in ``context.related_entries``."""
    cells = extra.tolist()
    try:
        # most entries have an empty ``extra``: skip them without a Python-level loop
        candidates = np.flatnonzero(np.fromiter(map(bool, cells), dtype=bool, count=len(cells))).tolist()
    except (TypeError, ValueError):  # a cell whose truth is ambiguous (an array): look at every row
        candidates = list(range(len(cells)))
    rows: list[int] = []
    values: list[str] = []
    for i in candidates:
        cell = cells[i]
        if type(cell) is not dict:
            continue
        found = cell.get("context.related_entries")
        if type(found) is list and not found:
            continue  # the common case: an empty list
        if found is not None or "related_entries" in cell or "context" in cell:
            for rid in related_ids(cell):
                rows.append(i)
                values.append(rid)
    return np.asarray(rows, dtype=np.int64), values


def ordered_lists(
    blocks: Sequence[Block], names: np.ndarray, rows: np.ndarray, *, dedup: bool
) -> list[list[str]]:
    """For each of ``rows`` (ascending positions), the names of its codes in ``blocks`` order (and
    each block's order), without repeats when ``dedup``."""
    if len(rows) == 0:
        return []
    size = int(rows.max()) + 1
    wanted = np.zeros(size, dtype=bool)
    wanted[rows] = True
    parts_r, parts_c = [], []
    for block in blocks:
        inside = block.rows < size
        keep = np.zeros(len(block.rows), dtype=bool)
        keep[inside] = wanted[block.rows[inside]]
        parts_r.append(block.rows[keep])
        parts_c.append(block.codes[keep])
    got_r = np.concatenate(parts_r) if parts_r else _EMPTY_INT
    got_c = np.concatenate(parts_c) if parts_c else _EMPTY_INT
    order = np.argsort(got_r, kind="stable")
    got_r, got_c = got_r[order], got_c[order]
    if dedup and len(got_r):
        width = int(got_c.max()) + 1
        _, first = np.unique(got_r * width + got_c, return_index=True)
        first.sort()
        got_r, got_c = got_r[first], got_c[first]
    flat = names[got_c].tolist() if len(got_c) else []
    starts = np.searchsorted(got_r, rows, "left").tolist()
    ends = np.searchsorted(got_r, rows, "right").tolist()
    return [flat[s:e] for s, e in zip(starts, ends, strict=True)]


def dedup_pairs(blocks: Sequence[Block]) -> Block:
    """All pairs of ``blocks`` once each, sorted by row then code."""
    rows = np.concatenate([b.rows for b in blocks]) if blocks else _EMPTY_INT
    codes = np.concatenate([b.codes for b in blocks]) if blocks else _EMPTY_INT
    if len(rows) == 0:
        return Block.empty()
    width = int(codes.max()) + 1
    combined = np.unique(rows * width + codes)
    return Block(combined // width, combined % width)


@dataclass(frozen=True)
class TimeOrder:
    """The rows of a log in time order, computed once and shared by every :func:`next_match`:
    ``rank`` (each row's time as a rank among the distinct times), ``span`` (one more than the number
    of distinct times), ``in_time`` (rows by time, ties in log order) and ``place`` (each row's
    position in ``in_time``)."""

    rank: np.ndarray
    span: int
    in_time: np.ndarray
    place: np.ndarray

    @staticmethod
    def of(ts: np.ndarray) -> TimeOrder:
        n = len(ts)
        in_time = np.argsort(ts, kind="stable")
        ordered = ts[in_time]
        # one sort serves both: a new distinct time starts wherever the sorted times change
        rank_in_time = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1 if n else in_time
        rank = np.empty(n, dtype=np.int64)
        rank[in_time] = rank_in_time
        place = np.empty(n, dtype=np.int64)
        place[in_time] = np.arange(n)
        return TimeOrder(rank, int(rank_in_time[-1]) + 2 if n else 1, in_time, place)


def next_match(
    sources: np.ndarray, candidates: np.ndarray, keys: Keys, ts: np.ndarray | TimeOrder
) -> tuple[np.ndarray, np.ndarray]:
    """For each source row, the first candidate row strictly later in time that shares a key.

    Returns ``(match, kind)`` aligned with ``sources`` (ascending positions): the matching row (-1 when
    none) and the kind of the shared key (KIND_*; -1 when none). Ties in time go to the earlier row
    (log order); when one candidate shares several keys, the most specific kind is reported (id,
    file, unit, task). Rows without a timestamp must not be passed.

    Candidates' (key, time) are sorted once; each source key then finds, by binary search, the first
    (key, later time) and the earliest row holding it. ``ts``: the rows' times (ns), or their
    :class:`TimeOrder` when several searches share it (``Events.order``).
    """
    n_src = len(sources)
    match = np.full(n_src, -1, dtype=np.int64)
    kind_out = np.full(n_src, -1, dtype=np.int64)
    if n_src == 0 or len(candidates) == 0 or len(keys.rows) == 0:
        return match, kind_out
    order = ts if isinstance(ts, TimeOrder) else TimeOrder.of(ts)
    size = len(order.rank)
    is_src = np.zeros(size, dtype=bool)
    is_src[sources] = True
    is_cand = np.zeros(size, dtype=bool)
    is_cand[candidates] = True
    s = is_src[keys.rows]
    n_codes = int(keys.codes.max()) + 1
    needed = np.zeros(n_codes, dtype=bool)
    needed[keys.codes[s]] = True
    c = is_cand[keys.rows] & needed[keys.codes]
    if not c.any():
        return match, kind_out
    # time as a rank, so (code, time) fits one int64
    rank, span = order.rank, order.span
    c_rows, c_codes = keys.rows[c], keys.codes[c]
    c_key = c_codes * span + rank[c_rows]
    by_key = np.argsort(c_key)  # any order within a (key, time) group: its earliest row is taken below
    c_key, c_rows = c_key[by_key], c_rows[by_key]
    starts = np.flatnonzero(np.r_[True, c_key[1:] != c_key[:-1]])
    first_row = np.minimum.reduceat(c_rows, starts)
    group_key = c_key[starts]
    s_rows, s_codes, s_kinds = keys.rows[s], keys.codes[s], keys.kinds[s].astype(np.int64)
    at = np.searchsorted(group_key, s_codes * span + rank[s_rows], side="right")
    ok = at < len(group_key)
    ok[ok] = group_key[at[ok]] // span == s_codes[ok]
    if not ok.any():
        return match, kind_out
    s_rows, s_kinds, at = s_rows[ok], s_kinds[ok], at[ok]
    cand_rows = first_row[at]
    # per source: the earliest candidate (time, then row), then the most specific kind; as one integer
    # (the candidate's place in time order, times four, plus the kind) so a minimum picks it
    best = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, s_rows, order.place[cand_rows] * 4 + s_kinds)
    found = best[sources]
    hit = found != np.iinfo(np.int64).max
    match[hit] = order.in_time[found[hit] // 4]
    kind_out[hit] = found[hit] % 4
    return match, kind_out

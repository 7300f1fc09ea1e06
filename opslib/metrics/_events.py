"""The history frame as columns the metrics compute on: one pass over the frame, then array operations.

:class:`Events` reads a history frame once: text columns become factorised codes (so a test on
``status`` or ``action_type`` runs on the few distinct values, then spreads to every row), list columns
become *pairs* (row position, value) kept in row order, and the keys that tie events together (ids,
files, unit folders, task titles) become one long table of (row, kind, code). Python only ever runs on
distinct values: the distinct file paths, task titles, descriptions, tags.

:func:`next_match` is the one search every measure shares ("the first later event that shares a key"),
done as one sort of all (key, time) pairs instead of one lookup per event.

The semantics are those of the helpers in :mod:`opslib.metrics._common` (``as_list``, ``files_of``,
``units_of``, ``units_in_text``, ``task_key``, ``related_ids``); tests compare every measure with the
per-row implementation they replaced.
"""

from __future__ import annotations

import functools
import logging
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opslib.metrics._common import (
    _LIST_COLUMNS,
    _TEXT_COLUMNS,
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

__all__ = ["KIND_NAMES", "Events", "Keys", "Pairs", "next_match"]

log = logging.getLogger(__name__)

#: key kinds, in the order a tie in time is reported (most specific first)
KIND_ID, KIND_FILE, KIND_UNIT, KIND_TASK = 0, 1, 2, 3
KIND_NAMES = ("id", "file", "unit", "task")
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Pairs:
    """A list-valued column as (row, value) pairs, grouped by row in ascending order, each row's values
    in their original order."""

    rows: np.ndarray  # int64
    values: np.ndarray  # object (str)

    @staticmethod
    def empty() -> Pairs:
        return Pairs(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))

    def lists(self, rows: np.ndarray) -> list[list[str]]:
        """The values of each of ``rows`` as a Python list (``[]`` for a row with none)."""
        starts = np.searchsorted(self.rows, rows, "left")
        ends = np.searchsorted(self.rows, rows, "right")
        values = self.values
        return [values[s:e].tolist() for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]

    def has(self, n: int) -> np.ndarray:
        """Per row (``n`` rows), whether it has at least one value."""
        out = np.zeros(n, dtype=bool)
        out[self.rows] = True
        return out


@dataclass(frozen=True)
class Keys:
    """The keys of every event as a long table: ``rows``, ``kinds`` (KIND_*), ``codes`` (one integer per
    distinct (kind, value)), sorted by row."""

    rows: np.ndarray
    kinds: np.ndarray
    codes: np.ndarray
    names: np.ndarray  # code -> the key's value (object array of str)

    def select(self, kinds: Iterable[int]) -> Keys:
        keep = np.isin(self.kinds, list(kinds))
        return Keys(self.rows[keep], self.kinds[keep], self.codes[keep], self.names)


class _Text:
    """One text column as codes into its distinct values (Python str, ``""`` for a missing value)."""

    def __init__(self, codes: np.ndarray, uniques: np.ndarray) -> None:
        self.codes = codes
        self.uniques = uniques
        self._values: np.ndarray | None = None

    @property
    def values(self) -> np.ndarray:
        if self._values is None:
            self._values = self.uniques[self.codes] if len(self.codes) else np.zeros(0, dtype=object)
        return self._values

    def isin(self, wanted: Iterable[str]) -> np.ndarray:
        hit = np.isin(self.uniques, list(wanted)) if len(self.uniques) else np.zeros(0, dtype=bool)
        return hit[self.codes] if len(self.codes) else np.zeros(0, dtype=bool)

    def map_uniques(self, func: Callable[[str], Any]) -> list[Any]:
        """``func`` of each distinct value (index = code)."""
        return [func(v) for v in self.uniques.tolist()]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _factorize(series: pd.Series, convert: Callable[[Any], str]) -> _Text:
    """``convert`` applied to each distinct value of ``series`` (missing values included)."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): one conversion per row
        values = [convert(v) for v in series.tolist()]
        codes, uniques = pd.factorize(pd.Series(values, dtype=object))
        return _Text(np.asarray(codes, dtype=np.int64), np.asarray(list(uniques), dtype=object))
    codes = np.asarray(codes, dtype=np.int64)
    if convert is _as_text and _is_text(series.dtype):
        # strings stay as they are: only a missing value needs a name ("")
        converted = np.asarray(_pylist(uniques), dtype=object)
        if not (codes < 0).any():
            return _Text(codes, converted)
        blank = np.flatnonzero(converted == "")
        if len(blank):
            return _Text(np.where(codes < 0, blank[0], codes), converted)
        return _Text(np.where(codes < 0, len(converted), codes), np.append(converted, ""))
    values = [convert(v) for v in _pylist(uniques)]
    if (codes < 0).any():
        values.append(convert(None))
        codes = np.where(codes < 0, len(values) - 1, codes)
    # distinct values may convert to the same text ("1" and 1): merge their codes
    merged, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return _Text(inverse[codes].astype(np.int64), merged.astype(object))


def _is_text(dtype: Any) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return bool(pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype))
    return False


def _pylist(values: Any) -> list[Any]:
    """Values as Python objects (Arrow-backed arrays convert in one call)."""
    if isinstance(values, pd.Index):
        values = values.array
    if isinstance(getattr(values, "dtype", None), pd.ArrowDtype):
        import pyarrow as pa

        return list(pa.array(values).to_pylist())
    return list(values.tolist()) if hasattr(values, "tolist") else list(values)


def _list_pairs(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(row, value) of every string a list column holds, with :func:`as_list`'s rules: None, NaN and
    blank values dropped, other values as ``str``."""
    if isinstance(series.dtype, pd.ArrowDtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(series.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)) and (
            pa.types.is_string(arr.type.value_type) or pa.types.is_large_string(arr.type.value_type)
        ):
            rows = pc.list_parent_indices(arr).to_numpy().astype(np.int64)
            flat = pc.list_flatten(arr)
            codes, uniques = pd.factorize(pd.Series(pd.arrays.ArrowExtensionArray(flat)))
            if len(codes) == 0:
                return rows, np.zeros(0, dtype=object)
            values = np.asarray(_pylist(uniques), dtype=object)
            keep_unique = np.asarray([bool(v.strip()) for v in values.tolist()], dtype=bool)
            ok = codes >= 0
            ok[ok] = keep_unique[codes[ok]]
            return rows[ok], values[codes[ok]]
    cells = series.tolist()
    rows_out: list[int] = []
    values_out: list[str] = []
    for i, cell in enumerate(cells):
        for v in as_list(cell):
            rows_out.append(i)
            values_out.append(v)
    return np.asarray(rows_out, dtype=np.int64), np.asarray(values_out, dtype=object)


def _apply_unique(values: np.ndarray, func: Callable[[str], Any]) -> tuple[np.ndarray, list[Any]]:
    """(codes, [func(distinct value)...]) for an object array of strings."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), []
    codes, uniques = pd.factorize(values)
    return np.asarray(codes, dtype=np.int64), [func(v) for v in uniques.tolist()]


def _expand(
    rows: np.ndarray, per_value: list[tuple[str, ...]], codes: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Rows repeated once per item of ``per_value[code]``, with the items."""
    lengths = np.asarray([len(t) for t in per_value], dtype=np.int64)
    counts = lengths[codes] if len(codes) else np.zeros(0, dtype=np.int64)
    out_rows = np.repeat(rows, counts)
    items: list[str] = []
    for code in codes[counts > 0].tolist():
        items.extend(per_value[code])
    return out_rows, items


def _dedup(rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs with later repeats of the same (row, value) dropped; stable-sorted by row."""
    if len(rows) == 0:
        return rows.astype(np.int64), values.astype(object)
    order = np.argsort(rows, kind="stable")
    rows, values = rows[order], values[order]
    codes, _ = pd.factorize(values)
    combined = rows.astype(np.int64) * (int(codes.max()) + 1) + codes
    _, first = np.unique(combined, return_index=True)
    first.sort()
    return rows[first], values[first]


@functools.lru_cache(maxsize=65536)
def _unit_of_file(path: str) -> tuple[str, ...]:
    """The unit folder a touched file names (see ``units_of``), as a 0- or 1-tuple."""
    clean = path.replace("\\", "/").rstrip("/")
    name = posixpath.basename(clean)
    if name in _UNIT_FILES or name.endswith(_UNIT_SUFFIXES):
        parent = posixpath.dirname(clean)
        if parent:
            return (canonical_unit(parent),)
    return ()


def _spread(
    codes: np.ndarray, n_uniques: int, at: np.ndarray, found: list[str]
) -> tuple[np.ndarray, list[str]]:
    """Values found per distinct value (``at``: the distinct value's code, ``found``: the value, in
    order) given to every row holding that distinct value: (rows, values) grouped by row."""
    if len(at) == 0 or len(codes) == 0:
        return np.zeros(0, dtype=np.int64), []
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=n_uniques)
    starts = np.cumsum(counts) - counts
    repeat = counts[at]
    total = int(repeat.sum())
    within = np.arange(total) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    rows = order[np.repeat(starts[at], repeat) + within]
    pick = np.repeat(np.arange(len(at)), repeat)
    by_row = np.argsort(rows, kind="stable")
    values = np.asarray(found, dtype=object)[pick[by_row]]
    return rows[by_row].astype(np.int64), values.tolist()


class Events:
    """The columns of a history frame the metrics read, computed once (see the module docstring).

    Missing columns get empty defaults, as ``normalise`` did: ``timestamp`` UTC (unparseable -> NaT),
    text columns as ``str`` (``""`` when missing; ``status`` and ``action_type`` stripped and lower
    case; an empty ``id`` becomes ``row-<position>``), list columns as pairs, tags lower case without
    ``#``.
    """

    def __init__(self, history: pd.DataFrame) -> None:
        self.history = history
        n = self.n = len(history)
        raw = history["timestamp"] if "timestamp" in history.columns else pd.Series([pd.NaT] * n)
        stamps = pd.to_datetime(raw, utc=True, errors="coerce")
        self.timestamp = pd.Series(stamps.array, name="timestamp")
        self.has_time = self.timestamp.notna().to_numpy()
        ns = self.timestamp.dt.as_unit("ns").array.asi8 if n else np.zeros(0, dtype=np.int64)
        self.ts = np.asarray(ns, dtype=np.int64)
        missing = int(n - self.has_time.sum())
        if missing:
            log.info("%d of %d events have no usable timestamp; time-based measures skip them", missing, n)
        self.text: dict[str, _Text] = {}
        for col in _TEXT_COLUMNS:
            convert = _lower if col in ("status", "action_type") else _as_text
            if col in history.columns:
                self.text[col] = _factorize(history[col], convert)
            else:
                self.text[col] = _Text(np.zeros(n, dtype=np.int64), np.asarray([""], dtype=object))
        ids = self.text["id"]
        if n and "" in set(ids.uniques.tolist()):
            # an entry without an id still needs a stable name in the tables: its position in the log
            values = ids.values.copy()
            blank = np.flatnonzero(values == "")
            values[blank] = [f"row-{i}" for i in blank.tolist()]
            self.text["id"] = _factorize(pd.Series(values, dtype=object), str)
        self.failed = self.text["status"].isin(FAILURE_STATUSES) | self.text["action_type"].isin(
            ESCALATION_TYPES
        )
        self.incident = self.text["action_type"].isin(INCIDENT_TYPES)
        self._pairs: dict[str, Pairs] = {}
        self._keys: Keys | None = None
        self._units: Pairs | None = None

    # ---- columns ----------------------------------------------------------------------------------

    def values(self, col: str) -> np.ndarray:
        """A text column as an object array of str."""
        return self.text[col].values

    def isin(self, col: str, wanted: Iterable[str]) -> np.ndarray:
        return self.text[col].isin(wanted)

    def pairs(self, col: str) -> Pairs:
        """A list column (``files_created``... ``tags``) as pairs; tags lower case without ``#``."""
        if col not in self._pairs:
            if col in self.history.columns:
                rows, values = _list_pairs(self.history[col])
            else:
                rows, values = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
            if col == "tags" and len(values):
                codes, fixed = _apply_unique(values, lambda t: t.lower().lstrip("#"))
                values = np.asarray(fixed, dtype=object)[codes]
            self._pairs[col] = Pairs(rows, values)
        return self._pairs[col]

    @property
    def files(self) -> Pairs:
        """Files each event created, modified or deleted, in that order, without repeats (``files_of``)."""
        if "_files" not in self._pairs:
            parts = [self.pairs(c) for c in ("files_created", "files_modified", "files_deleted")]
            rows = np.concatenate([p.rows for p in parts])
            values = np.concatenate([p.values for p in parts]) if len(rows) else np.zeros(0, dtype=object)
            codes, clean = _apply_unique(values, lambda p: p.strip().removeprefix("./"))
            values = np.asarray(clean, dtype=object)[codes] if len(codes) else values
            self._pairs["_files"] = Pairs(*_dedup(rows, values))
        return self._pairs["_files"]

    def list_column(self, col: str) -> list[list[str]]:
        """A list column as one Python list per row (what ``normalise`` made of it)."""
        return self.pairs(col).lists(np.arange(self.n))

    @property
    def units(self) -> Pairs:
        """Unit folders per event, in order: those of its files, then those its task and description
        name (``units_of`` + ``units_in_text``), without repeats."""
        if self._units is None:
            files = self.files
            codes, per_file = _apply_unique(files.values, _unit_of_file)
            blocks = [_expand(files.rows, per_file, codes)]
            for col in ("task", "description"):
                text = self.text[col]
                at, found = text_units(text.uniques)
                blocks.append(_spread(text.codes, len(text.uniques), at, found))
            rows = np.concatenate([b[0] for b in blocks])
            values = np.asarray([v for b in blocks for v in b[1]], dtype=object)
            self._units = Pairs(*_dedup(rows, values))
        return self._units

    def keys(self) -> Keys:
        """Every event's keys (``event_keys``): its id and ``related_entries``, files, unit folders and task
        title without a ``WORD:`` prefix."""
        if self._keys is None:
            self._keys = self._build_keys()
        return self._keys

    def _build_keys(self) -> Keys:
        n = self.n
        ids_rows = [np.arange(n, dtype=np.int64)]
        ids_values = [self.values("id")]
        if "extra" in self.history.columns:
            rel_rows, rel_values = _related(self.history["extra"])
            ids_rows.append(rel_rows)
            ids_values.append(rel_values)
        id_rows, id_values = _dedup(np.concatenate(ids_rows), np.concatenate(ids_values))
        task = self.text["task"]
        titles = task_keys(task.uniques)
        task_values = titles[task.codes] if n else np.zeros(0, dtype=object)
        has_title = task_values != "" if n else np.zeros(0, dtype=bool)
        blocks = [
            (KIND_ID, id_rows, id_values),
            (KIND_FILE, self.files.rows, self.files.values),
            (KIND_UNIT, self.units.rows, self.units.values),
            (KIND_TASK, np.flatnonzero(has_title).astype(np.int64), task_values[has_title]),
        ]
        rows, kinds, codes, names = [], [], [], []
        offset = 0
        for kind, krows, kvalues in blocks:
            if len(kvalues):
                local, uniques = pd.factorize(kvalues)
                names.extend(uniques.tolist())
            else:
                local, uniques = np.zeros(0, dtype=np.int64), []
            rows.append(krows)
            kinds.append(np.full(len(krows), kind, dtype=np.int8))
            codes.append(np.asarray(local, dtype=np.int64) + offset)
            offset += len(uniques)
        all_rows = np.concatenate(rows)
        order = np.argsort(all_rows, kind="stable")
        return Keys(
            all_rows[order],
            np.concatenate(kinds)[order],
            np.concatenate(codes)[order],
            np.asarray(names, dtype=object),
        )


def _lower(value: Any) -> str:
    return _as_text(value).strip().lower()


def _related(extra: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(row, id) for every id an entry names in ``context.related_entries``."""
    rows: list[int] = []
    values: list[str] = []
    for i, cell in enumerate(extra.tolist()):
        # most entries name none: a cheap look first, related_ids' full rules only where there is one
        if type(cell) is dict and (
            "context.related_entries" in cell or "related_entries" in cell or "context" in cell
        ):
            for rid in related_ids(cell):
                rows.append(i)
                values.append(rid)
    return np.asarray(rows, dtype=np.int64), np.asarray(values, dtype=object)


def next_match(
    sources: np.ndarray, candidates: np.ndarray, keys: Keys, ts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each source row, the first candidate row strictly later in time that shares a key.

    Returns ``(match, kind)`` aligned with ``sources``: the matching row (-1 when none) and the kind of
    the shared key (KIND_*; -1 when none). Ties in time go to the earlier row (log order); when one
    candidate shares several keys, the most specific kind is reported (id, file, unit, task). Rows
    without a timestamp must not be passed.

    All (key, time) pairs of sources and candidates are sorted together, candidates before sources at
    the same time; the next candidate after a source in that order, if it has the same key, is its
    match for that key.
    """
    n_src = len(sources)
    match = np.full(n_src, -1, dtype=np.int64)
    kind_out = np.full(n_src, -1, dtype=np.int64)
    if n_src == 0 or len(candidates) == 0 or len(keys.rows) == 0:
        return match, kind_out
    size = int(max(sources.max(), candidates.max(), keys.rows.max())) + 1
    is_src = np.zeros(size, dtype=bool)
    is_src[sources] = True
    is_cand = np.zeros(size, dtype=bool)
    is_cand[candidates] = True
    s = is_src[keys.rows]
    c = is_cand[keys.rows]
    rows = np.concatenate([keys.rows[c], keys.rows[s]])
    codes = np.concatenate([keys.codes[c], keys.codes[s]])
    kinds = np.concatenate([keys.kinds[c], keys.kinds[s]]).astype(np.int64)
    flag = np.concatenate([np.zeros(int(c.sum()), dtype=np.int8), np.ones(int(s.sum()), dtype=np.int8)])
    times = ts[rows]
    order = np.lexsort((rows, flag, times, codes))
    rows, codes, kinds, flag, times = rows[order], codes[order], kinds[order], flag[order], times[order]
    total = len(rows)
    index = np.where(flag == 0, np.arange(total), total)
    following = np.minimum.accumulate(index[::-1])[::-1]
    at = np.flatnonzero(flag == 1)
    nxt = following[at]
    found = nxt < total
    at, nxt = at[found], nxt[found]
    same = codes[nxt] == codes[at]
    at, nxt = at[same], nxt[same]
    if len(at) == 0:
        return match, kind_out
    src_rows, cand_rows, cand_times, cand_kinds = rows[at], rows[nxt], times[nxt], kinds[at]
    # per source: the earliest candidate (time, row), then the most specific kind
    best = np.lexsort((cand_kinds, cand_rows, cand_times, src_rows))
    src_sorted = src_rows[best]
    first = np.ones(len(best), dtype=bool)
    first[1:] = src_sorted[1:] != src_sorted[:-1]
    chosen = best[first]
    where = np.searchsorted(sources, src_rows[chosen]) if _is_sorted(sources) else None
    if where is None:
        position = {int(r): i for i, r in enumerate(sources.tolist())}
        where = np.asarray([position[int(r)] for r in src_rows[chosen].tolist()], dtype=np.int64)
    match[where] = cand_rows[chosen]
    kind_out[where] = cand_kinds[chosen]
    return match, kind_out


def _is_sorted(values: np.ndarray) -> bool:
    return bool(len(values) < 2 or (values[1:] > values[:-1]).all())


def take(events: Events, rows: np.ndarray) -> Events:
    """The events at ``rows`` (positions, ascending) as their own :class:`Events`, values as computed on
    the whole frame (an id filled in from its position keeps the position it had there)."""
    rows = np.asarray(rows, dtype=np.int64)
    out = Events.__new__(Events)
    out.history = events.history.iloc[rows]
    out.n = len(rows)
    out.timestamp = events.timestamp.iloc[rows].reset_index(drop=True)
    out.has_time = events.has_time[rows]
    out.ts = events.ts[rows]
    out.text = {col: _Text(t.codes[rows], t.uniques) for col, t in events.text.items()}
    out.failed = events.failed[rows]
    out.incident = events.incident[rows]
    renumber = np.full(events.n + 1, -1, dtype=np.int64)
    renumber[rows] = np.arange(len(rows))
    out._pairs = {}
    for col in (*_LIST_COLUMNS, "_files"):
        if col == "_files" or col in events.history.columns:
            pairs = events.files if col == "_files" else events.pairs(col)
            keep = renumber[pairs.rows] >= 0
            out._pairs[col] = Pairs(renumber[pairs.rows[keep]], pairs.values[keep])
    units = events.units
    keep = renumber[units.rows] >= 0
    out._units = Pairs(renumber[units.rows[keep]], units.values[keep])
    keys = events.keys()
    keep = renumber[keys.rows] >= 0
    out._keys = Keys(renumber[keys.rows[keep]], keys.kinds[keep], keys.codes[keep], keys.names)
    return out

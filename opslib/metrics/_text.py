"""Task titles and unit paths in prose, for a whole column at once (Arrow string kernels).

The rules are those of :func:`opslib.metrics._common.task_key` and
:func:`~opslib.metrics._common.units_in_text`, which use Python's ``re``. Arrow's regular expressions
(RE2) have no look-behind and read ``\\w`` and ``\\s`` as ASCII only, so the kernels run on ASCII texts,
where both engines agree once whitespace is spelled out, and the few texts with other characters go
through the Python functions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opslib.metrics._common import task_key, unit_of_path_in_text, units_in_text

__all__ = ["task_keys", "text_units"]

# what Python's str.split() and re's \s call whitespace among ASCII characters
_WS = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"
_TASK_PREFIX = rf"^{_WS}*[A-Za-z][A-Za-z0-9_-]{{0,20}}:{_WS}+"
# characters a path written in prose is made of, and ":" which must not come right before one
_NOT_PATH = r"[^A-Za-z0-9_./:-]+"
_PATH_AT_START = r"^(?P<path>(?:[A-Za-z0-9_.-]+/){2,}[A-Za-z0-9_.-]+)"


def _strings(values: np.ndarray | pa.Array) -> pa.Array:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        return pc.fill_null(arr.cast(pa.large_string()), "")
    return pa.array(values, type=pa.large_string(), from_pandas=True)


def task_keys(values: np.ndarray | pa.Array) -> pa.Array:
    """``task_key`` of every string in ``values`` (str; a missing value reads as ``""``)."""
    arr = _strings(values)
    if len(arr) == 0:
        return arr
    ascii_ = pc.string_is_ascii(arr).to_numpy(zero_copy_only=False)
    keys = pc.replace_substring_regex(arr, _TASK_PREFIX, "", max_replacements=1)
    keys = pc.ascii_lower(keys)
    # collapsing whitespace is a second regex pass: only where there is something to collapse
    odd = pc.match_substring_regex(keys, f"^{_WS}|{_WS}$|{_WS}{_WS}|[\t\n\x0b\x0c\r\x1c-\x1f]")
    if pc.any(odd).as_py():
        keys = pc.if_else(odd, pc.ascii_trim(pc.replace_substring_regex(keys, f"{_WS}+", " "), " "), keys)
    if ascii_.all():
        return keys
    fixed = keys.to_pylist()
    for i in np.flatnonzero(~ascii_).tolist():
        fixed[i] = task_key(arr[i].as_py())
    return pa.array(fixed, type=pa.large_string())


def text_units(values: np.ndarray | pa.Array) -> tuple[np.ndarray, list[str]]:
    """(position, unit) for every unit path ``units_in_text`` finds in each string, in order.

    In ASCII text a path can only start where a run of path characters starts, and not right after a
    ``:``: so each run (split on everything else, ``:`` kept) is cut at its first ``:`` and matched from
    its start; only the distinct paths found go through Python.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), []
    arr = _strings(values)
    slash = pc.fill_null(pc.match_substring(arr, "/"), False).to_numpy(zero_copy_only=False)
    ascii_ = pc.fill_null(pc.string_is_ascii(arr), True).to_numpy(zero_copy_only=False)
    fast = np.flatnonzero(slash & ascii_)
    rows_parts: list[np.ndarray] = []
    units_parts: list[list[str]] = []
    if len(fast):
        tokens = pc.split_pattern_regex(arr.take(pa.array(fast)), _NOT_PATH)
        parents = fast[pc.list_parent_indices(tokens).to_numpy()]
        flat = pc.list_flatten(tokens)
        keep = pc.match_substring_regex(flat, "/.*/").to_numpy(zero_copy_only=False)
        flat = flat.filter(pa.array(keep))
        parents = parents[keep]
        heads = pc.list_element(pc.split_pattern(flat, ":", max_splits=1), 0)
        found = pc.extract_regex(heads, _PATH_AT_START)
        valid = pc.is_valid(found).to_numpy(zero_copy_only=False)
        paths = pc.struct_field(found.filter(pa.array(valid)), [0]).to_pylist()
        parents = parents[valid]
        distinct = {p: unit_of_path_in_text(p) for p in set(paths)}
        units = [distinct[p] for p in paths]
        named = np.asarray([u is not None for u in units], dtype=bool)
        rows_parts.append(parents[named])
        units_parts.append([u for u in units if u is not None])
    slow = np.flatnonzero(slash & ~ascii_)
    if len(slow):
        rows: list[int] = []
        found_units: list[str] = []
        for i in slow.tolist():
            for unit in units_in_text(arr[i].as_py()):
                rows.append(i)
                found_units.append(unit)
        rows_parts.append(np.asarray(rows, dtype=np.int64))
        units_parts.append(found_units)
    if not rows_parts:
        return np.zeros(0, dtype=np.int64), []
    rows_all = np.concatenate(rows_parts).astype(np.int64)
    units_all = [u for part in units_parts for u in part]
    order = np.argsort(rows_all, kind="stable")
    return rows_all[order], [units_all[i] for i in order.tolist()]

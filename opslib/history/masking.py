"""Secrets in the activity history are masked when the frame is built, so every report, notebook,
summary and cache made from it holds the masked form only.

People paste things into activity logs: ``**Password**: ...`` fields, ``password=...`` in a command, an
``AKIA...`` key in a description, a ``db_password`` field in a JSON entry. Both readers (and the cache)
end in :func:`opslib.history.schema.build_frame`, which calls :func:`mask_columns`. The files themselves
are never changed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opslib.secrets import Masker, is_secret_name, mask_named, scrub_text

__all__ = ["TEXT_COLUMNS", "mask_columns"]

#: free-text columns a secret can be pasted into
TEXT_COLUMNS: tuple[str, ...] = ("description", "summary", "task", "category", "action_type", "agent")
#: list columns of free text (file lists hold paths and tags hold words: left alone)
TEXT_LIST_COLUMNS: tuple[str, ...] = ("follow_up",)

# cheap first pass: only cells holding one of these are scrubbed (case-insensitive); every known format
# and every secret-like name contains one of them (a bare 40-character AWS secret key without a word like
# "key" or "secret" near it is the exception)
_TOKENS: tuple[str, ...] = (
    "pass", "pwd", "secret", "token", "key", "cred", "dsn", "connection", "akia", "asia", "agpa", "aida",
    "aroa", "anpa", "anva", "aipa", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat", "glpat", "gldt",
    "glrt", "glcbt", "glptt", "gloas", "glsoat", "xox", "begin", "eyj", "sk_live", "rk_live", "aiza", "npm_",
)  # fmt: skip
_MAYBE = "(?i)(" + "|".join(re.escape(t) for t in _TOKENS) + r"|://[^\s/]*:[^\s/]*@)"


_TOKENS_RE = re.compile("|".join(re.escape(t) for t in _TOKENS))


def _maybe(text: str) -> bool:
    """The same test as ``_MAYBE`` in plain Python (a case-sensitive scan of the lowered text)."""
    return _TOKENS_RE.search(text.lower()) is not None or ("://" in text and "@" in text)


def _hits(values: Any) -> list[int]:
    """Rows whose text may hold a secret (vectorised: most histories have none)."""
    try:
        array = values if isinstance(values, pa.Array) else pa.array(values, pa.string(), from_pandas=True)
        flags = pc.fill_null(pc.match_substring_regex(array, pattern=_MAYBE), False)
        return [int(i) for i in np.flatnonzero(flags.to_numpy(zero_copy_only=False))]
    except (pa.ArrowException, TypeError, ValueError):  # not plain strings: check each cell in Python
        return [i for i, v in enumerate(values) if isinstance(v, str) and _maybe(v)]


def _scrub_strings(values: Any) -> Any:
    """``values`` (a list or array of str/None) with the cells that may hold a secret scrubbed."""
    hits = _hits(values)
    if not hits:
        return values
    items = list(values)
    for i in hits:
        items[i] = scrub_text(items[i])
    return items


def _scrub_lists(values: Any) -> Any:
    """A list column (lists or an Arrow list array) with its strings scrubbed where needed."""
    try:
        array = values if isinstance(values, pa.Array) else pa.array(values, type=pa.list_(pa.string()))
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if not _hits(pc.list_flatten(array)):
            return values
    except (pa.ArrowException, TypeError, ValueError):
        pass
    return [
        [scrub_text(v) if isinstance(v, str) and _maybe(v) else v for v in cell] if cell is not None else cell
        for cell in (v.tolist() if hasattr(v, "tolist") else v for v in values)
    ]


def _suspect(value: Any) -> bool:
    """True when a JSON value has a secret-like key or text that may hold a secret anywhere inside."""
    if isinstance(value, str):
        return _maybe(value)
    if isinstance(value, dict):
        return any(is_secret_name(str(k)) or _suspect(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_suspect(v) for v in value)
    return False


def _mask_extra(values: Any) -> Any:
    if values is None:
        return None
    masker = Masker()
    out = []
    for cell in values:
        if isinstance(cell, dict) and cell and _suspect(cell):
            cell = _scrub_nested(mask_named(cell, masker))
        out.append(cell)
    return out


def _scrub_nested(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value) if _maybe(value) else value
    if isinstance(value, dict):
        return {k: _scrub_nested(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_nested(v) for v in value]
    return value


def mask_columns(columns: dict[str, Any], n: int) -> dict[str, Any]:
    """The history columns with secrets masked: free text (``Password: x`` fields, ``token=x``, known
    formats), secret-named fields of ``extra`` at any depth."""
    out = dict(columns)
    for name in TEXT_COLUMNS:
        if out.get(name) is not None:
            out[name] = _scrub_strings(out[name])
    for name in TEXT_LIST_COLUMNS:
        if out.get(name) is not None:
            out[name] = _scrub_lists(out[name])
    if out.get("extra") is not None:
        out["extra"] = _mask_extra(out["extra"])
    return out

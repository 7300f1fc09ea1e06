"""``load_history``: one entry point for a JSON file, a Markdown file or a project folder."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from opslib.errors import ParseError
from opslib.history import cache as disk_cache
from opslib.history.schema import errors_frame

__all__ = ["JSON_NAME", "MD_NAME", "errors_of", "history_files", "load_history", "load_history_with_errors"]

log = logging.getLogger(__name__)

JSON_NAME = "project_history.json"
MD_NAME = "PROJECT_HISTORY.md"


def history_files(path: str | Path) -> tuple[Path | None, Path | None]:
    """The JSON and Markdown history files ``path`` designates (either may be ``None``).

    A file is taken as JSON or Markdown by its suffix (or, failing that, its first character); a folder
    holds ``project_history.json`` and/or ``PROJECT_HISTORY.md`` directly or under ``project/``.
    """
    target = Path(path)
    if target.is_file():
        return (target, None) if _is_json(target) else (None, target)
    if not target.is_dir():
        raise ParseError("no such history file or folder", path=target)
    for folder in (target, target / "project"):
        js = _find(folder, JSON_NAME)
        md = _find(folder, MD_NAME)
        if js or md:
            return js, md
    raise ParseError(
        f"the folder holds no {JSON_NAME} or {MD_NAME} (looked in it and in project/)", path=target
    )


def _find(folder: Path, name: str) -> Path | None:
    exact = folder / name
    if exact.is_file():
        return exact
    if folder.is_dir():
        for child in folder.iterdir():
            if child.name.lower() == name.lower() and child.is_file():
                return child
    return None


def _is_json(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return True
    if suffix in (".md", ".markdown"):
        return False
    with path.open("rb") as handle:
        head = handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def _load_json(path: Path, strict: bool, use_cache: bool) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    if use_cache and not strict:
        hit = disk_cache.load_cached(path)
        if hit is not None:
            return hit[0], hit[1]
    # the parsers are imported on a cache miss only: a warm load never needs them
    from opslib.history.json_loader import read_json_history

    result = read_json_history(path, strict=strict)
    if use_cache:
        disk_cache.store(path, result.frame, result.errors)
    return result.frame, result.errors


def _load_md(
    path: Path, strict: bool, use_cache: bool
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[str]]:
    if use_cache and not strict:
        hit = disk_cache.load_cached(path)
        if hit is not None:
            return hit[0], hit[1], list(hit[2].get("precision", []))
    from opslib.history.markdown import read_markdown_history

    result = read_markdown_history(path, strict=strict)
    if use_cache:
        disk_cache.store(path, result.frame, result.errors, {"precision": result.precision})
    return result.frame, result.errors, result.precision


def load_history_with_errors(
    path: str | Path, *, strict: bool = False, cache: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like :func:`load_history`, returning ``(history, errors)``."""
    js_path, md_path = history_files(path)
    problems: list[dict[str, Any]] = []
    js_frame = md_frame = None
    precision: list[str] = []
    if js_path is not None:
        js_frame, js_errors = _load_json(js_path, strict, cache)
        problems.extend(js_errors)
    if md_path is not None:
        md_frame, md_errors, precision = _load_md(md_path, strict, cache)
        problems.extend(md_errors)
    if js_frame is not None and md_frame is not None:
        from opslib.history.reconcile import reconcile

        frame = reconcile(js_frame, md_frame, precision)
    elif js_frame is not None:
        frame = js_frame
    else:
        assert md_frame is not None  # history_files() always returns at least one file
        frame = md_frame
    return frame, errors_frame(problems)


def load_history(path: str | Path, *, strict: bool = False, cache: bool = True) -> pd.DataFrame:
    """Load an activity history into a DataFrame, one row per event.

    ``path`` is ``project_history.json``, ``PROJECT_HISTORY.md`` or a folder holding either or both
    (directly or under ``project/``); a folder's two files are reconciled into one row per event.
    Every variant of FORMATS.md is read without configuration.

    Columns: ``id``, ``timestamp`` (UTC), ``agent``, ``agent_type``, ``action_type``, ``description``,
    ``category``, ``task``, ``status`` (completed | partial | failed | unknown), ``summary``,
    ``files_created``, ``files_modified``, ``files_deleted``, ``follow_up``, ``tags`` (lists of
    strings; tags lower-case without ``#``), ``in_json``, ``in_md``, ``source_file``, ``source_line``
    (Markdown heading line; JSON entry index), ``extra`` (dict of the keys no column names).

    Lenient by default: good entries load and every problem is listed in ``df.attrs["errors"]`` (as
    records; ``errors_of(df)`` gives them as a frame: ``source_file``, ``index``, ``line``, ``message``).
    ``strict=True`` raises ``ParseError`` or ``SchemaError`` at the first problem, naming the file
    and position. ``cache`` keeps the parsed frame on disk (see :mod:`opslib.history.cache`) so the
    next load of an unchanged file skips parsing.

    >>> df = load_history("data/sample/project")                       # doctest: +SKIP
    >>> df[df.status == "failed"][["timestamp", "agent", "description"]]  # doctest: +SKIP
    """
    frame, errors = load_history_with_errors(path, strict=strict, cache=cache)
    if len(errors):
        log.warning(
            "%d problem(s) reading %s; see errors_of(df); first: %s: %s",
            len(errors),
            path,
            errors["source_file"].iloc[0],
            errors["message"].iloc[0],
        )
    # Records, not a DataFrame: pandas compares attrs on concat, and DataFrames do not compare to bool.
    frame.attrs["errors"] = [
        {k: (None if pd.isna(v) else v) for k, v in rec.items()} for rec in errors.to_dict(orient="records")
    ]
    return frame


def errors_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The problems :func:`load_history` met while reading ``frame`` (empty frame when none)."""
    return errors_frame(frame.attrs.get("errors") or [])

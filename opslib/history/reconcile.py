"""Pair the JSON and Markdown records of one event, so a folder loads as one row per event.

The two files are written one after the other by the same agent, so the records of one event carry
the same agent and timestamps seconds apart (or only a date, in Markdown style 3). An explicit id
(Markdown style 2 writes ``**ID**:``) pairs records outright. Otherwise a pair needs the same agent,
timestamps within ``window`` (the same UTC day for date-only headings) and similar wording: the
Markdown title and text against the JSON description and summary. Pairs are assigned greedily, best
first, so each record joins at most one event. The JSON record's fields win wherever both have one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from opslib.history.schema import LIST_COLUMNS, build_frame

__all__ = ["DEFAULT_WINDOW", "Match", "match_records", "reconcile", "similarity"]

DEFAULT_WINDOW = timedelta(minutes=10)
# Records this close in time by the same agent are one event even when worded differently.
SAME_MOMENT = timedelta(seconds=3)
MIN_SIMILARITY = 0.5
# A local-time record may lag its JSON twin by this much once the UTC offset is taken out.
LOCAL_SLACK = timedelta(minutes=2)
_DAY = 86_400 * 10**9
_QUARTER = 15 * 60 * 10**9
_MAX_OFFSET = 14 * 3600 * 10**9  # UTC+14 is the largest offset in use

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "from",
        "is",
        "was",
        "be",
        "it",
        "as",
    }
)


@dataclass(frozen=True)
class Match:
    json_row: int
    md_row: int
    similarity: float
    seconds_apart: float


def _tokens(*texts: object) -> frozenset[str]:
    words: set[str] = set()
    for text in texts:
        if isinstance(text, str):
            words.update(w for w in _TOKEN.findall(text.lower()) if w not in _STOP)
    return frozenset(words)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two word sets relative to the smaller one (a title is short, a description long)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _md_words(md: pd.DataFrame, i: int) -> frozenset[str]:
    extra = md["extra"].iloc[i]
    title = extra.get("title") if isinstance(extra, dict) else None
    return _tokens(title, md["description"].iloc[i], md["summary"].iloc[i])


def match_records(
    js: pd.DataFrame,
    md: pd.DataFrame,
    precision: list[str] | None = None,
    window: timedelta = DEFAULT_WINDOW,
) -> list[Match]:
    """The pairs (JSON row position, Markdown row position) that are one event.

    ``precision`` (per Markdown row) is ``"second"``, ``"day"`` (date-only heading: any time that day)
    or ``"local"`` (style 2 writes local time: any whole-quarter-hour offset up to 14 h, words must match).
    """
    precision = precision or ["second"] * len(md)
    js = js.reset_index(drop=True)
    md = md.reset_index(drop=True)
    matches: list[Match] = []
    used_js: set[int] = set()
    used_md: set[int] = set()
    # 1. explicit ids written into the Markdown (never the hashes made up for id-less entries)
    js_pos = {v: i for i, v in enumerate(js["id"].tolist()) if isinstance(v, str)}
    for m, md_id in enumerate(md["id"].tolist()):
        if isinstance(md_id, str) and not md_id.startswith("h-") and md_id in js_pos:
            j = js_pos[md_id]
            if j not in used_js:
                matches.append(Match(j, m, 1.0, 0.0))
                used_js.add(j)
                used_md.add(m)
    # 2. same agent, close in time, similar words
    candidates: list[Match] = []
    js_times = js["timestamp"]
    by_agent: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    for agent, group in js.groupby(js["agent"].fillna(""), sort=False):
        stamps = js_times.loc[group.index]
        valid = stamps.notna().to_numpy()
        ns = _ns(stamps[valid])
        order = np.argsort(ns, kind="stable")
        by_agent[agent] = (ns[order], group.index.to_numpy()[valid][order])
    js_words: dict[int, frozenset[str]] = {}
    win = int(window / timedelta(microseconds=1)) * 1000
    for m in range(len(md)):
        if m in used_md or pd.isna(md["timestamp"].iloc[m]):
            continue
        ns_pos = by_agent.get(md["agent"].iloc[m] if isinstance(md["agent"].iloc[m], str) else "")
        if ns_pos is None:
            continue
        ns, positions = ns_pos
        t = md["timestamp"].iloc[m].value
        kind = precision[m]
        lo, hi = {"day": (t, t + _DAY), "local": (t - _MAX_OFFSET - win, t + _MAX_OFFSET + win)}.get(
            kind, (t - win, t + win)
        )
        words = _md_words(md, m)
        for k in range(int(np.searchsorted(ns, lo, "left")), int(np.searchsorted(ns, hi, "right"))):
            j = int(positions[k])
            if j in used_js:
                continue
            if j not in js_words:
                js_words[j] = _tokens(js["description"].iloc[j], js["summary"].iloc[j], js["task"].iloc[j])
            sim = similarity(words, js_words[j])
            apart = abs(ns[k] - t) / 1e9
            if kind == "local":
                # the UTC offset is unknown but whole quarter hours; what remains is the writing delay
                apart = abs((t - ns[k]) - round((t - ns[k]) / _QUARTER) * _QUARTER) / 1e9
                if apart > LOCAL_SLACK.total_seconds():
                    continue
            close = kind == "second" and apart <= SAME_MOMENT.total_seconds()
            if sim >= MIN_SIMILARITY or close:
                candidates.append(Match(j, m, sim, apart))
    for cand in sorted(candidates, key=lambda c: (-c.similarity, c.seconds_apart)):
        if cand.json_row not in used_js and cand.md_row not in used_md:
            matches.append(cand)
            used_js.add(cand.json_row)
            used_md.add(cand.md_row)
    return matches


def _ns(stamps: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch (NaT as the smallest int64, so it sorts first)."""
    naive = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return naive.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, np.ndarray)):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _merge(js_row: dict[Any, Any], md_row: dict[Any, Any]) -> dict[Any, Any]:
    merged = dict(js_row)
    for key, value in md_row.items():
        if key in ("in_json", "in_md", "source_file", "source_line", "extra", "id"):
            continue
        current = merged.get(key)
        if (key == "status" and current == "unknown") or (_empty(current) and not _empty(value)):
            merged[key] = value
    merged["extra"] = {**(md_row.get("extra") or {}), **(js_row.get("extra") or {})}
    merged["in_md"] = True
    return merged


def reconcile(
    js: pd.DataFrame,
    md: pd.DataFrame,
    precision: list[str] | None = None,
    window: timedelta = DEFAULT_WINDOW,
) -> pd.DataFrame:
    """One row per event from the JSON and Markdown frames, ordered by time.

    Paired rows keep the JSON record's values (and its ``id``, ``source_file`` and ``source_line``),
    filled from the Markdown record where the JSON one is empty; both ``in_json`` and ``in_md`` are set.
    """
    js = js.reset_index(drop=True)
    md = md.reset_index(drop=True)
    matches = match_records(js, md, precision, window)
    paired_js = [m.json_row for m in matches]
    paired_md = {m.md_row for m in matches}
    records = js.iloc[paired_js].to_dict(orient="records")
    md_records = md.iloc[[m.md_row for m in matches]].to_dict(orient="records")
    merged = [_merge(j, m) for j, m in zip(records, md_records, strict=True)]
    rest_js = js.drop(index=paired_js)
    rest_md = md.drop(index=sorted(paired_md))
    merged_frame = _records_frame(merged)
    out = (
        pd.concat([f for f in (rest_js, merged_frame, rest_md) if len(f)], ignore_index=True)
        if len(rest_js) + len(merged_frame) + len(rest_md)
        else js.iloc[0:0]
    )
    order = np.lexsort((out["source_line"].fillna(-1).to_numpy(dtype=np.int64), _ns(out["timestamp"])))
    return out.iloc[order].reset_index(drop=True)


def _records_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    columns: dict[str, Any] = {}
    if records:
        for key in records[0]:
            values = [r[key] for r in records]
            columns[key] = [list(v) for v in values] if key in LIST_COLUMNS else values
    return build_frame(columns, len(records))

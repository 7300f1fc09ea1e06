"""Property tests: what the writer renders, the reader reads back field for field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opslib.history.markdown import parse_markdown, scan_layout
from opslib.history.md_format import NEW_FILE_HEADER, MdEvent, insert_entry, render_entry

WORD = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8
)
TEXT = st.lists(
    st.one_of(WORD, st.sampled_from([".", ",", "(x)", "a/b", "it's", "p99", "—", "#1"])),
    min_size=1,
    max_size=8,
).map(" ".join)
NAME = st.from_regex(r"[a-z][a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
PATH = st.from_regex(r"[a-z0-9_]{1,6}(/[a-z0-9_.-]{1,8}){0,3}\.(tf|hcl|md|py)", fullmatch=True)
TAG = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
STAMP = st.datetimes(
    min_value=pd.Timestamp("2020-01-01").to_pydatetime(), max_value=pd.Timestamp("2030-01-01").to_pydatetime()
).map(lambda d: pd.Timestamp(d).floor("s").tz_localize("UTC"))

EVENTS = st.builds(
    MdEvent,
    id=st.from_regex(r"[0-9]{8}-[0-9]{6}-[a-z_]{3,12}", fullmatch=True),
    timestamp=STAMP,
    agent=NAME,
    title=TEXT,
    action_type=NAME.map(lambda s: s.replace("-", "_")),
    category=st.one_of(st.none(), NAME),
    task=st.one_of(st.none(), TEXT),
    description=TEXT,
    status=st.sampled_from(["completed", "partial", "failed"]),
    summary=st.one_of(st.none(), TEXT),
    files_created=st.lists(PATH, max_size=3),
    files_modified=st.lists(PATH, max_size=3),
    files_deleted=st.lists(PATH, max_size=2),
    follow_up=st.lists(TEXT, max_size=3),
    tags=st.lists(TAG, max_size=4, unique=True),
)


def _check(row: pd.Series, event: MdEvent, style: int) -> None:
    expected_stamp = event.timestamp.normalize() if style == 3 else event.timestamp
    assert row["timestamp"] == expected_stamp
    assert row["agent"] == event.agent
    assert row["extra"]["title"] == event.title
    assert row["action_type"] == event.action_type
    assert row["description"] == event.description
    assert row["status"] == event.status
    assert (row["summary"] if not pd.isna(row["summary"]) else None) == event.summary
    assert row["category"] == event.category or (event.category is None and pd.isna(row["category"]))
    for column in ("files_created", "files_modified", "files_deleted", "follow_up", "tags"):
        assert list(row[column]) == list(getattr(event, column)), column
    if style == 2:
        assert row["id"] == event.id
        assert (row["task"] if not pd.isna(row["task"]) else None) == event.task


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(EVENTS, min_size=1, max_size=3),
    style=st.sampled_from([1, 2, 3]),
    newest_first=st.booleans(),
)
def test_render_then_parse(events: list[MdEvent], style: int, newest_first: bool) -> None:
    text = NEW_FILE_HEADER
    for event in events:
        layout = scan_layout(text)
        text = insert_entry(
            text,
            render_entry(event, style),
            newest_first=newest_first,
            first_entry_line=layout.first_entry_line,
        )
    parsed = parse_markdown(text, Path("PROJECT_HISTORY.md"), strict=True)
    assert len(parsed.frame) == len(events)
    ordered = list(reversed(events)) if newest_first else events
    for (_, row), event in zip(parsed.frame.iterrows(), ordered, strict=True):
        _check(row, event, style)
    assert scan_layout(text).style == (style if len(events) else 1)

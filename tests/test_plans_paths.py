"""Property tests: attribute paths round-trip, and every changed path points at values that differ."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opslib.plans._diff import changed_paths, get_path, join_path, split_path

keys = st.text(min_size=1, max_size=8)
steps = st.lists(st.one_of(keys, st.integers(min_value=0, max_value=20)), min_size=1, max_size=5)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=4))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)


@given(steps.filter(lambda s: isinstance(s[0], str)))
def test_join_split_round_trip(path_steps: list[Any]) -> None:
    text = ""
    for step in path_steps:
        text = join_path(text, step)
    assert split_path(text) == path_steps


@settings(max_examples=200)
@given(st.dictionaries(keys, values, max_size=4), st.dictionaries(keys, values, max_size=4))
def test_changed_paths_point_at_differences(before: dict[str, Any], after: dict[str, Any]) -> None:
    paths = changed_paths(before, after)
    for path in paths:
        assert get_path(before, path) != get_path(after, path) or _absent_differs(before, after, path)
    if _drop_nulls(before) == _drop_nulls(after):
        assert paths == []
    else:
        assert paths


def _drop_nulls(value: Any) -> Any:
    """Terraform reads a null attribute and an absent one alike."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _absent_differs(before: Any, after: Any, path: str) -> bool:
    """A key missing on one side and null on the other reads the same through get_path."""
    return get_path(before, path) is None and get_path(after, path) is None

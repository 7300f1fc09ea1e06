"""Query helpers: the users' own jq queries as chaining one-liners."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from opslib.errors import ConfigError
from opslib.history import (
    by_action,
    by_agent,
    by_tags,
    failed,
    load_history,
    newest,
    since,
    touching,
    until,
)

FIXTURES = Path(__file__).parent / "fixtures" / "history"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def frame() -> pd.DataFrame:
    md = load_history(FIXTURES / "md" / "style1_oldest_first.md")
    js = load_history(FIXTURES / "json" / "mixed_shapes.json")
    basic = load_history(FIXTURES / "folders" / "basic")
    return pd.concat([md, js, basic], ignore_index=True)


def _ids(df: pd.DataFrame) -> set[str]:
    return set(df["id"])


def test_by_tags_regex(frame: pd.DataFrame) -> None:
    hits = by_tags(frame, "infrastructure|deployment|devops")
    assert len(hits) == 5
    assert all({"infrastructure", "deployment"} & set(t) for t in hits["tags"])
    assert len(by_tags(frame, "^IAM$")) == 1  # case-insensitive, anchored by the caller
    assert len(by_tags(frame, "#drift")) == 1
    assert by_tags(frame, "nomatch").empty


def test_by_action_and_agent(frame: pd.DataFrame) -> None:
    assert set(by_action(frame, "deployment")["action_type"]) == {"deployment"}
    assert len(by_action(frame, "deployment")) == 3
    assert len(by_action(frame, "Review", "escalation")) == 2
    assert set(by_agent(frame, "SRE-oncall")["agent"]) == {"sre-oncall"}
    assert len(by_agent(frame, "sre-oncall", "qa-engineer")) == 4


def test_touching_glob_and_regex(frame: pd.DataFrame) -> None:
    assert len(touching(frame, "terragrunt.hcl")) == 4  # a bare name matches at any depth
    assert len(touching(frame, "modules/nat/*")) == 1
    assert len(touching(frame, "live/*/iam-roles/**")) == 1
    assert len(touching(frame, r"extra-routes\.hcl$")) == 1  # regex: deleted files count too
    assert touching(frame, "*.py").empty
    with pytest.raises(ConfigError):
        touching(frame, "([", regex=True)


def test_since_until_and_chaining(frame: pd.DataFrame) -> None:
    assert since(frame, "2026-05-02")["timestamp"].min() >= pd.Timestamp("2026-05-02", tz="UTC")
    early = until(frame, dt.date(2026, 5, 2))
    later = since(frame, dt.date(2026, 5, 2))
    assert len(early) + len(later) == len(frame)
    window = until(since(frame, "2026-05-01T10:30:00Z"), "2026-05-01T12:00:00+00:00")
    assert window["agent"].tolist() == ["qa-engineer", "devops-engineer"]
    assert len(since(frame, dt.timedelta(days=36500))) == len(frame)
    with pytest.raises(ConfigError):
        since(frame, "not a date")


def test_failed_counts_escalations(frame: pd.DataFrame) -> None:
    hits = failed(frame)
    assert set(hits["status"]) <= {"failed", "partial"}
    assert ((hits["status"] == "failed") | (hits["action_type"] == "escalation")).all()
    assert len(hits) == 2


def test_newest(frame: pd.DataFrame) -> None:
    top = newest(frame, 3)
    assert top["timestamp"].is_monotonic_decreasing and len(top) == 3
    assert top["timestamp"].iloc[0] == frame["timestamp"].max()
    assert len(newest(frame, 100)) == len(frame)
    chained = newest(by_tags(since(frame, "2026-05-01"), "infra"), 2)
    assert len(chained) == 2 and chained.attrs == frame.attrs


def test_queries_accept_plain_python_lists(frame: pd.DataFrame) -> None:
    plain = frame.copy()
    plain["tags"] = [list(t) for t in plain["tags"]]
    plain["tags"] = plain["tags"].astype(object)
    assert _ids(by_tags(plain, "drift")) == _ids(by_tags(frame, "drift"))

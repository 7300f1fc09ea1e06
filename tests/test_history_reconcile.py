"""How a folder's JSON and Markdown records are paired into events (opslib/history/reconcile.py).

Each test writes a small project_history.json and PROJECT_HISTORY.md pair of its own. The rules under
test: records of one agent pair by best wording first and nearness in time second, within the
window; records of one agent a few seconds apart are one event however they are worded; nothing
pairs across agents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from opslib.history import load_history
from opslib.history.json_loader import read_json_history
from opslib.history.markdown import read_markdown_history
from opslib.history.reconcile import match_records, similarity


def _json_entry(
    stamp: str, agent: str, description: str, task: str = "", summary: str = "", status: str = "completed"
) -> dict:
    compact = stamp.replace("-", "").replace(":", "").replace(" ", "-")
    return {
        "id": f"{compact}-{agent}",
        "timestamp": stamp.replace(" ", "T") + "Z",
        "agent": agent,
        "action": {"type": "deployment", "description": description},
        "context": {"task": task, "category": "infrastructure"},
        "files": {"created": [], "modified": [], "deleted": []},
        "outcome": {"status": status, "summary": summary},
        "follow_up": [],
        "tags": [],
    }


def _md_entry(
    stamp: str, agent: str, title: str, text: str, summary: str, outcome: str = "✅ Completed"
) -> str:
    return (
        f"## [{stamp}] {agent}: {title}\n\n**Action**: deployment\n**Category**: infrastructure\n\n"
        f"### What Was Done\n{text}\n\n### Outcome\n{outcome} - {summary}\n\n---\n\n"
    )


def _folder(tmp_path: Path, entries: list[dict], sections: list[str]) -> Path:
    (tmp_path / "project_history.json").write_text(
        json.dumps({"version": "1.0", "project": "t", "entries": entries}), encoding="utf-8"
    )
    (tmp_path / "PROJECT_HISTORY.md").write_text(
        "# Project History\n\n---\n\n" + "".join(sections), encoding="utf-8"
    )
    return tmp_path


def _pairs(folder: Path) -> dict[str, int]:
    """JSON id -> line of the Markdown heading it was paired with."""
    js = read_json_history(folder / "project_history.json").frame
    md = read_markdown_history(folder / "PROJECT_HISTORY.md")
    return {
        str(js["id"].iloc[m.json_row]): int(md.frame["source_line"].iloc[m.md_row])
        for m in match_records(js, md.frame, md.precision)
    }


def _heading_lines(folder: Path) -> list[int]:
    lines = (folder / "PROJECT_HISTORY.md").read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(lines, 1) if line.startswith("## [")]


# ----------------------------------------------------------------------------- wording before time


def _prod_and_staging(tmp_path: Path) -> Path:
    # Two look-alike changes 30 s apart. Each Markdown record was written late enough that it sits
    # closer in time to the *other* JSON record: only the wording tells them apart.
    entries = [
        _json_entry("2026-05-01 10:00:00", "devops-engineer", "Applied the NAT gateway change in prod"),
        _json_entry("2026-05-01 10:00:30", "devops-engineer", "Applied the NAT gateway change in staging"),
    ]
    sections = [
        _md_entry(
            "2026-05-01 10:00:29",
            "devops-engineer",
            "NAT gateway prod",
            "Applied the NAT gateway change in prod",
            "prod has two NAT gateways",
        ),
        _md_entry(
            "2026-05-01 10:00:33",
            "devops-engineer",
            "NAT gateway staging",
            "Applied the NAT gateway change in staging",
            "staging has two NAT gateways",
        ),
    ]
    return _folder(tmp_path, entries, sections)


def test_best_wording_wins_over_nearest_time(tmp_path: Path) -> None:
    folder = _prod_and_staging(tmp_path)
    prod_line, staging_line = _heading_lines(folder)
    assert _pairs(folder) == {
        "20260501-100000-devops-engineer": prod_line,
        "20260501-100030-devops-engineer": staging_line,
    }


def test_paired_rows_take_the_right_markdown_fields(tmp_path: Path) -> None:
    frame = load_history(_prod_and_staging(tmp_path), cache=False).set_index("id")
    assert len(frame) == 2
    assert frame["in_json"].all() and frame["in_md"].all()
    assert frame.loc["20260501-100000-devops-engineer", "summary"] == "prod has two NAT gateways"
    assert frame.loc["20260501-100030-devops-engineer", "summary"] == "staging has two NAT gateways"
    # the JSON record's own values win: its timestamp, not the Markdown one
    assert frame.loc["20260501-100000-devops-engineer", "timestamp"] == pd.Timestamp("2026-05-01T10:00:00Z")


@pytest.mark.parametrize(
    ("md_stamp", "paired"),
    [
        ("2026-05-01 09:50:30", True),  # 9.5 minutes early
        ("2026-05-01 10:09:30", True),  # 9.5 minutes late
        ("2026-05-01 10:10:30", False),  # past the 10-minute window
        ("2026-05-01 09:49:30", False),
        ("2026-05-02 10:00:00", False),  # same wording, the next day: another event
    ],
)
def test_similar_wording_pairs_within_the_window_only(tmp_path: Path, md_stamp: str, paired: bool) -> None:
    entries = [_json_entry("2026-05-01 10:00:00", "sre-oncall", "Restarted the payments workers in prod")]
    sections = [
        _md_entry(md_stamp, "sre-oncall", "Restart payments", "Restarted the payments workers in prod", "ok")
    ]
    frame = load_history(_folder(tmp_path, entries, sections), cache=False)
    assert len(frame) == (1 if paired else 2)
    assert bool((frame["in_json"] & frame["in_md"]).any()) is paired


def test_unrelated_wording_minutes_apart_stays_two_events(tmp_path: Path) -> None:
    entries = [_json_entry("2026-05-01 10:00:00", "sre-oncall", "Restarted the payments workers in prod")]
    sections = [
        _md_entry("2026-05-01 10:01:00", "sre-oncall", "Quota", "Asked AWS for more vCPU quota", "ok")
    ]
    frame = load_history(_folder(tmp_path, entries, sections), cache=False)
    assert len(frame) == 2
    assert not (frame["in_json"] & frame["in_md"]).any()


# ----------------------------------------------------------------------------- the same moment


@pytest.mark.parametrize(("seconds", "rows"), [(0, 1), (2, 1), (3, 1), (4, 2), (30, 2)])
def test_same_agent_seconds_apart_is_one_event_whatever_the_wording(
    tmp_path: Path, seconds: int, rows: int
) -> None:
    # the agent wrote its JSON record, then the Markdown one in other words: one event, not two
    entries = [_json_entry("2026-05-01 10:00:00", "devops-engineer", "Rotated the RDS master password")]
    stamp = (pd.Timestamp("2026-05-01 10:00:00") + pd.Timedelta(seconds=seconds)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    sections = [_md_entry(stamp, "devops-engineer", "Credentials", "Secrets Manager now holds it", "done")]
    frame = load_history(_folder(tmp_path, entries, sections), cache=False)
    assert len(frame) == rows
    if rows == 1:
        row = frame.iloc[0]
        assert bool(row["in_json"]) and bool(row["in_md"])
        assert row["description"] == "Rotated the RDS master password"
        assert row["summary"] == "done"


def test_same_moment_never_pairs_two_agents(tmp_path: Path) -> None:
    entries = [_json_entry("2026-05-01 10:00:00", "devops-engineer", "Rotated the RDS master password")]
    sections = [
        _md_entry("2026-05-01 10:00:01", "sre-oncall", "Credentials", "Rotated the RDS password", "done")
    ]
    frame = load_history(_folder(tmp_path, entries, sections), cache=False)
    assert len(frame) == 2
    assert sorted(frame["agent"]) == ["devops-engineer", "sre-oncall"]


def test_same_moment_prefers_the_matching_words(tmp_path: Path) -> None:
    # two records of one agent within seconds: each Markdown record still goes to its own wording
    entries = [
        _json_entry("2026-05-01 10:00:00", "devops-engineer", "Scaled the api autoscaling group to six"),
        _json_entry("2026-05-01 10:00:02", "devops-engineer", "Opened port 443 on the edge security group"),
    ]
    sections = [
        _md_entry(
            "2026-05-01 10:00:01", "devops-engineer", "Port 443", "Opened port 443 on the edge", "open"
        ),
        _md_entry(
            "2026-05-01 10:00:03", "devops-engineer", "Scale api", "Scaled the api group to six", "six"
        ),
    ]
    folder = _folder(tmp_path, entries, sections)
    port_line, scale_line = _heading_lines(folder)
    assert _pairs(folder) == {
        "20260501-100000-devops-engineer": scale_line,
        "20260501-100002-devops-engineer": port_line,
    }


def test_similarity_is_relative_to_the_shorter_text() -> None:
    title = frozenset({"nat", "gateway"})
    long = frozenset({"applied", "nat", "gateway", "change", "prod"})
    assert similarity(title, long) == similarity(long, title) == 1.0
    assert similarity(frozenset({"nat", "vpc"}), long) == 0.5
    assert similarity(frozenset(), long) == 0.0
    assert similarity(long, frozenset()) == 0.0


# ----------------------------------------------------------------------------- merging a pair


def _one_pair(tmp_path: Path, json_status: str, md_outcome: str) -> pd.Series:
    entries = [
        _json_entry(
            "2026-05-01 10:00:00", "sre-oncall", "Failed over the api to us-west-2", status=json_status
        )
    ]
    sections = [
        _md_entry(
            "2026-05-01 10:00:20",
            "sre-oncall",
            "Failover",
            "Failed over the api to us-west-2",
            "done",
            md_outcome,
        )
    ]
    frame = load_history(_folder(tmp_path, entries, sections), cache=False)
    assert len(frame) == 1 and bool(frame["in_json"].iloc[0]) and bool(frame["in_md"].iloc[0])
    return frame.iloc[0]


def test_json_status_wins_over_the_markdown_one(tmp_path: Path) -> None:
    assert _one_pair(tmp_path, "completed", "❌ Failed")["status"] == "completed"


def test_unknown_json_status_takes_the_markdown_one(tmp_path: Path) -> None:
    assert _one_pair(tmp_path, "", "⚠️ Partial")["status"] == "partial"


def test_pair_keeps_the_json_identity_and_both_extras(tmp_path: Path) -> None:
    row = _one_pair(tmp_path, "completed", "✅ Completed")
    assert row["id"] == "20260501-100000-sre-oncall"
    assert row["source_file"].endswith("project_history.json")
    # the Markdown record's own fields (its title) stay with the event
    assert row["extra"].get("title") == "Failover"


def test_markdown_title_counts_as_wording(tmp_path: Path) -> None:
    # 40 s apart (not the same moment) and the body says nothing useful: only the title pairs them
    entries = [_json_entry("2026-05-01 10:00:00", "devops-engineer", "Rotated the RDS master password")]
    sections = [
        _md_entry("2026-05-01 10:00:40", "devops-engineer", "Rotated RDS master password", "See ticket", "ok")
    ]
    frame = load_history(_folder(tmp_path, entries, sections), cache=False)
    assert len(frame) == 1 and bool(frame["in_md"].iloc[0])


def test_json_summary_counts_as_wording(tmp_path: Path) -> None:
    # the JSON description is vague; its summary carries the words the Markdown record uses
    entries = [
        _json_entry(
            "2026-05-01 10:00:00",
            "devops-engineer",
            "Maintenance window",
            summary="Rotated RDS master password",
        )
    ]
    sections = [
        _md_entry("2026-05-01 10:00:40", "devops-engineer", "RDS", "Rotated RDS master password", "ok")
    ]
    frame = load_history(_folder(tmp_path, entries, sections), cache=False)
    assert len(frame) == 1 and bool(frame["in_md"].iloc[0])


# ----------------------------------------------------------------------------- style 2: ids, local time


def _style2(
    tmp_path: Path, entries: list[dict], headings: list[tuple[str, str, str]], id_lines: bool
) -> Path:
    """A newest-first Markdown log in local time (UTC+2), as the style-2 writer makes it."""
    text = "# Project History\n\nNew entries go on top. Times are local (UTC+2).\n\n"
    for stamp, title, entry_id in headings:
        text += f"## [{stamp}] security-engineer: {title}\n\n"
        if id_lines:
            text += f"**ID**: {entry_id}\n"
        text += f"**Action**: review\n\n### What Was Done\n{title}\n\n### Outcome\n✅ Completed - done\n\n"
        # a "Follow-up Actions" section is what marks a style-2 entry when it has no **ID** line
        text += "### Follow-up Actions\n- [ ] check next week\n\n---\n\n"
    (tmp_path / "PROJECT_HISTORY.md").write_text(text, encoding="utf-8")
    doc = {"entries": entries}
    (tmp_path / "project_history.json").write_text(json.dumps(doc), encoding="utf-8")
    return tmp_path


def _b_entry(entry_id: str, stamp: str, description: str) -> dict:
    return {
        "id": entry_id,
        "timestamp": stamp,
        "agent": {"name": "security-engineer", "type": "security"},
        "action": {"type": "review", "category": "security", "description": description},
        "context": {"task": description, "related_entries": [], "triggered_by": "schedule"},
        "outcome": {"status": "completed", "result": "", "follow_up_actions": []},
        "tags": [],
    }


def test_explicit_id_pairs_whatever_the_words_and_time(tmp_path: Path) -> None:
    entry_id = "7d1e2f30-1111-4a4a-9b9b-0c0c0c0c0c0c"
    entries = [_b_entry(entry_id, "2026-05-02T09:30:00Z", "Reviewed the IAM deploy role policy")]
    folder = _style2(tmp_path, entries, [("2026-05-04 18:00:00", "Quarterly audit notes", entry_id)], True)
    frame = load_history(folder, cache=False)
    assert len(frame) == 1
    assert frame["id"].iloc[0] == entry_id and bool(frame["in_md"].iloc[0])


@pytest.mark.parametrize(("local", "paired"), [("11:32:00", True), ("11:32:01", False), ("12:31:30", True)])
def test_local_time_pairs_within_two_minutes_of_a_quarter_hour_offset(
    tmp_path: Path, local: str, paired: bool
) -> None:
    # 09:30Z written as local time: any whole-quarter-hour offset, plus at most 120 s of writing delay
    entries = [_b_entry("1777714200-aa", "2026-05-02T09:30:00Z", "Enabled GuardDuty in every account")]
    folder = _style2(
        tmp_path, entries, [(f"2026-05-02 {local}", "Enabled GuardDuty in every account", "")], False
    )
    frame = load_history(folder, cache=False)
    assert len(frame) == (1 if paired else 2)


def test_local_time_checks_every_candidate(tmp_path: Path) -> None:
    # the earlier JSON record is too far off any quarter hour; the later one fits: it must still pair
    entries = [
        _b_entry("1777713600-aa", "2026-05-02T09:20:00Z", "Enabled GuardDuty in every account"),
        _b_entry("1777714200-bb", "2026-05-02T09:30:00Z", "Enabled GuardDuty in every account"),
    ]
    folder = _style2(
        tmp_path, entries, [("2026-05-02 11:30:30", "Enabled GuardDuty in every account", "")], False
    )
    frame = load_history(folder, cache=False).set_index("id")
    assert bool(frame.loc["1777714200-bb", "in_md"])
    assert not bool(frame.loc["1777713600-aa", "in_md"])

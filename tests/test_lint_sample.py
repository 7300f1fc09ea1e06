"""The sample tree's deliberate violations (listed in ``data/sample/README.md``) are each found, at the
listed file and line, and nothing else is flagged."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from opslib._paths import sample_dir
from opslib.rules import lint
from opslib.terragrunt import load_tree

README = sample_dir() / "README.md"
TREE = sample_dir() / "infrastructure-live"
_ROW = re.compile(r"^\|\s*(?P<rule>TG\d{3})\s*\|\s*`(?P<path>[^`:]+):(?P<line>\d+)`\s*\|")


def deliberate() -> set[tuple[str, str, int]]:
    """The table "Deliberate rule violations" of the sample README."""
    rows = set()
    for line in README.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            rows.add((match["rule"], match["path"], int(match["line"])))
    return rows


def units_without_lockfile() -> list[str]:
    section = next(p for p in README.read_text().split("\n- ") if p.startswith("**Lock files:**"))
    return re.findall(r"\*\*`([^`]+)`\*\*", section)


@pytest.fixture(scope="module")
def findings() -> pd.DataFrame:
    return lint(load_tree(TREE, cache=False), config={})


def test_readme_lists_the_planted_violations() -> None:
    assert {rule for rule, _, _ in deliberate()} == {"TG001", "TG002", "TG003", "TG007", "TG008", "TG009"}
    assert len(units_without_lockfile()) == 2


def test_every_deliberate_violation_is_found_and_nothing_else(findings: pd.DataFrame) -> None:
    expected = set(deliberate())
    # side effects the README names: the bare include is also "no include root" (TG016), and the
    # units without a lock file break the default `require` policy (TG011)
    bare = next(path for rule, path, _ in expected if rule == "TG001")
    expected.add(("TG016", bare, 1))
    expected |= {("TG011", f"{unit}/terragrunt.hcl", 1) for unit in units_without_lockfile()}
    got = set(zip(findings["rule_id"], findings["path"], findings["line"].astype(int), strict=True))
    assert got == expected, findings[["rule_id", "path", "line", "message"]].to_string()
    assert len(findings) == len(expected)
    assert not findings["suppressed"].any()


def test_markers_are_on_the_reported_lines(findings: pd.DataFrame) -> None:
    markers = {
        "TG001": "include {",
        "TG002": "?ref=main",
        "TG003": 'dependency "sqs" {',
        "TG007": "encrypt",
        "TG008": "master_password",
        "TG009": "get_env",
    }
    for rule_id, marker in markers.items():
        row = findings[findings["rule_id"] == rule_id].iloc[0]
        text = (TREE / row["path"]).read_text().splitlines()[int(row["line"]) - 1]
        assert marker in text, (rule_id, text)


def test_severities_on_the_sample(findings: pd.DataFrame) -> None:
    severity = dict(zip(findings["rule_id"], findings["severity"], strict=False))
    assert severity["TG008"] == severity["TG009"] == "critical"
    # the branch ref is in the dev (non-production) account: high, not critical
    assert severity["TG002"] == "high"


@pytest.mark.parametrize("secret", ["Sup3rS3cret!sample", "changeme123"])
def test_sample_messages_never_show_the_planted_secrets(findings: pd.DataFrame, secret: str) -> None:
    assert not findings["message"].str.contains(secret, regex=False).any()


def test_lint_accepts_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path))
    by_path = lint(TREE, rules=["TG001"], config={})
    assert by_path["path"].tolist() == [next(p for r, p, _ in deliberate() if r == "TG001")]

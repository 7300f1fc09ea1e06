"""Each rule against its fixture trees: ``fires`` must produce exactly the findings its ``# expect:``
markers name (rule, file, line, optional severity), ``clean`` must produce none of that rule.

Add a rule: add ``tests/fixtures/lint/<RULE>/{fires,clean}/`` and get its tests for free.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from opslib.rules import all_rules, lint
from opslib.rules._base import is_production
from opslib.terragrunt import load_tree

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
RULE_IDS = [rule.id for rule in all_rules()]
_MARKER = re.compile(r"expect:\s*(?P<items>(?:TG\d{3}(?::[a-z]+)?\s*)+)")


def expectations(tree: Path) -> Counter[tuple[str, str, int, str | None]]:
    """(rule, path, line, severity or None) for every ``# expect: TG00N[:severity]`` marker."""
    found: Counter[tuple[str, str, int, str | None]] = Counter()
    for file in sorted(p for p in tree.rglob("*") if p.is_file()):
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            match = _MARKER.search(line)
            if not match:
                continue
            for item in match.group("items").split():
                rule_id, _, severity = item.partition(":")
                found[(rule_id, file.relative_to(tree).as_posix(), number, severity or None)] += 1
    return found


def run(tree: Path, rule_id: str, **kwargs: object) -> pd.DataFrame:
    return lint(load_tree(tree, cache=False), rules=[rule_id], config=kwargs.get("config", {}))


def test_every_rule_has_both_fixtures() -> None:
    for rule_id in RULE_IDS:
        assert (FIXTURES / rule_id / "fires").is_dir(), rule_id
        assert (FIXTURES / rule_id / "clean").is_dir(), rule_id
        assert expectations(FIXTURES / rule_id / "fires"), f"{rule_id}/fires has no expect markers"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fires_at_the_marked_lines(rule_id: str) -> None:
    tree = FIXTURES / rule_id / "fires"
    expected = expectations(tree)
    findings = run(tree, rule_id)
    assert set(findings["rule_id"]) == {rule_id}
    got: Counter[tuple[str, str, int, str | None]] = Counter()
    for row in findings.itertuples(index=False):
        wanted_severity = {e[3] for e in expected if e[:3] == (row.rule_id, row.path, row.line)}
        severity = row.severity if wanted_severity - {None} else None
        got[(row.rule_id, row.path, int(row.line), severity)] += 1
    assert got == expected, findings[["path", "line", "severity", "message"]].to_string()


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_is_silent_on_clean_tree(rule_id: str) -> None:
    findings = run(FIXTURES / rule_id / "clean", rule_id)
    assert findings.empty, findings[["path", "line", "message"]].to_string()


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_messages_name_the_file_and_line(rule_id: str) -> None:
    findings = run(FIXTURES / rule_id / "fires", rule_id)
    for row in findings.itertuples(index=False):
        assert f"{row.path}:{row.line}:" in row.message
        if row.unit:
            assert f"unit {row.unit}" in row.message


def test_tg002_is_critical_only_in_production() -> None:
    findings = run(FIXTURES / "TG002" / "fires", "TG002")
    by_unit = dict(zip(findings["unit"], findings["severity"], strict=True))
    assert by_unit["prod/app"] == "critical"
    assert by_unit["dev/app"] == "high"
    assert "production account" in findings.loc[findings["unit"] == "prod/app", "message"].iloc[0]


def test_tg002_reports_the_envcommon_source_for_the_including_unit() -> None:
    findings = run(FIXTURES / "TG002" / "fires", "TG002")
    row = findings[findings["path"] == "_envcommon/app.hcl"].iloc[0]
    assert row["unit"] == "dev/common"
    assert "ref=master" in row["message"]


def test_tg011_forbid_policy_flags_committed_lock_files() -> None:
    tree = FIXTURES / "TG011" / "fires"
    findings = run(tree, "TG011", config={"lockfile": "forbid"})
    assert list(zip(findings["path"], findings["line"], strict=True)) == [("locked/.terraform.lock.hcl", 1)]
    assert run(FIXTURES / "TG011" / "clean", "TG011", config={"lockfile": "forbid"})["path"].tolist() == [
        "app/.terraform.lock.hcl"
    ]


def test_tg017_names_the_cycle() -> None:
    findings = run(FIXTURES / "TG017" / "fires", "TG017")
    cycle = findings[findings["message"].str.contains("cycle")]
    assert len(cycle) == 1
    assert "a -> b -> a" in cycle["message"].iloc[0]
    missing = findings[findings["unit"] == "c"]
    assert "../gone" in missing["message"].iloc[0]


def test_frame_has_the_documented_columns_and_types() -> None:
    findings = lint(load_tree(FIXTURES / "TG001" / "fires", cache=False), config={})
    assert list(findings.columns) == [
        "rule_id",
        "severity",
        "unit",
        "path",
        "line",
        "message",
        "suppressed",
        "suppression_reason",
    ]
    assert findings["line"].dtype == "int64"
    assert findings["suppressed"].dtype == bool
    empty = lint(load_tree(FIXTURES / "TG001" / "clean", cache=False), rules=["TG001"], config={})
    assert empty.empty and list(empty.columns) == list(findings.columns)


TREE_FIXTURES = Path(__file__).parent / "fixtures" / "tree"


@pytest.mark.parametrize(
    "tree", sorted(p.name for p in TREE_FIXTURES.glob("*") if p.is_dir()) if TREE_FIXTURES.is_dir() else []
)
def test_every_rule_runs_on_the_tree_loader_fixtures(tree: str) -> None:
    """Messy trees (cycles, unparsable files, stacks, JSON configs, unsafe functions) never crash a rule."""
    findings = lint(load_tree(TREE_FIXTURES / tree, cache=False), config={})
    assert set(findings["rule_id"]) <= set(RULE_IDS)
    assert (findings["line"] >= 1).all()
    assert findings["message"].str.len().gt(0).all()


@pytest.mark.parametrize(
    ("name", "production"),
    [
        ("prod", True),
        ("production", True),
        ("PRD", True),
        ("prod-eu", True),
        ("prod2", True),
        ("non-prod", False),
        ("nonprod", False),
        ("preprod", False),
        ("pre-prod", False),
        ("products", False),
        ("dev", False),
        ("staging", False),
        ("", False),
        (None, False),
    ],
)
def test_production_names(name: str | None, production: bool) -> None:
    assert is_production(name) is production


def test_tg002_registry_version_latest_is_not_a_version() -> None:
    findings = run(FIXTURES / "TG002" / "fires", "TG002")
    row = findings[findings["unit"] == "dev/registry-latest"]
    assert len(row) == 1
    assert "version=latest is not a version" in row["message"].iloc[0]


def test_tg002_messages_hide_passwords_not_user_names() -> None:
    from opslib.rules.tg002_source import _safe

    assert (
        _safe("git::ssh://git@github.com/acme/m.git?ref=main")
        == "git::ssh://git@github.com/acme/m.git?ref=main"
    )
    assert (
        _safe("https://deploy:s3cr3t-value@git.example.com/m.git")
        == "https://deploy:****@git.example.com/m.git"
    )
    hidden = _safe("https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/acme/m")
    assert hidden == "https://****@github.com/acme/m"

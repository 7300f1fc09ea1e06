"""JSON, table and SARIF output, the CLI's exit codes, secret masking in every output, generated docs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opslib.cli import main
from opslib.rules import all_rules, lint
from opslib.rules.docs import default_path, render_rules_doc
from opslib.rules.output import render
from opslib.rules.sarif import to_sarif
from opslib.secrets import mask
from opslib.terragrunt import load_tree

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-2.1.0.json").read_text())
SAMPLE = Path(__file__).parent.parent / "data" / "sample" / "infrastructure-live"

# every secret value planted in the fixtures and the sample tree
PLANTED = [
    "Planted-Local-Pa55word",
    "AKIAPLANTEDKEY123456",
    "AKIAPLANTEDTAGS12345",
    "planted-token-0123456789abcdef",
    "-----BEGIN PLANTED KEY-----",
    "Planted-fallback-pw9",
    "xoxb-planted-fallback",
    "Sup3rS3cret!sample",
    "changeme123",
]


def _findings(*trees: Path) -> list[tuple[Path, pd.DataFrame]]:
    return [(tree, lint(load_tree(tree, cache=False), config={})) for tree in trees]


@pytest.fixture(scope="module")
def secret_trees() -> list[tuple[Path, pd.DataFrame]]:
    return _findings(FIXTURES / "TG008" / "fires", FIXTURES / "TG009" / "fires", SAMPLE)


def test_sarif_is_valid_against_the_published_schema(secret_trees: list[tuple[Path, pd.DataFrame]]) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for tree, findings in secret_trees:
        log = json.loads(render(findings, "sarif", root=tree))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    empty = lint(load_tree(FIXTURES / "TG001" / "clean", cache=False), rules=["TG001"], config={})
    log = json.loads(render(empty, "sarif"))
    validator.validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_carries_rule_metadata_and_regions() -> None:
    tree = FIXTURES / "TG003" / "fires"
    findings = lint(load_tree(tree, cache=False), config={})
    log = to_sarif(findings, root=tree)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]
    tg003 = rules[[r["id"] for r in rules].index("TG003")]
    assert tg003["defaultConfiguration"]["level"] == "warning"
    assert "mock_outputs" in tg003["help"]["text"]
    result = next(r for r in run["results"] if r["ruleId"] == "TG003")
    assert rules[result["ruleIndex"]]["id"] == "TG003"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/terragrunt.hcl", "uriBaseId": "SRCROOT"}
    assert location["region"] == {"startLine": 9}
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == tree.resolve().as_uri() + "/"


def test_sarif_marks_suppressed_findings(tmp_path: Path) -> None:
    unit = tmp_path / "app"
    unit.mkdir()
    (tmp_path / "root.hcl").write_text("locals {}\n")
    (unit / "terragrunt.hcl").write_text(
        'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n\n'
        'dependency "vpc" { # opslib:ignore TG003 vpc is created by another team\n'
        '  config_path = "../vpc"\n}\n'
    )
    findings = lint(load_tree(tmp_path, cache=False), rules=["TG003"], config={})
    result = to_sarif(findings)["runs"][0]["results"][0]
    assert result["suppressions"] == [
        {"kind": "inSource", "state": "accepted", "justification": "vpc is created by another team"}
    ]
    jsonschema.Draft7Validator(SCHEMA).validate(to_sarif(findings))


@pytest.mark.parametrize("fmt", ["table", "json", "sarif"])
def test_no_output_contains_a_planted_secret(secret_trees: list[tuple[Path, pd.DataFrame]], fmt: str) -> None:
    assert any(len(findings) for _, findings in secret_trees)
    for tree, findings in secret_trees:
        text = render(findings, fmt, root=tree, show_suppressed=True)
        for secret in PLANTED:
            assert secret not in text, (tree.name, fmt, secret)
        # the findings are there, only their values are hidden
        assert "TG008" in text or "TG009" in text


def test_secret_messages_show_none_of_the_value() -> None:
    findings = lint(load_tree(FIXTURES / "TG008" / "fires", cache=False), rules=["TG008"], config={})
    messages = " ".join(findings["message"])
    assert f"({mask('Planted-Local-Pa55word')})" in messages and mask("AKIAPLANTEDTAGS12345") in messages
    assert "Pla*" not in messages and "AKI" not in messages


def test_json_output_rows(secret_trees: list[tuple[Path, pd.DataFrame]]) -> None:
    _tree, findings = secret_trees[-1]
    rows = json.loads(render(findings, "json"))
    assert len(rows) == len(findings)
    assert set(rows[0]) == set(findings.columns)
    assert all(isinstance(r["line"], int) and isinstance(r["suppressed"], bool) for r in rows)


def test_cli_exit_codes_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dirty = str(FIXTURES / "TG003" / "fires")
    clean = str(FIXTURES / "TG001" / "clean")
    assert main(["lint", dirty, "--no-cache", "--rule", "TG003"]) == 2
    out = capsys.readouterr().out
    assert "TG003" in out and "app/terragrunt.hcl:9" in out and "1 finding (1 medium)" in out
    # medium finding, but only high and above count
    assert main(["lint", dirty, "--no-cache", "--rule", "TG003", "--min-severity", "high"]) == 0
    assert "no findings" in capsys.readouterr().out
    assert main(["lint", clean, "--no-cache", "--rule", "TG001"]) == 0
    capsys.readouterr()
    report = tmp_path / "out" / "lint.sarif"
    assert main(["lint", dirty, "--no-cache", "--format", "sarif", "--output", str(report)]) == 2
    assert capsys.readouterr().out == ""
    jsonschema.Draft7Validator(SCHEMA).validate(json.loads(report.read_text()))
    assert main(["lint", dirty, "--no-cache", "--format", "json", "--rule", "TG003"]) == 2
    assert json.loads(capsys.readouterr().out)[0]["rule_id"] == "TG003"


def test_cli_error_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(tmp_path / "missing"), "--no-cache"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["lint", str(FIXTURES / "TG001" / "fires"), "--no-cache", "--rule", "TG999"]) == 1
    assert "unknown rule id" in capsys.readouterr().err


def test_rules_doc_is_up_to_date() -> None:
    assert default_path().read_text() == render_rules_doc(), (
        "docs/rules.md is stale: run `python -m opslib.rules.docs`"
    )


def test_every_rule_is_documented() -> None:
    text = render_rules_doc()
    for rule in all_rules():
        assert f"### {rule.id}: {rule.title}" in text
        assert rule.rationale in text and rule.fix in text
        assert rule.severity in ("critical", "high", "medium", "low")
        assert len(rule.rationale) > 80 and len(rule.fix) > 20


# "~" never occurs in our output, so finding a whole secret there can only mean it leaked (random text
# alone could spell "startLine" or a fingerprint's hex digits)
_PRINTABLE = st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='"\\$%{}#/~')
_SECRET = st.text(alphabet=_PRINTABLE, min_size=6, max_size=30).map(lambda core: f"~{core}~")


@settings(max_examples=6, deadline=None)
@given(password=_SECRET, fallback=_SECRET)
def test_property_no_output_shows_a_secret(password: str, fallback: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "app").mkdir()
        (root / "root.hcl").write_text("locals {}\n")
        (root / "app" / "terragrunt.hcl").write_text(
            f'locals {{\n  db_password = "{password}"\n}}\n\n'
            f'inputs = {{\n  api_token = get_env("API_TOKEN", "{fallback}")\n}}\n'
        )
        findings = lint(load_tree(root, cache=False), rules=["TG008", "TG009"], config={})
        assert set(findings["rule_id"]) == {"TG008", "TG009"}
        for fmt in ("table", "json", "sarif"):
            text = render(findings, fmt, root=root)
            assert password not in text and fallback not in text

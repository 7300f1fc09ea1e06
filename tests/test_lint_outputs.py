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


ROOT_HCL = """\
remote_state {
  backend = "s3"
  config = {
    bucket         = "acme-state"
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    dynamodb_table = "locks"
  }
}
"""
APP_HCL = """\
include "root" {
  path = find_in_parent_folders("root.hcl")
}

dependency "vpc" {
  config_path = "../vpc"
}

dependency "dns" {
  config_path = "../dns"
}

locals {
  db_password = "Plain-Hunter2-pw"
}
"""


def _mixed_tree(root: Path, app: str = APP_HCL) -> Path:
    """A shared root.hcl (TG013, medium, no unit) and a unit with TG003 (medium) and TG008 (critical)."""
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "root.hcl").write_text(ROOT_HCL)
    (root / "app" / "terragrunt.hcl").write_text(app)
    return root


def _mixed_findings(root: Path) -> pd.DataFrame:
    # TG003 lowered to low, so that all three SARIF levels appear
    config = {"severity": {"TG003": "low"}}
    return lint(load_tree(root, cache=False), rules=["TG003", "TG008", "TG013"], config=config)


def test_sarif_level_and_properties_follow_each_findings_severity_and_unit(tmp_path: Path) -> None:
    findings = _mixed_findings(_mixed_tree(tmp_path))
    results = to_sarif(findings)["runs"][0]["results"]
    got = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): (
            r["level"],
            r["properties"],
        )
        for r in results
    }
    assert got[("TG008", 14)] == ("error", {"severity": "critical", "unit": "app"})
    assert got[("TG003", 5)] == ("note", {"severity": "low", "unit": "app"})
    # a shared file's finding belongs to no unit: the property is empty, not a placeholder
    assert got[("TG013", 1)] == ("warning", {"severity": "medium", "unit": ""})


def test_sarif_fingerprints_tell_findings_apart_and_ignore_line_shifts(tmp_path: Path) -> None:
    def fingerprints(findings: pd.DataFrame) -> dict[tuple[str, str, str], str]:
        results = to_sarif(findings)["runs"][0]["results"]
        return {
            (str(row.rule_id), str(row.path), str(row.message).split(": ", 1)[1]): r["partialFingerprints"][
                "opslibFinding/v1"
            ]
            for row, r in zip(findings.itertuples(index=False), results, strict=True)
        }

    findings = _mixed_findings(_mixed_tree(tmp_path / "before"))
    before = fingerprints(findings)
    # two TG003 findings of one unit differ only by their message: each keeps its own alert
    assert len(set(before.values())) == len(before) == len(findings) > 3
    # the same finding in another file is another alert, whatever its message says
    moved = pd.concat([findings.iloc[[0]], findings.iloc[[0]].assign(path="other/terragrunt.hcl")])
    first, second = (r["partialFingerprints"] for r in to_sarif(moved)["runs"][0]["results"])
    assert first != second
    # lines added above a finding move it, but GitHub keeps the same alert open
    after = fingerprints(
        _mixed_findings(_mixed_tree(tmp_path / "after", "# owned by the app team\n\n" + APP_HCL))
    )
    assert after == before


def test_sarif_rule_descriptors_name_tag_and_explain_each_rule() -> None:
    rules = {r["id"]: r for r in to_sarif(lint_empty())["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["TG001"]["name"] == "LabeledInclude"
    assert rules["TG003"]["name"] == "DependencyMockOutputs"
    # GitHub files security rules apart from the rest
    assert rules["TG008"]["properties"]["tags"] == ["terragrunt", "security"]
    assert rules["TG003"]["properties"]["tags"] == ["terragrunt", "maintainability"]
    assert rules["TG008"]["defaultConfiguration"] == {"level": "error"}
    assert rules["TG008"]["properties"]["security-severity"] == "9.5"
    assert rules["TG003"]["help"]["markdown"].endswith(
        "Suppress with `# opslib:ignore TG003 <reason>` on the line or the block's first line."
    )


def lint_empty() -> pd.DataFrame:
    return lint(load_tree(FIXTURES / "TG001" / "clean", cache=False), rules=["TG001"], config={})


def test_cli_sarif_file_records_the_tree_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = FIXTURES / "TG003" / "fires"
    report = tmp_path / "lint.sarif"
    assert (
        main(
            ["lint", str(tree), "--no-cache", "--rule", "TG003", "--format", "sarif", "--output", str(report)]
        )
        == 2
    )
    run = json.loads(report.read_text())["runs"][0]
    # the code-scanning UI resolves every result's relative uri against this base
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": tree.resolve().as_uri() + "/"}}
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "SRCROOT"


def test_table_has_a_header_and_a_location_column(tmp_path: Path) -> None:
    findings = _mixed_findings(_mixed_tree(tmp_path))
    lines = render(findings, "table").splitlines()
    assert lines[0].split() == ["severity", "rule", "location", "message"]
    row = next(line for line in lines if "TG008" in line)
    assert row.split()[:3] == ["critical", "TG008", "app/terragrunt.hcl:14"]


def test_render_rejects_an_unknown_format_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=r"^unknown format 'xml'; expected one of table, json, sarif$"):
        render(lint_empty(), "xml")


def test_rules_doc_default_path_is_in_the_checkout_that_runs() -> None:
    import opslib

    assert default_path() == Path(opslib.__file__).resolve().parent.parent / "docs" / "rules.md"

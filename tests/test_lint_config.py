"""Suppression comments and the ``[tool.opslib.lint]`` configuration."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from opslib.cli import main
from opslib.errors import ConfigError
from opslib.rules import LintConfig, lint, load_config
from opslib.rules.suppress import parse_suppressions
from opslib.terragrunt import load_tree

UNIT = textwrap.dedent("""\
    include "root" {
      path = find_in_parent_folders("root.hcl")
    }

    terraform {
      source = "git::https://github.com/acme/modules.git//app?ref=main" # opslib:ignore TG002 catalog pin
    }

    dependency "vpc" { # opslib:ignore TG003, TG004 vpc belongs to the network team
      config_path = "../vpc"
    }

    dependency "db" {
      config_path  = "../db"
      mock_outputs = { endpoint = "db.example" }
      mock_outputs_allowed_terraform_commands = ["plan", "apply"]
    }

    dependency "cache" { // opslib:ignore TG004 reviewed in ACME-12
      config_path  = "../cache"
      mock_outputs = { endpoint = "cache.example" }
      mock_outputs_allowed_terraform_commands = ["plan", "apply"]
    }

    inputs = { # opslib:ignore TG008 rotated test credential
      name     = "app"
      password = "not-a-real-secret-1"
    }

    locals {
      # opslib:ignore TG009 the comment is on the wrong line
      token = get_env("API_TOKEN", "Fallback-t0ken!") # opslib:ignore TG008 wrong rule id
    }
    """)


def make_tree(root: Path, unit: str = UNIT) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "root.hcl").write_text("locals {}\n")
    (root / "app" / "terragrunt.hcl").write_text(unit)
    return root


def run(root: Path, **kwargs: object) -> pd.DataFrame:
    return lint(load_tree(root, cache=False), **kwargs)  # type: ignore[arg-type]


def by_rule(findings: pd.DataFrame) -> dict[tuple[str, int], tuple[bool, str]]:
    return {
        (r.rule_id, int(r.line)): (bool(r.suppressed), r.suppression_reason)
        for r in findings.itertuples(index=False)
    }


def test_suppressions_on_the_line_and_on_the_block_first_line(tmp_path: Path) -> None:
    findings = run(make_tree(tmp_path), rules=["TG002", "TG003", "TG004", "TG008", "TG009"], config={})
    got = by_rule(findings)
    assert got[("TG002", 6)] == (True, "catalog pin")  # on the line
    assert got[("TG003", 9)] == (True, "vpc belongs to the network team")  # list with a comma
    assert got[("TG004", 16)] == (False, "")  # no comment: stays
    assert got[("TG004", 22)] == (True, "reviewed in ACME-12")  # block's first line, //
    assert got[("TG008", 27)] == (True, "rotated test credential")  # `inputs = {` line
    assert got[("TG009", 32)] == (False, "")  # wrong line, wrong id
    assert len(findings) == 6


def test_suppressed_findings_do_not_fail_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_tree(tmp_path)
    assert main(["lint", str(root), "--no-cache", "--rule", "TG002", "--rule", "TG003"]) == 0
    out = capsys.readouterr().out
    assert "TG002" not in out and "2 suppressed" in out
    assert main(["lint", str(root), "--no-cache", "--rule", "TG002", "--show-suppressed"]) == 0
    assert "[suppressed]" in capsys.readouterr().out


def test_parse_suppressions_ignores_strings_and_other_text() -> None:
    lines = [
        'name = "# opslib:ignore TG001 inside a string"',
        "# opslib:ignore no ids here",
        "# OPSLIB:IGNORE tg010 upper case works",
    ]
    parsed = parse_suppressions(lines)
    assert list(parsed) == [3]
    assert parsed[3].rule_ids == frozenset({"TG010"}) and parsed[3].reason == "upper case works"


def test_config_file_in_tree_root(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    (root / ".opslib.toml").write_text(
        textwrap.dedent("""\
        [tool.opslib.lint]
        disable = ["TG003"]
        lockfile = "forbid"
        [tool.opslib.lint.severity]
        TG004 = "high"
        """)
    )
    findings = run(root)
    assert "TG003" not in set(findings["rule_id"])
    assert set(findings.loc[findings["rule_id"] == "TG004", "severity"]) == {"high"}
    assert "TG011" not in set(findings["rule_id"])  # no lock file, and the policy forbids them


def test_pyproject_in_cwd_and_root_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "tree")
    cwd = tmp_path / "repo"
    cwd.mkdir()
    (cwd / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.opslib.lint]\ndisable = ["TG011"]\n')
    monkeypatch.chdir(cwd)
    assert load_config(root).disable == frozenset({"TG011"})
    assert "TG011" not in set(run(root)["rule_id"])
    (root / ".opslib.toml").write_text('[lint]\nseverity = { TG011 = "high" }\n')
    config = load_config(root)
    assert config.disable == frozenset() and config.severity == {"TG011": "high"}
    assert config.source == str((root / ".opslib.toml").resolve())


def test_no_configuration_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(tmp_path) == LintConfig()
    assert LintConfig().lockfile == "require"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[tool.opslib.lint]\ndisable = ["TG999"]\n', "disable: unknown rule id(s) TG999"),
        ('[tool.opslib.lint]\nseverity = { TG999 = "high" }\n', "severity: unknown rule id(s) TG999"),
        ('[tool.opslib.lint]\nseverity = "high"\n', "severity must be a table of RULE = level"),
        ("[tool.opslib.lint]\ndisable = 3\n", "disable must be a list of rule ids"),
        ('[tool.opslib.lint]\nseverity = { TG001 = "urgent" }\n', "expected one of critical"),
        ('[tool.opslib.lint]\nlockfile = "sometimes"\n', "expected one of require, forbid"),
        ('[tool.opslib.lint]\nignore = ["TG001"]\n', "unknown key(s) ignore"),
        ("[tool.opslib.lint\n", "invalid TOML"),
    ],
)
def test_bad_configuration_names_the_file(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / ".opslib.toml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, cwd=tmp_path)
    assert error in str(caught.value)
    assert str(caught.value).startswith(str((tmp_path / ".opslib.toml").resolve()))


def test_rule_selection(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    assert set(run(root, rules=["tg002"], config={})["rule_id"]) == {"TG002"}
    assert "TG002" not in set(run(root, config={"disable": ["TG002"]})["rule_id"])
    # asked for by name, a disabled rule still runs
    assert set(run(root, rules=["TG002"], config={"disable": ["TG002"]})["rule_id"]) == {"TG002"}
    with pytest.raises(ConfigError, match="unknown rule id"):
        run(root, rules=["TG100"], config={})


def test_debug_log_names_the_configuration_file_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / ".opslib.toml").write_text('[lint]\ndisable = ["TG005"]\n')
    with caplog.at_level("DEBUG", logger="opslib.rules.config"):
        load_config(tmp_path, cwd=tmp_path)
    assert f"lint configuration from {(tmp_path / '.opslib.toml').resolve()}" in caplog.messages

"""Canary secrets: known made-up values planted in a tree must never come out of opslib.

The judge is the canary list itself, never opslib's own masker: a masker that misses a secret cannot
notice that it missed it. Every planted value in tests/fixtures/secrets_canary starts with ``cnry-``
(plus one AWS key id); each ends in a 12-character random part, and no 5-character run of that part
may appear in any output (a masked value shows none of its characters).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opslib.rules import lint
from opslib.rules.output import render
from opslib.terragrunt import TerragruntTree, load_tree

ROOT = Path(__file__).parent / "fixtures" / "secrets_canary"
_PLANTED = re.compile(r"cnry-[a-z]+-[A-Za-z0-9]{12}|AKIA[A-Z0-9]{16}")
# no run this long of a canary's random part may show anywhere
_RUN = 5
# the masked form: four stars, optionally a short fingerprint that tells secrets apart
_MASKED = re.compile(r"\*{4}(#[0-9a-f]{4,12})?")


def _canaries() -> list[str]:
    found: set[str] = set()
    for path in sorted(ROOT.rglob("*.hcl")):
        found.update(_PLANTED.findall(path.read_text(encoding="utf-8")))
    return sorted(found)


CANARIES = _canaries()


def _leaks(text: str) -> dict[str, list[str]]:
    """Canary -> the runs of its random part found in ``text``."""
    leaks: dict[str, list[str]] = {}
    for canary in CANARIES:
        secret = canary[-12:] if canary.startswith("cnry-") else canary[4:]
        runs = [secret[i : i + _RUN] for i in range(len(secret) - _RUN + 1) if secret[i : i + _RUN] in text]
        if runs:
            leaks[canary] = runs
    return leaks


@pytest.fixture(scope="module")
def tree() -> TerragruntTree:
    return load_tree(ROOT, repo_root=ROOT, cache=False)


def test_canary_list_is_complete() -> None:
    # the scanner must find what the fixture plants, or every leak check below would be vacuous
    assert len(CANARIES) == 11
    assert "AKIACNRYQ7ZT4XW2M9LB" in CANARIES
    assert _leaks("".join(c[-12:] for c in CANARIES if c.startswith("cnry-"))).keys() == {
        c for c in CANARIES if c.startswith("cnry-")
    }


def test_lint_reports_the_planted_secrets(tree: TerragruntTree) -> None:
    findings = lint(tree)
    secrets = findings[findings["rule_id"].isin(["TG008", "TG009"])]
    # inputs, locals, nested inputs, the get_env fallback and the key id in a comment are all found
    assert {(r.path, int(r.line)) for r in secrets.itertuples()} >= {
        ("root.hcl", 4),
        ("prod/app/terragrunt.hcl", 10),
        ("prod/app/terragrunt.hcl", 11),
        ("prod/app/terragrunt.hcl", 14),
        ("prod/app/terragrunt.hcl", 20),
        ("prod/app/terragrunt.hcl", 23),
        ("prod/app/terragrunt.hcl", 24),
        ("dev/worker/terragrunt.hcl", 17),
    }


@pytest.mark.parametrize("fmt", ["table", "json", "sarif"])
def test_lint_output_shows_no_canary(tree: TerragruntTree, fmt: str) -> None:
    findings = lint(tree)
    assert len(findings) > 0
    assert _leaks(render(findings, fmt, root=ROOT, show_suppressed=True)) == {}


def test_lint_frame_shows_no_canary(tree: TerragruntTree) -> None:
    findings = lint(tree)
    assert _leaks(findings.to_json(default_handler=str)) == {}


@pytest.mark.parametrize("column", ["inputs", "locals", "source"])
def test_unit_values_show_no_canary(tree: TerragruntTree, column: str) -> None:
    units = tree.units.set_index("unit")
    assert set(units.index) == {"prod/app", "dev/worker"}
    assert _leaks(units[column].to_json(default_handler=str)) == {}


def test_evaluated_secret_inputs_are_masked_whole(tree: TerragruntTree) -> None:
    unit = tree.units.set_index("unit").loc["prod/app"]
    inputs, local_values = unit["inputs"], unit["locals"]
    for value in (inputs["api_key"], inputs["database"]["admin"]["password"], local_values["db_password"]):
        assert _MASKED.fullmatch(value), value
    # a secret reached through a local keeps the same mask under another name
    assert inputs["registry_token"] == local_values["db_password"]
    assert inputs["name"] == "app"

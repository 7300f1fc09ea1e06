"""The precision corpus: every case under tests/fixtures/lint_corpus/<RULE>/ gets exactly the findings its
``# expect:`` markers name (a case without markers must stay silent). The cases reproduce, in our own
words, constructs from public live repositories that rules used to misjudge."""

from __future__ import annotations

from pathlib import Path

import pytest

from opslib.rules.precision import case_trees, expectations, run_case, score_corpus

CORPUS = Path(__file__).parent / "fixtures" / "lint_corpus"
CASES = [
    pytest.param(folder.name, tree, id=f"{folder.name}/{tree.name}")
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir())
    for tree in case_trees(folder)
]


@pytest.mark.parametrize(("rule_id", "tree"), CASES)
def test_case_gets_exactly_the_marked_findings(rule_id: str, tree: Path) -> None:
    result = run_case(tree, rule_id)
    unexpected = [result.messages.get(k, str(k)) for k in result.false_positives]
    missed = [f"{k[1]}:{k[2]}" for k in result.false_negatives]
    assert not unexpected and not missed, f"unexpected: {unexpected}\nmissed: {missed}"


def test_corpus_covers_the_rules_that_read_evaluated_values() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert {"TG002", "TG005", "TG006", "TG007", "TG009", "TG013", "TG014", "TG015"} <= folders
    for name in ("TG002", "TG005", "TG006", "TG007", "TG009", "TG013"):
        trees = case_trees(CORPUS / name)
        assert any(expectations(t, name) for t in trees), f"{name}: no case expects a finding"
        assert any(not expectations(t, name) for t in trees), f"{name}: no case where it must stay silent"


def test_score_table_counts_false_positives_and_misses(tmp_path: Path) -> None:
    # a tiny corpus with one expected finding that fires, one marker that does not, one extra finding
    case = tmp_path / "TG001" / "case"
    (case / "a").mkdir(parents=True)
    (case / "b").mkdir(parents=True)
    (case / "a" / "terragrunt.hcl").write_text('include { # expect: TG001\n  path = "../root.hcl"\n}\n')
    (case / "b" / "terragrunt.hcl").write_text('include {\n  path = "../root.hcl"\n}\n# expect: TG001\n')
    (case / "root.hcl").write_text("")
    scores = score_corpus(tmp_path).set_index("rule_id")
    row = scores.loc["TG001"]
    assert (row["findings"], row["expected"], row["true_positives"]) == (2, 2, 1)
    assert (row["false_positives"], row["false_negatives"]) == (1, 1)
    assert row["precision"] == row["recall"] == 0.5


def test_explain_names_what_could_not_be_evaluated(capsys: pytest.CaptureFixture[str]) -> None:
    from opslib.cli import main

    tree = str(CORPUS / "TG007" / "config-cannot-be-evaluated")
    assert main(["lint", tree, "--no-cache", "--rule", "TG007", "--explain"]) == 0
    captured = capsys.readouterr()
    assert "no findings" in captured.out
    assert "note: TG007 root.hcl:5: cannot evaluate the remote_state block" in captured.err
    assert "sops_decrypt_file() is never run" in captured.err
    # without --explain the run says nothing about it
    assert main(["lint", tree, "--no-cache", "--rule", "TG007"]) == 0
    assert "cannot evaluate" not in capsys.readouterr().err


def test_unknown_values_are_never_reported_missing() -> None:
    from opslib.rules import lint
    from opslib.terragrunt import load_tree

    notes: list[dict[str, object]] = []
    tree = load_tree(CORPUS / "TG006" / "config-cannot-be-evaluated", cache=False)
    findings = lint(tree, rules=["TG006", "TG007"], notes=notes)
    assert findings.empty
    assert {n["rule_id"] for n in notes} == {"TG006", "TG007"}
    assert all("not judged" in str(n["message"]) for n in notes)


def test_every_rule_says_what_it_reads_and_where_it_stays_silent() -> None:
    from opslib.rules import all_rules
    from opslib.rules.docs import render_rules_doc

    doc = render_rules_doc()
    for rule in all_rules():
        assert len(rule.evaluates) > 20 and len(rule.silent) > 10, rule.id
        section = doc.split(f"### {rule.id}:", 1)[1].split("### ", 1)[0]
        assert "**Reads.**" in section and "**Stays silent on.**" in section, rule.id


def test_case_trees_skip_hidden_folders_and_notes(tmp_path: Path) -> None:
    # a rule folder of cases: a README and hidden files are notes, not a tree; hidden folders are no case
    folder = tmp_path / "TG001"
    for name in ("b-case", "a-case", ".terragrunt-cache"):
        (folder / name).mkdir(parents=True)
    (folder / "README.md").write_text("# TG001 cases\n")
    (folder / ".keep").write_text("")
    assert case_trees(folder) == [folder / "a-case", folder / "b-case"]
    # a folder holding a config file is one tree itself
    (folder / "terragrunt.hcl").write_text("")
    assert case_trees(folder) == [folder]


def test_run_case_counts_only_its_rules_markers_and_keeps_messages(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "root.hcl").write_text("")
    # one line expects two rules: the case of TG001 must expect TG001 only
    (tmp_path / "app" / "terragrunt.hcl").write_text(
        'include { # expect: TG001 TG016\n  path = "../root.hcl"\n}\n'
    )
    result = run_case(tmp_path, "TG001")
    key = ("TG001", "app/terragrunt.hcl", 1)
    assert result.expected == {key: 1}
    assert result.found == {key: 1} and result.true_positives == 1
    assert result.messages[key].startswith("unit app, app/terragrunt.hcl:1: ")


def test_run_case_ignores_the_configuration_of_the_folder_it_runs_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the corpus is scored with the default configuration wherever it is run from
    case = tmp_path / "case"
    (case / "app").mkdir(parents=True)
    (case / "root.hcl").write_text("")
    (case / "app" / "terragrunt.hcl").write_text(
        'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
    )
    (case / "app" / ".terraform.lock.hcl").write_text("# committed, as the default policy requires\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pyproject.toml").write_text('[tool.opslib.lint]\nlockfile = "forbid"\n')
    monkeypatch.chdir(repo)
    result = run_case(case, "TG011")
    assert not result.found, result.messages  # "forbid" would flag the committed lock file

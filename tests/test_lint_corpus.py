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

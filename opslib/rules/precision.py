"""Score the linter against hand-annotated trees: per rule findings, expected, precision and recall.

A corpus is a folder of rule folders (``<corpus>/<RULE>/``); each rule folder holds cases, one tree per
sub-folder (or is one tree itself when it holds files directly). A line that should be reported carries
an ``# expect: TG00N`` marker (several ids, or ``TG00N:severity``, may follow); a case without markers
reproduces a construct the rule must stay silent on. Only the folder's own rule runs on its cases.

>>> from opslib.rules.precision import score_corpus       # doctest: +SKIP
>>> score_corpus("tests/fixtures/lint_corpus")             # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["SCORE_COLUMNS", "CaseResult", "case_trees", "expectations", "run_case", "score_corpus"]

SCORE_COLUMNS = [
    "rule_id",
    "cases",
    "findings",
    "expected",
    "true_positives",
    "false_positives",
    "false_negatives",
    "precision",
    "recall",
]
_MARKER = re.compile(r"expect:\s*(?P<items>(?:TG\d{3}(?::[a-z]+)?\s*)+)")
_RULE_FOLDER = re.compile(r"^TG\d{3}$")

Key = tuple[str, str, int]


def expectations(tree: Path, rule_id: str | None = None) -> Counter[Key]:
    """``(rule, path, line)`` for every ``# expect: TG00N`` marker under ``tree`` (one rule's only when
    ``rule_id`` is given)."""
    found: Counter[Key] = Counter()
    for file in sorted(p for p in tree.rglob("*") if p.is_file()):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = _MARKER.search(line)
            if not match:
                continue
            for item in match.group("items").split():
                rule, _, _ = item.partition(":")
                if rule_id is None or rule == rule_id:
                    found[(rule, file.relative_to(tree).as_posix(), number)] += 1
    return found


def case_trees(rule_folder: Path) -> list[Path]:
    """The trees of one rule folder: its sub-folders, or the folder itself when it holds files."""
    if any(p.is_file() and not p.name.startswith(".") and p.suffix != ".md" for p in rule_folder.iterdir()):
        return [rule_folder]
    return sorted(p for p in rule_folder.iterdir() if p.is_dir() and not p.name.startswith("."))


@dataclass
class CaseResult:
    """One case tree: what the rule found and what the markers expected."""

    rule_id: str
    tree: Path
    found: Counter[Key] = field(default_factory=Counter)
    expected: Counter[Key] = field(default_factory=Counter)
    messages: dict[Key, str] = field(default_factory=dict)

    @property
    def true_positives(self) -> int:
        return sum((self.found & self.expected).values())

    @property
    def false_positives(self) -> Counter[Key]:
        return self.found - self.expected

    @property
    def false_negatives(self) -> Counter[Key]:
        return self.expected - self.found


def run_case(tree: Path, rule_id: str) -> CaseResult:
    """Lint ``tree`` with ``rule_id`` alone and compare with its markers."""
    from opslib.rules import lint
    from opslib.terragrunt import load_tree

    findings = lint(load_tree(tree, cache=False), rules=[rule_id], config={})
    result = CaseResult(rule_id, tree, expected=expectations(tree, rule_id))
    for row in findings.to_dict(orient="records"):
        key = (str(row["rule_id"]), str(row["path"]), int(row["line"]))
        result.found[key] += 1
        result.messages[key] = str(row["message"])
    return result


def score_corpus(corpus: str | Path) -> pd.DataFrame:
    """One row per rule folder of ``corpus`` with :data:`SCORE_COLUMNS` (precision and recall are NaN
    when there is nothing to divide by)."""
    rows = []
    for folder in sorted(p for p in Path(corpus).iterdir() if p.is_dir() and _RULE_FOLDER.match(p.name)):
        results = [run_case(tree, folder.name) for tree in case_trees(folder)]
        found = sum(sum(r.found.values()) for r in results)
        expected = sum(sum(r.expected.values()) for r in results)
        tp = sum(r.true_positives for r in results)
        rows.append(
            {
                "rule_id": folder.name,
                "cases": len(results),
                "findings": found,
                "expected": expected,
                "true_positives": tp,
                "false_positives": found - tp,
                "false_negatives": expected - tp,
                "precision": tp / found if found else float("nan"),
                "recall": tp / expected if expected else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)

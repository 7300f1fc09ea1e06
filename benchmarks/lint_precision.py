"""Precision and recall of every lint rule over the hand-written corpus (tests/fixtures/lint_corpus).

    .venv/bin/python benchmarks/lint_precision.py [CORPUS] [--cases]

Prints per rule: cases, findings, expected, true/false positives, false negatives, precision, recall;
``--cases`` also lists every finding that was not expected and every expected finding that was missed.
Each rule folder holds reproductions of constructs met in public live repositories, with ``# expect:``
markers on the lines that must be reported (see ``opslib.rules.precision``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from opslib.rules.precision import case_trees, run_case, score_corpus

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "lint_corpus"


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    corpus = Path(args[0]) if args else CORPUS
    scores = score_corpus(corpus)
    shown = scores.copy()
    for column in ("precision", "recall"):
        shown[column] = shown[column].map(lambda v: "-" if v != v else f"{v:.0%}")
    print(shown.to_string(index=False))
    total_found = int(scores["findings"].sum())
    total_tp = int(scores["true_positives"].sum())
    total_expected = int(scores["expected"].sum())
    print(
        f"\nall rules: {total_found} findings, {total_expected} expected, "
        f"precision {total_tp / total_found:.0%}"
        if total_found
        else "\nall rules: no findings",
        f"recall {total_tp / total_expected:.0%}" if total_expected else "",
    )
    if "--cases" in argv:
        for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
            for tree in case_trees(folder):
                result = run_case(tree, folder.name)
                for key in result.false_positives:
                    print(f"FP {tree.relative_to(corpus)}: {result.messages.get(key, key)}")
                for key in result.false_negatives:
                    print(f"FN {tree.relative_to(corpus)}: {key[1]}:{key[2]} expected {key[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

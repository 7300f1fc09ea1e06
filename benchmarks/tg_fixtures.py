"""Load every fixture of terragrunt's own ``test/fixtures`` with ``load_tree`` and count the clean ones.

Each top-level folder is one fixture; ``stacks/`` and ``regressions/`` are collections, so each of their
sub-folders is one. A fixture is clean when it loads with no error row (``warning`` rows do not count).
Each fixture folder is taken as its repository root, as terragrunt's tests make a git repository of the
copied fixture. The fixtures terragrunt itself rejects, and the accepted ones that do not load clean, are
listed with their reason in ``docs/terragrunt-fixtures.md``; this script reads that list and prints the
share of accepted fixtures that load clean (the target is 95%).

Usage: python benchmarks/tg_fixtures.py PATH/TO/terragrunt/test/fixtures [--verbose]
(get a copy with ``git clone https://github.com/gruntwork-io/terragrunt``; tests never need it)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

COLLECTIONS = {"stacks", "regressions"}
DOC = Path(__file__).resolve().parent.parent / "docs" / "terragrunt-fixtures.md"
TARGET = 0.95


def fixtures(base: Path) -> list[Path]:
    out: list[Path] = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if folder.name in COLLECTIONS:
            out.extend(sorted(p for p in folder.iterdir() if p.is_dir()))
        else:
            out.append(folder)
    return out


def listed() -> dict[str, str]:
    """Fixture name -> ``rejected`` or ``accepted`` from the doc's tables (``| `name` | kind | why |``)."""
    rows: dict[str, str] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*`([^`]+)`\s*\|\s*(rejected|accepted)\s*\|", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", type=Path)
    parser.add_argument("--verbose", action="store_true", help="print the error rows of each unclean fixture")
    args = parser.parse_args(argv)
    from opslib.terragrunt import load_tree

    base = args.fixtures.resolve()
    doc = listed()
    clean = unclean = rejected = 0
    surprises: list[str] = []
    for folder in fixtures(base):
        name = folder.relative_to(base).as_posix()
        tree = load_tree(folder, cache=False, repo_root=folder)
        errors = tree.errors[tree.errors["kind"] != "warning"]
        if doc.get(name) == "rejected":
            rejected += 1
            continue
        if errors.empty:
            clean += 1
            continue
        unclean += 1
        if name not in doc:
            surprises.append(name)
        print(f"{name}: {len(errors)} error rows{'' if name in doc else '  (not in the doc)'}")
        if args.verbose:
            for row in errors.head(5).itertuples():
                print(f"    {row.path}:{row.line} [{row.kind}] {str(row.message)[:150]}")
    accepted = clean + unclean
    share = clean / accepted if accepted else 1.0
    print(
        f"{accepted + rejected} fixtures: {rejected} rejected by terragrunt itself; "
        f"{clean} of {accepted} accepted load clean ({share:.1%}, target {TARGET:.0%})"
    )
    if surprises:
        print("not listed in docs/terragrunt-fixtures.md: " + ", ".join(surprises))
    return 0 if share >= TARGET and not surprises else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

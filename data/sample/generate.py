"""Regenerate opslib's sample data, deterministically.

    python data/sample/generate.py            # rewrite data/sample/ in place
    python data/sample/generate.py --out DIR  # write everything under DIR instead (tests use this)

Each dataset has a module in ``data/sample/_gen/`` exposing ``generate(out_dir: Path) -> None``. The
modules run in the order below (later ones may import earlier ones' specs, e.g. ``_gen.tree.UNITS``); a
module that does not exist yet is skipped, so datasets can land one at a time.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATORS = ["tree", "history", "plans", "costs", "runbooks", "runs"]

log = logging.getLogger("generate")


def generate_all(out_dir: Path, only: list[str] | None = None) -> list[str]:
    """Run every available generator into ``out_dir``; returns the names that ran."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ran = []
    for name in GENERATORS:
        if only and name not in only:
            continue
        if not (HERE / "_gen" / f"{name}.py").is_file():
            log.info("skip %s: no _gen/%s.py", name, name)
            continue
        module = importlib.import_module(f"_gen.{name}")
        module.generate(out_dir)
        ran.append(name)
        log.info("generated %s", name)
    return ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: data/sample)")
    parser.add_argument("--only", action="append", help="run only this generator (repeatable)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    generate_all(args.out, args.only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

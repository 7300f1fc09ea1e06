"""In-source suppressions: ``# opslib:ignore TG002 <reason>``.

The comment suppresses a finding when it sits on the finding's line or on the first line of the block
that holds it (so one comment above-and-on a ``dependency "vpc" {`` line covers the whole block). Several
ids may be listed, separated by commas or spaces: ``# opslib:ignore TG003,TG004 legacy module``. The
finding stays in the results with ``suppressed=True`` and the reason, so reports can count them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from opslib.rules._base import Finding, comment_of

__all__ = ["Suppression", "find_suppression", "parse_suppressions"]

_DIRECTIVE = re.compile(r"opslib:ignore\b(?P<rest>.*)$", re.IGNORECASE)
_RULE_ID = re.compile(r"^[A-Za-z]{2,}\d{3}$")


@dataclass(frozen=True)
class Suppression:
    line: int
    rule_ids: frozenset[str]
    reason: str


def parse_suppressions(lines: list[str]) -> dict[int, Suppression]:
    """Line number (1-based) -> the suppression written in that line's comment."""
    out: dict[int, Suppression] = {}
    for number, line in enumerate(lines, start=1):
        if "opslib:ignore" not in line.lower():
            continue
        match = _DIRECTIVE.search(comment_of(line))
        if not match:
            continue
        tokens = match.group("rest").replace(",", " ").split()
        ids: list[str] = []
        while tokens and _RULE_ID.match(tokens[0]):
            ids.append(tokens.pop(0).upper())
        if ids:
            out[number] = Suppression(number, frozenset(ids), " ".join(tokens))
    return out


def find_suppression(
    finding: Finding, lines_of: Callable[[str], list[str]], cache: dict[str, dict[int, Suppression]]
) -> Suppression | None:
    """The suppression that applies to ``finding``, if any (its line first, then its block's first)."""
    if finding.path not in cache:
        cache[finding.path] = parse_suppressions(lines_of(finding.path))
    table = cache[finding.path]
    for line in (finding.line, finding.block_line):
        if line is None:
            continue
        entry = table.get(line)
        if entry is not None and finding.rule_id in entry.rule_ids:
            return entry
    return None

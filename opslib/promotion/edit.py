"""The edit that promotes one environment's module refs to another: refs only, formatting kept.

:func:`plan_promotion` compares two environments with :func:`~opslib.promotion.lag.lag`, finds for each
target unit that lags the place where its ref is written — the ``?ref=`` of a git source, the
``?version=`` of a registry source, a ``version`` in a stack unit's ``values``, or a local holding the
version — and replaces only that text. A ref written in a file shared with other units (an
``_envcommon`` file, the root) is not edited: the unit is listed as refused with the file named.
:meth:`PromotionPlan.diff` renders a unified diff that ``git apply`` accepts; :func:`apply_promotion`
writes the files atomically, refusing a file that changed since the plan was made.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opslib._io import atomic_write_text
from opslib._textdiff import unified_diff
from opslib.errors import ConfigError, OpslibError
from opslib.promotion.lag import lag

__all__ = ["Edit", "PromotionPlan", "apply_promotion", "plan_promotion"]

_PROMOTABLE = {"behind", "ahead", "unpinned", "unknown"}


@dataclass(frozen=True)
class Edit:
    """One ref replaced in one file."""

    unit: str
    path: str  # relative to the tree root
    line: int
    old_ref: str
    new_ref: str
    how: str  # "source ref", "stack values", "local"


@dataclass
class PromotionPlan:
    """What a promotion changes, refuses and warns about."""

    root: Path
    source: str
    target: str
    edits: list[Edit] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (unit, reason)
    warnings: list[str] = field(default_factory=list)
    _before: dict[str, str] = field(default_factory=dict, repr=False)
    _after: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def files(self) -> list[str]:
        """Files the plan changes, relative to the tree root."""
        return sorted(self._after)

    def diff(self, relative_to: str | Path | None = None) -> str:
        """A unified diff of every changed file, paths relative to ``relative_to`` (default: the git
        work tree holding the root, else the root), so ``git apply`` run there accepts it."""
        base = Path(relative_to) if relative_to is not None else _git_top(self.root)
        chunks = []
        for rel in self.files:
            name = (self.root / rel).resolve().relative_to(base.resolve()).as_posix()
            chunks.append(unified_diff(self._before[rel], self._after[rel], name))
        return "".join(chunks)


def _git_top(root: Path) -> Path:
    """The git work tree holding ``root``, or ``root`` itself outside one (or without git)."""
    from opslib.review.git import repo_top

    try:
        return repo_top(root)
    except OpslibError:
        return root


def _block_span(lines: list[str], start: int) -> tuple[int, int]:
    """0-based line span of the block opening at 1-based ``start`` (brace counting, strings skipped)."""
    depth, opened = 0, False
    for index in range(max(start - 1, 0), len(lines)):
        for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', lines[index]):
            if char == "{":
                depth, opened = depth + 1, True
            elif char == "}":
                depth -= 1
        if opened and depth <= 0:
            return start - 1, index + 1
    return start - 1, len(lines)


def _query_ref(old: str) -> re.Pattern[str]:
    return re.compile(r"[?&](?:ref|version)=(" + re.escape(old) + r")(?=[\"&#}\s]|$)")


def _locate(lines: list[str], span: tuple[int, int], old: str) -> list[tuple[int, re.Match[str], str]]:
    """Where ``old`` is written in lines[span]: a source query first, then ``name = "old"`` literals."""
    found = []
    for pattern, how in (
        (_query_ref(old), "source ref"),
        (re.compile(r'[\w"]\s*=\s*"(' + re.escape(old) + r')"'), "literal"),
    ):
        for index in range(*span):
            code = lines[index].split("#", 1)[0] if how == "literal" else lines[index]
            found += [(index, m, how) for m in pattern.finditer(code)]
        if found:
            return found
    return []


@dataclass
class _Files:
    root: Path
    text: dict[str, str] = field(default_factory=dict)

    def get(self, rel: str) -> str:
        if rel not in self.text:
            self.text[rel] = (self.root / rel).read_text(encoding="utf-8")
        return self.text[rel]


def _edit_for(row: dict[Any, Any], unit: dict[Any, Any], files: _Files, shared: dict[str, int]) -> Edit | str:
    """The edit for one target unit, or the reason it cannot be made."""
    old, new = row["target_ref"], row["source_ref"]
    rel = str(unit["path"])
    lines = files.get(rel).splitlines(keepends=True)
    if unit.get("kind") == "stack-unit":
        span = _block_span(lines, int(unit.get("line") or 1))
    else:
        span = (0, len(lines))
    found = _locate(lines, span, old)
    if len(found) == 1:
        index, _, how = found[0]
        kind = "stack values" if unit.get("kind") == "stack-unit" and how == "literal" else how
        return Edit(row["unit"], rel, index + 1, old, new, "local" if kind == "literal" else kind)
    if len(found) > 1:
        places = ", ".join(str(i + 1) for i, _, _ in found)
        return f"{old} is written {len(found)} times in {rel} (lines {places}); edit it by hand"
    others = [f for f, n in shared.items() if f != rel and old in files.get(f)]
    if others:
        return f"{old} is written in {others[0]}, which other units share; promote it there by hand"
    return f"cannot find where {old} is written for this unit (an expression opslib does not edit)"


def _shared_files(tree: Any) -> dict[str, int]:
    """Files that hold configuration for several units (root, _envcommon...), with how many read them."""
    files = getattr(tree, "files", None)
    if files is None or "path" not in files:
        return {}
    return {str(p): 1 for p in files["path"] if str(p).endswith((".hcl", ".hcl.json"))}


def plan_promotion(
    tree: Any, source: str, target: str, components: Iterable[str] | None = None
) -> PromotionPlan:
    """The ref edits that bring ``target``'s units to ``source``'s refs (see the module doc)."""
    wanted = set(components or [])
    lag_frame = lag(tree, source, target)
    known = set(lag_frame["component"])
    missing = sorted(wanted - known)
    if missing:
        names = ", ".join(sorted(known))
        raise ConfigError(f"no component {', '.join(missing)} in the tree (components: {names})")
    plan = PromotionPlan(Path(tree.root), source, target)
    units = {u["unit"]: u for u in tree.units.to_dict(orient="records")}
    files = _Files(plan.root)
    shared = _shared_files(tree)
    for row in lag_frame.to_dict(orient="records"):
        if wanted and row["component"] not in wanted:
            continue
        if row["status"] not in _PROMOTABLE or row["unit"] is None:
            continue
        if row["status"] == "unpinned" and not _pinned(row["source_ref"]):
            reason = (
                f"{source} runs {row['source_ref'] or 'no ref'}: refusing to promote a branch or unpinned ref"
            )
            plan.refused.append((row["unit"], reason))
            continue
        result = _edit_for(row, units[row["unit"]], files, shared)
        if isinstance(result, str):
            plan.refused.append((row["unit"], result))
            continue
        if row["status"] == "ahead":
            plan.warnings.append(f"{row['unit']}: {row['target_ref']} -> {row['source_ref']} is a downgrade")
        plan.edits.append(result)
    _render(plan, files)
    return plan


def _pinned(ref: Any) -> bool:
    from opslib.promotion.refs import classify_ref

    return classify_ref(ref if isinstance(ref, str) else None) in ("release", "pre-release", "commit")


def _render(plan: PromotionPlan, files: _Files) -> None:
    by_file: dict[str, list[Edit]] = {}
    for edit in plan.edits:
        by_file.setdefault(edit.path, []).append(edit)
    for rel, edits in by_file.items():
        before = files.get(rel)
        lines = before.splitlines(keepends=True)
        for edit in edits:
            index = edit.line - 1
            span = (index, index + 1)
            (_, match, _), *_ = _locate(lines, span, edit.old_ref)
            line = lines[index]
            lines[index] = line[: match.start(1)] + edit.new_ref + line[match.end(1) :]
        plan._before[rel] = before
        plan._after[rel] = "".join(lines)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply_promotion(plan: PromotionPlan) -> list[str]:
    """Write the plan's files atomically; a file changed since planning is refused (ConfigError)."""
    for rel in plan.files:
        current = (plan.root / rel).read_text(encoding="utf-8")
        if _digest(current) != _digest(plan._before[rel]):
            raise ConfigError("changed since the promotion was planned; plan again", path=plan.root / rel)
    for rel in plan.files:
        atomic_write_text(plan.root / rel, plan._after[rel])
    return plan.files


def summary(plan: PromotionPlan) -> pd.DataFrame:
    """The plan's edits as a frame (unit, path, line, old_ref, new_ref, how)."""
    columns = ["unit", "path", "line", "old_ref", "new_ref", "how"]
    return pd.DataFrame([e.__dict__ for e in plan.edits], columns=columns)

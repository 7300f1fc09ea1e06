"""Rule metadata, findings, the registry and the context every rule reads the tree through."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from opslib.errors import OpslibError
from opslib.rules import _hcl
from opslib.secrets import Masker, mask

if TYPE_CHECKING:
    from opslib.rules.config import LintConfig

__all__ = [
    "REGISTRY",
    "SEVERITIES",
    "Finding",
    "LintContext",
    "Rule",
    "is_production",
    "mask_secret",
    "register",
    "severity_rank",
]

log = logging.getLogger(__name__)

#: most severe first; ``severity_rank`` gives 0 for critical
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")

_PRODUCTION = re.compile(r"^(prod|production|prd)(\d+|[-_.][a-z0-9_.-]*)?$")
_NOT_PRODUCTION = re.compile(r"^(non|pre|not)[-_]?prod")


def severity_rank(severity: str) -> int:
    """0 for critical ... 3 for low; unknown severities sort last."""
    try:
        return SEVERITIES.index(str(severity).lower())
    except ValueError:
        return len(SEVERITIES)


def is_production(name: Any) -> bool:
    """True for an account or environment name that means production (``prod``, ``production``, ``prd``,
    ``prod-eu``...), false for ``non-prod``, ``preprod``, ``dev``... and for missing values."""
    if not isinstance(name, str) or not name:
        return False
    text = name.strip().lower()
    if _NOT_PRODUCTION.match(text):
        return False
    return bool(_PRODUCTION.match(text))


def mask_secret(value: Any) -> str:
    """How a finding shows a secret: ``****#a1b2c3``, none of its characters (copies share the tag)."""
    return mask(value)


@dataclass
class Finding:
    """One problem a rule found. ``severity`` None means the rule's default; ``block_line`` is the first
    line of the enclosing block, where an ``# opslib:ignore`` comment also suppresses the finding."""

    rule_id: str
    path: str
    line: int
    message: str
    unit: str = ""
    severity: str | None = None
    block_line: int | None = None


Check = Callable[["LintContext"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A lint rule: stable id, default severity, rationale and fix (used for docs and SARIF)."""

    id: str
    name: str
    title: str
    severity: str
    rationale: str
    fix: str
    check: Check = field(repr=False, compare=False)
    #: when a finding's severity can differ from the default, e.g. "critical in a production account"
    severity_note: str = ""
    #: what the rule reads: the text as written, or values the evaluator computes (for docs/rules.md)
    evaluates: str = ""
    #: where the rule stays silent (values it cannot evaluate, trees it does not apply to)
    silent: str = ""

    def run(self, ctx: LintContext) -> list[Finding]:
        """The rule's findings; a rule that fails on a shape it did not foresee reports that as a
        finding of its own (keeping what it found so far) instead of taking the whole lint down."""
        findings: list[Finding] = []
        try:
            findings.extend(self.check(ctx))
        except Exception as exc:
            log.debug("lint rule %s failed", self.id, exc_info=True)  # the finding says what
            text = f"{self.id} could not finish ({type(exc).__name__}: {exc}); its findings may be incomplete"
            findings.append(Finding(self.id, ".", 1, text))
        return findings


#: rule id -> Rule, filled when the rule modules are imported (see ``opslib.rules.registry``)
REGISTRY: dict[str, Rule] = {}


def register(
    *,
    id: str,
    name: str,
    title: str,
    severity: str,
    rationale: str,
    fix: str,
    severity_note: str = "",
    evaluates: str = "",
    silent: str = "",
) -> Callable[[Check], Check]:
    """Class-free rule declaration: decorate the check function with its metadata."""
    if severity not in SEVERITIES:
        raise ValueError(f"{id}: unknown severity {severity!r}")

    def decorate(check: Check) -> Check:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        REGISTRY[id] = Rule(
            id=id,
            name=name,
            title=title,
            severity=severity,
            rationale=" ".join(rationale.split()),
            fix=" ".join(fix.split()),
            check=check,
            severity_note=severity_note,
            evaluates=" ".join(evaluates.split()),
            silent=" ".join(silent.split()),
        )
        return check

    return decorate


class LintContext:
    """What rules see: the tree's documents, texts, units and files, plus the lint configuration.

    Rules work from the raw documents (``tree.documents``) and file texts (``tree.source_text``) so that
    every finding points at the line where the problem is written, and from the tree's frames for what
    only evaluation can tell (a unit's account, its resolved includes, its dependencies).
    """

    def __init__(self, tree: Any, config: LintConfig) -> None:
        self.tree = tree
        self.config = config
        self.masker = Masker()
        tree_masker = getattr(tree, "masker", None)
        if isinstance(tree_masker, Masker):
            self.masker.update(tree_masker)
        self._lines: dict[str, list[str]] = {}
        #: what rules could not judge: (rule id, path, line, text), shown by ``opslib lint --explain``
        self.notes: list[tuple[str, str, int, str]] = []

    # -- files ------------------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return Path(self.tree.root)

    @property
    def documents(self) -> Mapping[str, dict[str, Any]]:
        return self.tree.documents

    def lines(self, path: str) -> list[str]:
        """The file's lines (without newlines); empty when it cannot be read."""
        if path not in self._lines:
            try:
                text = self.tree.source_text(path)
            except (OSError, KeyError, ValueError, OpslibError):
                text = ""
            self._lines[path] = str(text).splitlines()
        return self._lines[path]

    def find_line(
        self, path: str, pattern: str | re.Pattern[str], start: int | None = None, end: int | None = None
    ) -> int | None:
        """First line in ``[start, end]`` (1-based, inclusive) matching ``pattern``, outside comments."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        lines = self.lines(path)
        first = max(1, start or 1)
        last = min(len(lines), end or len(lines))
        for number in range(first, last + 1):
            code = strip_comment(lines[number - 1])
            if regex.search(code):
                return number
        return None

    def enclosing_start(self, path: str, line: int) -> int | None:
        """First line of the innermost block (or multi-line attribute such as ``inputs = {``) that
        contains ``line`` and starts above it: where a block-level suppression comment goes."""
        best: int | None = None

        def visit(body: Mapping[str, Any]) -> None:
            nonlocal best
            for start, end in (body.get("__lines__") or {}).values():
                if start and end and int(start) < line <= int(end):
                    best = max(best or 0, int(start))
            for key in body:
                if key.startswith("__"):
                    continue
                for _, block in _hcl.blocks(body, key):
                    start, end = _hcl.block_lines(block)
                    if start and end and start <= line <= end:
                        if start < line:
                            best = max(best or 0, start)
                        visit(block)

        document = self.documents.get(path)
        if document:
            visit(document)
        return best

    @cached_property
    def roles(self) -> dict[str, str]:
        """File path -> role (``root``, ``account``, ``region``, ``env``, ``unit``, ``stack``...)."""
        files = getattr(self.tree, "files", None)
        if files is None or len(files) == 0:
            return {}
        return {str(p): str(r) for p, r in zip(files["path"], files["role"], strict=False)}

    def files_with_role(self, role: str) -> list[str]:
        return sorted(p for p, r in self.roles.items() if r == role and p in self.documents)

    # -- units ------------------------------------------------------------------------------------
    @cached_property
    def unit_rows(self) -> list[dict[str, Any]]:
        units = getattr(self.tree, "units", None)
        if units is None or len(units) == 0:
            return []
        return [dict(row) for row in units.to_dict(orient="records")]

    @cached_property
    def unit_by_file(self) -> dict[str, str]:
        """Config file path -> unit id for units written here (``unit``, ``catalog``), not stack units."""
        out: dict[str, str] = {}
        for row in self.unit_rows:
            if row.get("kind", "unit") in ("unit", "catalog") and row.get("path"):
                out[str(row["path"])] = str(row["unit"])
        return out

    @cached_property
    def includers(self) -> dict[str, list[str]]:
        """Included file path -> ids of the units that include it."""
        out: dict[str, list[str]] = {}
        for row in self.unit_rows:
            for include in row.get("includes") or []:
                target = include.get("path") if isinstance(include, Mapping) else None
                if target:
                    out.setdefault(str(target), []).append(str(row["unit"]))
        return out

    def plain_units(self) -> Iterator[dict[str, Any]]:
        """Unit rows written here (kind ``unit`` or ``catalog``; stack units are generated from a catalog)."""
        for row in self.unit_rows:
            if row.get("kind", "unit") in ("unit", "catalog"):
                yield row

    def owner(self, path: str) -> str:
        """The unit a file belongs to: its own unit, else ``""`` (a shared file such as root.hcl)."""
        return self.unit_by_file.get(path, "")

    def where(self, path: str) -> str:
        """``unit <id>`` for a unit file, ``shared file (included by N units)`` otherwise, for messages."""
        unit = self.owner(path)
        if unit:
            return f"unit {unit}"
        users = self.includers.get(path, [])
        if users:
            return f"shared file included by {len(users)} unit{'s' if len(users) != 1 else ''}"
        return "file"

    def msg(self, path: str, line: int, text: str, unit: str | None = None) -> str:
        """A finding message naming the unit (or the shared file), the file and the line."""
        who = f"unit {unit}" if unit else self.where(path)
        return f"{who}, {path}:{line}: {text}"

    def cannot_evaluate(self, rule_id: str, path: str, line: int, what: str, why: Any = None) -> None:
        """Record that ``rule_id`` did not judge ``what`` because its value cannot be evaluated."""
        reason = getattr(why, "reason", why)
        text = f"cannot evaluate {what}" + (f" ({reason})" if reason else "") + "; not judged"
        self.notes.append((rule_id, path, int(line), self.masker.scrub_str(text)))

    # -- secrets ----------------------------------------------------------------------------------
    def remember_secret(self, value: Any) -> str:
        """Remember a secret so every output scrubs it; returns its masked form for messages."""
        self.masker.add(value)
        return mask_secret(value)


_COMMENT = re.compile(r"""("(?:[^"\\]|\\.)*")|(#|//).*$""")


def strip_comment(line: str) -> str:
    """The line without a trailing ``#`` or ``//`` comment (string literals kept intact)."""
    return _COMMENT.sub(lambda m: m.group(1) or "", line)


def comment_of(line: str) -> str:
    """The comment text of a line (after ``#`` or ``//``), or ``""``."""
    in_string = False
    escaped = False
    for index, char in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == "#":
            return line[index + 1 :]
        elif char == "/" and line[index + 1 : index + 2] == "/":
            return line[index + 2 :]
    return ""


def unit_folder(path: str) -> str:
    """The folder of a file path, posix, ``""`` for the root."""
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


# re-exported for rule modules
blocks = _hcl.blocks
attrs = _hcl.attrs
attr_line = _hcl.attr_line
block_lines = _hcl.block_lines
literal = _hcl.literal
unquote = _hcl.unquote
NOT_LITERAL = _hcl.NOT_LITERAL

"""TG002: module sources pinned to a version tag (``?ref=vX.Y.Z``; tfr sources ``?version=``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from opslib.rules._base import (
    Finding,
    LintContext,
    attr_line,
    block_lines,
    blocks,
    is_production,
    literal,
    register,
    unit_folder,
    unquote,
)
from opslib.rules._hcl import NOT_LITERAL

__all__ = ["classify_source", "ref_problem"]

_REF = re.compile(r"[?&]ref=([^&#\s\"]*)")
_VERSION = re.compile(r"[?&]version=([^&#\s\"]*)")
_BRANCHES = {
    "main",
    "master",
    "head",
    "latest",
    "develop",
    "development",
    "dev",
    "trunk",
    "stable",
    "default",
    "edge",
    "nightly",
}
# a release tag, possibly prefixed by a module name in a monorepo ("vpc-v1.2.0", "vpc/v1.2.0")
_VERSION_TAG = re.compile(r"(^|[/_-])v?\d+(\.\d+){0,3}([-+][0-9A-Za-z.-]+)?$", re.IGNORECASE)
_ARCHIVE_VERSION = re.compile(r"v?\d+\.\d+(\.\d+)?")
_SHA = re.compile(r"^[0-9a-f]{7,40}$")
_USERINFO = re.compile(r"(://)[^/@\s]+@")


def classify_source(source: str) -> str:
    """``git`` | ``tfr`` | ``local`` | ``http`` | ``s3`` | ``expression`` for a source string."""
    text = source.strip()
    if "${" in text:
        return "expression"
    lowered = text.lower()
    if lowered.startswith("tfr:"):
        return "tfr"
    if (
        lowered.startswith(("git::", "git@", "github.com/", "bitbucket.org/", "gitlab.com/"))
        or ".git" in lowered.split("?")[0]
    ):
        return "git"
    if lowered.startswith(("s3::", "gcs::")):
        return "s3"
    if lowered.startswith(("http://", "https://")):
        return "http"
    return "local"


def ref_problem(source: str, kind: str) -> str | None:
    """Why ``source`` is not pinned to a version, or None when it is (or cannot be judged)."""
    if kind in ("local", "none"):
        return None
    if kind == "tfr":
        match = _VERSION.search(source)
        if not match or not match.group(1):
            return "registry source without ?version="
        if "${" in match.group(1):
            return None
        if match.group(1).lower() in _BRANCHES:
            return f"version={match.group(1)} is not a version"
        return None
    match = _REF.search(source)
    if not match or not match.group(1):
        if kind in ("http", "s3") and _ARCHIVE_VERSION.search(source.split("?")[0]):
            return None  # an archive URL named after its release
        return "no ?ref= version tag"
    ref = match.group(1)
    if "${" in ref:
        return None  # the ref is an expression (a catalog unit's ``values.version``): cannot judge
    if ref.lower() in _BRANCHES:
        return f"ref={ref} is a branch, not a version tag"
    if _SHA.match(ref) or _VERSION_TAG.search(ref):
        return None
    return f"ref={ref} is not a version tag"


def _safe(source: str) -> str:
    """A source for messages: credentials in the URL (``https://user:token@``) hidden."""
    return _USERINFO.sub(r"\1****@", source)


@register(
    id="TG002",
    name="pinned-source",
    title="A module source is not pinned to a version tag",
    severity="high",
    severity_note="critical in a production account",
    rationale="""A source that follows a branch (`?ref=main`, `master`, `HEAD`, `latest`, `develop`) or
    has no ref at all changes under the unit without any change in this repository: the next plan
    picks up whatever was merged upstream, in every environment at once, so a promotion from dev to
    prod no longer means anything. In a production account this is critical.""",
    fix="""Pin the source to a release tag: `source = "git::https://...//modules/vpc?ref=v1.2.0"`
    (registry sources: `tfr:///namespace/name/aws?version=1.2.0`), and promote by changing the tag.""",
)
def check_pinned_source(ctx: LintContext) -> Iterator[Finding]:
    for row in ctx.plain_units():
        finding = _unit_finding(ctx, row)
        if finding is not None:
            yield finding
    yield from _stack_findings(ctx)


def _source_site(ctx: LintContext, row: Mapping[str, Any]) -> tuple[str, int, int | None, Any] | None:
    """(file, line, block line, raw value) of the ``terraform.source`` that applies to the unit."""
    candidates = [str(row.get("path") or "")]
    includes = row.get("includes") or []
    included = [str(i.get("path")) for i in includes if isinstance(i, Mapping) and i.get("path")]
    for path in candidates + list(reversed(included)):
        document = ctx.documents.get(path)
        for _, block in blocks(document, "terraform"):
            if "source" in block:
                start, _ = block_lines(block)
                line = attr_line(block, "source") or start or 1
                return path, line, start, block["source"]
    return None


def _unit_finding(ctx: LintContext, row: Mapping[str, Any]) -> Finding | None:
    site = _source_site(ctx, row)
    if site is None:
        return None
    path, line, block_line, raw = site
    written = literal(raw)
    evaluated = row.get("source")
    if isinstance(evaluated, str) and evaluated and "${" not in evaluated:
        source = evaluated
    elif written is not NOT_LITERAL and isinstance(written, str):
        source = written
    else:
        # not evaluable: judge the text as written when it spells a ref, else stay silent
        text = unquote(raw) if isinstance(raw, str) else ""
        if not _REF.search(text) and not _VERSION.search(text):
            return None
        source = text
    kind = classify_source(source)
    if kind == "expression":
        kind = "tfr" if source.lower().startswith("tfr:") else "git"
    problem = ref_problem(source, kind)
    if problem is None:
        return None
    unit = str(row["unit"])
    production = is_production(row.get("account")) or is_production(row.get("environment"))
    severity = "critical" if production else None
    where = " in a production account" if production else ""
    text = f"module source {_safe(source)!s} is not pinned ({problem}){where}"
    return Finding(
        "TG002",
        path,
        line,
        ctx.msg(path, line, text, unit),
        unit=unit,
        severity=severity,
        block_line=block_line,
    )


def _stack_findings(ctx: LintContext) -> Iterator[Finding]:
    """``unit``/``stack`` blocks of ``terragrunt.stack.hcl`` files reference catalog sources too."""
    for path in ctx.files_with_role("stack"):
        document = ctx.documents[path]
        rows = [r for r in ctx.unit_rows if str(r.get("path") or "") == path]
        production = any(is_production(r.get("account")) or is_production(r.get("environment")) for r in rows)
        for block_type in ("unit", "stack"):
            for labels, block in blocks(document, block_type):
                written = literal(block.get("source"))
                if not isinstance(written, str) or written is NOT_LITERAL:
                    continue
                problem = ref_problem(written, classify_source(written))
                if problem is None:
                    continue
                start, _ = block_lines(block)
                line = attr_line(block, "source") or start or 1
                unit = unit_folder(path)
                name = labels[0] if labels else block_type
                text = f'{block_type} "{name}" source {_safe(written)} is not pinned ({problem})' + (
                    " in a production account" if production else ""
                )
                yield Finding(
                    "TG002",
                    path,
                    line,
                    ctx.msg(path, line, text, unit),
                    unit=unit,
                    severity="critical" if production else None,
                    block_line=start,
                )

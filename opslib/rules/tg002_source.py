"""TG002: module sources pinned to a version tag (``?ref=vX.Y.Z``; tfr sources ``?version=``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from opslib.rules import _eval
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
_USERINFO = re.compile(r"(://)(?P<user>[^/@\s:]+)(?P<password>:[^/@\s]*)?@")
_PLAIN_USER = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")


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

    def hide(match: re.Match[str]) -> str:
        user, password = match.group("user"), match.group("password")
        if password:
            return f"{match.group(1)}{user}:****@"
        # `git@`, `oauth2@` are user names, not secrets; a token used as the user name is hidden
        return match.group(0) if _PLAIN_USER.match(user) else f"{match.group(1)}****@"

    return _USERINFO.sub(hide, source)


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
    evaluates="""Each unit's `terraform.source` as the tree evaluates it (locals, includes such as
    `_envcommon`);
    a stack unit's source evaluated from its catalog with the stack's `values` (`?ref=${values.version}` with
    `version = "main"` gives `?ref=main`); the `source` of `unit`/`stack` blocks of terragrunt.stack.hcl.
    A stack unit is reported where the unpinned ref is written: the `values` entry of the stack file, or the
    catalog file when the catalog writes the branch.""",
    silent="""A source or ref that cannot be evaluated
    (`?ref=${local.v}` from a `get_env` without default, a catalog outside the tree); local sources; release
    tags, commit SHAs and registry versions.""",
)
def check_pinned_source(ctx: LintContext) -> Iterator[Finding]:
    written = [f for f in (_unit_finding(ctx, row) for row in ctx.plain_units()) if f is not None]
    written.extend(_stack_findings(ctx))
    yield from written
    # a catalog unit inside the tree may also load as a plain unit: one finding per line is enough
    yield from _stack_unit_findings(ctx, {(f.path, f.line) for f in written})


def _source_site(ctx: LintContext, row: Mapping[str, Any]) -> tuple[str, int, int | None, Any] | None:
    """(file, line, block line, raw value) of the ``terraform.source`` that applies to the unit."""
    block = _source_block(ctx, row)
    if block is None:
        return None
    path, body = block
    start, _ = block_lines(body)
    return path, attr_line(body, "source") or start or 1, start, body["source"]


def _source_block(ctx: LintContext, row: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(file, terraform block) holding the ``source`` that applies to the unit."""
    candidates = [str(row.get("path") or "")]
    # terragrunt takes nothing from an include with `merge_strategy = "no_merge"` (not its source either)
    no_merge = {
        labels[0]
        for labels, block in blocks(ctx.documents.get(candidates[0]), "include")
        if labels and literal(block.get("merge_strategy")) == "no_merge"
    }
    includes = row.get("includes") or []
    included = [
        str(i.get("path"))
        for i in includes
        if isinstance(i, Mapping) and i.get("path") and i.get("label") not in no_merge
    ]
    for path in candidates + list(reversed(included)):
        document = ctx.documents.get(path)
        for _, block in blocks(document, "terraform"):
            if "source" in block:
                return path, block
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
    if problem is None or (kind == "tfr" and _has_version_constraint(ctx, row)):
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


def _has_version_constraint(ctx: LintContext, row: Mapping[str, Any]) -> bool:
    """A registry source versioned by the terraform block's own ``version = "~> 1.2"`` attribute."""
    found = _source_block(ctx, row)
    if found is None or "version" not in found[1]:
        return False
    version = literal(found[1]["version"])
    if version is NOT_LITERAL:
        return True  # an expression: cannot judge, so not reported
    return isinstance(version, str) and bool(version.strip()) and version.strip().lower() not in _BRANCHES


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


_VALUES_REF = re.compile(r"\bvalues\.([A-Za-z_][\w-]*)")
_LOCAL_REF = re.compile(r"\blocal\.([A-Za-z_][\w-]*)")


def _local_line(ctx: LintContext, path: str, name: str) -> tuple[str, int, int | None] | None:
    """(file, line, block line) of ``local.<name>`` of a file, when it is written there as a literal."""
    for _, block in blocks(ctx.documents.get(path), "locals"):
        if name in block and literal(block[name]) is not NOT_LITERAL:
            start, _ = block_lines(block)
            return path, attr_line(block, name) or start or 1, start
    return None


def _stack_unit_findings(ctx: LintContext, reported: set[tuple[str, int]]) -> Iterator[Finding]:
    """Stack units judged on their evaluated source (the catalog's ``?ref=${values.version}`` with the
    stack's ``values``), reported where the unpinned ref is written: the ``values`` entry of the stack
    file, or the catalog file when the catalog writes it. One finding per place, naming its units."""
    owners = _eval.own_files(ctx)
    groups: dict[tuple[str, int], list[tuple[dict[str, Any], str, str, int | None]]] = {}
    for row in ctx.unit_rows:
        if row.get("kind") != "stack-unit":
            continue
        source = row.get("source")
        if not isinstance(source, str) or not source or "${" in source:
            continue  # not evaluated: nothing to judge
        problem = ref_problem(source, classify_source(source))
        if problem is None:
            continue
        path, line, block_line = _stack_value_site(ctx, row, owners.get(str(row["unit"])))
        if (path, line) in reported:
            continue
        groups.setdefault((path, line), []).append((row, source, problem, block_line))
    for (path, line), items in sorted(groups.items()):
        rows = [item[0] for item in items]
        _, source, problem, block_line = items[0]
        production = any(is_production(r.get("account")) or is_production(r.get("environment")) for r in rows)
        units = sorted(str(r["unit"]) for r in rows)
        who = units[0] if len(units) == 1 else f"{units[0]} (and {len(units) - 1} more)"
        text = f"stack unit module source {_safe(source)} is not pinned ({problem})" + (
            " in a production account" if production else ""
        )
        yield Finding(
            "TG002",
            path,
            line,
            ctx.msg(path, line, text, who),
            unit=units[0],
            severity="critical" if production else None,
            block_line=block_line,
        )


def _stack_value_site(
    ctx: LintContext, row: Mapping[str, Any], catalog: str | None
) -> tuple[str, int, int | None]:
    """(file, line, block line) where a stack unit's unpinned ref is written."""
    stack_file = str(row.get("path") or "")
    unit_line = int(row.get("line") or 1)
    block = _stack_block(ctx, stack_file, unit_line)
    block_start, block_end = block_lines(block) if block is not None else (unit_line, None)
    raw_ref = ""
    if catalog and catalog != stack_file:
        site = _source_site(ctx, {"path": catalog, "includes": []})
        if site is not None:
            path, line, start, raw = site
            text = unquote(raw) if isinstance(raw, str) else ""
            ref = _REF.search(text) or _VERSION.search(text)
            raw_ref = ref.group(1) if ref else text
            if "${" not in raw_ref:
                return path, line, start  # the catalog itself writes the branch
    elif block is not None:
        raw = block.get("source")
        raw_ref = unquote(raw) if isinstance(raw, str) else ""
    for name in _LOCAL_REF.findall(raw_ref):
        local_site = _local_line(
            ctx, stack_file if not (catalog and catalog != stack_file) else catalog, name
        )
        if local_site is not None:
            return local_site
    for name in _VALUES_REF.findall(raw_ref):
        found = ctx.find_line(
            stack_file, rf"(^|[\s{{,]){re.escape(name)}\s*=", block_start or 1, block_end
        ) or ctx.find_line(stack_file, rf"(^|[\s{{,]){re.escape(name)}\s*=")
        if found:
            return stack_file, found, block_start
    source_line = attr_line(block, "source") if block is not None else None
    return stack_file, source_line or unit_line, block_start


def _stack_block(ctx: LintContext, path: str, line: int) -> dict[str, Any] | None:
    """The ``unit`` block of a stack file that starts at ``line``."""
    for _, block in blocks(ctx.documents.get(path), "unit"):
        start, _ = block_lines(block)
        if start == line:
            return block
    return None

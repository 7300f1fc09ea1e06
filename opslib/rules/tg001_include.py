"""TG001 (bare include) and TG016 (unit without ``include "root"``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from opslib.rules._base import Finding, LintContext, block_lines, blocks, register

__all__: list[str] = []


@register(
    id="TG001",
    name="labeled-include",
    title="An include block has no label",
    severity="high",
    rationale="""A bare `include {}` is the old single-include form. It cannot be combined with other
    includes, its values cannot be exposed as `include.<label>.*`, and newer Terragrunt releases
    deprecate it, so a unit written this way breaks when a second include is added.""",
    fix="""Give the block a label: `include "root" { path = find_in_parent_folders("root.hcl") }`.""",
    evaluates="""The `include` blocks as written (own file).""",
    silent="""Never: a bare `include {}` needs no value to be judged.""",
)
def check_bare_include(ctx: LintContext) -> Iterator[Finding]:
    for path, document in sorted(ctx.documents.items()):
        for labels, block in blocks(document, "include"):
            if labels:
                continue
            start, _ = block_lines(block)
            line = start or 1
            yield Finding(
                "TG001",
                path,
                line,
                ctx.msg(path, line, 'bare `include {}` without a label; use include "root" { ... }'),
                unit=ctx.owner(path),
                block_line=start,
            )


@register(
    id="TG016",
    name="include-root",
    title='A unit does not include "root"',
    severity="medium",
    rationale="""Remote state, the generated provider and version constraints and the tag merging all
    come from the root configuration, and the convention is to include it as `include "root"` so other
    files can rely on `include.root.*`. A unit without that include runs with local state and no provider
    defaults, which silently splits state and untags resources; a bare or differently labelled include
    of root.hcl breaks every expression that reads `include.root`.""",
    fix="""Add `include "root" { path = find_in_parent_folders("root.hcl") }` at the top of the unit's
    `terragrunt.hcl` (replacing a bare `include {}` or an include of root.hcl under another label).""",
    evaluates="""The `include` blocks of each unit's own file, and the includes the tree resolved (to
    say whether
    root.hcl is included bare or under another label).""",
    silent="""Stack units (generated from a catalog) and files that do not
    parse (the tree's errors frame reports those).""",
)
def check_include_root(ctx: LintContext) -> Iterator[Finding]:
    root_files = set(ctx.files_with_role("root"))
    for row in ctx.plain_units():
        path = str(row.get("path") or "")
        document = ctx.documents.get(path)
        if document is None:  # unparsable: the tree's errors frame reports it
            continue
        own = list(blocks(document, "include"))
        if any(labels and labels[0] == "root" for labels, _ in own):
            continue
        unit = str(row["unit"])
        yield Finding("TG016", path, 1, ctx.msg(path, 1, _why(row, own, root_files), unit), unit=unit)


def _why(
    row: Mapping[str, object], own: list[tuple[tuple[str, ...], dict[str, object]]], root_files: set[str]
) -> str:
    if any(not labels for labels, _ in own):
        return 'no `include "root"` block: root.hcl is included by a bare `include {}`'
    includes = row.get("includes") or []
    for include in includes if isinstance(includes, list) else []:
        if not isinstance(include, Mapping) or not include.get("label"):
            continue
        if str(include.get("path") or "") in root_files:
            return f'no `include "root"` block: root.hcl is included as "{include.get("label")}"'
    return 'no `include "root"` block; the unit gets no remote state, provider or tags from root.hcl'

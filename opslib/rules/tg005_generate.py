"""TG005: tags interpolated into a ``generate`` block's contents without ``jsonencode()``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opslib.rules._base import Finding, LintContext, attr_line, block_lines, blocks, register, strip_comment

__all__: list[str] = []

# `tags = ...` / `default_tags = ...` / `tags_all = ...` inside generated Terraform
_TAGS_ASSIGNMENT = re.compile(r"\b(?:default_)?tags(?:_all)?\s*=\s*(?P<value>.*)$")
_JSONENCODED = re.compile(r"^\$\{\s*jsonencode\(")


@register(
    id="TG005",
    name="generate-jsonencode",
    title="Tags in a generate block are not jsonencode()d",
    severity="low",
    rationale="""A Terragrunt map interpolated into generated Terraform (`tags = ${local.tags}`) is
    rendered with Go's map syntax, not HCL: the generated file does not parse, or keys with spaces and
    special characters break. `jsonencode()` renders valid HCL for any map.""",
    fix="""Write `tags = ${jsonencode(local.tags)}` inside the generate block's `contents`.""",
)
def check_generate_tags(ctx: LintContext) -> Iterator[Finding]:
    for path, document in sorted(ctx.documents.items()):
        for labels, block in blocks(document, "generate"):
            if "contents" not in block:
                continue
            start, end = block_lines(block)
            first = attr_line(block, "contents") or start
            if first is None:
                continue
            name = labels[0] if labels else ""
            yield from _scan(ctx, path, name, first, end, start)


def _scan(
    ctx: LintContext, path: str, name: str, first: int, last: int | None, block_line: int | None
) -> Iterator[Finding]:
    lines = ctx.lines(path)
    stop = min(len(lines), last or len(lines))
    for number in range(first, stop + 1):
        match = _TAGS_ASSIGNMENT.search(strip_comment(lines[number - 1]))
        if not match:
            continue
        value = match.group("value").strip()
        if "${" not in value or _JSONENCODED.match(value):
            continue  # static HCL or a Terraform reference is fine; only interpolated maps break
        text = f'generate "{name}" writes tags without jsonencode(): {value[:60]}'
        yield Finding(
            "TG005", path, number, ctx.msg(path, number, text), unit=ctx.owner(path), block_line=block_line
        )

"""TG005: a map, object or list interpolated into a ``generate`` block's contents without ``jsonencode()``.

Every ``${...}`` of a generate block's contents is evaluated for the units the file serves; one that
yields a map or a list (``tags = ${local.tags}``, ``common_tags = ${local.team_tags}``,
``${merge(local.a, local.b)}``) is reported. An interpolation that cannot be evaluated is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from opslib.rules import _eval
from opslib.rules._base import (
    Finding,
    LintContext,
    attr_line,
    block_lines,
    blocks,
    register,
    strip_comment,
)

if TYPE_CHECKING:
    from opslib.terragrunt.evaluate import Config

__all__ = ["interpolations"]

# functions whose result is already text (or a number): interpolating them is fine
_TEXT_FUNCTIONS = re.compile(
    r"^\s*(jsonencode|yamlencode|tostring|join|format|formatlist|replace|lower|upper|title|trimspace|"
    r"indent|base64encode|templatefile|file|length|tonumber)\s*\("
)
_MAX_CONTEXTS = 5


def interpolations(line: str) -> Iterator[tuple[int, str]]:
    """``(column, expression)`` of every ``${...}`` in ``line`` (``$${`` escapes skipped; nested braces
    and quoted strings inside the expression kept)."""
    index = 0
    while True:
        start = line.find("${", index)
        if start < 0:
            return
        if start > 0 and line[start - 1] == "$":
            index = start + 2
            continue
        depth = 0
        quoted = False
        for end in range(start + 1, len(line)):
            char = line[end]
            if quoted:
                if char == '"' and line[end - 1] != "\\":
                    quoted = False
                continue
            if char == '"':
                quoted = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    yield start, line[start + 2 : end].strip()
                    index = end + 1
                    break
        else:
            return  # an interpolation spanning lines: not judged


@register(
    id="TG005",
    name="generate-jsonencode",
    title="A map or list is interpolated into a generate block without jsonencode()",
    severity="low",
    rationale="""A Terragrunt map or list interpolated into generated Terraform (`tags = ${local.tags}`)
    is not rendered as HCL: terragrunt refuses to put a collection into a string template, or the
    generated file does not parse. `jsonencode()` renders valid HCL for any map or list.""",
    fix="""Write `tags = ${jsonencode(local.tags)}` inside the generate block's `contents`.""",
    evaluates="""Every `${...}` of a generate block's `contents`, evaluated for the units the file serves
    (locals, `merge()`, includes, `read_terragrunt_config`, `file()`): a map or a list is reported under any
    name (`common_tags = ${local.team_tags}`).""",
    silent="""Interpolations that cannot be evaluated (`run_cmd`,
    dependency outputs, the variables of a `%{ for }` directive), strings and numbers, and calls that
    already render text (`jsonencode`, `yamlencode`, `join`, `format`...).""",
)
def check_generate_collections(ctx: LintContext) -> Iterator[Finding]:
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
    configs = [config for _, config in _eval.contexts(ctx, path)][:_MAX_CONTEXTS]
    for number in range(first, stop + 1):
        code = strip_comment(lines[number - 1])
        for _, expression in interpolations(code):
            if not expression or _TEXT_FUNCTIONS.match(expression):
                continue
            kind = _collection_kind(ctx, path, number, expression, configs)
            if kind is None:
                continue
            text = f'generate "{name}" interpolates a {kind} without jsonencode(): ${{{expression[:60]}}}'
            yield Finding(
                "TG005",
                path,
                number,
                ctx.msg(path, number, text),
                unit=ctx.owner(path),
                block_line=block_line,
            )


def _collection_kind(
    ctx: LintContext, path: str, line: int, expression: str, configs: Sequence[Config]
) -> str | None:
    """``map`` or ``list`` when the expression evaluates to one for some unit, else None."""
    unknown = None
    for config in configs:
        value = _eval.evaluate(config, "${" + expression + "}")
        if isinstance(value, dict):
            return "map"
        if isinstance(value, list):
            return "list"
        if isinstance(value, _eval.Unknown):
            unknown = value
    if unknown is not None or not configs:
        ctx.cannot_evaluate("TG005", path, line, f"${{{expression[:60]}}}", unknown)
    return None

"""TG010: Terraform workspaces (``terraform.workspace``, ``workspace`` commands in hooks)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from opslib.rules._base import (
    Finding,
    LintContext,
    attr_line,
    block_lines,
    blocks,
    register,
    strip_comment,
    unquote,
)

__all__: list[str] = []

_WORKSPACE_REF = re.compile(r"\bterraform\.workspace\b")
_HOOKS = ("before_hook", "after_hook", "error_hook")


@register(
    id="TG010",
    name="no-workspaces",
    title="Terraform workspaces are in use",
    severity="high",
    rationale="""Workspaces keep several states behind one configuration and pick one by a hidden,
    per-checkout setting: the folder no longer says which environment a plan touches, and a forgotten
    `workspace select` applies dev changes to prod. The folder layout already separates environments.""",
    fix="""Remove `terraform.workspace` and workspace hooks; give each environment its own folder (and
    unit), so the path says where a change goes.""",
    evaluates="""The text of every file (comments dropped) and the `execute`/`commands` lists of hooks and
    `extra_arguments`.""",
    silent="""Comments that mention workspaces.""",
)
def check_workspaces(ctx: LintContext) -> Iterator[Finding]:
    for path, document in sorted(ctx.documents.items()):
        hook_lines = set(_hook_lines(ctx, path, document))
        for number in sorted(hook_lines):
            yield Finding(
                "TG010",
                path,
                number,
                ctx.msg(path, number, "hook runs `terraform workspace`"),
                unit=ctx.owner(path),
            )
        for number in _reference_lines(ctx, path):
            if number in hook_lines:
                continue
            yield Finding(
                "TG010", path, number, ctx.msg(path, number, "uses terraform.workspace"), unit=ctx.owner(path)
            )


def _hook_lines(ctx: LintContext, path: str, document: dict[str, object]) -> Iterator[int]:
    for _, terraform in blocks(document, "terraform"):
        for hook_type in _HOOKS:
            for _, hook in blocks(terraform, hook_type):
                execute = hook.get("execute")
                items = execute if isinstance(execute, list) else []
                words = [unquote(w) for w in items if isinstance(w, str)]
                if "workspace" in words or any(
                    "terraform workspace" in w or "tofu workspace" in w for w in words
                ):
                    start, _ = block_lines(hook)
                    yield attr_line(hook, "execute") or start or 1
        for _, extra in blocks(terraform, "extra_arguments"):
            commands = extra.get("commands")
            if isinstance(commands, list) and "workspace" in [
                unquote(c) for c in commands if isinstance(c, str)
            ]:
                start, _ = block_lines(extra)
                yield attr_line(extra, "commands") or start or 1


def _reference_lines(ctx: LintContext, path: str) -> Iterator[int]:
    for number, raw in enumerate(ctx.lines(path), start=1):
        # the comment is dropped: "we do not use terraform.workspace" is not a use
        if _WORKSPACE_REF.search(strip_comment(raw)):
            yield number

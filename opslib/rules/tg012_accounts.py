"""TG012: production and non-production environments under one account folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opslib.rules._base import (
    Finding,
    LintContext,
    attr_line,
    block_lines,
    blocks,
    is_production,
    register,
    unit_folder,
)

__all__: list[str] = []


@register(
    id="TG012",
    name="account-separation",
    title="Production and non-production share an account folder",
    severity="high",
    rationale="""The AWS account is the strongest isolation boundary there is: IAM, quotas, billing and
    blast radius all stop at it. Production and non-production units in one account share credentials,
    so a dev role or a dev mistake can reach production resources.""",
    fix="""Move the non-production environments into their own account folder (`non-prod/`) with its own
    `account.hcl` and AWS account id.""",
    evaluates="""The account and environment of each unit as the tree derives them (account.hcl / env.hcl
    locals, then the folder names).""",
    silent="""Units whose environment cannot be determined.""",
)
def check_account_separation(ctx: LintContext) -> Iterator[Finding]:
    folders = sorted((unit_folder(p), p) for p in ctx.files_with_role("account"))
    if folders:
        groups: dict[str, list[dict[str, Any]]] = {path: [] for _, path in folders}
        for row in ctx.plain_units():
            owner = _account_file(str(row["unit"]), folders)
            if owner is not None:
                groups[owner].append(row)
    else:  # no account.hcl: fall back on the account the tree derived from the path
        by_account: dict[str, list[dict[str, Any]]] = {}
        for row in ctx.plain_units():
            if row.get("account"):
                by_account.setdefault(str(row["account"]), []).append(row)
        groups = {min(str(r.get("path")) for r in rows): rows for rows in by_account.values()}
    for path, rows in sorted(groups.items()):
        finding = _mixed(ctx, path, rows)
        if finding is not None:
            yield finding


def _account_file(unit: str, folders: list[tuple[str, str]]) -> str | None:
    """The account.hcl of the deepest account folder holding ``unit``."""
    best: tuple[int, str] | None = None
    for folder, path in folders:
        if folder == "" or unit == folder or unit.startswith(folder + "/"):
            depth = len(folder)
            if best is None or depth > best[0]:
                best = (depth, path)
    return best[1] if best else None


def _mixed(ctx: LintContext, path: str, rows: list[dict[str, Any]]) -> Finding | None:
    prod: dict[str, int] = {}
    other: dict[str, int] = {}
    for row in rows:
        env = row.get("environment")
        if not isinstance(env, str) or not env:
            continue
        bucket = prod if is_production(env) else other
        bucket[env] = bucket.get(env, 0) + 1
    if not prod or not other:
        return None
    line, block_line = _environment_line(ctx, path)

    def describe(counts: dict[str, int]) -> str:
        return ", ".join(f"{env} ({n} unit{'s' if n != 1 else ''})" for env, n in sorted(counts.items()))

    text = (
        f"one account holds production [{describe(prod)}] and non-production [{describe(other)}] environments"
    )
    return Finding(
        "TG012", path, line, ctx.msg(path, line, text), unit=ctx.owner(path), block_line=block_line
    )


def _environment_line(ctx: LintContext, path: str) -> tuple[int, int | None]:
    document = ctx.documents.get(path)
    for _, block in blocks(document, "locals"):
        start, _ = block_lines(block)
        line = attr_line(block, "environment")
        if line:
            return line, start
    return 1, None

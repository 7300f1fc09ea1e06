"""TG011: the ``.terraform.lock.hcl`` policy (``require`` by default, or ``forbid``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from opslib.rules._base import Finding, LintContext, register, unit_folder

__all__: list[str] = []

LOCKFILE = ".terraform.lock.hcl"


@register(
    id="TG011",
    name="lockfile-policy",
    title="The .terraform.lock.hcl policy is broken",
    severity="low",
    rationale="""The lock file pins provider versions and their checksums. The team's Terragrunt
    standards require committing it next to each unit so every plan uses the same provider build;
    Terragrunt's own guide generates it in the cache instead. Pick one policy (`lockfile = "require"`
    or `"forbid"` in `[tool.opslib.lint]`, default `require`) and apply it to every unit.""",
    fix="""`require`: run `terragrunt init` (or `terragrunt providers lock -platform=...`) in the unit and
    commit its `.terraform.lock.hcl`. `forbid`: delete the committed lock files and ignore them in git.""",
    evaluates="""The file system: a `.terraform.lock.hcl` next to each unit's config.""",
    silent="""Stack units (their
    folder is generated).""",
)
def check_lockfile(ctx: LintContext) -> Iterator[Finding]:
    policy = ctx.config.lockfile
    for row in ctx.plain_units():
        path = str(row.get("path") or "")
        if not path:
            continue
        unit = str(row["unit"])
        present = _has_lockfile(ctx, row, path)
        if policy == "require" and not present:
            yield Finding(
                "TG011",
                path,
                1,
                ctx.msg(path, 1, f"no {LOCKFILE} committed next to the unit", unit),
                unit=unit,
            )
        elif policy == "forbid" and present:
            folder = unit_folder(path)
            lock_path = f"{folder}/{LOCKFILE}" if folder else LOCKFILE
            yield Finding(
                "TG011",
                lock_path,
                1,
                ctx.msg(lock_path, 1, f"{LOCKFILE} is committed but the policy is forbid", unit),
                unit=unit,
            )


def _has_lockfile(ctx: LintContext, row: Mapping[str, Any], path: str) -> bool:
    value = row.get("lockfile")
    if isinstance(value, bool):
        return value
    if value is not None and str(value) in ("True", "False"):
        return str(value) == "True"
    return (ctx.root / unit_folder(path) / LOCKFILE).is_file()

"""TG006 (state key from path_relative_to_include) and TG007 (encrypted state with a lock table)."""

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
    literal,
    register,
    unquote,
)
from opslib.rules._hcl import NOT_LITERAL

__all__ = ["remote_states"]


def remote_states(ctx: LintContext) -> Iterator[tuple[str, int, int | None, int | None, dict[str, Any]]]:
    """``(path, start line, end line, config line, body)`` of every ``remote_state`` block or attribute."""
    for path, document in sorted(ctx.documents.items()):
        for _, block in blocks(document, "remote_state"):
            start, end = block_lines(block)
            yield path, start or 1, end, attr_line(block, "config"), block
        value = document.get("remote_state")
        if isinstance(value, Mapping) and not value.get("__is_block__"):
            line = attr_line(document, "remote_state") or 1
            lines = (document.get("__lines__") or {}).get("remote_state") or [line, line]
            yield path, line, int(lines[1]), None, dict(value)


def _backend(body: Mapping[str, Any]) -> str:
    value = literal(body.get("backend"))
    return str(value).lower() if isinstance(value, str) else ""


def _config(body: Mapping[str, Any]) -> dict[str, Any]:
    config = body.get("config")
    return dict(config) if isinstance(config, Mapping) else {}


_LOCAL_REF = re.compile(r"\blocal\.([A-Za-z_][\w-]*)")


def _uses_relative_path(value: Any, document: Mapping[str, Any]) -> bool:
    """The key calls path_relative_to_include(), directly or through a local of the same file."""
    if not isinstance(value, str):
        return False
    if "path_relative_to_include(" in value:
        return True
    local_values: dict[str, Any] = {}
    for _, block in blocks(document, "locals"):
        local_values.update(block)
    return any(
        isinstance(local_values.get(name), str) and "path_relative_to_include(" in local_values[name]
        for name in _LOCAL_REF.findall(value)
    )


def _key_line(ctx: LintContext, path: str, key: str, start: int, end: int | None, fallback: int) -> int:
    return ctx.find_line(path, rf"(^|[\s{{,]){re.escape(key)}\s*=", start, end) or fallback


@register(
    id="TG006",
    name="state-key",
    title="A remote state key is not built with path_relative_to_include()",
    severity="high",
    rationale="""A state key written by hand (or shared by several units) makes two units write the same
    state file, or a moved unit keep reading its old state. `path_relative_to_include()` derives the key
    from the unit's folder, so every unit gets its own state and the key follows the folder.""",
    fix="""Use `key = "${path_relative_to_include()}/terraform.tfstate"` in the root `remote_state`
    config.""",
)
def check_state_key(ctx: LintContext) -> Iterator[Finding]:
    for path, start, end, config_line, body in remote_states(ctx):
        backend = _backend(body)
        field = {"s3": "key", "azurerm": "key", "gcs": "prefix"}.get(backend)
        if field is None:
            continue
        config = _config(body)
        value = config.get(field)
        if _uses_relative_path(value, ctx.documents.get(path) or {}):
            continue
        line = _key_line(ctx, path, field, start, end, config_line or start)
        shown = "missing" if value is None else f"= {unquote(value) if isinstance(value, str) else value}"
        text = f"{backend} state {field} {shown}: not built with path_relative_to_include()"
        yield Finding("TG006", path, line, ctx.msg(path, line, text), unit=ctx.owner(path), block_line=start)


@register(
    id="TG007",
    name="state-encryption",
    title="Remote state is not encrypted or has no lock table",
    severity="high",
    rationale="""Terraform state holds every secret a module touches (database passwords, private keys)
    in plain text, so an S3 state bucket must encrypt objects (`encrypt = true`). Without a DynamoDB lock
    table (or S3 native locking, `use_lockfile = true`), two applies can run at once and corrupt state.""",
    fix="""In the S3 `remote_state` config set `encrypt = true` and `dynamodb_table = "terraform-locks"`
    (or `use_lockfile = true` on Terraform 1.10+).""",
)
def check_state_encryption(ctx: LintContext) -> Iterator[Finding]:
    for path, start, end, config_line, body in remote_states(ctx):
        if _backend(body) != "s3":
            continue
        config = _config(body)
        encrypt = literal(config.get("encrypt")) if "encrypt" in config else False
        if encrypt is not True and encrypt is not NOT_LITERAL and str(encrypt).lower() != "true":
            line = _key_line(ctx, path, "encrypt", start, end, config_line or start)
            shown = "missing" if "encrypt" not in config else f"= {str(encrypt).lower()}"
            yield Finding(
                "TG007",
                path,
                line,
                ctx.msg(path, line, f"s3 state encrypt {shown}: state is stored unencrypted"),
                unit=ctx.owner(path),
                block_line=start,
            )
        lockfile = literal(config.get("use_lockfile")) if "use_lockfile" in config else False
        if "dynamodb_table" not in config and lockfile is not True and lockfile is not NOT_LITERAL:
            line = config_line or start
            yield Finding(
                "TG007",
                path,
                line,
                ctx.msg(path, line, "s3 state has no lock table (dynamodb_table) and no use_lockfile"),
                unit=ctx.owner(path),
                block_line=start,
            )

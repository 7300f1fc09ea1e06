"""TG013 (root.hcl parts), TG014 (account.hcl keys), TG015 (region.hcl keys)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from opslib.rules._base import Finding, LintContext, block_lines, blocks, literal, register
from opslib.rules._hcl import raw_text

__all__ = ["ACCOUNT_KEYS", "REGION_KEYS"]

ACCOUNT_KEYS = (
    "account_name",
    "aws_account_id",
    "environment",
    "owner",
    "team",
    "cost_center",
    "deletion_protection",
    "log_retention_days",
)
REGION_KEYS = ("aws_region", "availability_zones")


def _locals(document: Mapping[str, Any]) -> tuple[dict[str, Any], int | None]:
    """All locals of a file (several blocks merge) and the first block's line."""
    merged: dict[str, Any] = {}
    first: int | None = None
    for _, block in blocks(document, "locals"):
        start, _ = block_lines(block)
        first = first if first is not None else start
        merged.update({k: v for k, v in block.items() if not k.startswith("__")})
    return merged, first


def _missing_keys(
    ctx: LintContext, role: str, rule_id: str, keys: tuple[str, ...], what: str
) -> Iterator[Finding]:
    for path in ctx.files_with_role(role):
        found, start = _locals(ctx.documents[path])
        missing = [k for k in keys if k not in found]
        if not missing:
            continue
        line = start or 1
        text = f"{what} locals miss {', '.join(missing)}"
        yield Finding(rule_id, path, line, ctx.msg(path, line, text), block_line=start)


@register(
    id="TG014",
    name="account-hcl",
    title="account.hcl misses a required value",
    severity="medium",
    rationale="""Every unit reads its account's identity, tagging values and safety settings from
    `account.hcl`. A missing `aws_account_id` lets the provider run against whatever credentials are
    active; a missing `cost_center` or `owner` leaves resources untagged; a missing
    `deletion_protection` or `log_retention_days` falls back to module defaults that differ per module.""",
    fix="""Define `account_name`, `aws_account_id`, `environment`, `owner`, `team`, `cost_center`,
    `deletion_protection` and `log_retention_days` in the `locals` block of every `account.hcl`.""",
)
def check_account_hcl(ctx: LintContext) -> Iterator[Finding]:
    yield from _missing_keys(ctx, "account", "TG014", ACCOUNT_KEYS, "account.hcl")


@register(
    id="TG015",
    name="region-hcl",
    title="region.hcl misses aws_region or availability_zones",
    severity="medium",
    rationale="""Units take their provider region and subnet layout from `region.hcl`. Without
    `aws_region` the provider region comes from the caller's environment; without `availability_zones`
    each module picks its own zones and multi-AZ layouts drift apart.""",
    fix="""Define `aws_region` and `availability_zones` (and optionally `project`) in the `locals` block
    of every `region.hcl`.""",
)
def check_region_hcl(ctx: LintContext) -> Iterator[Finding]:
    yield from _missing_keys(ctx, "region", "TG015", REGION_KEYS, "region.hcl")


@register(
    id="TG013",
    name="root-hcl",
    title="root.hcl misses a required part",
    severity="medium",
    rationale="""The root configuration is where every unit gets its state backend, provider and tags.
    It must configure S3 remote state (the lock table is checked by TG007), generate the AWS provider
    with `default_tags`, generate the Terraform and provider version constraints, and merge the tags
    from `tags.yml` files, or each unit ends up configuring these differently or not at all.""",
    fix="""Add to `root.hcl`: a `remote_state { backend = "s3" ... }` block, a `generate "provider"` block
    whose contents set `default_tags`, a `generate "versions"` block with `required_version` and
    `required_providers`, and locals that `merge()` the default tags with
    `yamldecode(file(find_in_parent_folders("tags.yml")))`.""",
)
def check_root_hcl(ctx: LintContext) -> Iterator[Finding]:
    for path in ctx.files_with_role("root"):
        document = ctx.documents[path]
        for problem, line in _root_problems(ctx, path, document):
            name = path.rsplit("/", 1)[-1]
            yield Finding("TG013", path, line, ctx.msg(path, line, f"{name} {problem}"), block_line=None)


def _root_problems(ctx: LintContext, path: str, document: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    backends = [literal(b.get("backend")) for _, b in blocks(document, "remote_state")]
    attribute = document.get("remote_state")
    if isinstance(attribute, Mapping) and not attribute.get("__is_block__"):
        backends.append(literal(attribute.get("backend")))
    if not backends:
        yield "has no remote_state block (S3 with a DynamoDB lock table)", 1
    elif "s3" not in backends:
        yield "remote_state does not use the s3 backend", _first_line(document, "remote_state")
    contents = [(raw_text(b.get("contents", "")), b) for _, b in blocks(document, "generate")]
    if not any('provider "aws"' in text and "default_tags" in text for text, _ in contents):
        yield "generates no AWS provider with default_tags", _first_line(document, "generate")
    if not any("required_version" in text or "required_providers" in text for text, _ in contents):
        yield (
            "generates no version constraints (required_version / required_providers)",
            _first_line(document, "generate"),
        )
    text = "\n".join(ctx.lines(path))
    if "tags.yml" not in text and "tags.yaml" not in text:
        yield "does not read tags from tags.yml", _first_line(document, "locals")
    elif "merge(" not in text:
        yield "reads tags.yml but does not merge() it with the default tags", _first_line(document, "locals")


def _first_line(document: Mapping[str, Any], block_type: str) -> int:
    for _, block in blocks(document, block_type):
        start, _ = block_lines(block)
        return start or 1
    return 1

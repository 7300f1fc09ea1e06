"""TG013 (root.hcl parts), TG014 (account.hcl keys), TG015 (region.hcl keys)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from opslib.rules._base import Finding, LintContext, block_lines, blocks, register, unit_folder
from opslib.rules._hcl import raw_text
from opslib.rules._roots import aws_folder, backends, generated_texts, is_aws_file, names_aws, root_files

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
        if not (aws_folder(ctx, unit_folder(path)) or names_aws(ctx, path)):
            continue  # an AWS convention: a GCP or Azure tree has no aws_account_id to miss
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
    evaluates="""The locals (every block) of account.hcl files in AWS trees: a unit below the file has an AWS
    root or configuration, or the file names AWS itself (an `aws_` local, a 12-digit account id, an AWS
    region).""",
    silent="""account.hcl files of GCP, Azure or other trees.""",
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
    evaluates="""The locals (every block) of region.hcl files in AWS trees (as TG014).""",
    silent="""region.hcl files
    of GCP (`europe-west1`) or Azure (`westeurope`) trees.""",
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
    evaluates="""Files units include as their root (`include "root"`, else a bare include, else an included
    root.hcl / terragrunt.hcl) and root.hcl files that configure state or generate files, when they are AWS
    roots (an s3 backend or a generated `aws` provider, evaluated). The backend and each generate block's
    `contents` are evaluated for the including units, so `contents = file("./common/provider.tf")` and a
    provider block held in a local are read; contents that cannot be evaluated are read as written when
    every interpolation is a quoted value.""",
    silent="""GCP, Azure and other non-AWS roots; locals files read
    with `read_terragrunt_config`; shared includes such as `_envcommon`; generate contents that cannot be
    evaluated and could hold the missing block (a bare `${...}` of an unknown value).""",
)
def check_root_hcl(ctx: LintContext) -> Iterator[Finding]:
    for path in root_files(ctx):
        if not is_aws_file(ctx, path):
            continue  # TG013 describes an AWS root; a GCP or Azure root has other conventions
        document = ctx.documents[path]
        for problem, line in _root_problems(ctx, path, document):
            name = path.rsplit("/", 1)[-1]
            yield Finding("TG013", path, line, ctx.msg(path, line, f"{name} {problem}"), block_line=None)


def _root_problems(ctx: LintContext, path: str, document: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    names, unknown_backend = backends(ctx, path)
    texts, unknown = generated_texts(ctx, path)
    generated_s3 = any(_S3_BACKEND.search(t) for t in texts)  # `generate "backend"` writing an s3 backend
    if not names and not unknown_backend and not generated_s3:
        yield "has no remote_state block (S3 with a DynamoDB lock table)", 1
    elif names and "s3" not in names:
        yield "remote_state does not use the s3 backend", _first_line(document, "remote_state")
    checks = (
        (
            lambda t: _AWS_PROVIDER.search(t) is not None and "default_tags" in t,
            "generates no AWS provider with default_tags",
            "the generated provider",
        ),
        (
            lambda t: "required_version" in t or "required_providers" in t,
            "generates no version constraints (required_version / required_providers)",
            "the generated version constraints",
        ),
    )
    for passes, problem, what in checks:
        if any(passes(t) for t in texts):
            continue
        line = _provider_line(document) if "provider" in what else _first_line(document, "generate")
        if unknown:
            ctx.cannot_evaluate("TG013", path, line, f"{what} (generate contents)")
            continue
        yield problem, line
    text = "\n".join(ctx.lines(path))
    if "tags.yml" not in text and "tags.yaml" not in text:
        yield "does not read tags from tags.yml", _first_line(document, "locals")
    elif "merge(" not in text:
        yield "reads tags.yml but does not merge() it with the default tags", _first_line(document, "locals")


_AWS_PROVIDER = re.compile(r"""provider\s+"?aws"?\s*\{""")
_S3_BACKEND = re.compile(r"""backend\s+"?s3"?\s*\{""")


def _provider_line(document: Mapping[str, Any]) -> int:
    """The generate block that writes the AWS provider (else one labelled provider, else the first)."""
    found = [(labels, b) for labels, b in blocks(document, "generate")]
    for wanted in (
        lambda labels, b: _AWS_PROVIDER.search(raw_text(b.get("contents", ""))) is not None,
        lambda labels, b: bool(labels) and "provider" in labels[0],
    ):
        for labels, block in found:
            if wanted(labels, block):
                start, _ = block_lines(block)
                return start or 1
    return _first_line(document, "generate")


def _first_line(document: Mapping[str, Any], block_type: str) -> int:
    for _, block in blocks(document, block_type):
        start, _ = block_lines(block)
        return start or 1
    return 1

"""TG008 (hardcoded secrets in inputs/locals, AWS keys anywhere) and TG009 (get_env secret fallbacks)."""

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
    strip_comment,
)
from opslib.rules._hcl import NOT_LITERAL
from opslib.secrets import AWS_KEY_PATTERN, is_secret_name

__all__: list[str] = []

# values that name where a secret lives rather than being one
_REFERENCE_VALUE = re.compile(r"^(arn:|\{\{resolve:|projects/|https?://|/aws/|ssm:|secretsmanager:)")
_GET_ENV = re.compile(r"""get_env\(\s*"(?P<name>[^"]*)"\s*,\s*"(?P<fallback>(?:[^"\\]|\\.)*)"\s*\)""")
_ASSIGNED = re.compile(r"""^\s*"?(?P<key>[A-Za-z_][\w-]*)"?\s*[=:]""")


def _is_hardcoded(value: Any) -> bool:
    written = literal(value)
    if written is NOT_LITERAL or not isinstance(written, str):
        return False  # expressions, numbers and booleans are not secrets written down
    text = written.strip()
    return bool(text) and not _REFERENCE_VALUE.match(text)


def _leaves(value: Any, trail: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (key path, value) inside nested objects; list items keep their parent's key."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if str(key).startswith("__"):
                continue
            yield from _leaves(inner, (*trail, str(key).strip('"')))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, trail)
    else:
        yield trail, value


def _sections(document: Mapping[str, Any]) -> Iterator[tuple[str, int, int | None, Mapping[str, Any]]]:
    """``(section, start, end, body)`` for every ``locals`` block and the ``inputs`` attribute."""
    for _, block in blocks(document, "locals"):
        start, end = block_lines(block)
        yield "local", start or 1, end, block
    inputs = document.get("inputs")
    if isinstance(inputs, Mapping):
        span = (document.get("__lines__") or {}).get("inputs") or [attr_line(document, "inputs") or 1, None]
        yield "input", int(span[0] or 1), (int(span[1]) if span[1] else None), inputs


@register(
    id="TG008",
    name="hardcoded-secret",
    title="A secret is hardcoded in inputs or locals",
    severity="critical",
    rationale="""A password, token or private key written into `terragrunt.hcl` is in every clone, every
    fork and the whole git history, and ends up in plan output and logs. AWS access key ids are found
    anywhere in a file, comments included.""",
    fix="""Remove the value and rotate it. Read it at run time instead: `get_env("DB_PASSWORD")` without a
    default, a `sops_decrypt_file()`, or a data source on Secrets Manager / SSM in the module.""",
)
def check_hardcoded_secrets(ctx: LintContext) -> Iterator[Finding]:
    reported_in: dict[str, set[int]] = {}
    for path, document in sorted(ctx.documents.items()):
        reported = reported_in.setdefault(path, set())
        for section, start, end, body in _sections(document):
            for trail, value in _leaves(body, ()):
                if not trail or not is_secret_name(trail[-1]) or not _is_hardcoded(value):
                    continue
                name = ".".join(trail)
                line = _line_of(ctx, path, body, trail, start, end)
                reported.add(line)
                shown = ctx.remember_secret(literal(value))
                text = f"{section} {name} has a hardcoded secret value ({shown})"
                yield Finding(
                    "TG008", path, line, ctx.msg(path, line, text), unit=ctx.owner(path), block_line=start
                )
    # key ids anywhere: every file the tree read (tags.yml too), comments included
    for path in sorted(set(ctx.documents) | set(ctx.roles)):
        yield from _aws_keys(ctx, path, reported_in.get(path, set()))


def _line_of(
    ctx: LintContext, path: str, body: Mapping[str, Any], trail: tuple[str, ...], start: int, end: int | None
) -> int:
    if len(trail) == 1:
        own = attr_line(body, trail[0])
        if own:
            return own
    return ctx.find_line(path, rf"(^|[\s{{,\"]){re.escape(trail[-1])}\"?\s*[=:]", start, end) or start


def _aws_keys(ctx: LintContext, path: str, reported: set[int]) -> Iterator[Finding]:
    for number, line in enumerate(ctx.lines(path), start=1):
        if number in reported:
            continue
        for match in AWS_KEY_PATTERN.finditer(line):
            shown = ctx.remember_secret(match.group(0))
            text = f"AWS access key id {shown} written in the file"
            yield Finding("TG008", path, number, ctx.msg(path, number, text), unit=ctx.owner(path))


@register(
    id="TG009",
    name="get-env-secret-default",
    title="get_env() falls back to a literal secret",
    severity="critical",
    rationale="""`get_env("DB_PASSWORD", "changeme")` looks like a secret read from the environment, but
    when the variable is unset (a new laptop, a CI job that lost its secret) the literal default is
    used silently: a known password in production, committed to git.""",
    fix="""Drop the fallback so a missing variable fails the run: `get_env("DB_PASSWORD")`, or fetch the
    secret from Secrets Manager / SSM.""",
)
def check_get_env_defaults(ctx: LintContext) -> Iterator[Finding]:
    for path in sorted(ctx.documents):
        for number, raw in enumerate(ctx.lines(path), start=1):
            line = strip_comment(raw)
            if "get_env" not in line:
                continue
            assigned = _ASSIGNED.match(line)
            key = assigned.group("key") if assigned else ""
            for match in _GET_ENV.finditer(line):
                fallback = match.group("fallback")
                if not fallback.strip():
                    continue
                if not (is_secret_name(match.group("name")) or (key and is_secret_name(key))):
                    continue
                shown = ctx.remember_secret(fallback)
                text = (
                    f'get_env("{match.group("name")}") falls back to a literal secret ({shown}) '
                    + (f"for {key}" if key else "")
                ).rstrip()
                yield Finding("TG009", path, number, ctx.msg(path, number, text), unit=ctx.owner(path))

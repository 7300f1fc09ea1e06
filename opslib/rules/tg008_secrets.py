"""TG008 (hardcoded secrets in inputs, locals and stack values; known formats anywhere) and TG009 (get_env
secret fallbacks)."""

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
from opslib.secrets import find_known, is_secret, is_secret_name, names_a_store, non_secret_shape

__all__: list[str] = []

_GET_ENV = re.compile(r"""get_env\(\s*"(?P<name>[^"]*)"\s*,\s*"(?P<fallback>(?:[^"\\]|\\.)*)"\s*\)""")
_ASSIGNED = re.compile(r"""^\s*"?(?P<key>[A-Za-z_][\w-]*)"?\s*[=:]""")


def _hardcoded_secret(name: str, value: Any) -> bool:
    """True when ``value`` as written is a secret held under ``name`` (see :func:`opslib.secrets.is_secret`).

    A list is judged whole: a list of plain words (permissions, role names) is no secret."""
    if isinstance(value, list):
        written = [literal(item) for item in value]
        if not is_secret_name(name) or any(w is NOT_LITERAL for w in written) or non_secret_shape(written):
            return False
        return any(isinstance(w, str) and is_secret(name, w) for w in written)
    written = literal(value)
    if written is NOT_LITERAL or not isinstance(written, str):
        return False  # expressions, numbers and booleans are not secrets written down
    return is_secret(name, written)


def _secret_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(literal(item)) for item in value)
    return str(literal(value))


def _leaves(value: Any, trail: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (key path, value) inside nested objects; a list of scalars is one leaf, a list of objects is
    walked (its items keep the list's key). The maps beside a key naming a secret store (``key_vault_id``)
    hold names of secrets in that store, not secrets: they are not walked."""
    if isinstance(value, Mapping):
        store = names_a_store(value)
        for key, inner in value.items():
            if str(key).startswith("__") or (store and isinstance(inner, Mapping)):
                continue
            yield from _leaves(inner, (*trail, str(key).strip('"')))
    elif isinstance(value, list) and any(isinstance(item, (Mapping, list)) for item in value):
        for item in value:
            yield from _leaves(item, trail)
    else:
        yield trail, value


def _sections(
    document: Mapping[str, Any], role: str
) -> Iterator[tuple[str, int, int | None, Mapping[str, Any]]]:
    """``(section, start, end, body)`` for every ``locals`` block, the ``inputs`` attribute and, in a stack
    file, the ``values`` of every ``unit`` and ``stack`` block."""
    for _, block in blocks(document, "locals"):
        start, end = block_lines(block)
        yield "local", start or 1, end, block
    inputs = document.get("inputs")
    if isinstance(inputs, Mapping):
        span = (document.get("__lines__") or {}).get("inputs") or [attr_line(document, "inputs") or 1, None]
        yield "input", int(span[0] or 1), (int(span[1]) if span[1] else None), inputs
    if role != "stack":
        return
    for block_type in ("unit", "stack"):
        for labels, block in blocks(document, block_type):
            values = block.get("values")
            if not isinstance(values, Mapping):
                continue
            span = (block.get("__lines__") or {}).get("values") or [block_lines(block)[0] or 1, None]
            name = labels[0] if labels else block_type
            yield (
                f'{block_type} "{name}" value',
                int(span[0] or 1),
                (int(span[1]) if span[1] else None),
                values,
            )


@register(
    id="TG008",
    name="hardcoded-secret",
    title="A secret is hardcoded in inputs, locals or stack values",
    severity="critical",
    rationale="""A password, token or private key written into `terragrunt.hcl` (or a stack's `values`) is
    in every clone, every fork and the whole git history, and ends up in plan output and logs. A name is
    judged by its head noun (`db_password`, `api_key` hold secrets; `secret_name`,
    `token_duration_in_seconds`, `key_vault_id` do not) and a value by its shape: secret-store references,
    identifiers made of words (a Key Vault secret's name), numbers, durations, booleans, versions, URLs
    without credentials, paths, commands and lists of plain words are not secrets; `changeme` or
    `Sup3rS3cret!` are. Secrets of known formats (AWS keys, GitHub/GitLab/Slack tokens, private keys,
    JWTs, passwords in URLs and connection strings) are found anywhere in a file, comments included.""",
    fix="""Remove the value and rotate it. Read it at run time instead: `get_env("DB_PASSWORD")` without a
    default, a `sops_decrypt_file()`, or a data source on Secrets Manager / SSM in the module.""",
    evaluates="""Literal values of locals, inputs and a stack's `values` under a secret-like name,
    judged by the
    shared secret judgement (name by head noun, value by shape); secrets of known formats anywhere in a
    file, comments included.""",
    silent="""Expressions (`get_env`, `sops_decrypt_file`, references), values whose
    shape is no secret (secret-store references, identifiers made of words, numbers, durations, versions,
    URLs without credentials, paths, commands).""",
)
def check_hardcoded_secrets(ctx: LintContext) -> Iterator[Finding]:
    reported_in: dict[str, set[int]] = {}
    for path, document in sorted(ctx.documents.items()):
        reported = reported_in.setdefault(path, set())
        for section, start, end, body in _sections(document, ctx.roles.get(path, "")):
            for trail, value in _leaves(body, ()):
                # the whole key path is the name: ``credentials = { value = ... }`` holds credentials
                if not trail or not any(_hardcoded_secret(n, value) for n in {trail[-1], "_".join(trail)}):
                    continue
                name = ".".join(trail)
                line = _line_of(ctx, path, body, trail, start, end)
                reported.add(line)
                shown = ctx.remember_secret(_secret_text(value))
                if isinstance(value, list):
                    ctx.masker.add([literal(item) for item in value])
                text = f"{section} {name} has a hardcoded secret value ({shown})"
                yield Finding(
                    "TG008", path, line, ctx.msg(path, line, text), unit=ctx.owner(path), block_line=start
                )
    # known formats anywhere: every file the tree read (tags.yml too), comments included
    for path in sorted(set(ctx.documents) | set(ctx.roles)):
        yield from _known_formats(ctx, path, reported_in.get(path, set()))


def _line_of(
    ctx: LintContext, path: str, body: Mapping[str, Any], trail: tuple[str, ...], start: int, end: int | None
) -> int:
    if len(trail) == 1:
        own = attr_line(body, trail[0])
        if own:
            return own
    return ctx.find_line(path, rf"(^|[\s{{,\"]){re.escape(trail[-1])}\"?\s*[=:]", start, end) or start


def _known_formats(ctx: LintContext, path: str, reported: set[int]) -> Iterator[Finding]:
    for number, line in enumerate(ctx.lines(path), start=1):
        if number in reported:
            continue
        for start, end, kind in find_known(line):
            shown = ctx.remember_secret(line[start:end])
            text = f"{kind} {shown} written in the file"
            yield Finding("TG008", path, number, ctx.msg(path, number, text), unit=ctx.owner(path))
            break  # one finding per line


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
    evaluates="""Every `get_env(NAME, fallback)` with a literal fallback anywhere in a file: locals, inputs, a
    stack's `values`, nested maps, calls spread over several lines. The fallback is judged by the shared
    secret judgement under the variable's name and under the key it feeds, so an opaque variable name does
    not hide `slack_token = get_env("X", "xoxb-...")`.""",
    silent="""No fallback or an empty one; a fallback
    whose shape is no secret (a region, a number, an ARN, a path).""",
)
def check_get_env_defaults(ctx: LintContext) -> Iterator[Finding]:
    for path, document in sorted(ctx.documents.items()):
        seen: set[tuple[int, int]] = set()
        for trail, raw, first, last in _raw_values(document, (), None, None):
            if "get_env" not in raw:
                continue
            for match in _GET_ENV.finditer(raw):
                fallback = match.group("fallback")
                if not fallback.strip():
                    continue
                env = match.group("name")
                number = _call_line(ctx, path, env, first, last)
                key = _assigned_key(ctx, path, number) or (trail[-1] if trail else "")
                names = [env, key, *(trail[-1:] if trail else [])]
                # the same judgement as TG008: a secret-like name (the variable's, or the key it
                # feeds) over a value shaped like a secret, or a known secret format under any name
                if not any(is_secret(n or None, fallback) for n in names):
                    continue
                if (number, match.start()) in seen:
                    continue
                seen.add((number, match.start()))
                shown = ctx.remember_secret(fallback)
                text = f'get_env("{env}") falls back to a literal secret ({shown}) ' + (
                    f"for {key}" if key else ""
                )
                yield Finding(
                    "TG009", path, number, ctx.msg(path, number, text.rstrip()), unit=ctx.owner(path)
                )


def _raw_values(
    body: Any, trail: tuple[str, ...], first: int | None, last: int | None
) -> Iterator[tuple[tuple[str, ...], str, int | None, int | None]]:
    """``(key path, raw string, first line, last line)`` of every string anywhere in a document: the
    attributes of every block and every nested map or list (a stack's ``values``, ``inputs``...)."""
    if isinstance(body, str):
        yield trail, body, first, last
    elif isinstance(body, list):
        for item in body:
            yield from _raw_values(item, trail, first, last)
    elif isinstance(body, Mapping):
        spans = body.get("__lines__") or {}
        start, end = body.get("__start_line__"), body.get("__end_line__")
        for key, value in body.items():
            if key.startswith("__"):
                continue
            span = spans.get(key)
            lo = int(span[0]) if span else (int(start) if start else first)
            hi = int(span[1]) if span else (int(end) if end else last)
            yield from _raw_values(value, (*trail, key.strip('"')), lo, hi)


def _call_line(ctx: LintContext, path: str, env: str, first: int | None, last: int | None) -> int:
    pattern = rf"get_env\(\s*\"{re.escape(env)}\""
    return (
        ctx.find_line(path, pattern, first, last)
        or ctx.find_line(path, rf"\"{re.escape(env)}\"", first, last)
        or ctx.find_line(path, pattern)
        or first
        or 1
    )


def _assigned_key(ctx: LintContext, path: str, number: int) -> str:
    lines = ctx.lines(path)
    if not 0 < number <= len(lines):
        return ""
    assigned = _ASSIGNED.match(strip_comment(lines[number - 1]))
    return assigned.group("key") if assigned else ""

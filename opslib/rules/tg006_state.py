"""TG006 (state key from path_relative_to_include) and TG007 (encrypted state with a lock table).

Both judge the *evaluated* ``remote_state``: a ``config = merge(local.base, {...})``, a lock table from an
included file's locals or a whole block held in a local are seen as terragrunt sees them, for every unit
the file serves. Where the value cannot be evaluated the rules stay silent (a note for ``--explain``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from opslib.rules import _eval
from opslib.rules._base import Finding, LintContext, attr_line, block_lines, blocks, literal, register
from opslib.rules._hcl import NOT_LITERAL
from opslib.terragrunt.evaluate import Config

__all__ = ["MAX_CONTEXTS", "RemoteState", "remote_states"]


@dataclass
class RemoteState:
    """A ``remote_state`` block or attribute as written: file, lines, raw body."""

    path: str
    start: int
    end: int | None
    config_line: int | None
    raw: Any  # the block body, or the raw attribute value (a map or an expression)


def remote_states(ctx: LintContext) -> Iterator[RemoteState]:
    """Every ``remote_state`` block or attribute of every file, as written."""
    for path, document in sorted(ctx.documents.items()):
        for _, block in blocks(document, "remote_state"):
            start, end = block_lines(block)
            yield RemoteState(path, start or 1, end, attr_line(block, "config"), block)
        span = (document.get("__lines__") or {}).get("remote_state")
        if span and "remote_state" in document:
            line = int(span[0] or 1)
            yield RemoteState(path, line, int(span[1] or line), None, document["remote_state"])


#: a root serves thousands of units; its remote_state is judged for the first few of them (a block that
#: is wrong for one unit in fifty is rare, and evaluating it for every unit costs seconds on big trees)
MAX_CONTEXTS = 25


def _evaluated(ctx: LintContext, state: RemoteState) -> Iterator[tuple[str, Config, Any]]:
    """``(unit, config, evaluated remote_state)`` for the units the file serves (at most MAX_CONTEXTS)."""
    for index, item in enumerate(_eval.file_values(ctx, state.path, "remote_state")):
        if index >= MAX_CONTEXTS:
            return
        yield item


_LOCAL_REF = re.compile(r"\blocal\.([A-Za-z_][\w-]*)")
_FOLDER_FUNCTIONS = ("path_relative_to_include(", "get_path_from_repo_root(")


def _mentions(text: str, document: Mapping[str, Any], needles: tuple[str, ...]) -> bool:
    """``text`` calls one of ``needles``, directly or through locals of the same file (transitively)."""
    local_values: dict[str, Any] = {}
    for _, block in blocks(document, "locals"):
        local_values.update({k: v for k, v in block.items() if not k.startswith("__")})
    seen: set[str] = set()
    todo = [text]
    while todo:
        current = todo.pop()
        if any(n in current for n in needles):
            return True
        for name in _LOCAL_REF.findall(current):
            if name not in seen and name in local_values:
                seen.add(name)
                todo.append(_raw_text(local_values[name]))
    return False


def _raw_text(value: Any) -> str:
    from opslib.rules._hcl import raw_text

    return raw_text(value)


def _key_line(ctx: LintContext, state: RemoteState, key: str) -> int:
    found = ctx.find_line(state.path, rf"(^|[\s{{,]){re.escape(key)}\s*=", state.start, state.end)
    return found or state.config_line or state.start


def _judge_once(
    ctx: LintContext, state: RemoteState, rule_id: str
) -> Iterator[tuple[str, Config, dict[str, Any], str]]:
    """``(unit, config, evaluated config map, backend)`` per unit context whose backend and config are
    known; a note (``--explain``) for each context that cannot be evaluated."""
    noted = False
    for unit, config, value in _evaluated(ctx, state):
        backend = value.get("backend") if isinstance(value, dict) else value
        settings = value.get("config") if isinstance(value, dict) else value
        if not isinstance(backend, str) or not isinstance(settings, dict):
            if not noted:
                why = backend if isinstance(backend, _eval.Unknown) else settings
                ctx.cannot_evaluate(rule_id, state.path, state.start, "the remote_state block", why)
                noted = True
            continue
        yield unit, config, settings, backend.lower()


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
    evaluates="""The `remote_state` block or attribute as terragrunt evaluates it for each unit the file
    serves: `config = merge(...)`, values from locals, from an included file's locals and from
    `read_terragrunt_config`. The key passes when it calls `path_relative_to_include()` (or
    `get_path_from_repo_root()`), directly or through the file's locals, or when its evaluated value holds
    the unit's folder; a key absent from the evaluated config is reported missing.""",
    silent="""When the
    block, its config or its key cannot be evaluated (`run_cmd`, `sops_decrypt_file`, a missing file): not
    judged, never "missing"; backends other than s3, azurerm and gcs.""",
)
def check_state_key(ctx: LintContext) -> Iterator[Finding]:
    for state in remote_states(ctx):
        finding = _state_key_finding(ctx, state)
        if finding is not None:
            yield finding


_KEY_FIELD = {"s3": "key", "azurerm": "key", "gcs": "prefix"}


def _state_key_finding(ctx: LintContext, state: RemoteState) -> Finding | None:
    document = ctx.documents.get(state.path) or {}
    for _, config, settings, backend in _judge_once(ctx, state, "TG006"):
        field = _KEY_FIELD.get(backend)
        if field is None:
            continue
        line = _key_line(ctx, state, field)
        if field not in settings:
            shown = "missing"
        else:
            value = settings[field]
            raw = _raw_field(state.raw, field)
            if _mentions(_raw_text(raw) if raw is not None else "", document, _FOLDER_FUNCTIONS):
                continue
            if isinstance(value, _eval.Unknown) or not isinstance(value, str):
                ctx.cannot_evaluate("TG006", state.path, line, f"the state {field}", value)
                continue
            if literal(raw) is NOT_LITERAL and _follows_folder(config, value):
                continue  # built from the unit's folder (through merge() or another file's locals)
            # an expression is shown as written: its value may hold a get_env() fallback
            written = (
                _raw_text(raw).strip('"') if isinstance(raw, str) and literal(raw) is NOT_LITERAL else ""
            )
            shown = f"= {written or value}"
        text = f"{backend} state {field} {shown}: not built with path_relative_to_include()"
        return Finding(
            "TG006",
            state.path,
            line,
            ctx.msg(state.path, line, text),
            unit=ctx.owner(state.path),
            block_line=state.start,
        )
    return None


def _raw_field(raw: Any, field: str) -> Any:
    """The ``config.<field>`` expression as written, when the block writes the config map literally."""
    if not isinstance(raw, Mapping):
        return None
    config = raw.get("config")
    return config.get(field) if isinstance(config, Mapping) else None


def _follows_folder(config: Config, key: str) -> bool:
    """The evaluated key holds the unit's folder relative to its include (or the repository root)."""
    for expression in ('"${path_relative_to_include()}"', '"${get_path_from_repo_root()}"'):
        folder = _eval.evaluate(config, expression)
        if isinstance(folder, str) and folder not in ("", ".") and folder in key:
            return True
    return False


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
    evaluates="""`encrypt`, `dynamodb_table` and `use_lockfile` of the evaluated s3 `remote_state`
    config (through
    `merge()`, locals, included files' locals, exposed includes and `read_terragrunt_config`).""",
    silent="""A
    config that cannot be evaluated (not reported missing); an `encrypt` or lock setting whose value cannot be
    evaluated counts as set; backends other than s3.""",
)
def check_state_encryption(ctx: LintContext) -> Iterator[Finding]:
    for state in remote_states(ctx):
        yield from _encryption_findings(ctx, state)


def _encryption_findings(ctx: LintContext, state: RemoteState) -> Iterator[Finding]:
    encrypt_done = lock_done = False
    for _, _, settings, backend in _judge_once(ctx, state, "TG007"):
        if backend != "s3":
            continue
        if not encrypt_done:
            problem = _encrypt_problem(ctx, state, settings)
            if problem is not None:
                encrypt_done = True
                yield problem
        if not lock_done and not _has_lock(ctx, state, settings):
            lock_done = True
            line = state.config_line or state.start
            text = "s3 state has no lock table (dynamodb_table) and no use_lockfile"
            yield Finding(
                "TG007",
                state.path,
                line,
                ctx.msg(state.path, line, text),
                unit=ctx.owner(state.path),
                block_line=state.start,
            )


def _encrypt_problem(ctx: LintContext, state: RemoteState, settings: Mapping[str, Any]) -> Finding | None:
    line = _key_line(ctx, state, "encrypt")
    if "encrypt" in settings:
        value = settings["encrypt"]
        if isinstance(value, _eval.Unknown):
            ctx.cannot_evaluate("TG007", state.path, line, "encrypt", value)
            return None
        if value is True or str(value).lower() == "true":
            return None
        shown = f"= {str(value).lower()}"
    else:
        shown = "missing"
    text = f"s3 state encrypt {shown}: state is stored unencrypted"
    return Finding(
        "TG007",
        state.path,
        line,
        ctx.msg(state.path, line, text),
        unit=ctx.owner(state.path),
        block_line=state.start,
    )


def _has_lock(ctx: LintContext, state: RemoteState, settings: Mapping[str, Any]) -> bool:
    for key in ("dynamodb_table", "use_lockfile"):
        value = settings.get(key)
        if isinstance(value, _eval.Unknown):
            ctx.cannot_evaluate("TG007", state.path, state.config_line or state.start, key, value)
            return True
    table = settings.get("dynamodb_table")
    if isinstance(table, str) and table.strip():
        return True
    lockfile = settings.get("use_lockfile")
    return lockfile is True or str(lockfile).lower() == "true"

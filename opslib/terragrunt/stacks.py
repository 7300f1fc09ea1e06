"""Stack files: the units ``terragrunt stack generate`` would write, evaluated where they would live.

A ``unit`` block becomes a stack unit whose id is its generated folder (``<stack dir>/.terragrunt-stack/
<path>``); it is the catalog unit's ``terragrunt.hcl`` evaluated in that folder with the stack's
``values`` (what terragrunt writes to ``terragrunt.values.hcl``). A ``stack`` block generates its
stack file's units below its own folder, with its values. Sources may lie anywhere in the repository
(``get_repo_root()``, ``../../catalog``, or a ``git::`` URL of the repository itself); they are read,
never written. Nothing is generated on disk: files a generated unit would read (``file()``,
``terragrunt.values.hcl``) are read from the source they would be copied from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opslib.terragrunt.evaluate import (
    Config,
    EvalError,
    Evaluator,
    Include,
    Unknown,
    attributes,
    expansion,
    iter_blocks,
    materialize,
)
from opslib.terragrunt.functions import FunctionError
from opslib.terragrunt.units import UnitResult, build_unit, classify_source

__all__ = ["MAX_STACK_DEPTH", "Stacks", "generate_stacks", "repo_remotes", "same_repo_path"]

MAX_STACK_DEPTH = 8
_GENERATED = ".terragrunt-stack"


@dataclass
class Stacks:
    """What the stack files of a tree generate."""

    #: stack folder id (a folder with a stack file, or a generated stack's folder) -> its units, nested too
    members: dict[str, list[str]] = field(default_factory=dict)
    #: folders some stack unit takes its configuration from (catalog units)
    catalog_dirs: set[str] = field(default_factory=set)
    #: folders some stack block takes its stack file from (catalog stacks)
    catalog_stacks: set[str] = field(default_factory=set)


@dataclass
class _Context:
    ev: Evaluator
    results: dict[str, UnitResult]
    configs: dict[str, Config]
    stacks: Stacks
    remotes: set[str]
    repo_root: Path | None


def generate_stacks(
    ev: Evaluator,
    stack_files: list[Path],
    results: dict[str, UnitResult],
    configs: dict[str, Config],
    repo_root: Path | None,
) -> Stacks:
    """Add the stack units of ``stack_files`` to ``results``/``configs``; stack files that are the source
    of another stack's ``stack`` block are catalog stacks and generate nothing on their own."""
    ctx = _Context(ev, results, configs, Stacks(), repo_remotes(repo_root), repo_root)
    sources = _stack_sources(ctx, stack_files)
    for stack_file in stack_files:
        if os.fspath(stack_file.parent) in sources.get("other", set()) - sources.get(
            os.fspath(stack_file), set()
        ):
            ctx.stacks.catalog_stacks.add(os.fspath(stack_file.parent))
            continue
        try:
            _generate(ctx, stack_file, stack_file, stack_file.parent, 0, None, [ev.rel(stack_file.parent)])
        except RecursionError:
            ev.error(stack_file, None, "configuration nests too deeply to evaluate")
    return ctx.stacks


def _stack_sources(ctx: _Context, stack_files: list[Path]) -> dict[str, set[str]]:
    """Folders used as the source of a ``stack`` block: ``"other"`` -> all of them, and per stack file
    the ones it names itself (a stack that generates itself is not a catalog, it is a loop)."""
    out: dict[str, set[str]] = {"other": set()}
    for stack_file in stack_files:
        doc = ctx.ev.document(stack_file)
        if doc is None:
            continue
        probe = Config(ctx.ev, stack_file, stack_file.parent, stack_file.parent)
        own: set[str] = set()
        sink: list[Any] = []
        outer = ctx.ev.error_sink
        ctx.ev.error_sink = sink  # a probe: its errors are found again when the stack is generated
        try:
            for _, body in iter_blocks(doc, "stack"):
                source = probe.eval_attr(body, "source")
                if isinstance(source, str):
                    folder = _source_dir(ctx, probe, source, stack_file)
                    if folder is not None:
                        own.add(os.fspath(folder))
        finally:
            ctx.ev.error_sink = outer
        out["other"] |= own
        out[os.fspath(stack_file)] = {d for d in own if d == os.fspath(stack_file.parent)}
    return out


def repo_remotes(repo_root: Path | None) -> set[str]:
    """The normalised remote URLs of the repository (to recognise ``git::`` sources pointing at it)."""
    if repo_root is None:
        return set()
    config = repo_root / ".git" / "config"
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return {_normal_url(m.group(1)) for m in re.finditer(r"^\s*url\s*=\s*(\S+)\s*$", text, re.M)}


def _normal_url(url: str) -> str:
    text = url.strip()
    text = re.sub(r"^git::", "", text)
    text = re.sub(r"^[a-z+]+://", "", text)
    text = re.sub(r"^[^@/]+@", "", text)  # user@
    text = text.replace(":", "/", 1) if re.match(r"^[^/]+:[^/0-9]", text) else text
    text = re.sub(r"\.git$", "", text.rstrip("/"))
    host, _, path = text.partition("/")
    return f"{host.lower()}/{path}"


def same_repo_path(source: str, repo_root: Path | None, remotes: set[str]) -> Path | None:
    """The folder of the repository a ``git::`` source names when it is this repository, else None."""
    if repo_root is None or not remotes:
        return None
    text = re.sub(r"^git::", "", source.strip()).split("?", 1)[0]
    scheme = re.match(r"^[a-z+]+://", text)
    head = scheme.group(0) if scheme else ""
    rest = text[len(head) :]
    repo, sep, subdir = rest.partition("//")
    if _normal_url(head + repo) not in remotes:
        return None
    return Path(os.path.normpath(repo_root / subdir)) if sep else repo_root


def _source_dir(ctx: _Context, stack: Config, source: str, stack_file: Path) -> Path | None:
    """The folder a unit/stack ``source`` names, when it is in this repository (else None)."""
    kind = classify_source(source)[0]
    if kind == "git":
        return same_repo_path(source, ctx.repo_root, ctx.remotes)
    if kind != "local":
        return None
    target = source.split("?", 1)[0]
    first = ctx.ev.generated(stack.resolve_text(target))
    if os.path.exists(first) or os.path.isabs(target):
        return Path(first)
    # a generated stack may not exist yet: its relative sources also read from the stack file's folder
    beside = os.path.normpath(os.path.join(os.fspath(stack_file.parent), target))
    return Path(beside) if os.path.exists(beside) else Path(first)


def _generate(
    ctx: _Context,
    stack_file: Path,
    row_file: Path,
    gen_dir: Path,
    depth: int,
    values: Any,
    chain: list[str],
    row_line: int | None = None,
) -> None:
    """The ``unit`` and ``stack`` blocks of ``stack_file`` generated into ``gen_dir``. A unit's row names
    ``row_file`` (the stack file of the tree that brings it) and, for a unit of a nested stack,
    ``row_line``: the line of the ``stack`` block in ``row_file`` it comes through."""
    ev = ctx.ev
    if ev.document(stack_file) is None:
        return
    stack = Config(ev, stack_file, gen_dir, gen_dir, values=values)
    planned = _plan(ctx, stack, stack_file, gen_dir)
    refs: dict[str, dict[str, dict[str, Any]]] = {"unit": {}, "stack": {}}
    for kind, name, _, fields, target_dir, _ in planned:
        ref = {**{k: v for k, v in fields.items() if k != "path"}, "path": target_dir.as_posix()}
        label, _, key = name.partition("[")
        if key:  # an expanded block: unit.<label>["<key>"]
            refs[kind].setdefault(label, {})[key[:-1]] = ref
        else:
            refs[kind][label] = ref
    for kind, label, body, fields, target_dir, line in planned:
        source = fields.get("source")
        source_dir = _source_dir(ctx, stack, source, stack_file) if isinstance(source, str) else None
        if isinstance(source, str) and source_dir is None and classify_source(source)[0] == "local":
            source_dir = Path(stack.resolve_text(source))
        if source_dir is not None and not _found(ev, source_dir):
            where = ev.rel(source_dir) if ev.readable(source_dir) else f"{source} (outside the repository)"
            ev.error(stack_file, line, f"{kind} {label!r}: source not found: {where}")
        stack_values = materialize(fields.get("values"))
        if kind == "stack":
            if source_dir is None:
                continue
            ctx.stacks.catalog_stacks.add(os.fspath(source_dir))
            if depth >= MAX_STACK_DEPTH:
                # a stack that (indirectly) generates itself would recurse for ever
                ev.error(stack_file, line, f"stack {label!r}: stacks nest deeper than {MAX_STACK_DEPTH}")
                continue
            ev.add_overlay(target_dir, source_dir, stack_values)
            nested = [*chain, ev.rel(target_dir)]
            _generate(
                ctx,
                source_dir / "terragrunt.stack.hcl",
                row_file,
                target_dir,
                depth + 1,
                stack_values,
                nested,
                line if row_line is None else row_line,
            )
            continue
        unit = ev.rel(target_dir)
        if unit in ctx.results:
            ev.error(stack_file, line, f"unit {label!r}: another unit is generated into {unit} already")
            continue
        result, config = _unit(
            ctx, stack, body, label, unit, source, source_dir, target_dir, stack_values, refs
        )
        # path and line of one file: a nested stack's unit block is in another file than row_file
        result.row["line"] = line if row_line is None else row_line
        result.row["path"] = ev.rel(row_file)
        result.files.add(row_file)
        result.files.add(stack_file)
        ctx.results[unit] = result
        ctx.configs[unit] = config
        for stack_id in chain:
            ctx.stacks.members.setdefault(stack_id, []).append(unit)


def _plan(
    ctx: _Context, stack: Config, stack_file: Path, gen_dir: Path
) -> list[tuple[str, str, dict[str, Any], dict[str, Any], Path, int]]:
    """Every enabled (expanded) block: kind, label, body, evaluated fields, generated folder, line."""
    ev = ctx.ev
    out = []
    for kind in ("unit", "stack"):
        for label, body in iter_blocks(stack.doc, kind):
            line = body.get("__start_line__") or 1
            if label is None:
                ev.error(stack_file, line, f"{kind} block without a name")
                continue
            try:
                instances = expansion(stack, body)
            except (EvalError, FunctionError) as exc:
                ev.error(stack_file, line, f"{kind} {label!r}: {exc}")
                continue
            if isinstance(instances, Unknown):
                ev.error(
                    stack_file,
                    line,
                    f"{kind} {label!r}: its expansion cannot be evaluated ({instances.reason})",
                )
                continue
            single: list[tuple[str | None, dict[str, Any]]] = [(None, {})]
            for key, scope in instances if instances is not None else single:
                name = label if key is None else f"{label}[{key}]"
                fields = {n: stack.eval_attr(body, n, scope) for n in attributes(body)}
                if fields.get("enabled") is False:
                    continue  # terragrunt generates nothing for a disabled block
                rel_path = fields.get("path")
                if not isinstance(rel_path, str) or not rel_path.strip():
                    stack.unknown_path(rel_path, f"{kind} {name!r} path", line)
                    ev.error(stack_file, line, f"{kind} {name!r} has no usable path")
                    continue
                generated = _GENERATED if fields.get("no_dot_terragrunt_stack") is not True else ""
                base = Path(os.path.normpath(gen_dir / generated))
                target_dir = Path(os.path.normpath(base / rel_path))
                if not target_dir.is_relative_to(base) or target_dir == base:
                    # terragrunt refuses to generate outside the stack folder (it could overwrite anything)
                    ev.error(stack_file, line, f"{kind} {name!r}: path leaves the stack folder")
                    continue
                stack.unknown_path(fields.get("source"), f"{kind} {name!r} source", line)
                out.append((kind, name, body, fields, target_dir, line))
    return out


def _unit(
    ctx: _Context,
    stack: Config,
    body: dict[str, Any],
    label: str,
    unit: str,
    source: Any,
    source_dir: Path | None,
    target_dir: Path,
    values: Any,
    refs: dict[str, dict[str, dict[str, Any]]],
) -> tuple[UnitResult, Config]:
    ev = ctx.ev
    unit_file = source_dir / "terragrunt.hcl" if source_dir is not None else None
    if unit_file is not None and ev.document(unit_file) is not None:
        assert source_dir is not None
        ctx.stacks.catalog_dirs.add(os.fspath(source_dir))
        ev.add_overlay(target_dir, source_dir, values)
        config = Config(ev, unit_file, target_dir, target_dir, values=values)
        auto = _autoinclude(ctx, stack, body, target_dir, refs)
        if auto is not None:
            config.extra_parents.append((Include("autoinclude", auto.path, False, "shallow", None, ""), auto))
            config.reads.append(auto)
        result = build_unit(ev, unit, unit_file, kind="stack-unit", config=config)
        return result, config
    # no catalog configuration (a bare module folder, or a remote source): the unit is its source
    config = Config(ev, stack.path, target_dir, target_dir, values=values)
    result = build_unit(ev, unit, stack.path, kind="stack-unit", config=config)
    kind, ref, pinned = classify_source(source)
    result.row.update(
        {
            "source": source if isinstance(source, str) else None,
            "source_kind": kind,
            "module_ref": ref,
            "pinned": pinned,
            "includes": [],
            "locals": {},
            "inputs": {},
        }
    )
    result.dependencies = []
    if source_dir is not None:
        result.source_dir = source_dir
        result.files.add(source_dir)
    return result, config


def _autoinclude(
    ctx: _Context,
    stack: Config,
    body: dict[str, Any],
    target_dir: Path,
    refs: dict[str, dict[str, dict[str, Any]]],
) -> Config | None:
    """A unit block's ``autoinclude`` (terragrunt writes it beside the unit and includes it): blocks
    evaluated with the stack's locals and values, ``unit.<name>.path`` naming a sibling's folder."""
    blocks = [b for _, b in iter_blocks(body, "autoinclude")]
    if not blocks:
        return None
    auto = Config(ctx.ev, stack.path, target_dir, target_dir, values=stack.values)
    auto.doc = blocks[0]
    auto.local_sources = stack.local_sources
    auto._locals = stack._locals
    auto.scope_vars = {"unit": refs["unit"], "stack": refs["stack"]}
    return auto


def _found(ev: Evaluator, source_dir: Path) -> bool:
    """A unit or stack source is a folder (terragrunt copies a stack folder without a stack file too,
    and it generates nothing)."""
    return ev.is_dir(source_dir)

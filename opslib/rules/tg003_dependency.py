"""TG003 (mock_outputs), TG004 (mock_outputs_allowed_terraform_commands), TG017 (cycles, missing units)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from opslib.rules._base import Finding, LintContext, attr_line, block_lines, blocks, register, unquote

__all__: list[str] = []

_UNSAFE_COMMANDS = ("apply", "destroy")


def _dependency_blocks(ctx: LintContext) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, document in sorted(ctx.documents.items()):
        for labels, block in blocks(document, "dependency"):
            yield path, (labels[0] if labels else ""), block


@register(
    id="TG003",
    name="dependency-mock-outputs",
    title="A dependency block has no mock_outputs",
    severity="medium",
    rationale="""Without `mock_outputs`, `validate` and `plan` of a unit fail until every dependency has
    been applied, so a new environment cannot be planned in one pass and CI cannot validate a change
    to a unit whose dependencies do not exist yet.""",
    fix="""Add `mock_outputs = { ... }` with a placeholder for every output the unit reads, together with
    `mock_outputs_allowed_terraform_commands = ["validate", "plan"]`.""",
    evaluates="""The `dependency` blocks as written (own and included files).""",
    silent="""Never: a block either
    writes `mock_outputs` or not.""",
)
def check_mock_outputs(ctx: LintContext) -> Iterator[Finding]:
    for path, name, block in _dependency_blocks(ctx):
        if "mock_outputs" in block:
            continue
        start, _ = block_lines(block)
        line = start or 1
        yield Finding(
            "TG003",
            path,
            line,
            ctx.msg(path, line, f'dependency "{name}" has no mock_outputs'),
            unit=ctx.owner(path),
            block_line=start,
        )


@register(
    id="TG004",
    name="mock-outputs-commands",
    title="mock_outputs are not limited to validate/plan",
    severity="medium",
    rationale="""Mock outputs are placeholders. When `mock_outputs_allowed_terraform_commands` is missing
    they are used for every command, and when it allows `apply` or `destroy` a unit can be applied
    against a fake VPC id or subnet list instead of failing on the missing dependency. (A block without
    `mock_outputs` is reported by TG003 alone.)""",
    fix="""Set `mock_outputs_allowed_terraform_commands = ["validate", "plan"]` (add `init` or `show` if
    needed, never `apply` or `destroy`).""",
    evaluates="""The `dependency` blocks as written: `mock_outputs_allowed_terraform_commands` next to
    `mock_outputs`.""",
    silent="""Blocks without `mock_outputs` (TG003 reports those); a command list that is an
    expression.""",
)
def check_mock_commands(ctx: LintContext) -> Iterator[Finding]:
    for path, name, block in _dependency_blocks(ctx):
        if "mock_outputs" not in block:
            continue  # TG003 already reports the block
        start, _ = block_lines(block)
        allowed = block.get("mock_outputs_allowed_terraform_commands")
        if allowed is None:
            line = start or 1
            text = f'dependency "{name}" has mock_outputs but no mock_outputs_allowed_terraform_commands'
        else:
            commands = (
                [unquote(c) for c in allowed if isinstance(c, str)] if isinstance(allowed, list) else []
            )
            unsafe = [c for c in commands if c in _UNSAFE_COMMANDS]
            if not unsafe:
                continue
            line = attr_line(block, "mock_outputs_allowed_terraform_commands") or start or 1
            text = f'dependency "{name}" allows mock outputs for {", ".join(unsafe)}'
        yield Finding("TG004", path, line, ctx.msg(path, line, text), unit=ctx.owner(path), block_line=start)


@register(
    id="TG017",
    name="dependency-graph",
    title="A dependency cycle, or a dependency that is not a unit",
    severity="high",
    rationale="""Terragrunt refuses to run a graph with a cycle, and a `config_path` that points at a folder
    without a unit fails at plan time (or, with mock outputs, plans against placeholders forever). Both
    usually come from a moved or renamed unit.""",
    fix="""Point `config_path` at an existing unit folder (relative to the unit), and break cycles by
    moving the shared resource into its own unit that both depend on.""",
    evaluates="""The dependencies frame: each `dependency` / `dependencies` entry's evaluated
    `config_path` and
    the dependency graph's cycles.""",
    silent="""A `config_path` that cannot be evaluated; targets outside the
    tree that hold a unit.""",
)
def check_graph(ctx: LintContext) -> Iterator[Finding]:
    rows = _dependency_rows(ctx)
    yield from _missing_targets(ctx, rows)
    yield from _cycles(ctx, rows)


def _dependency_rows(ctx: LintContext) -> list[dict[str, Any]]:
    frame = getattr(ctx.tree, "dependencies", None)
    if frame is None or len(frame) == 0:
        return []
    return [dict(r) for r in frame.to_dict(orient="records")]


def _missing_targets(ctx: LintContext, rows: list[dict[str, Any]]) -> Iterator[Finding]:
    seen: set[tuple[str, str, int]] = set()
    for row in rows:
        if bool(row.get("exists")) or not _known(row.get("resolved")):
            continue  # exists, or cannot be evaluated: nothing to say
        resolved = Path(str(row["resolved"]))
        if bool(row.get("external")) and (
            (resolved / "terragrunt.hcl").is_file() or (resolved / "terragrunt.hcl.json").is_file()
        ):
            continue  # a unit of a neighbouring tree
        unit = str(row.get("unit") or "")
        path = str(row.get("path") or _unit_path(ctx, unit))
        line = _int(row.get("line")) or 1
        if (unit, path, line) in seen:
            continue
        seen.add((unit, path, line))
        written = unquote(str(row.get("config_path") or row.get("target") or ""))
        label = f'dependency "{row.get("name")}"' if row.get("name") else "dependencies.paths entry"
        text = f"{label} points at {written}, which is not a unit of this tree"
        yield Finding("TG017", path, line, ctx.msg(path, line, text, unit), unit=unit, block_line=line)


def _cycles(ctx: LintContext, rows: list[dict[str, Any]]) -> Iterator[Finding]:
    cycles_of = getattr(ctx.tree, "cycles", None)
    if cycles_of is None:
        return
    edges: dict[tuple[str, str], Mapping[str, Any]] = {}
    for row in rows:
        edges.setdefault((str(row.get("unit")), str(row.get("target"))), row)
    for cycle in cycles_of():
        members = [str(u) for u in cycle]
        if not members:
            continue
        first = min(members)  # report once, at a stable member
        ordered = _cycle_path(first, members, edges)
        nxt = ordered[1] if len(ordered) > 1 else ordered[0]
        edge = edges.get((first, nxt), {})
        path = str(edge.get("path") or _unit_path(ctx, first))
        line = _int(edge.get("line")) or 1
        chain = " -> ".join([*ordered, ordered[0]])
        yield Finding(
            "TG017",
            path,
            line,
            ctx.msg(path, line, f"dependency cycle {chain}", first),
            unit=first,
            block_line=line,
        )


def _cycle_path(first: str, members: list[str], edges: Mapping[tuple[str, str], object]) -> list[str]:
    """The shortest dependency path from ``first`` back to itself through the cycle's members (the tree
    gives a cycle as the sorted members of a strongly connected group, which is not an order of edges);
    the sorted members when the edges do not close the loop."""
    inside = set(members)
    successors: dict[str, list[str]] = {}
    for unit, target in sorted(edges):
        if unit in inside and target in inside:
            successors.setdefault(unit, []).append(target)
    previous: dict[str, str] = {}
    queue = deque([first])
    while queue:
        node = queue.popleft()
        for target in successors.get(node, []):
            if target == first:
                path = [node]
                while path[-1] != first:
                    path.append(previous[path[-1]])
                return path[::-1]
            if target not in previous:
                previous[target] = node
                queue.append(target)
    return sorted(members)


def _unit_path(ctx: LintContext, unit: str) -> str:
    for row in ctx.unit_rows:
        if str(row.get("unit")) == unit:
            return str(row.get("path") or "")
    return ""


def _known(value: Any) -> bool:
    """A real value: frames hold None or NaN where the tree could not evaluate something."""
    if value is None or (isinstance(value, float) and value != value):
        return False
    return bool(str(value))


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None

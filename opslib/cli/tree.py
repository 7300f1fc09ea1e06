"""``opslib tree``: units, dependencies, run order, graph and blast radius of Terragrunt trees."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import click
import pandas as pd

from opslib.cli._output import FORMAT_OPTION, emit

__all__ = ["command"]

_UNIT_TABLE = [
    "unit",
    "kind",
    "account",
    "region",
    "environment",
    "source_kind",
    "module_ref",
    "pinned",
    "lockfile",
    "errors",
]
_DEP_TABLE = ["unit", "target", "name", "kind", "config_path", "exists", "external", "has_mock_outputs"]


def _load_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--strict", is_flag=True, help="Fail on the first file that does not parse."),
        click.option(
            "--process-env",
            is_flag=True,
            help="Let get_env() read the process environment (default: fallbacks only).",
        ),
        click.option("--mock-outputs", is_flag=True, help="Use mock_outputs as dependency outputs."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache."),
        click.option("-j", "--jobs", type=int, default=None, help="Parser processes (default: cores)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load(path: str, opts: dict[str, Any]) -> Any:
    from opslib.terragrunt import load_tree

    tree = load_tree(
        path,
        strict=opts["strict"],
        jobs=opts["jobs"],
        cache=not opts["no_cache"],
        env=os.environ if opts["process_env"] else None,
        mock_outputs=opts["mock_outputs"],
    )
    for row in tree.errors.to_dict(orient="records"):
        line = "" if pd.isna(row["line"]) else f":{row['line']}"
        click.echo(f"opslib: warning: {tree.root / str(row['path'])}{line}: {row['message']}", err=True)
    return tree


def _concat(frames: list[pd.DataFrame], roots: list[str]) -> pd.DataFrame:
    if len(frames) == 1:
        return frames[0]
    out = []
    for frame, root in zip(frames, roots, strict=True):
        frame = frame.copy()
        frame.insert(0, "root", root)
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def _plain_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Dict and list cells as JSON text, so CSV output stays one value per cell."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object and any(isinstance(v, (dict, list)) for v in frame[col]):
            frame[col] = frame[col].map(
                lambda v: json.dumps(v, default=str, sort_keys=True) if isinstance(v, (dict, list)) else v
            )
    return frame


def _emit(frame: pd.DataFrame, fmt: str, table_columns: list[str]) -> None:
    if fmt == "table":
        emit(frame, fmt, columns=(["root"] if "root" in frame.columns else []) + table_columns)
    elif fmt == "csv":
        emit(_plain_cells(frame), fmt)
    else:
        emit(frame.map(lambda v: str(v) if type(v).__name__ == "Unknown" else v), fmt)


@click.group("tree")
def command() -> None:
    """Terragrunt trees: units, dependencies, run order, graph, blast radius."""


@command.command("units")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@FORMAT_OPTION
@_load_options
def units_cmd(paths: tuple[str, ...], fmt: str, **opts: Any) -> int:
    """List the units of one or more trees."""
    frames = [_load(p, opts).units for p in paths]
    _emit(_concat(frames, list(paths)), fmt, _UNIT_TABLE)
    return 0


@command.command("deps")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@FORMAT_OPTION
@_load_options
def deps_cmd(paths: tuple[str, ...], fmt: str, **opts: Any) -> int:
    """List the dependencies of every unit (missing and external targets marked)."""
    frames = [_load(p, opts).dependencies for p in paths]
    _emit(_concat(frames, list(paths)), fmt, _DEP_TABLE)
    return 0


@command.command("order")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--destroy", is_flag=True, help="Destroy order (dependents first).")
@FORMAT_OPTION
@_load_options
def order_cmd(paths: tuple[str, ...], destroy: bool, fmt: str, **opts: Any) -> int:
    """The run order in waves, as `terragrunt run --all` runs them."""
    frames = []
    for path in paths:
        tree = _load(path, opts)
        for cycle in tree.cycles():
            click.echo(f"opslib: warning: dependency cycle: {' -> '.join(cycle)}", err=True)
        rows = [
            {"wave": i, "unit": unit}
            for i, wave in enumerate(tree.run_order(destroy=destroy))
            for unit in wave
        ]
        frames.append(pd.DataFrame(rows, columns=["wave", "unit"]))
    _emit(_concat(frames, list(paths)), fmt, ["wave", "unit"])
    return 0


@command.command("graph")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dot", "mermaid", "json"]),
    default="dot",
    show_default=True,
    help="Output format.",
)
@_load_options
def graph_cmd(paths: tuple[str, ...], fmt: str, **opts: Any) -> int:
    """The dependency graph as DOT (like `terragrunt dag graph`), Mermaid or JSON."""
    for path in paths:
        tree = _load(path, opts)
        if fmt == "dot":
            click.echo(tree.to_dot(), nl=False)
        elif fmt == "mermaid":
            click.echo(tree.to_mermaid(), nl=False)
        else:
            edges = [{"unit": u, "dependency": d} for u, d in sorted(tree.graph.edges)]
            click.echo(
                json.dumps(
                    {
                        "root": str(tree.root),
                        "units": sorted(tree.graph.nodes),
                        "edges": edges,
                        "cycles": tree.cycles(),
                    },
                    indent=2,
                )
            )
    return 0


@command.command("blast-radius")
@click.argument("changed", nargs=-1, required=True)
@click.option(
    "--root",
    "root",
    type=click.Path(exists=True, file_okay=False),
    default=".",
    show_default=True,
    help="The tree root.",
)
@FORMAT_OPTION
@_load_options
def blast_cmd(changed: tuple[str, ...], root: str, fmt: str, **opts: Any) -> int:
    """Units affected by changed units or files, with their distance from the change."""
    tree = _load(root, opts)
    # paths given relative to the cwd are made relative to the root when they fall inside it
    items = []
    for item in changed:
        absolute = os.path.abspath(item)
        inside = absolute.startswith(str(tree.root) + os.sep) or absolute == str(tree.root)
        items.append(os.path.relpath(absolute, tree.root) if os.path.exists(item) and inside else item)
    _emit(tree.blast_radius(items), fmt, ["unit", "distance", "reason"])
    return 0

"""``opslib plan show|summary PATH``: read Terraform plans; exit code as ``-detailed-exitcode``."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from opslib.cli._output import FORMAT_OPTION, emit

__all__ = ["command", "load"]

_SHOW_COLUMNS = ["unit", "address", "kind", "action", "risk", "changed_paths", "action_reason"]


def load(path: str, tree: str | None) -> pd.DataFrame:
    """Plans at ``path``, units named after the tree at ``tree`` when given."""
    from opslib.plans import load_plans

    loaded: Any = None
    if tree:
        from opslib.terragrunt import load_tree

        loaded = load_tree(tree)
    return load_plans(path, tree=loaded)


def _readable(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    if fmt == "table":
        frame = frame.copy()
        frame["changed_paths"] = frame["changed_paths"].map(lambda p: ", ".join(p or []))
    return frame


TREE_OPTION = click.option(
    "--tree",
    "tree",
    default=None,
    metavar="ROOT",
    help="Terragrunt tree whose unit ids name the plans' folders.",
)


@click.group("plan")
def command() -> None:
    """Read Terraform plans (show -json files, plan -json logs, --json-out-dir folders)."""


@command.command("show")
@click.argument("path", type=click.Path(exists=True))
@click.option("--kind", type=click.Choice(["all", "planned", "drift"]), default="all", show_default=True)
@click.option("--unit", "units", multiple=True, help="Only these units (repeatable).")
@click.option("--no-op", "include_noop", is_flag=True, help="Include resources with nothing to do.")
@click.option("--values", is_flag=True, help="Include before/after values (sensitive ones masked).")
@TREE_OPTION
@FORMAT_OPTION
def show(
    path: str, kind: str, units: tuple[str, ...], include_noop: bool, values: bool, tree: str | None, fmt: str
) -> int:
    """List the changes in the plans at PATH; exits 0 (no changes), 1 (errored plan) or 2 (changes)."""
    from opslib.plans import exit_code

    changes = load(path, tree)
    shown = changes
    if kind != "all":
        shown = shown[shown["kind"] == kind]
    if units:
        shown = shown[shown["unit"].isin(units)]
    if not include_noop:
        shown = shown[~shown["action"].isin(["no-op", "read"])]
    columns = _SHOW_COLUMNS + (["before", "after"] if values else [])
    emit(_readable(shown, fmt), fmt, columns=columns)
    return exit_code(changes)


@command.command("summary")
@click.argument("path", type=click.Path(exists=True))
@TREE_OPTION
@FORMAT_OPTION
def summary_command(path: str, tree: str | None, fmt: str) -> int:
    """Per-unit add/change/destroy/replace/drift counts and exit codes; exits with the aggregate."""
    from opslib.plans import summary

    table = summary(load(path, tree))
    emit(table, fmt)
    if fmt == "table":
        click.echo(f"exit code: {table.attrs['exit_code']}")
    return int(table.attrs["exit_code"])

"""``opslib promote``: module refs per environment, what production lags, and the edit to promote."""

from __future__ import annotations

from typing import Any

import click

from opslib.cli._output import FORMAT_OPTION, emit

__all__ = ["command"]

_ROOT = click.argument("root", type=click.Path(exists=True, file_okay=False))


def _tree(root: str) -> Any:
    from opslib.terragrunt import load_tree

    return load_tree(root)


@click.group("promote")
def command() -> None:
    """Environment promotion: module refs per environment, lag, and the ref edits that promote."""


@command.command("refs")
@_ROOT
@FORMAT_OPTION
def refs_cmd(root: str, fmt: str) -> int:
    """One row per unit: component, environment, ref, ref kind, version."""
    from opslib.promotion import refs

    emit(refs(_tree(root)), fmt, columns=["component", "environment", "unit", "ref", "ref_kind", "version"])
    return 0


@command.command("lag")
@_ROOT
@click.option("--from", "source", default="staging", show_default=True, help="Environment to compare with.")
@click.option("--to", "target", default="prod", show_default=True, help="Environment that may lag.")
@FORMAT_OPTION
def lag_cmd(root: str, source: str, target: str, fmt: str) -> int:
    """Per component and target unit: source ref, target ref, versions behind, status."""
    from opslib.promotion import lag

    frame = lag(_tree(root), source, target)
    columns = ["component", "unit", "source_ref", "target_ref", "versions_behind", "status", "note"]
    emit(frame, fmt, columns=columns)
    return 0


@command.command("plan")
@_ROOT
@click.option("--from", "source", required=True, help="Environment whose refs are promoted.")
@click.option("--to", "target", required=True, help="Environment whose unit files are edited.")
@click.option("--component", "components", multiple=True, help="Only this component (repeatable).")
@click.option("--write", is_flag=True, help="Apply the edit to the files (atomically).")
def plan_cmd(root: str, source: str, target: str, components: tuple[str, ...], write: bool) -> int:
    """Print a unified diff that changes only the refs of TO's units to FROM's (exit 1 on refusals)."""
    from opslib.promotion import apply_promotion, plan_promotion

    plan = plan_promotion(_tree(root), source, target, components or None)
    for warning in plan.warnings:
        click.echo(f"opslib: warning: {warning}", err=True)
    for unit, reason in plan.refused:
        click.echo(f"opslib: refused: {unit}: {reason}", err=True)
    if write:
        written = apply_promotion(plan)
        click.echo(f"promoted {len(plan.edits)} refs in {len(written)} files", err=True)
    else:
        click.echo(plan.diff(), nl=False)
    if not plan.edits and not plan.refused:
        click.echo(f"nothing to promote: {target} runs {source}'s refs", err=True)
    return 1 if plan.refused else 0


@command.command("check")
@_ROOT
@click.option("--env", "target", default=None, help="Production environment (default: the last stage).")
@click.option("--from", "source", default=None, help="Environment it follows (default: the stage before).")
@click.option("--max-behind", type=click.IntRange(min=0), default=1, show_default=True)
@FORMAT_OPTION
def check_cmd(root: str, target: str | None, source: str | None, max_behind: int, fmt: str) -> int:
    """Exit 2 when production runs an unpinned ref or lags by more than --max-behind versions."""
    from opslib.promotion import check

    result = check(_tree(root), target=target, source=source, max_behind=max_behind)
    if result.problems.empty:
        click.echo(f"ok: {result.target} runs pinned refs at most {max_behind} behind {result.source}")
    else:
        columns = ["component", "unit", "source_ref", "target_ref", "versions_behind", "problem"]
        emit(result.problems, fmt, columns=columns)
    return result.exit_code

"""``opslib cost show|estimate|diff|check``: infracost output, the offline estimate and the threshold gate."""

from __future__ import annotations

import json
from typing import Any

import click
import pandas as pd

from opslib.cli._output import FORMAT_OPTION, emit
from opslib.costs.report import TOP_COLUMNS

__all__ = ["command"]

_SHOW_COLUMNS = TOP_COLUMNS
_DIFF_COLUMNS = ["unit", "address", "change", "base_monthly_cost", "head_monthly_cost", "delta_monthly_cost"]
_GROUPS = click.Choice(["unit", "account", "environment", "team", "cost_center", "resource_type", "project"])

TREE_OPTION = click.option(
    "--tree",
    "tree",
    default=None,
    metavar="ROOT",
    type=click.Path(exists=True),
    help="Terragrunt tree: maps projects to units and adds account/team/cost_center.",
)
BY_OPTION = click.option("--by", "by", type=_GROUPS, default=None, help="Print totals per group instead.")


def _tree(path: str | None) -> Any:
    if not path:
        return None
    from opslib import load_tree

    return load_tree(path)


def _emit_costs(costs: pd.DataFrame, by: str | None, fmt: str, columns: list[str]) -> None:
    from opslib.costs import totals

    if by:
        emit(totals(costs, by).drop(columns=["monthly_cost_exact"]), fmt)
    else:
        emit(costs.sort_values("monthly_cost", ascending=False, na_position="last"), fmt, columns=columns)


@click.group("cost")
def command() -> None:
    """Costs: infracost JSON, an offline estimate from the price catalogue, and the approval gate."""


@command.command("show")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--level", type=click.Choice(["resource", "component"]), default="resource", show_default=True)
@click.option(
    "--section",
    type=click.Choice(["breakdown", "past", "diff"]),
    default="breakdown",
    show_default=True,
    help="Which breakdown of an infracost diff file.",
)
@TREE_OPTION
@BY_OPTION
@FORMAT_OPTION
def show(path: str, level: str, section: str, tree: str | None, by: str | None, fmt: str) -> int:
    """Resource costs in the infracost JSON at PATH (breakdown or diff output)."""
    from opslib.costs import load_costs

    costs = load_costs(path, level=level, section=section, tree=_tree(tree))  # type: ignore[arg-type]
    columns = list(_SHOW_COLUMNS)
    if level == "component":
        columns[2:2] = ["subresource", "component", "monthly_quantity", "quantity_unit", "price"]
    _emit_costs(costs, by, fmt, columns)
    return 0


@command.command("estimate")
@click.argument("path", type=click.Path(exists=True))
@click.option("--region", default=None, help="Region where the input does not say (default us-east-1).")
@click.option(
    "--catalog",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="Price catalogue CSV (default: the bundled data/prices/aws-prices.csv).",
)
@TREE_OPTION
@BY_OPTION
@FORMAT_OPTION
def estimate(
    path: str, region: str | None, catalog: str | None, tree: str | None, by: str | None, fmt: str
) -> int:
    """Estimate monthly costs offline from a Terragrunt tree or plans at PATH (no API key, no network)."""
    from opslib.costs import estimate_costs

    costs = estimate_costs(path, catalog, region=region, tree=_tree(tree))
    _emit_costs(costs, by, fmt, _SHOW_COLUMNS)
    return 0


@command.command("diff")
@click.argument("base", type=click.Path(exists=True, dir_okay=False))
@click.argument("head", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--all", "show_all", is_flag=True, help="Include unchanged resources.")
@FORMAT_OPTION
def diff_command(base: str, head: str | None, show_all: bool, fmt: str) -> int:
    """Per-resource cost change from BASE to HEAD (or inside one infracost diff file)."""
    from opslib.costs import diff

    changes = diff(base, head)
    if not show_all:
        changes = changes[changes["change"] != "unchanged"]
    emit(changes, fmt, columns=_DIFF_COLUMNS)
    return 0


@command.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--threshold",
    default="100",
    show_default=True,
    help="Monthly increase (in the file's currency) that needs approval.",
)
@click.option(
    "--baseline",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="infracost JSON of the current state to compare PATH with.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check_command(path: str, threshold: str, baseline: str | None, fmt: str) -> int:
    """Gate a cost change: exit 2 when the monthly increase passes THRESHOLD, 0 otherwise."""
    from opslib.costs import check

    verdict = check(path, threshold=threshold, baseline=baseline)
    if fmt == "json":
        click.echo(json.dumps(verdict.to_dict(), indent=2))
    else:
        data = verdict.to_dict()
        cur = data["currency"]
        click.echo(f"current:   {verdict.current_monthly:,.2f} {cur}/month")
        click.echo(f"baseline:  {verdict.past_monthly:,.2f} {cur}/month ({verdict.baseline})")
        click.echo(
            f"change:    {verdict.increase:+,.2f} {cur}/month, {verdict.annual_impact:+,.2f} {cur}/year"
        )
        click.echo(f"verdict:   {verdict.status} (exit {verdict.exit_code}): {verdict.message}")
    return verdict.exit_code

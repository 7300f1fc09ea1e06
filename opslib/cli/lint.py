"""``opslib lint PATH``: check a Terragrunt tree against the mandatory rules (exit 0 clean, 2 findings)."""

from __future__ import annotations

import sys

import click
import pandas as pd

from opslib._io import atomic_write_text
from opslib.rules._base import SEVERITIES

__all__ = ["command"]


@click.command("lint")
@click.argument("path", type=click.Path(file_okay=False, dir_okay=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "sarif"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--min-severity",
    type=click.Choice(list(reversed(SEVERITIES))),
    default="low",
    show_default=True,
    help="Report and fail only on findings at or above this severity.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option("--show-suppressed", is_flag=True, help="List suppressed findings in the table too.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the tree's parse cache.")
@click.option(
    "--explain",
    is_flag=True,
    help="Also say (on stderr) which values the rules could not evaluate and so did not judge.",
)
def command(
    path: str,
    fmt: str,
    min_severity: str,
    output: str | None,
    rules: tuple[str, ...],
    show_suppressed: bool,
    no_cache: bool,
    explain: bool = False,
) -> int:
    """Lint the Terragrunt tree at PATH; exit 2 when an unsuppressed finding reaches --min-severity."""
    from opslib.rules import at_or_above, lint
    from opslib.rules.output import render
    from opslib.terragrunt import load_tree

    tree = load_tree(path, cache=not no_cache)
    _warn_parse_errors(tree.errors, str(tree.root))
    notes: list[dict[str, object]] = []
    findings = at_or_above(lint(tree, rules=list(rules) or None, notes=notes), min_severity)
    if explain:
        for note in notes:
            click.echo(
                f"opslib: note: {note['rule_id']} {note['path']}:{note['line']}: {note['message']}", err=True
            )
    text = render(findings, fmt, root=tree.root, show_suppressed=show_suppressed)
    if output:
        atomic_write_text(output, text)
    else:
        click.echo(text, nl=False)
    failing = int((~findings["suppressed"]).sum())
    return 2 if failing else 0


def _warn_parse_errors(errors: pd.DataFrame, root: str) -> None:
    """Files that do not parse cannot be linted: say so on stderr rather than pass silently."""
    for row in errors.to_dict(orient="records"):
        line = "" if pd.isna(row.get("line")) else f":{int(row['line'])}"
        click.echo(
            f"opslib: warning: {root}/{row.get('path')}{line}: {row.get('message')} (not linted)", err=True
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(command())

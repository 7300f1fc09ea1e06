"""``opslib review``: one verdict for one change (a pull request), as Markdown, JSON or SARIF."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("review")
@click.argument("root", default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--base", default=None, help="Base revision (default: the merge base with the default branch).")
@click.option("--head", default="HEAD", show_default=True, help="Revision under review.")
@click.option(
    "--plans", type=click.Path(exists=True), default=None, help="Plan JSON / plan -json logs / folder."
)
@click.option(
    "--costs", type=click.Path(exists=True, dir_okay=False), default=None, help="infracost diff JSON."
)
@click.option(
    "--sarif",
    "sarif",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="SARIF file of another scanner (repeatable).",
)
@click.option(
    "--cost-threshold", type=float, default=100.0, show_default=True, help="Monthly increase allowed."
)
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json", "sarif"]), default="markdown", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write here, not stdout.")
@click.option("--no-fmt", is_flag=True, help="Do not run terraform fmt on the changed files.")
@click.option("--log", "log_to", is_flag=True, help="Append the review to the activity history.")
@click.option(
    "--history",
    type=click.Path(file_okay=False),
    default=None,
    help="History folder for --log (default: project/ at the repository top).",
)
def command(
    root: str,
    base: str | None,
    head: str,
    plans: str | None,
    costs: str | None,
    sarif: tuple[str, ...],
    cost_threshold: float,
    fmt: str,
    output: str | None,
    no_fmt: bool,
    log_to: bool,
    history: str | None,
) -> int:
    """Review the change of the Terragrunt tree at ROOT: exit 2 when it needs approval, 0 when ok."""
    from opslib._io import atomic_write_text
    from opslib.review import log_review, review, to_json, to_markdown, to_sarif

    result = review(
        root,
        base,
        head=head,
        plans=plans,
        costs=costs,
        sarif=sarif,
        cost_threshold=cost_threshold,
        check_format=not no_fmt,
    )
    text = {"markdown": to_markdown, "json": to_json, "sarif": to_sarif}[fmt](result)
    if output:
        atomic_write_text(Path(output), text)
        click.echo(result.scrub(result.headline()), err=True)
    else:
        click.echo(text, nl=False)
    if log_to:
        folder = Path(history) if history else result.top / "project"
        log_review(result, folder)
    return result.exit_code

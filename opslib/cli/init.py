"""``opslib init [DIR]``: write DIR/opslib.toml from the inputs found there."""

from __future__ import annotations

import click

from opslib.project import INPUTS, write_project_file

__all__ = ["command"]


@click.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False))
def command(folder: str) -> int:
    """Find FOLDER's inputs (history, Terragrunt tree, plans, costs, run reports, runbooks) and write
    FOLDER/opslib.toml; an existing file is never overwritten."""
    target, found = write_project_file(folder)
    for key in INPUTS:
        if key in found:
            path, seen = found[key]
            click.echo(f"  found    {key:<15} {path}  ({seen})")
        else:
            click.echo(f"  missing  {key:<15} (commented out; set it by hand when you have one)")
    click.echo(f"wrote {target}; next: opslib report all --project {folder}")
    return 0

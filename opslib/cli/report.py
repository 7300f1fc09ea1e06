"""``opslib report NAME|all [-p KEY VALUE]... [--out DIR]``: run report notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from opslib import reports
from opslib.errors import ParameterError, WriteError

__all__ = ["command"]


def _split_parameters(names: list[str], pairs: tuple[tuple[str, str], ...]) -> dict[str, dict[str, Any]]:
    """With several reports, each ``-p`` goes to the reports declaring it; unknown everywhere: error."""
    declared = {name: reports.notebook_parameters(name) for name in names}
    per_report: dict[str, dict[str, Any]] = {name: {} for name in names}
    for key, value in pairs:
        targets = [name for name in names if key in declared[name]]
        if not targets:
            if len(names) == 1:
                targets = names  # let the runner name the report and suggest a spelling
            else:
                raise ParameterError(f"no report among {', '.join(names)} has a parameter {key!r}")
        for name in targets:
            per_report[name][key] = value
    return per_report


@click.command("report")
@click.argument("name", required=False)
@click.option(
    "-p",
    "--parameter",
    "pairs",
    nargs=2,
    multiple=True,
    metavar="KEY VALUE",
    help="Set a notebook parameter (repeatable).",
)
@click.option("--out", "out_dir", default="reports", show_default=True, help="Output folder.")
@click.option("--jobs", type=int, default=None, help="Reports run at once with 'all' (default: cores).")
@click.option("--list", "list_only", is_flag=True, help="List the reports and their parameters.")
def command(
    name: str | None, pairs: tuple[tuple[str, str], ...], out_dir: str, jobs: int | None, list_only: bool
) -> int:
    """Run report NAME (or 'all') on the sample data or on the files given with -p."""
    if list_only or not name:
        for report in reports.list_reports():
            params = reports.notebook_parameters(report)
            click.echo(f"{report}: " + ", ".join(f"{k}={v['default']}" for k, v in params.items()))
        return 0
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise WriteError("the output folder is a file", path=out_dir)
    names = reports.list_reports() if name == "all" else [name]
    per_report = _split_parameters(names, pairs) if name == "all" else {name: dict(pairs)}
    if name != "all":
        path = reports.run_report(name, per_report[name], out_dir)
        click.echo(f"{name}: ok -> {path.with_suffix('.html')}")
        return 0
    results = reports.run_all(names, per_report, out_dir, jobs=jobs)
    failed = 0
    for result in results:
        headline = reports.headline(result.summary)
        if result.status == "ok":
            click.echo(f"{result.name:<20} ok     {result.seconds:6.1f}s  {headline}")
        else:
            failed += 1
            detail = reports.error_of(result)
            click.echo(f"{result.name:<20} FAILED {result.seconds:6.1f}s  {detail}", err=True)
    click.echo(f"{len(results) - failed} ok, {failed} failed; index: {out_dir}/index.html")
    return 1 if failed else 0

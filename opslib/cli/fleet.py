"""``opslib fleet``: the reports of many live repositories, each with its project file, in one run."""

from __future__ import annotations

import click

__all__ = ["command"]


@click.group("fleet")
def command() -> None:
    """Fleet reports: every project of a fleet file, into one folder with a fleet index."""


@command.command("report")
@click.argument("fleet", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out", "out_dir", default="fleet-reports", show_default=True, type=click.Path(file_okay=False)
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Reports at once (default: cores)."
)
def report_cmd(fleet: str, out_dir: str, jobs: int | None) -> int:
    """Run every project's reports into OUT/<project>/ and write OUT/index.html (exit 1 if any failed)."""
    from opslib.fleet import run_fleet

    result = run_fleet(fleet, out_dir, jobs=jobs)
    for project in result.projects:
        if project.error:
            click.echo(f"{project.name}: failed: {project.error}")
        for report in project.reports:
            detail = report.reason if report.status == "skipped" else f"{report.seconds:.1f}s"
            click.echo(f"{project.name}/{report.name}: {report.status} ({detail})")
    failed = sum(p.status == "failed" for p in result.projects)
    click.echo(f"{len(result.projects) - failed} projects ok, {failed} failed -> {result.index}")
    return result.exit_code

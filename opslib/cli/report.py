"""``opslib report NAME|all [--project DIR] [-p KEY VALUE]... [--sample] [--strict] [--out DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from opslib import reports
from opslib.errors import ConfigError, ParameterError, WriteError
from opslib.project import INPUTS, REPORT_INPUTS, REQUIREMENTS, Project, find_project_file

__all__ = ["command"]


def _takes(name: str, key: str, declared: dict[str, Any]) -> bool:
    """Report ``name`` takes ``key`` as its own parameter or as a project input it reads."""
    return key in declared or key in REPORT_INPUTS.get(name, {}).values()


def _split_parameters(names: list[str], pairs: tuple[tuple[str, str], ...]) -> dict[str, dict[str, Any]]:
    """With several reports, each ``-p`` goes to the reports declaring it; unknown everywhere: error."""
    declared = {name: reports.notebook_parameters(name) for name in names}
    per_report: dict[str, dict[str, Any]] = {name: {} for name in names}
    for key, value in pairs:
        targets = [name for name in names if _takes(name, key, declared[name])]
        if not targets:
            if len(names) == 1:
                targets = names  # let the runner name the report and suggest a spelling
            elif key in INPUTS:
                continue  # an input no report of this run reads: nothing to feed
            else:
                raise ParameterError(f"no report among {', '.join(names)} has a parameter {key!r}")
        for name in targets:
            per_report[name][key] = value
    return per_report


def _gives_input(pairs: tuple[tuple[str, str], ...]) -> bool:
    params = {p for mapping in REPORT_INPUTS.values() for p in mapping}
    return any(key in INPUTS or key in params for key, _ in pairs)


def _project(
    path: str | None, pairs: tuple[tuple[str, str], ...], sample: bool, names: list[str]
) -> Project | None:
    """``--project``, else the nearest project file; none is an error unless -p inputs or --sample
    (or no report among ``names`` reads inputs: a notebook of the user's own)."""
    if path:
        if sample:
            raise ParameterError("--sample and --project exclude each other: choose one")
        return Project.load(path)
    if sample:
        return None
    found = find_project_file()
    if found is not None:
        return Project.load(found)
    if _gives_input(pairs) or not any(reports.report_stem(n) in REQUIREMENTS for n in names):
        return None
    raise ConfigError(
        f"no opslib.toml here or in any folder above ({Path.cwd()}): run `opslib init` in your live "
        "repository, pass --project DIR or inputs with -p (e.g. -p history DIR), or --sample for the "
        "bundled sample data"
    )


def _list() -> int:
    for report in reports.list_reports():
        params = reports.notebook_parameters(report)
        click.echo(f"{report}: " + ", ".join(f"{k}={v['default']}" for k, v in params.items()))
    return 0


@click.command("report")
@click.argument("name", required=False)
@click.option(
    "-p",
    "--parameter",
    "pairs",
    nargs=2,
    multiple=True,
    metavar="KEY VALUE",
    help="Set a notebook parameter or a project input (repeatable); overrides the project file.",
)
@click.option(
    "--project",
    "project_path",
    metavar="DIR",
    help="Project file or its folder (default: the nearest opslib.toml from here upwards).",
)
@click.option("--sample", is_flag=True, help="Run on the bundled sample data (every page says so).")
@click.option("--strict", is_flag=True, help="Exit 1 when a report is skipped for a missing input.")
@click.option("--out", "out_dir", default=None, help="Output folder (default: the project's, else reports).")
@click.option("--jobs", type=int, default=None, help="Reports run at once with 'all' (default: cores).")
@click.option("--list", "list_only", is_flag=True, help="List the reports and their parameters.")
def command(
    name: str | None,
    pairs: tuple[tuple[str, str], ...],
    project_path: str | None,
    sample: bool,
    strict: bool,
    out_dir: str | None,
    jobs: int | None,
    list_only: bool,
) -> int:
    """Run report NAME (or 'all') on your platform's files (opslib.toml, -p) or, with --sample, the sample.

    A report whose required inputs are missing is skipped with the reason; exit code 1 with --strict.
    """
    if list_only or not name:
        return _list()
    if sample and _gives_input(pairs):
        raise ParameterError(
            "--sample cannot be combined with -p inputs: the sample is used whole or not at all"
        )
    names = reports.list_reports() if name == "all" else [name]
    project = _project(project_path, pairs, sample, names)
    per_report = _split_parameters(names, pairs) if name == "all" else {name: dict(pairs)}
    out = (
        out_dir if out_dir is not None else (str(project.settings.out) if project is not None else "reports")
    )
    if Path(out).exists() and not Path(out).is_dir():
        raise WriteError("the output folder is a file", path=out)
    results = reports.run_all(names, per_report, out, project=project, sample=sample, jobs=jobs)
    failed = skipped = 0
    for result in results:
        if result.status == "ok":
            target = f" -> {result.html}" if name != "all" else ""
            click.echo(
                f"{result.name:<20} ok     {result.seconds:6.1f}s  {reports.headline(result.summary)}{target}"
            )
        elif result.status == "skipped":
            skipped += 1
            click.echo(f"{result.name:<20} skipped: {result.reason}")
        else:
            failed += 1
            detail = reports.error_of(result)
            click.echo(f"{result.name:<20} FAILED {result.seconds:6.1f}s  {detail}", err=True)
    ok = len(results) - failed - skipped
    source = " (SAMPLE DATA)" if sample else ""
    click.echo(f"{ok} ok, {skipped} skipped, {failed} failed{source}; index: {out}/index.html")
    return 1 if failed or (strict and skipped) else 0

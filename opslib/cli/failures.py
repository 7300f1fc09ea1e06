"""``opslib failures rates|recoveries|dora|runs``: what keeps failing, and how fast we recover."""

from __future__ import annotations

import click
import pandas as pd

from opslib.cli._output import FORMAT_OPTION, emit

__all__ = ["command", "load"]

_RECOVERY_COLUMNS = [
    "id",
    "failed_at",
    "agent",
    "kind",
    "task",
    "recovered_by",
    "matched_on",
    "hours_to_recover",
    "state",
]
_UNRESOLVED_COLUMNS = ["id", "failed_at", "agent", "kind", "task", "age_days"]
_DORA_COLUMNS = ["measure", "value", "unit", "bucket", "tier", "n", "thresholds"]
_RUN_COLUMNS = ["unit", "result", "reason", "root_unit", "depth", "failure_class", "cause"]


def load(path: str, since: str | None = None, until: str | None = None) -> pd.DataFrame:
    """The history at ``path`` (a file or the folder holding the two files), cut to [since, until)."""
    from opslib import history

    frame = history.load_history(path)
    if since:
        frame = history.since(frame, since)
    if until:
        frame = history.until(frame, until)
    return frame


def _lists_as_text(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    if fmt != "table":
        return frame
    frame = frame.copy()
    for col in frame.columns:
        # only object columns can hold lists; asking an empty datetime column (no failures: an empty
        # table) whether any cell is a list is a TypeError in pandas
        if frame[col].dtype == object and any(isinstance(v, list) for v in frame[col]):
            frame[col] = frame[col].map(lambda v: ", ".join(map(str, v)) if isinstance(v, list) else v)
    return frame


SINCE_OPTION = click.option("--since", default=None, metavar="WHEN", help="Only events from WHEN (ISO date).")
UNTIL_OPTION = click.option("--until", default=None, metavar="WHEN", help="Only events before WHEN.")


@click.group("failures")
def command() -> None:
    """Failure rates, time to recover and DORA measures from the activity log; run-report failures."""


@command.command("rates")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--by",
    "by",
    multiple=True,
    default=("agent",),
    show_default=True,
    help="Group by a history column, or tag / file / unit / area (repeatable).",
)
@click.option(
    "--period",
    type=click.Choice(["day", "week", "month", "quarter", "year"]),
    default=None,
    help="Also split by period.",
)
@SINCE_OPTION
@UNTIL_OPTION
@FORMAT_OPTION
def rates(
    path: str, by: tuple[str, ...], period: str | None, since: str | None, until: str | None, fmt: str
) -> int:
    """Events, failures, failure rate and its 95% Wilson interval per group."""
    from opslib.metrics import failure_rates

    emit(failure_rates(load(path, since, until), by=list(by), period=period), fmt)
    return 0


@command.command("recoveries")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--window",
    default=None,
    metavar="DURATION",
    help="A recovery later than this (e.g. 7D, 48h) does not count.",
)
@click.option("--unresolved", "only_open", is_flag=True, help="Only failures nothing has recovered.")
@click.option("--now", default=None, metavar="WHEN", help="Measure ages to WHEN (default: newest event).")
@click.option(
    "--stats",
    "stats_by",
    default=None,
    metavar="COLUMN",
    help="Instead of rows, mean/median hours to recover per COLUMN (agent, area, kind...).",
)
@SINCE_OPTION
@UNTIL_OPTION
@FORMAT_OPTION
def recoveries_command(
    path: str,
    window: str | None,
    only_open: bool,
    now: str | None,
    stats_by: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
) -> int:
    """Each failure or escalation with the event that recovered it and the hours it took."""
    from opslib.metrics import recoveries, recovery_stats, unresolved

    history = load(path, since, until)
    if only_open:
        emit(_lists_as_text(unresolved(history, now, window=window), fmt), fmt, columns=_UNRESOLVED_COLUMNS)
    elif stats_by:
        emit(recovery_stats(recoveries(history, window=window), by=stats_by), fmt)
    else:
        emit(_lists_as_text(recoveries(history, window=window), fmt), fmt, columns=_RECOVERY_COLUMNS)
    return 0


@command.command("dora")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--period", default="90D", show_default=True, metavar="DURATION", help="How far back from NOW to measure."
)
@click.option(
    "--window",
    default="24h",
    show_default=True,
    metavar="DURATION",
    help="How soon after a deployment a failure on the same files counts against it.",
)
@click.option("--now", default=None, metavar="WHEN", help="End of the period (default: newest event).")
@FORMAT_OPTION
def dora_command(path: str, period: str, window: str, now: str | None, fmt: str) -> int:
    """Deployment frequency, lead time, change failure rate and time to restore, with their tiers."""
    from opslib.metrics import dora

    table = dora(load(path), now=now, period=period, window=window)
    emit(table, fmt, columns=None if fmt != "table" else _DORA_COLUMNS)
    return 0


@command.command("runs")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--roots", is_flag=True, help="One row per root failing unit, with the units it held back.")
@FORMAT_OPTION
def runs_command(paths: tuple[str, ...], roots: bool, fmt: str) -> int:
    """Failed units in terragrunt run reports, attributed to their root; exits 2 when any unit failed."""
    from opslib import load_run_report
    from opslib.metrics import root_causes, run_failures

    runs = pd.concat([load_run_report(p) for p in paths], ignore_index=True)
    failures = run_failures(runs)
    if roots:
        emit(_lists_as_text(root_causes(runs), fmt), fmt)
    else:
        emit(failures, fmt, columns=None if fmt != "table" else _RUN_COLUMNS)
    return 2 if (failures["result"] != "succeeded").any() else 0

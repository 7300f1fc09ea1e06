"""``opslib drift collect|record|show``: find drift, keep its history, show how long it has lasted."""

from __future__ import annotations

import click
import pandas as pd

from opslib.cli._output import FORMAT_OPTION, emit
from opslib.cli.plan import TREE_OPTION, load

__all__ = ["command"]


@click.group("drift")
def command() -> None:
    """Collect plans, record drift runs and show drift history."""


@command.command("collect")
@click.argument("root", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for <unit>/tfplan.json."
)
@click.option("--jobs", type=int, default=None, help="Units planned at once (default: cores, max 4).")
@click.option("--terraform", default="terraform", show_default=True, help="terraform binary.")
@click.option("--terragrunt", default=None, help="Use this terragrunt binary (run --all plan) instead.")
@click.option("--timeout", type=float, default=1800.0, show_default=True, help="Seconds per command.")
@click.option(
    "--store",
    default=None,
    type=click.Path(file_okay=False),
    help="Also record the drift found in this store.",
)
@click.option(
    "--include-planned",
    is_flag=True,
    help="With --store: record pending planned changes too, not only changes made outside Terraform.",
)
@FORMAT_OPTION
def collect_command(
    root: str,
    out_dir: str,
    jobs: int | None,
    terraform: str,
    terragrunt: str | None,
    timeout: float,
    store: str | None,
    include_planned: bool,
    fmt: str,
) -> int:
    """Plan every unit under ROOT (never applies); exits 0 (clean), 1 (a unit failed) or 2 (changes)."""
    from opslib import drift

    result = drift.collect(
        root, out_dir, jobs=jobs, terraform=terraform, terragrunt=terragrunt, timeout=timeout
    )
    emit(result.results, fmt, columns=["unit", "exit_code", "duration_s", "error"])
    if store:
        from opslib.plans import load_plans

        kinds = ("drift", "planned") if include_planned else ("drift",)
        drift.record(load_plans(out_dir), store, kinds=kinds)
    return result.exit_code


@command.command("record")
@click.argument("plans", type=click.Path(exists=True))
@click.option("--store", required=True, type=click.Path(file_okay=False), help="Drift store folder.")
@click.option("--run-id", default=None, help="Run id (default: the time, YYYYmmddTHHMMSSZ).")
@click.option("--at", default=None, help="When the plans were made (ISO 8601; default: now).")
@click.option("--parquet", is_flag=True, help="Store as Parquet instead of JSON lines.")
@click.option(
    "--include-planned",
    is_flag=True,
    help="Record pending planned changes too, not only changes made outside Terraform.",
)
@TREE_OPTION
def record_command(
    plans: str,
    store: str,
    run_id: str | None,
    at: str | None,
    parquet: bool,
    include_planned: bool,
    tree: str | None,
) -> int:
    """Append the drift in PLANS to the store."""
    from opslib import drift

    kinds = ("drift", "planned") if include_planned else ("drift",)
    rows = drift.record(
        load(plans, tree), store, run_id=run_id, at=at, fmt="parquet" if parquet else None, kinds=kinds
    )
    click.echo(f"recorded {len(rows)} drifted resources in {rows['unit'].nunique()} units -> {store}")
    return 0


@command.command("show")
@click.argument("plans", required=False, type=click.Path(exists=True))
@click.option(
    "--store",
    default=None,
    type=click.Path(exists=True, file_okay=False),
    help="Show the drift history of this store.",
)
@click.option("--causes", "by_cause", is_flag=True, help="Group drift by type, attribute and values.")
@TREE_OPTION
@FORMAT_OPTION
def show_command(plans: str | None, store: str | None, by_cause: bool, tree: str | None, fmt: str) -> int:
    """Drift in PLANS, or the history in --store; exits 2 when drift is found (open drift for a store)."""
    from opslib import drift

    if bool(plans) == bool(store):
        raise click.UsageError("give either PLANS or --store")
    if store:
        hist = drift.history(store)
        emit(
            _joined(hist, fmt),
            fmt,
            columns=[c for c in drift.HISTORY_COLUMNS if c != "type"],
        )
        return 2 if bool(hist["open"].any()) else 0
    changes = load(str(plans), tree)
    drifted = changes[changes["kind"] == "drift"]
    if by_cause:
        emit(_joined(drift.causes(changes), fmt, "unit_list"), fmt)
    else:
        emit(drift.attribute_changes(drifted), fmt)
    return 2 if len(drifted) else 0


def _joined(frame: pd.DataFrame, fmt: str, column: str = "changed_paths") -> pd.DataFrame:
    if fmt != "table" or column not in frame:
        return frame
    frame = frame.copy()
    frame[column] = frame[column].map(lambda v: ", ".join(v))
    return frame

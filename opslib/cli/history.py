"""``opslib history show|query|check|log``: the activity history from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pandas as pd

from opslib.cli._output import FORMAT_OPTION, emit
from opslib.errors import ConfigError
from opslib.history import (
    by_action,
    by_agent,
    by_tags,
    check_history,
    failed,
    load_history,
    log_activity,
    newest,
    since,
    touching,
    until,
)
from opslib.history.json_loader import entries_frame
from opslib.history.schema import LIST_COLUMNS

__all__ = ["command"]

SUMMARY_COLUMNS = ["timestamp", "agent", "action_type", "status", "description", "tags", "in_json", "in_md"]
PATH_ARG = click.argument("path", required=False, default=".", type=click.Path(exists=True))


def _printable(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Lists joined and ``extra`` as JSON for table/CSV output; JSON output keeps the structures."""
    if fmt == "json":
        return frame
    shown = frame.copy()
    for column in LIST_COLUMNS:
        if column in shown:
            shown[column] = [", ".join(v) for v in shown[column]]
    if "extra" in shown:
        shown["extra"] = [json.dumps(v, default=str) if v else "" for v in shown["extra"]]
    return shown


def _emit(frame: pd.DataFrame, fmt: str, wide: bool) -> None:
    columns = None if wide or fmt != "table" else SUMMARY_COLUMNS
    emit(_printable(frame, fmt), fmt, columns=columns)


@click.group("history")
def command() -> None:
    """Read, query, check and append the activity history (project_history.json + PROJECT_HISTORY.md)."""


@command.command("show")
@PATH_ARG
@click.option("-n", "--limit", default=20, show_default=True, help="How many of the newest events.")
@click.option("--all-columns", "wide", is_flag=True, help="Every column in table output.")
@FORMAT_OPTION
def show(path: str, limit: int, wide: bool, fmt: str) -> int:
    """The newest events of PATH (a history file or a folder holding the two files)."""
    _emit(newest(load_history(path), limit), fmt, wide)
    return 0


@command.command("query")
@PATH_ARG
@click.option("--tags", help="Regex a tag must match, e.g. 'infrastructure|deployment|devops'.")
@click.option("--action", "actions", multiple=True, help="Action type (repeatable).")
@click.option("--agent", "agents", multiple=True, help="Agent name (repeatable).")
@click.option("--touching", "files", help="Glob or regex over created/modified/deleted files.")
@click.option("--since", "since_", help="Events at or after this date/time (UTC).")
@click.option("--until", "until_", help="Events before this date/time (UTC).")
@click.option("--failed", "only_failed", is_flag=True, help="Failed events and escalations only.")
@click.option("-n", "--newest", "limit", type=int, help="Only the N most recent matches.")
@click.option("--all-columns", "wide", is_flag=True, help="Every column in table output.")
@FORMAT_OPTION
def query(
    path: str,
    tags: str | None,
    actions: tuple[str, ...],
    agents: tuple[str, ...],
    files: str | None,
    since_: str | None,
    until_: str | None,
    only_failed: bool,
    limit: int | None,
    wide: bool,
    fmt: str,
) -> int:
    """Events of PATH matching every filter given (the users' jq queries as options)."""
    frame = load_history(path)
    if tags:
        frame = by_tags(frame, tags)
    if actions:
        frame = by_action(frame, *actions)
    if agents:
        frame = by_agent(frame, *agents)
    if files:
        frame = touching(frame, files)
    if since_:
        frame = since(frame, since_)
    if until_:
        frame = until(frame, until_)
    if only_failed:
        frame = failed(frame)
    frame = newest(frame, limit) if limit is not None else frame.sort_values("timestamp", kind="stable")
    _emit(frame, fmt, wide)
    return 0


@command.command("check")
@PATH_ARG
@FORMAT_OPTION
def check(path: str, fmt: str) -> int:
    """List events logged in only one file and entries missing required fields (exit 2 if any)."""
    findings = check_history(path)
    emit(findings, fmt)
    return 2 if len(findings) else 0


def _extra_pairs(pairs: tuple[str, ...]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--extra takes KEY=VALUE, got {pair!r}")
        try:
            extra[key] = json.loads(value)
        except json.JSONDecodeError:
            extra[key] = value
    return extra


@command.command("log")
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--agent", required=True)
@click.option("--action", "action_type", required=True, help="Action type, e.g. deployment.")
@click.option("--description", required=True, help="What was done.")
@click.option("--status", required=True, type=click.Choice(["completed", "partial", "failed"]))
@click.option("--category")
@click.option("--task")
@click.option("--summary", help="The outcome in a sentence.")
@click.option("--title", help="Markdown heading title (default: first line of the description).")
@click.option("--timestamp", help="ISO 8601 (default: now, UTC).")
@click.option("--created", multiple=True, help="File created (repeatable).")
@click.option("--modified", multiple=True, help="File modified (repeatable).")
@click.option("--deleted", multiple=True, help="File deleted (repeatable).")
@click.option("--follow-up", "follow_up", multiple=True, help="Follow-up item (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--extra", "extra", multiple=True, help="Extra top-level key, KEY=VALUE (VALUE may be JSON).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="json",
    show_default=True,
    help="json: the entry as written to project_history.json; table/csv: the entry as a history row.",
)
def log(
    folder: str,
    agent: str,
    action_type: str,
    description: str,
    status: str,
    category: str | None,
    task: str | None,
    summary: str | None,
    title: str | None,
    timestamp: str | None,
    created: tuple[str, ...],
    modified: tuple[str, ...],
    deleted: tuple[str, ...],
    follow_up: tuple[str, ...],
    tags: tuple[str, ...],
    extra: tuple[str, ...],
    fmt: str,
) -> int:
    """Append one event to both history files in FOLDER (created when missing); prints the entry."""
    entry = log_activity(
        folder,
        agent=agent,
        action_type=action_type,
        description=description,
        status=status,
        category=category,
        task=task,
        summary=summary,
        title=title,
        timestamp=timestamp,
        files_created=created,
        files_modified=modified,
        files_deleted=deleted,
        follow_up=follow_up,
        tags=tags,
        **_extra_pairs(extra),
    )
    if fmt == "json":
        click.echo(json.dumps(entry, indent=2, ensure_ascii=False))
    else:
        row = entries_frame([entry], Path(folder), [])
        _emit(row, fmt, wide=False)
    return 0

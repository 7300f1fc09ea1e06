"""``opslib incident steps|postmortem``: read a runbook, rehearse it and draft the postmortem."""

from __future__ import annotations

import click

from opslib.cli._output import FORMAT_OPTION, emit

__all__ = ["command"]


@click.group("incident")
def command() -> None:
    """Incident runbooks: list their steps, rehearse them and draft a postmortem (dry run)."""


@command.command("steps")
@click.argument("runbook", type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Fail on any parse problem instead of listing it.")
@FORMAT_OPTION
def steps(runbook: str, strict: bool, fmt: str) -> int:
    """List the steps of RUNBOOK (a Markdown incident runbook)."""
    from opslib.runbook import load_runbook

    frame = load_runbook(runbook, strict=strict)
    for problem in frame.attrs.get("errors", []):
        click.echo(f"opslib: warning: {problem['path']}:{problem['line']}: {problem['message']}", err=True)
    shown = frame.reset_index()
    if fmt != "json":
        for col in ("commands", "placeholders", "links"):
            shown[col] = shown[col].map("; ".join)
    emit(shown, fmt, columns=["step", "phase", "order", "text", "commands", "placeholders", "line"])
    return 0


@command.command("postmortem")
@click.argument("runbook", type=click.Path(dir_okay=False))
@click.option("--incident-id", required=True, help="Incident id, e.g. INC-2026-1118-api.")
@click.option("--service", required=True, help="The affected service (fills <service>).")
@click.option("--namespace", default="default", show_default=True, help="Fills {namespace}.")
@click.option("--severity", default="SEV2", show_default=True, help="SEV1..SEV5.")
@click.option("--started-at", default=None, help="Incident start (ISO 8601; UTC when no offset).")
@click.option("--history", type=click.Path(), default=None, help="History folder or file.")
@click.option("--tree", type=click.Path(file_okay=False), default=None, help="Terragrunt live tree.")
@click.option("--plans", type=click.Path(), default=None, help="Plan JSON file or folder.")
@click.option("--lookback-hours", type=float, default=24, show_default=True)
@click.option("--out", "out_dir", default="reports", show_default=True, help="Folder for the postmortem.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the Markdown instead of writing it.")
def postmortem(
    runbook: str,
    incident_id: str,
    service: str,
    namespace: str,
    severity: str,
    started_at: str | None,
    history: str | None,
    tree: str | None,
    plans: str | None,
    lookback_hours: float,
    out_dir: str,
    to_stdout: bool,
) -> int:
    """Rehearse RUNBOOK in dry run (nothing executes) and write the postmortem draft."""
    from opslib.runbook.rehearsal import rehearse

    session = rehearse(
        runbook,
        incident_id=incident_id,
        service=service,
        namespace=namespace,
        severity=severity,
        started_at=started_at,
        history=history,
        tree=tree,
        plans=plans,
        lookback_hours=lookback_hours,
        out_dir=out_dir,
    )
    if to_stdout:
        click.echo(session.postmortem(), nl=False)
        return 0
    click.echo(str(session.write_postmortem()))
    return 0

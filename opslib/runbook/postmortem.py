"""The postmortem draft of an incident session, and its record in the project history.

Sections follow the blameless templates most teams use (Google SRE book, PagerDuty, Atlassian):
summary, impact, timeline, root cause and contributing factors, detection, resolution, what went well,
what went badly, where we got lucky, action items with owners. Everything the session knows is filled
in; what only people know is asked for in italics, so the draft is useful before the review meeting.
"""

from __future__ import annotations

import inspect
import logging
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from opslib._io import atomic_write_text
from opslib.errors import ConfigError
from opslib.present.format import format_duration

if TYPE_CHECKING:
    from opslib.runbook.session import IncidentSession

__all__ = ["SECTIONS", "action_items", "log_incident", "render_postmortem", "write_postmortem"]

log = logging.getLogger(__name__)

SECTIONS = (
    "Summary",
    "Impact",
    "Timeline",
    "Root cause and contributing factors",
    "Detection",
    "Resolution",
    "What went well",
    "What went badly",
    "Where we got lucky",
    "Action items",
)
_BAD = ("failed", "refused", "timeout", "error")
_SLOW_ACK = pd.Timedelta(minutes=15)
_SLOW_MITIGATION = pd.Timedelta(minutes=60)
_MAX_ROWS = 10


def _duration(value: pd.Timedelta | None) -> str:
    if value is None or pd.isna(value):
        return "not reached"
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min" + (f" {secs:02d} s" if secs else "")
    return f"{sign}{secs} s"


def _after(s: IncidentSession, verb: str, delta: pd.Timedelta | None, missing: str) -> str:
    """``verb`` after how long ("acknowledged after 4 min"), or ``missing`` ("mitigation not recorded").

    A rehearsal's simulated clock measures nothing, so no duration is given for it.
    """
    if delta is None or pd.isna(delta):
        return missing
    if s.rehearsal:
        return f"{verb} (simulated clock)"
    return f"{verb} after {_duration(delta)}"


def _moment(s: IncidentSession, stamp: pd.Timestamp | None, delta: pd.Timedelta | None, missing: str) -> str:
    """A header row: when it happened and how long after the start, or that it was not recorded."""
    if stamp is None or pd.isna(stamp):
        return missing
    if s.rehearsal:
        return f"{_when(stamp)} (simulated clock)"
    return f"{_when(stamp)} (after {_duration(delta)})"


def _when(stamp: pd.Timestamp | None) -> str:
    return "—" if stamp is None or pd.isna(stamp) else stamp.strftime("%Y-%m-%d %H:%M:%S UTC")


def _cell(value: Any, width: int = 120) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if len(text) > width:
        text = text[: width - 1] + "…"
        if text.count("`") % 2:  # a cut code span would swallow the rest of the row
            text = text.replace("`", "")
    return text.replace("|", "\\|")


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _ask(text: str) -> str:
    return f"_{text}_"


def _command(argv: Any) -> str:
    parts = list(argv) if isinstance(argv, (list, tuple)) else []
    return f"`{shlex.join(parts)}`" if parts else ""


def _culprit_line(row: pd.Series) -> str:
    return (
        f"{row['action_type']} by {row['agent'] or 'unknown'} at {_when(row['timestamp'])} "
        f"({format_duration(row['hours_before'], 'h')} before the start): {_cell(row['description'], 200)}"
    )


def _header(s: IncidentSession) -> str:
    if s.rehearsal:
        mode = "rehearsal (simulated clock): a dry run, no command was executed and no time was measured"
    else:
        mode = "dry run (no command was executed)" if s.dry_run else "live"
    rows = [
        ["Status", "Draft"],
        ["Severity", s.severity],
        ["Service", f"`{s.service}` (namespace `{s.namespace}`)"],
        ["Runbook", s.title],
        ["Started", _when(s.started_at)],
        [
            "Acknowledged",
            _moment(s, s.acknowledged_at, s.time_to_acknowledge, "acknowledgement not recorded"),
        ],
        ["Mitigated", _moment(s, s.mitigated_at, s.time_to_mitigate, "mitigation not recorded")],
        ["Resolved", _moment(s, s.resolved_at, s.time_to_resolve, "resolution not recorded")],
        ["Incident commander", s.commander],
        ["Mode", mode],
    ]
    return f"# Postmortem: {s.incident_id} — {s.title}\n\n" + _table(["Field", "Value"], rows)


def _summary(s: IncidentSession) -> str:
    status = s.status()
    done = int((status["status"] == "done").sum())
    skipped = int((status["status"] == "skipped").sum())
    timeline = s.timeline
    commands = timeline[timeline["kind"] == "command"]
    verb = "recorded (dry run)" if s.dry_run else "run"
    if s.rehearsal:
        progress = "this is a rehearsal (simulated clock): its times are not measurements of a response."
    else:
        progress = (
            _after(s, "it was acknowledged", s.time_to_acknowledge, "acknowledgement not recorded")
            + "; "
            + _after(s, "mitigated", s.time_to_mitigate, "mitigation not recorded")
            + "."
        )
    text = [
        f"A {s.severity} incident on `{s.service}` (namespace `{s.namespace}`) started at "
        f"{_when(s.started_at)}; {progress}",
        f'The runbook "{s.title}" was followed: {done} of {len(status)} steps done, {skipped} skipped, '
        f"{len(commands)} commands {verb}.",
    ]
    culprits = s.context.get("culprits", pd.DataFrame())
    if not culprits.empty:
        line = _culprit_line(culprits.iloc[0])
        text.append(f"Likely trigger: {line}" + ("" if line.endswith(".") else "."))
    if s.resolution:
        text.append(s.resolution)
    return "\n".join(text)


def _bullets(items: list[str], empty: str) -> str:
    return "\n".join(f"- {i}" for i in items) if items else f"- {_ask(empty)}"


def _impact(s: IncidentSession, notes: dict[str, list[str]]) -> str:
    end = s.resolved_at or s.mitigated_at
    if s.rehearsal:
        duration = "not measured (rehearsal, simulated clock)."
    elif end is None:
        duration = "unknown: mitigation not recorded."
    else:
        to = "resolution" if s.resolved_at is not None else "mitigation"
        duration = f"{_duration(end - s.started_at)} (from the start to {to})."
    lines = [f"- Severity {s.severity}; service `{s.service}` in `{s.namespace}`.", f"- Duration: {duration}"]
    units = s.context.get("units", pd.DataFrame())
    own = units[units["relation"] == "service"]["unit"].tolist() if not units.empty else []
    if own:
        lines.append("- Units running the service: " + ", ".join(f"`{u}`" for u in own) + ".")
    blast = s.context.get("blast_radius", pd.DataFrame())
    if not blast.empty:
        others = blast[~blast["unit"].isin(own)]
        shown = ", ".join(f"`{u}` ({d})" for u, d in zip(others["unit"], others["distance"], strict=True))
        noun = "unit depends" if len(others) == 1 else "units depend"
        lines.append(
            f"- Blast radius: {len(others)} other {noun} on it"
            + (f" (unit and distance): {shown}." if shown else ".")
        )
    elif "blast_radius" in s.context_notes:
        lines.append(f"- Blast radius: {s.context_notes['blast_radius']}.")
    lines += [f"- {n}" for n in notes["impact"]]
    lines.append(f"- {_ask('Who was affected, how many requests or users, and for how long?')}")
    return "\n".join(lines)


def _timeline(s: IncidentSession) -> str:
    events = s.timeline.to_dict("records")
    days = {pd.Timestamp(e["at"]).strftime("%Y-%m-%d") for e in events} | {s.started_at.strftime("%Y-%m-%d")}
    # one day: the day once, above; more (a live incident started earlier, clicks today): a date per row,
    # or an acknowledgement would read as happening before the start
    stamp = "%H:%M:%S" if len(days) == 1 else "%Y-%m-%d %H:%M:%S"
    rows = []
    for event in events:
        at = pd.Timestamp(event["at"])
        step = "" if pd.isna(event["step"]) else str(event["step"])
        detail = " ".join(
            x for x in (_command(event["command"]), str(event["status"] or ""), str(event["note"] or "")) if x
        )
        first_output = str(event["output"] or "").strip().splitlines()
        if event["kind"] == "command" and first_output and event["status"] != "dry-run":
            detail += f" → {first_output[0]}"
        offset = "T+" + _duration(at - s.started_at)
        rows.append([at.strftime(stamp), offset, event["kind"], step, event["phase"], event["text"], detail])
    day = f", {next(iter(days))}" if len(days) == 1 else ""
    clock = " Rehearsal (simulated clock): the times are simulated." if s.rehearsal else ""
    return f"All times UTC{day}.{clock}\n\n" + _table(
        ["Time", "Since start", "Event", "Step", "Phase", "What", "Detail"], rows
    )


def _context_block(s: IncidentSession, key: str, empty: str) -> list[str]:
    if key in s.context_notes:
        return [f"- {key.replace('_', ' ').capitalize()}: {s.context_notes[key]}."]
    frame = s.context.get(key, pd.DataFrame())
    return [] if not frame.empty else [f"- {empty}"]


def _root_cause(s: IncidentSession, notes: dict[str, list[str]]) -> str:
    out = ["### Likely trigger", ""]
    culprits = s.context.get("culprits", pd.DataFrame())
    window = f"{s.lookback_hours:g} h"
    out += _context_block(
        s, "culprits", f"No deployment touching `{s.service}` in the {window} before the start."
    )
    if not culprits.empty:
        out.append(
            _table(
                ["Rank", "When", "Before start", "Agent", "Action", "What", "Matched by"],
                [
                    [
                        r["rank"],
                        _when(r["timestamp"]),
                        f"{r['hours_before']:.1f} h",
                        r["agent"],
                        r["action_type"],
                        r["description"],
                        r["match"],
                    ]
                    for _, r in culprits.head(_MAX_ROWS).iterrows()
                ],
            )
        )
    out += ["", "### Contributing factors", ""]
    failures = s.context.get("failures", pd.DataFrame())
    items = [f"Failure before the start: {_culprit_line(r)}" for _, r in failures.head(_MAX_ROWS).iterrows()]
    drift = s.context.get("drift", pd.DataFrame())
    if not drift.empty:
        for unit, group in drift.groupby("unit", sort=True):
            addresses = ", ".join(f"`{a}`" for a in group["address"].head(5))
            items.append(
                f"Drift in `{unit}` ({group['relation'].iloc[0]}): {len(group)} resources "
                f"changed outside Terraform ({addresses})."
            )
    for key in ("failures", "drift"):
        if key in s.context_notes:
            items.append(f"{key.capitalize()}: {s.context_notes[key]}.")
    items += notes["root_cause"]
    out.append(_bullets(items, "No failure or drift recorded near the service."))
    out += [
        "",
        _ask(
            "Confirm or correct the trigger above and write the root cause in one paragraph: "
            "what failed, why, and why safeguards did not stop it."
        ),
    ]
    return "\n".join(out)


def _steps_of(s: IncidentSession, stage: str) -> pd.DataFrame:
    status = s.status()
    return status[status["stage"] == stage]


def _detection(s: IncidentSession, notes: dict[str, list[str]]) -> str:
    items = [f"{r['text']} ({r['status']})" for _, r in _steps_of(s, "detection").iterrows()]
    if not s.rehearsal:
        items.append(_after(s, "Acknowledged", s.time_to_acknowledge, "Acknowledgement not recorded") + ".")
    items += notes["detection"]
    return (
        _bullets(items, "How was the incident detected?")
        + "\n- "
        + _ask("Did the alert fire early enough? Would a customer have noticed first?")
    )


def _resolution(s: IncidentSession, notes: dict[str, list[str]]) -> str:
    items = []
    timeline = s.timeline
    for step, row in _steps_of(s, "mitigation").iterrows():
        ran = timeline[(timeline["step"] == step) & (timeline["kind"] == "command")]
        cmds = ", ".join(_command(a) for a in ran["command"]) or ", ".join(f"`{c}`" for c in row["commands"])
        items.append(f"{row['text']}: **{row['status']}**" + (f" ({cmds})" if cmds else ""))
    if not s.rehearsal:
        items.append(
            _after(s, "Mitigated", s.time_to_mitigate, "Mitigation not recorded")
            + "; "
            + _after(s, "resolved", s.time_to_resolve, "resolution not recorded")
            + "."
        )
    if s.resolution:
        items.append(s.resolution)
    items += notes["resolution"]
    return _bullets(items, "What ended the impact?")


def _went_well(s: IncidentSession, notes: dict[str, list[str]]) -> list[str]:
    status = s.status()
    items = []
    done = int((status["status"] == "done").sum())
    if done:
        items.append(f"{done} of {len(status)} runbook steps were completed.")
    # a rehearsal's simulated clock says nothing about how fast anyone was
    tta = None if s.rehearsal else s.time_to_acknowledge
    if tta is not None and tta <= _SLOW_ACK:
        items.append(f"Fast acknowledgement ({_duration(tta)}).")
    ttm = None if s.rehearsal else s.time_to_mitigate
    if ttm is not None and ttm <= _SLOW_MITIGATION:
        items.append(f"Mitigated within {_duration(ttm)}.")
    if not s.context.get("culprits", pd.DataFrame()).empty:
        items.append("The history pointed at a likely trigger at once.")
    return items + notes["well"]


def _went_badly(s: IncidentSession, notes: dict[str, list[str]]) -> list[str]:
    timeline = s.timeline
    items = []
    for event in timeline[timeline["status"].isin(_BAD)].itertuples(index=False):
        first = (str(event.output).strip().splitlines() or [""])[0]
        items.append(f"Step {event.step}: {_command(event.command) or 'command'} {event.status}: {first}")
    for _, row in s.status()[lambda f: f["status"] == "skipped"].iterrows():
        items.append(f"Step {row.name} was skipped: {row['text']}")
    tta, ttm = s.time_to_acknowledge, s.time_to_mitigate
    if s.rehearsal:
        return items + notes["badly"]
    if tta is not None and tta > _SLOW_ACK:
        items.append(f"Slow acknowledgement ({_duration(tta)}).")
    if ttm is None:
        items.append("The impact was not mitigated during the session.")
    elif ttm > _SLOW_MITIGATION:
        items.append(f"Mitigation took {_duration(ttm)}.")
    return items + notes["badly"]


def _lucky(s: IncidentSession, notes: dict[str, list[str]]) -> list[str]:
    items = []
    blast = s.context.get("blast_radius", pd.DataFrame())
    if "blast_radius" not in s.context_notes and len(blast) <= 1:
        items.append("No other unit depends on the service's units: the blast radius stayed small.")
    if "drift" not in s.context_notes and s.context.get("drift", pd.DataFrame()).empty:
        items.append("No drift in the service's units: the code matched what was running.")
    return items + notes["lucky"]


def action_items(s: IncidentSession) -> list[dict[str, str]]:
    """Action items: the session's own, then ones derived from culprits, failures, skips and drift."""
    items = list(s.action_items)
    culprits = s.context.get("culprits", pd.DataFrame())
    if not culprits.empty:
        top = culprits.iloc[0]
        label = top.get("id") if isinstance(top.get("id"), str) else top["description"]
        items.append(
            {
                "action": f"Review the likely trigger ({_cell(label, 80)}) and add a check that "
                f"would have stopped it",
                "owner": str(top["agent"] or s.commander),
                "due": "",
                "source": "context",
            }
        )
    timeline = s.timeline
    for event in timeline[timeline["status"].isin(_BAD)].itertuples(index=False):
        items.append(
            {
                "action": f"Fix runbook step {event.step}: {_command(event.command) or 'command'} "
                f"{event.status}",
                "owner": s.commander,
                "due": "",
                "source": "timeline",
            }
        )
    for _, row in s.status()[lambda f: f["status"] == "skipped"].iterrows():
        what = f"{row['phase']}: {_cell(row['text'], 60)}"
        items.append(
            {
                "action": f"Decide whether step {row.name} ({what}) stays in the runbook",
                "owner": s.commander,
                "due": "",
                "source": "timeline",
            }
        )
    drift = s.context.get("drift", pd.DataFrame())
    for unit in sorted(set(drift["unit"])) if not drift.empty else []:
        items.append(
            {"action": f"Reconcile drift in `{unit}`", "owner": s.commander, "due": "", "source": "drift"}
        )
    if s.context_notes:
        missing = ", ".join(sorted(s.context_notes))
        items.append(
            {
                "action": f"Make the missing incident context available ({missing})",
                "owner": s.commander,
                "due": "",
                "source": "context",
            }
        )
    seen: set[str] = set()
    return [i for i in items if not (i["action"] in seen or seen.add(i["action"]))]  # type: ignore[func-returns-value]


def render_postmortem(s: IncidentSession) -> str:
    """The postmortem draft as Markdown: a header table, then :data:`SECTIONS` in order."""
    notes = s.notes_by_category()
    items = action_items(s)
    bodies = {
        "Summary": _summary(s),
        "Impact": _impact(s, notes),
        "Timeline": _timeline(s),
        "Root cause and contributing factors": _root_cause(s, notes),
        "Detection": _detection(s, notes),
        "Resolution": _resolution(s, notes),
        "What went well": _bullets(_went_well(s, notes), "What helped?"),
        "What went badly": _bullets(_went_badly(s, notes), "Nothing recorded; what slowed us down?"),
        "Where we got lucky": _bullets(_lucky(s, notes), "What could have made this worse?"),
        "Action items": _table(
            ["#", "Action", "Owner", "Due", "Source"],
            [
                [n, i["action"], i["owner"], i.get("due") or "TBD", i.get("source", "")]
                for n, i in enumerate(items, 1)
            ],
        ),
    }
    parts = [_header(s)] + [f"## {name}\n\n{bodies[name]}" for name in SECTIONS]
    return "\n\n".join(parts) + "\n"


def _safe_name(incident_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", incident_id).strip(".-") or "incident"


def write_postmortem(s: IncidentSession, path: str | Path | None = None) -> Path:
    """Write the draft atomically; default ``<out_dir>/postmortem-<incident_id>.md``."""
    target = Path(path) if path is not None else s.out_dir / f"postmortem-{_safe_name(s.incident_id)}.md"
    atomic_write_text(target, render_postmortem(s))
    s.postmortem_path = target
    log.info("postmortem written to %s", target)
    return target


def _call(func: Any, folder: Path, fields: dict[str, Any]) -> Any:
    """Call ``log_activity`` with the fields its signature accepts (it is still growing)."""
    params = inspect.signature(func).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        fields = {k: v for k, v in fields.items() if k in params}
    return func(folder, **fields)


def _seconds(value: pd.Timedelta | None) -> float | None:
    return None if value is None else float(value.total_seconds())


def log_incident(s: IncidentSession, folder: str | Path) -> list[Any]:
    """Append two history events through ``opslib.log_activity``: the incident (an ``escalation``,
    which the users' failure queries count) and its resolution."""
    try:
        from opslib import log_activity
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot record the incident: opslib.log_activity is unavailable ({exc})") from exc
    target = Path(folder)
    tags = ["incident", s.severity.lower(), s.service.lower()]
    culprits = s.context.get("culprits", pd.DataFrame())
    # kept by log_activity as extra keys of the JSON entry: the incident's numbers, queryable later
    facts = {
        "id": s.incident_id,
        "severity": s.severity,
        "service": s.service,
        "namespace": s.namespace,
        "started_at": s.started_at.isoformat(),
        "dry_run": s.dry_run,
        "time_to_acknowledge_s": _seconds(s.time_to_acknowledge),
        "time_to_mitigate_s": _seconds(s.time_to_mitigate),
        "time_to_resolve_s": _seconds(s.time_to_resolve),
        "likely_trigger": None if culprits.empty else str(culprits.iloc[0].get("id") or ""),
    }
    incident = {
        "agent": s.commander,
        "action_type": "escalation",
        "category": "operations",
        "description": f"Incident {s.incident_id} ({s.severity}) on {s.service}: {s.title}",
        "status": "completed",
        "task": f"incident {s.incident_id}",
        "tags": tags,
        "summary": (
            _after(s, "Acknowledged", s.time_to_acknowledge, "Acknowledgement not recorded")
            + (f"; likely trigger: {_culprit_line(culprits.iloc[0])}" if not culprits.empty else "")
        ),
        "timestamp": s.started_at.to_pydatetime(),
        "title": f"Incident {s.incident_id} ({s.severity}) on {s.service}",
        "incident": facts,
    }
    done = s.mitigated_at is not None
    written = getattr(s, "postmortem_path", None)
    resolution = {
        "agent": s.commander,
        "action_type": "resolution",
        "category": "operations",
        "description": f"Resolved incident {s.incident_id} on {s.service}"
        if done
        else f"Incident {s.incident_id} on {s.service} not yet mitigated",
        "status": "completed" if s.resolved_at is not None else ("partial" if done else "failed"),
        "task": f"incident {s.incident_id}",
        "tags": [*tags, "resolution", "postmortem"],
        "summary": (
            _after(s, "Mitigated", s.time_to_mitigate, "Mitigation not recorded") + f". {s.resolution}"
        ).strip(),
        "follow_up": [i["action"] for i in action_items(s)],
        "files_created": [str(written)] if written is not None else [],
        "timestamp": (s.resolved_at or s.mitigated_at or s.timeline["at"].iloc[-1]).to_pydatetime(),
        "incident": facts,
    }
    return [_call(log_activity, target, incident), _call(log_activity, target, resolution)]

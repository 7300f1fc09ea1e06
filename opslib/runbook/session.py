"""An incident walkthrough: run, tick off and annotate runbook steps; keep a timeline.

``IncidentSession`` is deliberately free of any UI: the JupyterLab checklist (``widgets.py``), the
papermill rehearsal in the notebook and the CLI all drive the same five verbs (run, done, skip, note,
resolve), so whatever a button does a test can do too.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pandas as pd

from opslib._time import utc_timestamp
from opslib.errors import ExecutionError, ParameterError
from opslib.runbook.context import IncidentContext, gather_context
from opslib.runbook.executor import CommandResult, ExecutorConfig, build_argv, run_argv
from opslib.runbook.parse import load_runbook
from opslib.secrets import Masker

__all__ = ["NOTE_CATEGORIES", "SEVERITIES", "TIMELINE_COLUMNS", "IncidentSession", "simulated_clock"]

log = logging.getLogger(__name__)

TIMELINE_COLUMNS = ["at", "kind", "step", "phase", "text", "command", "exit_code", "output", "note", "status"]
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
#: where a categorised note lands in the postmortem
NOTE_CATEGORIES = ("impact", "root_cause", "detection", "resolution", "well", "badly", "lucky")
_STEP_STATUS = {"done": "done", "skip": "skipped"}
_RUN_STATUS = {"ok": "ran", "dry-run": "ran", "manual": "ran", "refused": "refused"}

Clock = Callable[[], pd.Timestamp]


def _utc(value: Any, name: str) -> pd.Timestamp:
    return utc_timestamp(value, name)


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC")


def simulated_clock(start: Any, step: pd.Timedelta | str = "2min") -> Clock:
    """A clock that starts at ``start`` and advances ``step`` on every reading.

    A rehearsal under papermill uses it so the timeline, time to acknowledge and time to mitigate read
    like a walk through the incident and are the same on every run.
    """
    current = [_utc(start, "start")]
    delta = pd.Timedelta(step)

    def tick() -> pd.Timestamp:
        current[0] = current[0] + delta
        return current[0]

    return tick


class IncidentSession:
    """Walk a runbook during an incident and keep what happened.

    ``runbook`` is a path or a frame from :func:`~opslib.runbook.load_runbook`. Placeholders in commands
    are filled from ``service``, ``namespace``, ``incident_id``, ``severity`` and ``values``.
    ``history``, ``tree`` and ``plans`` (paths or loaded objects) feed :attr:`context`. With
    ``dry_run=True`` (the default) nothing is executed; live, only ``allowlist`` programs and scripts
    inside ``scripts_dir`` run, each within ``timeout`` seconds. ``clock`` returns the current UTC time
    (tests and rehearsals pass :func:`simulated_clock`).
    """

    def __init__(
        self,
        runbook: str | Path | pd.DataFrame,
        *,
        incident_id: str,
        service: str,
        namespace: str = "default",
        severity: str = "SEV2",
        started_at: Any = None,
        history: Any = None,
        tree: Any = None,
        plans: Any = None,
        lookback_hours: float = 24,
        dry_run: bool = True,
        allowlist: Iterable[str] | None = None,
        scripts_dir: str | Path | None = None,
        timeout: float = 60,
        out_dir: str | Path = "reports",
        values: Mapping[str, Any] | None = None,
        commander: str = "incident-commander",
        secrets: Iterable[str] = (),
        clock: Clock | None = None,
    ) -> None:
        self.steps_frame = runbook if isinstance(runbook, pd.DataFrame) else load_runbook(runbook)
        self.title = str(self.steps_frame.attrs.get("title") or "Incident runbook")
        if not str(incident_id or "").strip():
            raise ParameterError("incident_id must not be empty")
        if not str(service or "").strip():
            raise ParameterError("service must not be empty")
        self.incident_id = str(incident_id)
        self.service = str(service)
        self.namespace = str(namespace)
        self.severity = _severity(severity)
        self.dry_run = bool(dry_run)
        self.commander = commander
        self.out_dir = Path(out_dir)
        self.lookback_hours = float(lookback_hours)
        self._clock: Clock = clock or _now
        self.started_at = _utc(started_at, "started_at") if started_at is not None else self._clock()
        self.config = ExecutorConfig.make(allowlist, scripts_dir, timeout)
        self.masker = Masker(secrets)
        self.values = {
            "service": self.service,
            "app": self.service,
            "namespace": self.namespace,
            "ns": self.namespace,
            "incident_id": self.incident_id,
            "severity": self.severity,
            **dict(values or {}),
        }
        self.action_items: list[dict[str, str]] = []
        self.acknowledged_at: pd.Timestamp | None = None
        self.mitigated_at: pd.Timestamp | None = None
        self.resolved_at: pd.Timestamp | None = None
        self.resolution: str = ""
        self.postmortem_path: Path | None = None
        #: a rehearsal walks the runbook on a simulated clock: its durations are not measurements
        self.rehearsal = False
        self._events: list[dict[str, Any]] = []
        self._listeners: list[Callable[[IncidentSession], None]] = []
        self._record(
            "start",
            text=f"{self.severity} incident {self.incident_id} on {self.service} ({self.namespace}) started",
            at=self.started_at,
        )
        self._context: IncidentContext = gather_context(
            service=self.service,
            namespace=self.namespace,
            started_at=self.started_at,
            history=history,
            tree=tree,
            plans=plans,
            lookback_hours=self.lookback_hours,
        )

    # ----------------------------------------------------------------------------------- inputs
    @property
    def context(self) -> dict[str, pd.DataFrame]:
        """Frames gathered at start: culprits, events, failures, drift, blast_radius, units."""
        return self._context.frames

    @property
    def context_notes(self) -> dict[str, str]:
        """For each context frame that could not be built, why (``"not available: ..."``)."""
        return self._context.notes

    def _step(self, step: Any) -> pd.Series:
        try:
            index = int(step)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"step must be a step number, got {step!r}") from exc
        if index not in self.steps_frame.index:
            raise ParameterError(f"no step {index}: the runbook has steps 0..{len(self.steps_frame) - 1}")
        return cast(pd.Series, self.steps_frame.loc[index])

    def argv(self, step: int) -> list[list[str]]:
        """The argument vectors ``run(step)`` would execute (placeholders filled)."""
        return [build_argv(c, self.values) for c in self._step(step)["commands"]]

    def commands(self, step: int) -> list[str]:
        """The commands of ``step`` as they will run (placeholders filled), for people to read; a
        command that cannot be filled is shown as written with the reason."""
        shown = []
        for command in self._step(step)["commands"]:
            try:
                shown.append(shlex.join(build_argv(command, self.values)))
            except ExecutionError as exc:
                shown.append(f"{command} (will not run: {exc})")
        return shown

    # ----------------------------------------------------------------------------------- events
    def subscribe(self, listener: Callable[[IncidentSession], None]) -> None:
        """Call ``listener(session)`` after every new timeline event (the live timeline widget)."""
        self._listeners.append(listener)

    def _record(
        self,
        kind: str,
        *,
        step: int | None = None,
        text: str = "",
        command: list[str] | None = None,
        exit_code: int | None = None,
        output: str = "",
        note: str = "",
        status: str = "",
        at: pd.Timestamp | None = None,
    ) -> dict[str, Any]:
        phase = str(self.steps_frame.loc[step, "phase"]) if step is not None else ""
        event = {
            "at": at if at is not None else self._clock(),
            "kind": kind,
            "step": step,
            "phase": phase,
            "text": text,
            "command": list(command or []),
            "exit_code": exit_code,
            "output": output,
            "note": note,
            "status": status,
        }
        self._events.append(event)
        for listener in list(self._listeners):
            listener(self)
        return event

    def _acknowledge_once(self) -> None:
        if self.acknowledged_at is None:
            self.acknowledge()

    def acknowledge(self, note: str = "") -> pd.Timestamp:
        """Mark the incident acknowledged (done implicitly by the first action)."""
        if self.acknowledged_at is None:
            event = self._record("acknowledge", text=f"acknowledged by {self.commander}", note=note)
            self.acknowledged_at = event["at"]
        return self.acknowledged_at

    def run(self, step: int) -> list[CommandResult]:
        """Run (or, in dry-run, record) every command of ``step``; one timeline event per command."""
        row = self._step(step)
        index = int(step)
        self._acknowledge_once()
        results: list[CommandResult] = []
        if not row["commands"]:
            self._record(
                "run",
                step=index,
                text=str(row["text"]),
                status="manual",
                output="(no command: a manual step)",
            )
            return results
        for command in row["commands"]:
            result = self._run_one(command)
            results.append(result)
            self._record(
                "command",
                step=index,
                text=str(row["text"]),
                command=result.argv,
                exit_code=result.exit_code,
                output=result.output,
                status=result.status,
            )
        return results

    def _run_one(self, command: str) -> CommandResult:
        try:
            argv = build_argv(command, self.values)
        except ExecutionError as exc:
            return CommandResult([command], "refused", output=str(exc))
        if self.dry_run:
            return CommandResult(argv, "dry-run", output="(dry run: not executed)")
        return run_argv(argv, self.config, self.masker)

    def done(self, step: int, note: str = "") -> None:
        """Tick off ``step``; a mitigation step done marks the incident mitigated."""
        row = self._step(step)
        self._acknowledge_once()
        event = self._record("done", step=int(step), text=str(row["text"]), note=note, status="done")
        if row["stage"] == "mitigation" and self.mitigated_at is None:
            self.mitigated_at = event["at"]

    def skip(self, step: int, reason: str = "") -> None:
        """Skip ``step`` with a reason (required: skipped steps become postmortem action items)."""
        row = self._step(step)
        if not str(reason or "").strip():
            raise ParameterError(f"step {int(step)}: say why it is skipped (a skip needs a reason)")
        self._acknowledge_once()
        self._record("skip", step=int(step), text=str(row["text"]), note=reason, status="skipped")

    def note(self, text: str, *, step: int | None = None, category: str | None = None) -> None:
        """Add a note to the timeline; ``category`` (impact, root_cause, detection, resolution, well,
        badly, lucky) files it under that postmortem section too."""
        if category is not None and category not in NOTE_CATEGORIES:
            raise ParameterError(f"note category must be one of {', '.join(NOTE_CATEGORIES)}")
        if step is not None:
            self._step(step)
        self._acknowledge_once()
        self._record("note", step=None if step is None else int(step), text=category or "", note=str(text))

    def mitigate(self, note: str = "") -> None:
        """Declare the impact mitigated (when no runbook step says so)."""
        self._acknowledge_once()
        event = self._record("mitigated", text="impact mitigated", note=note)
        if self.mitigated_at is None:
            self.mitigated_at = event["at"]

    def resolve(self, summary: str = "") -> None:
        """Close the incident; ``summary`` becomes the postmortem's resolution text."""
        self._acknowledge_once()
        if self.mitigated_at is None:
            self.mitigate()
        event = self._record("resolved", text="incident resolved", note=summary)
        self.resolved_at = event["at"]
        self.resolution = summary

    def action_item(self, text: str, owner: str | None = None, due: str = "") -> None:
        """Add an action item for the postmortem."""
        self.action_items.append(
            {"action": text, "owner": owner or self.commander, "due": due, "source": "session"}
        )

    def walk(self, *, mark_done: bool = True) -> None:
        """Rehearse the whole runbook: run every step and tick it off (what papermill does)."""
        for step in self.steps_frame.index:
            self.run(int(step))
            if mark_done:
                self.done(int(step))

    # ----------------------------------------------------------------------------------- views
    @property
    def timeline(self) -> pd.DataFrame:
        """Every event so far (UTC), oldest first.

        Columns: at, kind (start | acknowledge | command | run | done | skip | note | mitigated |
        resolved), step (runbook step number or NA), phase, text, command (argv list), exit_code, output
        (truncated, secrets masked), note, status (dry-run | ok | failed | refused | timeout | error |
        manual | done | skipped).
        """
        frame = pd.DataFrame(self._events, columns=TIMELINE_COLUMNS)
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        frame["step"] = pd.array(frame["step"].tolist(), dtype="Int64")
        frame["exit_code"] = pd.array(frame["exit_code"].tolist(), dtype="Int64")
        return frame.sort_values("at", kind="stable").reset_index(drop=True)

    def status(self) -> pd.DataFrame:
        """The runbook steps with their current ``status`` (pending, ran, failed, refused, done,
        skipped) and ``last_output``."""
        frame = self.steps_frame.copy()
        status = dict.fromkeys(frame.index, "pending")
        output: dict[int, str] = dict.fromkeys(frame.index, "")
        for event in self._events:
            step = event["step"]
            if step is None:
                continue
            if event["kind"] in _STEP_STATUS:
                status[step] = _STEP_STATUS[event["kind"]]
            elif event["kind"] in ("command", "run") and status[step] not in ("done", "skipped"):
                new = _RUN_STATUS.get(event["status"], "failed")
                # within one run a failed command outweighs a later one that worked
                if not (new == "ran" and status[step] in ("failed", "refused")):
                    status[step] = new
                output[step] = event["output"]
        frame["status"] = [status[i] for i in frame.index]
        frame["last_output"] = [output[i] for i in frame.index]
        return frame

    def _since_start(self, stamp: pd.Timestamp | None) -> pd.Timedelta | None:
        return None if stamp is None else stamp - self.started_at

    @property
    def time_to_acknowledge(self) -> pd.Timedelta | None:
        return self._since_start(self.acknowledged_at)

    @property
    def time_to_mitigate(self) -> pd.Timedelta | None:
        return self._since_start(self.mitigated_at)

    @property
    def time_to_resolve(self) -> pd.Timedelta | None:
        return self._since_start(self.resolved_at)

    def notes_by_category(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {c: [] for c in NOTE_CATEGORIES}
        for event in self._events:
            if event["kind"] == "note" and event["text"] in found:
                found[event["text"]].append(event["note"])
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(int(i) for i in self.steps_frame.index)

    def __repr__(self) -> str:
        mode = "dry-run" if self.dry_run else "live"
        return (
            f"IncidentSession({self.incident_id!r}, service={self.service!r}, {self.severity}, "
            f"{len(self.steps_frame)} steps, {len(self._events)} events, {mode})"
        )

    # ----------------------------------------------------------------------------------- outputs
    def postmortem(self) -> str:
        """The postmortem draft in Markdown (see :mod:`opslib.runbook.postmortem`)."""
        from opslib.runbook.postmortem import render_postmortem

        return render_postmortem(self)

    def write_postmortem(self, path: str | Path | None = None) -> Path:
        """Write :meth:`postmortem` to ``path`` (default ``<out_dir>/postmortem-<incident_id>.md``)."""
        from opslib.runbook.postmortem import write_postmortem

        return write_postmortem(self, path)

    def log_to_history(self, folder: str | Path) -> list[Any]:
        """Record the incident and its resolution in the project history (``opslib.log_activity``)."""
        from opslib.runbook.postmortem import log_incident

        return log_incident(self, folder)


def _severity(value: str) -> str:
    text = str(value).strip().upper()
    if re.fullmatch(r"\d", text):
        text = "SEV" + text
    if text not in SEVERITIES:
        raise ParameterError(f"severity must be one of {', '.join(SEVERITIES)}, got {value!r}")
    return text

"""The JupyterLab checklist for an incident session.

One section per runbook phase, one row per step: the commands as they will run (placeholders filled),
Run / Done / Skip buttons, a note box and an output area, and underneath a timeline that refreshes on
every event. The buttons call the session's own methods, so a test can click them headless
(``row.run_button.click()``) and read the timeline.

Under papermill there is no front end: widgets would render as nothing useful, and their HTML export
pulls the widget manager from a CDN, which breaks offline reports. :func:`is_interactive` tells the
notebook which path to take.
"""

from __future__ import annotations

import html
import logging
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from opslib.errors import OpslibError
from opslib.notebook import is_interactive
from opslib.runbook.executor import CommandResult
from opslib.runbook.session import NOTE_CATEGORIES

if TYPE_CHECKING:
    from opslib.runbook.session import IncidentSession

__all__ = ["RunbookChecklist", "StepRow", "checklist", "is_interactive", "timeline_html"]

log = logging.getLogger(__name__)

_STATUS_COLOURS = {
    "pending": "#6b7280",
    "ran": "#2563eb",
    "done": "#15803d",
    "skipped": "#a16207",
    "failed": "#b91c1c",
    "refused": "#b91c1c",
}


def _command_text(argv: Any) -> str:
    return shlex.join(argv) if isinstance(argv, (list, tuple)) and argv else ""


def timeline_html(session: IncidentSession, max_rows: int = 50) -> str:
    """The newest ``max_rows`` timeline events as an escaped HTML table."""
    frame = session.timeline.tail(max_rows)
    shown = pd.DataFrame(
        {
            # the date too: a live incident can cross midnight, and a time alone then reads out of order
            "time (UTC)": frame["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "event": frame["kind"],
            "step": frame["step"].astype("string").fillna(""),
            "phase": frame["phase"],
            "command": frame["command"].map(_command_text),
            "status": frame["status"],
            "note": frame["note"],
        }
    )
    from opslib.present.tables import table_html

    return table_html(shown, max_rows=max_rows, empty="the timeline: nothing happened yet")


def _result_html(result: CommandResult) -> str:
    code = "" if result.exit_code is None else f" exit {result.exit_code}"
    head = f"$ {shlex.join(result.argv)}\n[{result.status}{code}]"
    return f"<pre>{html.escape(head)}\n{html.escape(result.output)}</pre>"


@dataclass
class StepRow:
    """The widgets of one step."""

    step: int
    title: Any
    command: Any
    status: Any
    run_button: Any
    done_button: Any
    skip_button: Any
    note_box: Any
    note_button: Any
    output: Any
    box: Any


class RunbookChecklist:
    """Widgets driving an :class:`~opslib.runbook.IncidentSession`; ``.widget`` is what to display."""

    def __init__(self, session: IncidentSession, *, timeline_rows: int = 50) -> None:
        import ipywidgets as w  # lazy: only the interactive path needs the widget library

        self._w = w
        self.session = session
        self.timeline_rows = timeline_rows
        self.rows: dict[int, StepRow] = {}
        mode = "DRY RUN: nothing will execute" if session.dry_run else "LIVE: allowlisted commands run"
        self.header = w.HTML(
            f"<h3>{html.escape(session.incident_id)} · {html.escape(session.severity)} · "
            f"{html.escape(session.service)} ({html.escape(session.namespace)})</h3>"
            f"<p><b>{html.escape(session.title)}</b> — {mode}</p>"
        )
        sections = []
        for phase, steps in session.steps_frame.groupby("phase", sort=False):
            rows = [self._row(int(step), steps.loc[step]) for step in steps.index]
            sections.append(w.VBox([w.HTML(f"<h4>{html.escape(str(phase))}</h4>"), *[r.box for r in rows]]))
        self.note_box = w.Text(placeholder="Note for the timeline", layout=w.Layout(width="50%"))
        self.note_category = w.Dropdown(
            options=[("(timeline only)", ""), *[(c, c) for c in NOTE_CATEGORIES]],
            value="",
            layout=w.Layout(width="180px"),
        )
        self.note_button = w.Button(description="Add note", icon="comment")
        self.note_button.on_click(self._on_note)
        self.mitigate_button = w.Button(description="Mitigated", button_style="success", icon="check")
        self.resolve_button = w.Button(description="Resolve", button_style="success", icon="flag-checkered")
        self.postmortem_button = w.Button(description="Write postmortem", icon="file")
        session_ = self.session
        self.mitigate_button.on_click(lambda _b: self._guarded(lambda: session_.mitigate(self._take_note())))
        self.resolve_button.on_click(lambda _b: self._guarded(lambda: session_.resolve(self._take_note())))
        self.postmortem_button.on_click(lambda _b: self._guarded(self._write_postmortem))
        self.timeline = w.HTML()
        self.message = w.HTML()
        self.widget = w.VBox(
            [
                self.header,
                *sections,
                w.HBox([self.note_box, self.note_category, self.note_button]),
                w.HBox([self.mitigate_button, self.resolve_button, self.postmortem_button]),
                self.message,
                w.HTML("<h4>Timeline</h4>"),
                self.timeline,
            ]
        )
        session.subscribe(lambda _s: self.refresh())
        self.refresh()

    def _row(self, step: int, row: pd.Series) -> StepRow:
        w = self._w
        try:
            commands = [shlex.join(a) for a in self.session.argv(step)]
        except OpslibError as exc:  # shown, not raised: the other steps stay usable
            commands = [f"(cannot build: {exc})"]
        run = w.Button(
            description="Run" if self.session.dry_run is False else "Run (dry)",
            button_style="primary",
            disabled=not row["commands"],
        )
        done = w.Button(description="Done", button_style="success")
        skip = w.Button(description="Skip", button_style="warning")
        note = w.Text(placeholder="note / reason", layout=w.Layout(width="30%"))
        note_button = w.Button(description="Note")
        code = "".join(f"<code>{html.escape(c)}</code><br>" for c in commands)
        item = StepRow(
            step=step,
            title=w.HTML(f"<b>{step}.</b> {html.escape(str(row['text']))}"),
            command=w.HTML(code),
            status=w.HTML(),
            run_button=run,
            done_button=done,
            skip_button=skip,
            note_box=note,
            note_button=note_button,
            output=w.HTML(),
            box=None,
        )
        run.on_click(lambda _b: self._act(item, "run"))
        done.on_click(lambda _b: self._act(item, "done"))
        skip.on_click(lambda _b: self._act(item, "skip"))
        note_button.on_click(lambda _b: self._act(item, "note"))
        item.box = w.VBox(
            [
                w.HBox([item.status, item.title]),
                item.command,
                w.HBox([run, done, skip, note, note_button]),
                item.output,
            ],
            layout=w.Layout(border="1px solid #e5e7eb", padding="4px", margin="2px 0"),
        )
        self.rows[step] = item
        return item

    def _act(self, item: StepRow, action: str) -> None:
        text = item.note_box.value.strip()
        try:
            if action == "run":
                results = self.session.run(item.step)
                shown = "".join(_result_html(r) for r in results)
                item.output.value = shown or "<i>manual step: nothing to run</i>"
            elif action == "done":
                self.session.done(item.step, note=text)
            elif action == "skip":
                self.session.skip(item.step, reason=text)
            elif text:
                self.session.note(text, step=item.step)
        except OpslibError as exc:
            self.message.value = f"<b style='color:#b91c1c'>{html.escape(str(exc))}</b>"
            return
        if action != "run" and text:
            item.note_box.value = ""
        self.message.value = ""

    def _on_note(self, _button: Any) -> None:
        text = self.note_box.value.strip()
        if not text:
            return
        self.session.note(text, category=self.note_category.value or None)
        self.note_box.value = ""

    def _take_note(self) -> str:
        text = str(self.note_box.value).strip()
        self.note_box.value = ""
        return text

    def _write_postmortem(self) -> None:
        path = self.session.write_postmortem()
        self.message.value = f"postmortem written to <code>{html.escape(str(path))}</code>"

    def _guarded(self, action: Any) -> None:
        try:
            self.message.value = ""
            action()
        except OpslibError as exc:
            self.message.value = f"<b style='color:#b91c1c'>{html.escape(str(exc))}</b>"

    def refresh(self) -> None:
        """Redraw step statuses and the timeline from the session."""
        status = self.session.status()
        for step, item in self.rows.items():
            state = str(status.loc[step, "status"])
            colour = _STATUS_COLOURS.get(state, "#6b7280")
            item.status.value = f"<span style='color:{colour};font-weight:bold'>[{state}]</span>&nbsp;"
        self.timeline.value = timeline_html(self.session, self.timeline_rows)


def checklist(session: IncidentSession, *, timeline_rows: int = 50) -> RunbookChecklist:
    """Build the checklist; display ``checklist(s).widget`` in JupyterLab."""
    return RunbookChecklist(session, timeline_rows=timeline_rows)

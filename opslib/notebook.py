"""Helpers for report notebooks: offline plotly output, tables, headline summaries, control rows.

Every report notebook calls :func:`setup` first. Charts are made by :func:`chart` (or :func:`figure`
when the notebook adds to one) and shown through :func:`show`, so the executed notebook carries plotly.js
inline (the HTML report works with no network); tables go through :func:`table`, verdicts through
:func:`verdict`, and the headline figures that ``reports/index.html`` shows through
:func:`write_summary`. Notebooks never format a value by hand: the column kinds
(:mod:`opslib.present.kinds`) decide how money, percentages, durations, timestamps and lists read.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "ALL",
    "SUMMARY_ENV",
    "Controls",
    "badge",
    "chart",
    "controls",
    "figure",
    "fmt",
    "in_papermill",
    "input_path",
    "is_interactive",
    "label",
    "no_data",
    "period_choices",
    "setup",
    "show",
    "table",
    "verdict",
    "write_summary",
]

log = logging.getLogger(__name__)

#: the runner sets this to the path where a notebook writes its JSON headline summary
SUMMARY_ENV = "OPSLIB_SUMMARY_PATH"
_INTERACTIVE_ENV = "OPSLIB_INTERACTIVE"
_state: dict[str, Any] = {"plotlyjs_sent": False}


def is_interactive(setting: bool | None = None) -> bool:
    """Whether a person is looking at the notebook (JupyterLab, Notebook 7, VS Code).

    ``setting`` True/False wins, then ``OPSLIB_INTERACTIVE=0/1``; the opslib report runner (which sets
    ``OPSLIB_SUMMARY_PATH``) and papermill are headless. Otherwise: jupyter_server sets
    ``JPY_SESSION_NAME`` for the kernels it starts for a front end, while papermill/nbclient start
    kernels without it; VS Code sets ``VSCODE_PID``.
    """
    if setting is not None:
        return bool(setting)
    forced = os.environ.get(_INTERACTIVE_ENV, "").strip().lower()
    if forced in ("0", "1", "true", "false", "yes", "no"):
        return forced in ("1", "true", "yes")
    if os.environ.get(SUMMARY_ENV) or os.environ.get("PAPERMILL_EXECUTION"):
        return False
    return bool(os.environ.get("JPY_SESSION_NAME") or os.environ.get("VSCODE_PID"))


def in_papermill() -> bool:
    """True when the notebook runs headless (the opslib runner, papermill), not in a front end."""
    return not is_interactive()


def input_path(value: str | Path | None, sample: str) -> Path:
    """A notebook parameter as a path; empty or None means the bundled sample ``data/sample/<sample>``."""
    if value is None or str(value).strip() == "":
        from opslib._paths import sample_dir

        return sample_dir() / sample
    return Path(value).expanduser()


def setup() -> None:
    """Configure pandas display and plotly for reports; call once at the top of a notebook."""
    import plotly.io as pio

    pd.set_option("display.max_rows", 60)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 200)
    pio.templates.default = "plotly_white"
    _state["plotlyjs_sent"] = False


def _plotlyjs_tag() -> str:
    from plotly.offline import get_plotlyjs

    # The bundle is embedded once per notebook, so the exported HTML needs no network.
    return (
        f'<script type="text/javascript">window.PlotlyConfig = {{MathJaxConfig: "local"}};</script>\n'
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
    )


def show(fig: Any, *, empty: str | None = None) -> None:
    """Display a plotly figure: interactive in JupyterLab, inline HTML (offline) in reports.

    ``fig`` None (what :func:`figure` returns for no rows) shows "No data for <empty>." instead.
    """
    from IPython.display import display

    if fig is None:
        no_data(empty or "this chart")
        return
    from opslib.present.charts import polish

    polish(fig)
    figure_json = json.loads(fig.to_json())  # plotly's JSON may hold numpy arrays: use its encoder
    text = f"<Figure: {fig.layout.title.text or 'plot'}>"
    if is_interactive():
        # JupyterLab, Notebook 7 and VS Code render plotly's MIME type themselves; the 4 MB plotly.js
        # bundle an HTML copy needs would travel with every redraw of a control row's output area
        display({"application/vnd.plotly.v1+json": figure_json, "text/plain": text}, raw=True)
        return
    html = fig.to_html(
        include_plotlyjs=False, full_html=False, config={"displaylogo": False, "responsive": True}
    )
    if not _state["plotlyjs_sent"]:
        html = _plotlyjs_tag() + "\n" + html
        _state["plotlyjs_sent"] = True
    bundle = {"application/vnd.plotly.v1+json": figure_json, "text/html": html, "text/plain": text}
    display(bundle, raw=True)


def figure(frame: pd.DataFrame, kind: str = "bar", **options: Any) -> Any:
    """A chart of ``frame`` with titles, axis titles and legends in words (None when there is no data).

    ``kind`` is bar, line, scatter, histogram or heatmap; ``x``, ``y``, ``color``, ``title`` (required)
    name columns as in plotly express; ``currency`` labels money axes. See
    :func:`opslib.present.charts.figure`. Use it when the notebook adds to the figure, then :func:`show`.
    """
    from opslib.present.charts import figure as build

    return build(frame, kind, **options)


def chart(frame: pd.DataFrame, kind: str = "bar", *, empty: str | None = None, **options: Any) -> None:
    """Make and show a chart (:func:`figure`); no rows show "No data for <empty or title>." instead."""
    fig = figure(frame, kind, **options)
    show(fig, empty=empty or str(options.get("title", "this chart")).lower())


def fmt(
    value: Any,
    kind: str = "number",
    *,
    currency: str | None = None,
    unit: str | None = None,
    signed: bool = False,
) -> str:
    """One value as the tables show it, for sentences: ``fmt(6537.28, "money", currency="USD")``.

    ``kind`` is a column name (``"monthly_cost"``, ``"failure_rate"``, ``"mean_hours"``) or a kind
    (money, percent, duration with ``unit`` s/min/h/d, count, number, timestamp, date).
    """
    from opslib.present.format import format_value
    from opslib.present.kinds import KINDS, Kind

    chosen = KINDS.get(kind) or Kind(kind, unit, signed=signed)
    if signed and not chosen.signed:
        chosen = Kind(chosen.name, chosen.unit, signed=True)
    return format_value(value, chosen, currency=currency, unit=unit)


def label(column: str) -> str:
    """A column name in words, as table headers and axis titles show it: ``cost_center`` -> "cost center"."""
    from opslib.present.kinds import label_of

    return label_of(column)


def no_data(what: str) -> None:
    """Show the "No data for <what>." note a report prints instead of an empty chart or table."""
    from IPython.display import HTML, display

    from opslib.present.tables import STYLE, empty_note

    display(HTML(STYLE + empty_note(what)))


def table(
    frame: pd.DataFrame,
    *,
    max_rows: int = 50,
    caption: str | None = None,
    currency: str | None = None,
    sort_by: str | None = None,
    ascending: bool = False,
    empty: str | None = None,
) -> None:
    """Display a frame as a table, every value formatted by its column's kind.

    The first ``max_rows`` rows (after sorting by ``sort_by``, largest first unless ``ascending``) and a
    note when rows are cut; ``currency`` labels money columns when the frame has no ``currency``
    column; an empty frame shows "No data for <empty or caption>.".
    """
    from IPython.display import HTML, display

    from opslib.present.tables import table_html

    display(
        HTML(
            table_html(
                frame,
                max_rows=max_rows,
                caption=caption,
                currency=currency,
                sort_by=sort_by,
                ascending=ascending,
                empty=empty,
            )
        )
    )


_TONES = {
    "ok": ("#e6f4ea", "#1e6b34"),
    "warn": ("#fff4e0", "#8a5300"),
    "bad": ("#fde8e8", "#8a1c1c"),
    "info": ("#eef1f5", "#333c48"),
}


def badge(label: str, tone: str = "info") -> str:
    """A coloured label as HTML (no emoji, so it reads the same without an emoji font)."""
    background, colour = _TONES.get(tone, _TONES["info"])
    return (
        f'<span class="opslib-badge opslib-{tone}" style="display:inline-block;padding:.1em .55em;'
        f"border-radius:.3em;background:{background};color:{colour};border:1px solid {colour};"
        f'font-weight:600;font-size:.9em;letter-spacing:.02em">{_escape(label.upper())}</span>'
    )


def verdict(label: str, message: str = "", tone: str = "info") -> None:
    """Display a verdict: a badge (ok / warn / bad / info) followed by its message."""
    from IPython.display import HTML, display

    text = f" {_escape(message)}" if message else ""
    display(HTML(f'<p class="opslib-verdict">{badge(label, tone)}{text}</p>'))


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def write_summary(summary: Mapping[str, Any], path: str | Path | None = None) -> None:
    """Write the notebook's headline figures (JSON) where the runner asked; a no-op interactively.

    Returns nothing on purpose: as a cell's last expression it must not print into the report.
    """
    target = path or os.environ.get(SUMMARY_ENV)
    if not target:
        return
    from opslib._io import atomic_write_text

    atomic_write_text(Path(target), json.dumps(dict(summary), indent=2, default=str, sort_keys=True))


#: the label of the "no filter" choice; the redraw functions receive None for it
ALL = "all"

Redraw = Callable[..., Any]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other non-scalars are values, not gaps
        return False


def period_choices(
    default: int | None = None, weeks: Iterable[int] = (4, 13, 26, 52)
) -> dict[str, int | None]:
    """Choices of a period dropdown, ``{label: weeks}``: the whole history (None) and the last N weeks.

    ``default`` (the notebook's parameter) is among them even when it is not one of ``weeks``.
    """
    sizes = sorted({int(w) for w in weeks} | ({int(default)} if default else set()))
    return {"all time": None, **{f"last {w} weeks": w for w in sizes}}


def _choices(options: Mapping[str, Any] | Iterable[Any], default: Any) -> list[tuple[str, Any]]:
    """(label, value) pairs of one dropdown.

    A mapping is taken as given (label -> value), e.g. a period dropdown; any other iterable (list,
    pandas Series) becomes its distinct values, in order, after an ``all`` choice whose value is None,
    the same "no filter" a None parameter means. The default is always one of the choices, so a
    parameter outside the offered values is still shown as chosen.
    """
    if isinstance(options, Mapping):
        pairs = [(str(label), value) for label, value in options.items()]
    else:
        pairs = [(ALL, None)]
        seen: set[Any] = set()
        for value in options:
            if _missing(value) or value == ALL or value in seen:
                continue
            seen.add(value)
            pairs.append((str(value), value))
    if not any(value == default for _, value in pairs):
        pairs.append((str(default), default))
    return pairs


class Controls:
    """A control row and the output areas it redraws; made by :func:`controls`.

    ``values`` holds the chosen value per control (None for ``all``). :meth:`draw` adds an output area
    where the cell calling it stands, so each section of a report keeps its place and all of them
    redraw on every change. Headless every ``draw`` runs its function once with the parameters.
    """

    def __init__(
        self,
        options: Mapping[str, Mapping[str, Any] | Iterable[Any]],
        *,
        defaults: Mapping[str, Any] | None = None,
        interactive: bool | None = None,
    ) -> None:
        given = dict(defaults or {})
        self.values: dict[str, Any] = {
            name: None if _missing(given.get(name)) else given[name] for name in options
        }
        self.interactive = is_interactive(interactive)
        self.dropdowns: dict[str, Any] = {}
        self.widget: Any = None
        self._areas: list[tuple[Any, Redraw]] = []
        if not self.interactive:
            return
        import ipywidgets as widgets

        for name, opts in options.items():
            choices = _choices(opts, self.values[name])
            # by index, not value: ipywidgets takes value=None as "nothing chosen" and shows a blank box
            # where the "all" / "all time" choice (whose value is None) should read
            chosen = next(i for i, (_, value) in enumerate(choices) if value == self.values[name])
            dropdown = widgets.Dropdown(
                options=choices,
                index=chosen,
                description=name.replace("_", " "),
                style={"description_width": "initial"},
                layout=widgets.Layout(width="auto"),
            )
            dropdown.observe(self._changed, names="value")
            self.dropdowns[name] = dropdown
        self.widget = widgets.HBox(list(self.dropdowns.values()))
        _display(self.widget)

    def draw(self, redraw: Redraw) -> None:
        """Run ``redraw(**values)`` here now, and again in the same place whenever a control changes."""
        if not self.interactive:
            redraw(**self.values)
            return
        import ipywidgets as widgets

        area = widgets.Output()
        _display(area)
        self._areas.append((area, redraw))
        self._run(area, redraw)

    def set(self, **values: Any) -> None:
        """Choose values as a person would (the dropdowns fire the redraws); headless just records them."""
        for name, value in values.items():
            if name not in self.values:
                raise KeyError(f"no control {name!r}; controls: {', '.join(self.values)}")
            if name in self.dropdowns:
                self.dropdowns[name].value = value
            else:
                self.values[name] = value

    def _changed(self, _change: Any = None) -> None:
        self.values = {name: dropdown.value for name, dropdown in self.dropdowns.items()}
        for area, redraw in self._areas:
            self._run(area, redraw)

    def _run(self, area: Any, redraw: Redraw) -> None:
        area.clear_output(wait=True)
        with area:
            # a new plotly.js bundle per redraw is not needed: JupyterLab renders the plotly MIME type
            redraw(**self.values)

    def _ipython_display_(self) -> None:
        # the row and its areas are displayed where they were made; as a cell's last expression the
        # object itself must add nothing (headless: no widget, no text in the report)
        return None

    def __repr__(self) -> str:
        return f"Controls({self.values!r}, interactive={self.interactive})"


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def controls(
    options: Mapping[str, Mapping[str, Any] | Iterable[Any]],
    redraw: Redraw | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    interactive: bool | None = None,
) -> Controls:
    """A control row of dropdowns (account, environment, agent, period...) that redraws in place.

    ``options`` maps each control to its choices: a list or Series of values (an ``all`` choice, passed
    to the redraw functions as None, comes first) or a ``{label: value}`` mapping taken as given (a
    period). ``defaults`` are the notebook's parameters. ``redraw`` (optional) is drawn right under the
    row; more output areas, each in its own cell, come from :meth:`Controls.draw`. Every redraw function
    takes the controls as keyword arguments.

    In JupyterLab (:func:`is_interactive`) the row is shown and every change reruns every redraw
    function into its own output area. Headless (papermill, the opslib runner) no widget is shown and
    each function runs once with the defaults: the report stays static and carries no widget state
    (which would pull widget scripts from the network).
    """
    panel = Controls(options, defaults=defaults, interactive=interactive)
    if redraw is not None:
        panel.draw(redraw)
    return panel

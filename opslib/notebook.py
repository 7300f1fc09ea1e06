"""Helpers for report notebooks: offline plotly output, tables, headline summaries, control rows.

Every report notebook calls :func:`setup` first. Figures go through :func:`show` so the executed notebook
carries plotly.js inline (the HTML report works with no network), tables through :func:`table`, and the
headline figures that ``reports/index.html`` shows through :func:`write_summary`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "SUMMARY_ENV",
    "controls",
    "in_papermill",
    "input_path",
    "is_interactive",
    "setup",
    "show",
    "table",
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


def show(fig: Any) -> None:
    """Display a plotly figure: interactive in JupyterLab, inline HTML (offline) in reports."""
    from IPython.display import display

    html = fig.to_html(
        include_plotlyjs=False, full_html=False, config={"displaylogo": False, "responsive": True}
    )
    if not _state["plotlyjs_sent"]:
        html = _plotlyjs_tag() + "\n" + html
        _state["plotlyjs_sent"] = True
    bundle = {
        "application/vnd.plotly.v1+json": fig.to_plotly_json(),
        "text/html": html,
        "text/plain": f"<Figure: {fig.layout.title.text or 'plot'}>",
    }
    # plotly's JSON may hold numpy arrays; round-trip through plotly's encoder
    bundle["application/vnd.plotly.v1+json"] = json.loads(fig.to_json())
    display(bundle, raw=True)


def table(frame: pd.DataFrame, *, max_rows: int = 50, caption: str | None = None) -> None:
    """Display a frame as an HTML table (first ``max_rows`` rows, with a note when cut)."""
    from IPython.display import HTML, display

    shown = frame.head(max_rows)
    html = shown.to_html(index=False, border=0, classes="opslib-table", na_rep="", escape=True, max_cols=40)
    if caption:
        html = f"<p><b>{_escape(caption)}</b></p>" + html
    if len(frame) > max_rows:
        html += f"<p><i>{len(frame) - max_rows} more rows not shown (of {len(frame)}).</i></p>"
    if frame.empty:
        html = (f"<p><b>{_escape(caption)}</b></p>" if caption else "") + "<p><i>No rows.</i></p>"
    display(HTML(html))


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


def controls(
    options: Mapping[str, Sequence[Any]],
    redraw: Callable[..., None],
    *,
    defaults: Mapping[str, Any] | None = None,
) -> None:
    """A control row of dropdowns (e.g. account, environment, agent, period) that redraws in place.

    In JupyterLab the row is shown and ``redraw(**values)`` runs on every change into one output area.
    Headless (papermill) the row is not shown: ``redraw`` runs once with ``defaults`` so the report
    stays static and carries no widget state (which would pull widget scripts from the network).
    """
    defaults = dict(defaults or {})
    values = {name: defaults.get(name, "all") for name in options}
    if in_papermill():
        redraw(**values)
        return
    import ipywidgets as widgets
    from IPython.display import display

    output = widgets.Output()
    dropdowns = {
        name: widgets.Dropdown(
            options=["all", *[o for o in opts if o != "all"]], value=values[name], description=name
        )
        for name, opts in options.items()
    }

    def _refresh(_change: Any = None) -> None:
        output.clear_output(wait=True)
        with output:
            redraw(**{name: dd.value for name, dd in dropdowns.items()})

    for dropdown in dropdowns.values():
        dropdown.observe(_refresh, names="value")
    display(widgets.HBox(list(dropdowns.values())), output)
    _refresh()

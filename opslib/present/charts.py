"""One chart helper for every report: titles, axis titles in words with units, percent axes as percent,
legends with real names, a "no data" note instead of an empty chart, a marker and a sane range for a
single point, dates on time axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from opslib.present.kinds import kind_of, label_of

__all__ = ["figure", "has_data", "polish"]

_PX = {"bar": "bar", "line": "line", "scatter": "scatter", "histogram": "histogram"}
_MONEY_FORMAT = ",.2f"


def has_data(frame: pd.DataFrame | None, y: str | Sequence[str] | None = None) -> bool:
    """Rows to draw: at least one row, and some value in ``y`` when given."""
    if frame is None or frame.empty:
        return False
    columns = [y] if isinstance(y, str) else list(y or [])
    columns = [c for c in columns if c in frame.columns]
    return not columns or bool(frame[columns].notna().any().any())


def _columns(*names: Any) -> list[str]:
    found: list[str] = []
    for name in names:
        if isinstance(name, str):
            found.append(name)
        elif isinstance(name, (list, tuple)):
            found.extend(str(n) for n in name)
    return found


def figure(
    frame: pd.DataFrame,
    kind: str = "bar",
    *,
    x: str | None = None,
    y: str | Sequence[str] | None = None,
    title: str,
    color: str | None = None,
    z: str | None = None,
    text: str | None = None,
    currency: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    legend_title: str | None = None,
    **options: Any,
) -> Any:
    """A plotly figure of ``frame`` (``kind``: bar, line, scatter, histogram, heatmap), or None when
    there is nothing to draw. Axis titles and legends come from the column kinds (:func:`label_of`)."""
    if not title or not title.strip():
        raise ValueError("every chart needs a title")
    if not has_data(frame, z or y):
        return None
    if kind == "heatmap":
        scale = str(options.pop("color_continuous_scale", "Reds"))
        fig = _heatmap(frame, x=x, y=y, z=z, text=text, title=title, currency=currency, scale=scale)
    else:
        import plotly.express as px

        labels = {
            c: label_of(c, currency=currency, axis=True)
            for c in _columns(x, y, color, options.get("facet_col"))
        }
        labels.update({c: label_of(c) for c in _columns(color, options.get("facet_col"))})
        several = [] if y is None or isinstance(y, str) else [str(c) for c in y]
        wide = bool(several)
        if wide:
            labels["variable"] = legend_title or ""
            labels["value"] = y_title or label_of(several[0], currency=currency, axis=True)
        make = getattr(px, _PX[kind])
        fig = make(frame, x=x, y=y, color=color, title=title, labels=labels, **options)
        if wide:
            fig.for_each_trace(lambda t: t.update(name=label_of(t.name)))
        if kind == "histogram" and isinstance(x, str) and kind_of(x).name == "count":
            # whole numbers (distances, exit codes): one bar per value, ticks on the values
            fig.update_traces(xbins_size=1)
            fig.update_xaxes(dtick=1)
            fig.update_layout(bargap=0.15)
        if kind == "bar" and options.get("orientation") == "h":
            # a ranking reads top-down by value, whatever trace (colour) each bar belongs to
            fig.update_yaxes(categoryorder="total ascending")
    several = [] if y is None or isinstance(y, str) else [str(c) for c in y]
    polish(
        fig,
        frame,
        x=x,
        y=y if isinstance(y, str) else None,
        currency=currency,
        percent_y=bool(several) and all(kind_of(c).name == "percent" for c in several),
    )
    if several and all(kind_of(c).name == "count" for c in several):
        _whole_numbers(fig, several[0])
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    if legend_title is not None:
        fig.update_layout(legend_title_text=legend_title)
    return fig


def _heatmap(
    frame: pd.DataFrame,
    *,
    x: str | None,
    y: Any,
    z: str | None,
    text: str | None,
    title: str,
    currency: str | None,
    scale: str = "Reds",
) -> Any:
    import plotly.express as px

    if not (x and isinstance(y, str) and z):
        raise ValueError("a heatmap needs x, y and z columns")
    matrix = frame.pivot(index=y, columns=x, values=z).astype("float")
    percent = kind_of(z).name == "percent"
    fig = px.imshow(
        matrix,
        color_continuous_scale=scale,
        aspect="auto",
        zmin=0 if percent else None,
        zmax=1 if percent else None,
        labels={"x": label_of(x), "y": label_of(y), "color": label_of(z, currency=currency)},
        title=title,
    )
    if text:
        labels = frame.pivot(index=y, columns=x, values=text).reindex(
            index=matrix.index, columns=matrix.columns
        )
        fig.update_traces(text=labels.fillna("").values, texttemplate="%{text}")
    # one row of cells per 28 px: long lists of components stay readable
    fig.update_layout(height=max(320, 28 * len(matrix) + 140))
    if kind_of(z).name == "count" and matrix.max().max() <= 12:
        fig.update_coloraxes(colorbar_dtick=1)  # whole numbers: no 0.2 steps on the colour bar
    if percent:
        fig.update_coloraxes(colorbar_tickformat=".0%")
        fig.update_traces(hovertemplate="%{y} · %{x}: %{z:.1%}<extra></extra>")
    return fig


def _axis_format(fig: Any, axis: str, column: str | None, currency: str | None) -> None:
    if not column:
        return
    kind = kind_of(column)
    update = getattr(fig, f"update_{axis}axes")
    if kind.name == "percent":
        update(tickformat=".0%", hoverformat=".1%", title_text=label_of(column))
    elif kind.name == "money":
        update(tickformat=",.0f", hoverformat=_MONEY_FORMAT)
    elif kind.name in ("count", "number", "duration"):
        update(hoverformat=",.2~f")


def _points(fig: Any) -> list[Any]:
    values: list[Any] = []
    for trace in fig.data:
        xs = getattr(trace, "x", None)
        if xs is not None:
            values.extend(v for v in xs if v is not None)
    return values


def polish(
    fig: Any,
    frame: pd.DataFrame | None = None,
    *,
    x: str | None = None,
    y: str | None = None,
    currency: str | None = None,
    percent_y: bool = False,
) -> Any:
    """Make any plotly figure readable: axis titles in words, percent/money formats, one point shown
    as a marker on a sane range. Safe to call twice."""
    _axis_format(fig, "x", x, currency)
    _axis_format(fig, "y", y, currency)
    if percent_y:
        fig.update_yaxes(tickformat=".0%", hoverformat=".1%")
    fig.for_each_xaxis(lambda a: a.update(title_text=_words(a.title.text)))
    fig.for_each_yaxis(lambda a: a.update(title_text=_words(a.title.text)))
    if fig.layout.legend.title.text:
        fig.update_layout(legend_title_text=_words(fig.layout.legend.title.text))
    for trace in fig.data:
        untexted = trace.type == "bar" and trace.texttemplate is None and trace.text is None
        if untexted and y and kind_of(y).name == "money":
            trace.update(texttemplate="%{y:,.2f}" if trace.orientation != "h" else "%{x:,.2f}")
    _single_point(fig)
    _whole_numbers(fig, y)
    return fig


def _whole_numbers(fig: Any, y: str | None) -> None:
    """A count axis that tops out at a few: ticks on whole numbers, not 0.2 steps."""
    if not y or kind_of(y).name != "count":
        return
    ys = [trace.y for trace in fig.data if getattr(trace, "y", None) is not None]
    values = pd.to_numeric(pd.Series([v for y_values in ys for v in y_values]), errors="coerce").dropna()
    if len(values) and values.max() <= 5:
        fig.update_yaxes(dtick=1)


def _words(text: str | None) -> str | None:
    if not text:
        return text
    return label_of(text) if "_" in text else text


def _single_point(fig: Any) -> None:
    """One x value: markers (a line of one point draws nothing) and a range around it."""
    xs = _points(fig)
    distinct = {str(v) for v in xs}
    if len(distinct) != 1:
        return
    for trace in fig.data:
        # an invisible band edge (line width 0, like a confidence interval) stays invisible
        if trace.type == "scatter" and trace.line.width != 0:
            trace.update(mode="markers" if trace.mode in (None, "lines") else trace.mode, marker_size=10)
    value = xs[0]
    stamp = _as_time(value)
    if stamp is not None:
        for trace in fig.data:
            if trace.type == "bar" and trace.orientation != "h":
                # plotly sizes a bar from the gap to its neighbour; alone on a time axis it is 0 wide
                trace.update(width=5 * 86_400_000)
        # without a range plotly zooms to the microsecond ("23:59:59.9996"): show a week around it
        fig.update_xaxes(
            range=[stamp - pd.Timedelta(days=3.5), stamp + pd.Timedelta(days=3.5)], tickformat="%Y-%m-%d"
        )
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        fig.update_xaxes(range=[value - 1, value + 1])


def _as_time(value: Any) -> pd.Timestamp | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(stamp) else stamp.tz_localize(None) if stamp.tzinfo else stamp

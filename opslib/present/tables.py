"""A frame as an HTML table a person reads: values formatted by kind, words left, numbers right.

Long cells wrap at a maximum width and show their full text on hover; a table wider than the page
scrolls sideways inside its own box instead of running off the page.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from opslib.present.format import format_value
from opslib.present.kinds import Kind, kind_of, label_of

__all__ = ["CELL_CHARS", "STYLE", "empty_note", "table_html"]

#: cells longer than this are cut, with the full text on hover
CELL_CHARS = 160
#: a text column is at least this many characters wide (or its longest value, if shorter) before wrapping
WRAP_CHARS = 30

# Styles are scoped to the class and stronger than JupyterLab's `td { text-align: right }`, which
# would right-align words; each cell also carries its alignment inline for front ends that drop <style>.
STYLE = """<style>
div.opslib-table-box { overflow-x: auto; max-width: 100%; margin-bottom: 1em; }
table.opslib-table { table-layout: auto; border-collapse: collapse; margin: 0; }
table.opslib-table th, table.opslib-table td { padding: .3em .6em; vertical-align: top; line-height: 1.35; }
table.opslib-table th.opslib-l, table.opslib-table td.opslib-l { text-align: left; }
table.opslib-table th.opslib-r, table.opslib-table td.opslib-r { text-align: right; white-space: nowrap; }
table.opslib-table td.opslib-l { max-width: 28em; white-space: normal; overflow-wrap: anywhere; }
table.opslib-table td.opslib-nowrap { white-space: nowrap; }
p.opslib-caption { font-weight: bold; margin: .8em 0 .3em 0; }
p.opslib-note { font-style: italic; color: #555; }
</style>"""

_NOWRAP = {"timestamp", "date", "bool"}


def empty_note(what: str) -> str:
    """The note shown instead of an empty table or chart: "No data for <what>." """
    return f'<p class="opslib-note">No data for {html.escape(what)}.</p>'


def _lower_first(text: str) -> str:
    """ "Drifted resources" -> "drifted resources", for "No data for ..."; "DORA" stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _align(kind: Kind, nowrap: bool = False, width: str = "") -> str:
    """Class and inline style of a cell: numbers right, words left; short words never wrap."""
    if kind.numeric:
        return 'class="opslib-r" style="text-align:right"'
    extra = " opslib-nowrap" if nowrap or kind.name in _NOWRAP else ""
    return f'class="opslib-l{extra}" style="text-align:left{width}"'


def _cell(text: str, kind: Kind, nowrap: bool) -> str:
    title = ""
    shown = text
    if len(text) > CELL_CHARS:
        shown = text[: CELL_CHARS - 1].rstrip() + "…"
        title = f' title="{html.escape(text, quote=True)}"'
    return f"<td {_align(kind, nowrap)}{title}>{html.escape(shown)}</td>"


def _short(texts: list[str]) -> bool:
    """Every value fits in :data:`WRAP_CHARS`: the column is as wide as its longest value."""
    return max((len(t) for t in texts), default=0) <= WRAP_CHARS


def _header(column: str, kind: Kind, texts: list[str]) -> str:
    """A header cell; a long-text column keeps a minimum width so ids do not wrap letter by letter."""
    width = "" if kind.numeric or _short(texts) else f";min-width:{WRAP_CHARS * 0.6:.1f}em"
    return f"<th {_align(kind, False, width)}>{html.escape(label_of(column))}</th>"


def _column_texts(frame: pd.DataFrame, column: Any, kind: Kind, currency: str | None) -> list[str]:
    values = frame[column].tolist()
    currencies = frame["currency"].tolist() if "currency" in frame.columns else [currency] * len(values)
    units = frame["unit"].tolist() if "unit" in frame.columns else [None] * len(values)
    return [
        format_value(value, kind, currency=(cur if isinstance(cur, str) and cur else currency), unit=unit)
        for value, cur, unit in zip(values, currencies, units, strict=True)
    ]


def table_html(
    frame: pd.DataFrame,
    *,
    max_rows: int = 50,
    caption: str | None = None,
    currency: str | None = None,
    sort_by: str | None = None,
    ascending: bool = False,
    kinds: dict[str, Kind] | None = None,
    frame_name: str | None = None,
    empty: str | None = None,
) -> str:
    """``frame`` as an HTML table: the first ``max_rows`` rows (after sorting by ``sort_by``), a note
    when rows are cut, a "no data" note when there are none. ``kinds`` overrides column kinds."""
    head = f'<p class="opslib-caption">{html.escape(caption)}</p>' if caption else ""
    if frame.empty:
        return STYLE + head + empty_note(empty or _lower_first(caption or "this table"))
    if sort_by is not None:
        frame = frame.sort_values(sort_by, ascending=ascending, kind="stable", na_position="last")
    shown = frame.head(max_rows)
    given = kinds or {}
    column_kinds = [given.get(str(c)) or kind_of(str(c), shown[c], frame=frame_name) for c in shown.columns]
    texts = [_column_texts(shown, c, k, currency) for c, k in zip(shown.columns, column_kinds, strict=True)]
    shorts = [_short(col) for col in texts]
    header = "".join(
        _header(str(c), k, col) for c, k, col in zip(shown.columns, column_kinds, texts, strict=True)
    )
    rows = []
    for i in range(len(shown)):
        cells = "".join(
            _cell(col[i], k, short) for col, k, short in zip(texts, column_kinds, shorts, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    body = (
        f'<div class="opslib-table-box"><table class="opslib-table"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    more = ""
    if len(frame) > max_rows:
        more = (
            f'<p class="opslib-note">{len(frame) - max_rows:,} more rows not shown (of {len(frame):,}).</p>'
        )
    return STYLE + head + body + more

"""The presentation layer: values by kind, tables and charts as a reader sees them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from opslib.present import format_duration, format_value, kind_of, label_of
from opslib.present.charts import figure, polish
from opslib.present.kinds import BOOL, COUNT, LIST, MONEY_CHANGE, MONEY_MONTH, PERCENT, QUANTITY, TIMESTAMP
from opslib.present.tables import CELL_CHARS, table_html

RAW = re.compile(r"\[['\"]|<NA>|\bNaN\b|\bNaT\b|\bNone\b|\bTrue\b|\bFalse\b|\d+ days \d\d:|\d\.\d{5,}")


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (4802.8466, MONEY_MONTH, "4,802.85 USD"),
        (10.61, MONEY_CHANGE, "+10.61 USD"),
        (-3.5, MONEY_CHANGE, "-3.50 USD"),
        (0.269231, PERCENT, "26.9%"),
        (pd.Timestamp("2026-11-18 14:02:37", tz="UTC"), TIMESTAMP, "2026-11-18 14:02 UTC"),
        (pd.Timestamp("2026-11-18 15:02:37", tz="Europe/Paris"), TIMESTAMP, "2026-11-18 14:02 UTC"),
        (["a", "b"], LIST, "a, b"),
        ([], LIST, "—"),
        (True, BOOL, "✓"),
        (False, BOOL, ""),
        (1234567, COUNT, "1,234,567"),
        (0.246, QUANTITY, "24.6%"),  # with unit "ratio", below
    ],
)
def test_values_read_as_words(value: object, kind: object, shown: str) -> None:
    unit = "ratio" if kind is QUANTITY else None
    assert format_value(value, kind, currency="USD", unit=unit) == shown  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT, "", "  "])
def test_missing_is_a_dash_whatever_the_kind(missing: object) -> None:
    for kind in (MONEY_MONTH, PERCENT, TIMESTAMP, COUNT, LIST, kind_of("text")):
        assert format_value(missing, kind) == "—"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (45, "45 s"),
        (125, "2 min 05 s"),
        (1500, "25 min"),
        (7440, "2 h 04 min"),
        (42.7 * 3600, "42 h 42 min"),
        (14 * 86400, "14 d"),
        (3 * 86400 + 4 * 3600, "3 d 04 h"),
        (-120, "−2 min"),
    ],
)
def test_durations(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown
    assert format_duration(pd.Timedelta(seconds=seconds)) == shown


def test_duration_units_come_from_the_column() -> None:
    assert format_value(42.700772, kind_of("mean_hours")) == "42 h 42 min"
    assert format_value(14, kind_of("age_days")) == "14 d"
    assert format_value(120.0, kind_of("duration_s")) == "2 min"


def test_kinds_fall_back_to_the_dtype() -> None:
    assert kind_of("whatever", pd.Series([True, False])).name == "bool"
    assert kind_of("whatever", pd.Series(pd.to_datetime(["2026-01-01"], utc=True))).name == "timestamp"
    assert kind_of("whatever", pd.Series([["a"], ["b"]])).name == "list"
    assert kind_of("whatever", pd.Series([1.5])).name == "number"
    assert kind_of("tags").name == "list" and kind_of("tags", frame="load_costs").name == "dict"
    # a declared kind gives way when the values plainly are something else
    assert kind_of("pinned").name == "bool" and kind_of("pinned", pd.Series([6, 17])).name == "count"
    assert kind_of("units", pd.Series([["a"], ["b"]])).name == "list"


def test_labels_are_words_with_units_on_axes() -> None:
    assert label_of("failure_rate") == "failure rate"
    assert label_of("monthly_cost", currency="USD", axis=True) == "monthly cost (USD/month)"
    assert label_of("hours_to_recover", axis=True) == "time to recover (hours)"
    assert "_" not in label_of("delta_monthly_cost", axis=True)


def _cells(page: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.DOTALL)


def test_a_table_of_raw_pandas_values_shows_none_of_their_reprs() -> None:
    frame = pd.DataFrame(
        {
            "unit": ["prod/rds", "dev/vpc"],
            "monthly_cost": [4802.8466, np.nan],
            "share": [0.734686, 0.0],
            "failure_rate": [0.269231, None],
            "tags": [["a", "b"], []],
            "open": [True, False],
            "status": pd.array(["priced", pd.NA], dtype="string"),
            "wait": [pd.Timedelta(minutes=2), pd.NaT],
            "timestamp": pd.to_datetime(["2026-11-18 14:02:37", None], utc=True),
            "x": [42.700772, 1.0],
        }
    )
    page = table_html(frame, currency="USD")
    cells = _cells(page)
    assert not [c for c in cells if RAW.search(c)], cells
    assert "4,802.85 USD" in cells and "73.5%" in cells and "a, b" in cells and "✓" in cells
    assert "2026-11-18 14:02 UTC" in cells and "2 min" in cells and "42.7" in cells
    # words left, numbers right; headers in words
    assert re.search(r'class="opslib-l[^"]*"[^>]*>prod/rds<', page)
    assert re.search(r'class="opslib-r"[^>]*>4,802.85 USD<', page)
    assert "<th" in page and ">monthly cost<" in page and ">failure rate<" in page


def test_long_cells_are_cut_with_the_full_text_on_hover_and_wide_tables_scroll() -> None:
    long = "x" * (CELL_CHARS * 3)
    page = table_html(pd.DataFrame({"pattern": [long]}))
    assert f'title="{long}"' in page and "…" in page
    assert 'class="opslib-table-box"' in page and "overflow-x: auto" in page


def test_sorted_top_tables_and_cut_notes() -> None:
    frame = pd.DataFrame({"address": list("abcd"), "monthly_cost": [1.0, 9.0, 5.0, np.nan]})
    page = table_html(frame, sort_by="monthly_cost", max_rows=2)
    assert re.findall(r">([abcd])<", page) == ["b", "c"]
    assert "2 more rows not shown (of 4)" in page


def test_an_empty_table_says_there_is_no_data() -> None:
    page = table_html(pd.DataFrame(columns=["unit"]), caption="Drifted resources")
    assert "No data for drifted resources." in page and "<table" not in page


def test_charts_speak_in_words() -> None:
    frame = pd.DataFrame({"agent": ["a", "b"], "failure_rate": [0.25, 0.5], "environment": ["prod", "dev"]})
    fig = figure(
        frame, "bar", x="agent", y="failure_rate", color="environment", title="Failure rate per agent"
    )
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.yaxis.title.text == "failure rate"
    assert fig.layout.legend.title.text == "environment"
    wide = pd.DataFrame({"agent": ["a"], "events": [3], "failed": [1]})
    fig = figure(wide, "bar", x="agent", y=["events", "failed"], title="Events", y_title="events")
    assert {t.name for t in fig.data} == {"events", "failed"}
    assert fig.layout.legend.title.text in ("", None) and fig.layout.yaxis.title.text == "events"
    with pytest.raises(ValueError, match="title"):
        figure(frame, "bar", x="agent", y="failure_rate", title="")


def test_no_rows_no_chart_and_one_point_gets_a_marker_and_a_range() -> None:
    empty = pd.DataFrame({"period": pd.to_datetime([], utc=True), "failure_rate": []})
    assert figure(empty, "line", x="period", y="failure_rate", title="Failure rate per week") is None
    one = pd.DataFrame({"period": pd.to_datetime(["2026-06-15"], utc=True), "failure_rate": [0.5]})
    fig = figure(one, "line", x="period", y="failure_rate", title="Failure rate per week")
    assert fig.data[0].mode == "markers"
    low, high = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert pd.Timedelta(days=6) < high - low < pd.Timedelta(days=8)
    assert fig.layout.xaxis.tickformat == "%Y-%m-%d"


def test_polish_turns_column_names_into_words() -> None:
    import plotly.express as px

    fig = polish(
        px.bar(pd.DataFrame({"exit_code": [0, 2], "units": [3, 4]}), x="exit_code", y="units", title="t")
    )
    assert fig.layout.xaxis.title.text == "exit code"


def test_a_single_weekly_bar_is_drawn_and_counts_tick_on_whole_numbers() -> None:
    one = pd.DataFrame(
        {"week": pd.to_datetime(["2026-11-16"], utc=True), "events": [1], "status": ["failed"]}
    )
    fig = figure(one, "bar", x="week", y="events", color="status", title="Events per week")
    assert fig.data[0].width == 5 * 86_400_000  # alone on a time axis plotly would draw it 0 px wide
    assert fig.layout.yaxis.dtick == 1


def test_one_point_leaves_an_invisible_band_invisible() -> None:
    one = pd.DataFrame({"period": pd.to_datetime(["2026-06-15"], utc=True), "failure_rate": [1.0]})
    fig = figure(one, "line", x="period", y="failure_rate", title="Failure rate per week")
    fig.add_scatter(x=one["period"], y=[0.2], mode="lines", line={"width": 0}, showlegend=False)
    polish(fig)
    assert fig.data[0].mode == "markers" and fig.data[1].mode == "lines"

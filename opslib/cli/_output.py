"""Shared output helpers for CLI subcommands: one way to print a frame as table, JSON or CSV."""

from __future__ import annotations

import json
from typing import Any

import click
import pandas as pd

__all__ = ["FORMAT_OPTION", "emit", "frame_to_records"]

FORMATS = ("table", "json", "csv")

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def frame_to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts (timestamps in ISO 8601, NaN as null)."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def emit(
    frame: pd.DataFrame, fmt: str = "table", *, columns: list[str] | None = None, max_width: int = 60
) -> None:
    """Print ``frame`` to stdout in ``fmt`` (table, json or csv)."""
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    if fmt == "json":
        click.echo(json.dumps(frame_to_records(frame), indent=2, default=str))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        if frame.empty:
            click.echo("(no rows)")
            return
        shown = frame.copy()
        for col in shown.columns:
            if shown[col].dtype == object or str(shown[col].dtype).startswith(("str", "string")):
                shown[col] = shown[col].map(lambda v: _truncate(v, max_width))
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250):
            click.echo(shown.to_string(index=False))


def _truncate(value: Any, width: int) -> Any:
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value

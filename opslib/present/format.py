"""One value as text, by its column's kind: "4,802.85 USD", "26.9%", "2 h 04 min", "2026-11-18 14:02 UTC".

Missing values (None, NaN, NaT, ``pd.NA``, an empty string or list) are shown as :data:`MISSING`; a
value is never shown as its Python or pandas repr.
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from opslib.present.kinds import TEXT, Kind

__all__ = ["MISSING", "format_duration", "format_number", "format_value", "is_missing"]

MISSING = "—"
CHECK = "✓"
_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400}
# a row's `unit` column names the unit of a `quantity` column (the DORA measures)
_QUANTITY_UNITS = {"hours": ("duration", "h"), "days": ("duration", "d"), "ratio": ("percent", None)}


def is_missing(value: Any) -> bool:
    """None, NaN, NaT, pd.NA, an empty or blank string, an empty list or dict."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value: float, decimals: int = 2) -> str:
    """Thousands separators, at most ``decimals`` decimals, no trailing zeros: 1,234.5, 0.25, 12."""
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{float(value):,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_duration(value: Any, unit: str = "s") -> str:
    """A duration in words: "45 s", "4 min 05 s", "2 h 04 min", "3 d 04 h", "14 d"."""
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        seconds = value.total_seconds()
        unit = "s"
    else:
        seconds = float(value) * _SECONDS.get(unit or "s", 1)
    if unit == "d" and float(value).is_integer():
        # whole days are counted in days: 0 means "less than a day", not "0 s"
        return f"{int(value)} d"
    sign = "−" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if total < 60:
        text = f"{secs} s"
    elif total < 600:
        text = f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    elif total < 3600:
        text = f"{minutes} min"
    elif total < 2 * 86400:
        text = f"{days * 24 + hours} h {minutes:02d} min"
    else:
        text = f"{days} d {hours:02d} h" if hours else f"{days} d"
    return sign + text


def _timestamp(value: Any) -> pd.Timestamp | None:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if pd.isna(stamp):
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _plain(value: Any) -> str:
    """A value inside a list or dict, without quotes or brackets."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={_plain(v)}" for k, v in value.items() if not is_missing(v))
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def format_value(
    value: Any, kind: Kind = TEXT, *, currency: str | None = None, unit: str | None = None
) -> str:
    """``value`` as a reader sees it, by ``kind``; ``currency`` for money, ``unit`` for a quantity."""
    if isinstance(value, (list, tuple, set, dict)):
        if not len(value):
            return MISSING
        if kind.name == "argv" and isinstance(value, (list, tuple)):
            return shlex.join(str(v) for v in value)
        if kind.name == "commands" and isinstance(value, (list, tuple)):
            return " ; ".join(str(v) for v in value)
        return _plain(value)
    if is_missing(value):
        return MISSING
    name = kind.name
    if name == "quantity":
        name, quantity_unit = _QUANTITY_UNITS.get(str(unit or ""), ("number", None))
        kind = Kind(name, quantity_unit)
    if isinstance(value, bool) or name == "bool":
        return CHECK if bool(value) else ""
    if name in ("timestamp", "date"):
        stamp = _timestamp(value)
        if stamp is None:
            return str(value)
        return f"{stamp:%Y-%m-%d}" if name == "date" else f"{stamp:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, (pd.Timedelta, dt.timedelta)) or name == "duration":
        return format_duration(value, kind.unit or "s")
    if isinstance(value, Decimal):
        value = float(value)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if name == "money":
        text = f"{value:+,.2f}" if kind.signed else f"{value:,.2f}"
        return f"{text} {currency}" if currency else text
    if name == "percent":
        return f"{value * 100:.1f}%"
    return format_number(value)

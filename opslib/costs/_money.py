"""Exact money: infracost and the price catalogue give decimal strings; we keep them as ``Decimal``.

Floats are only for display columns. Sums that a threshold decision depends on are made on the exact
values, so 0.1 + 0.2 never becomes 0.30000000000000004 dollars in a gate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

__all__ = ["HOURS_PER_MONTH", "dsum", "is_missing", "to_decimal", "to_float"]

#: a month is 730 hours, as infracost and AWS pricing count it
HOURS_PER_MONTH = Decimal(730)


def to_decimal(value: Any) -> Decimal | None:
    """A decimal string (or int) as ``Decimal``; ``None``, ``""`` and NaN stay ``None``.

    Raises ``ValueError`` for anything that is not a number, so callers can report where it was.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if value is None or value is pd.NA:
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # repr gives the shortest string that round-trips, so 0.1 becomes Decimal("0.1")
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return result
    raise ValueError(f"not a number: {value!r}")


def is_missing(value: Any) -> bool:
    """None, NaN, ``pd.NA`` or ``NaT``: a value nobody knows."""
    if value is None:
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, (str, bytes, list, dict, tuple)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_float(value: Decimal | None) -> float:
    """The float shown in a frame; missing stays NaN (never 0)."""
    return math.nan if value is None else float(value)


def dsum(values: Iterable[Any]) -> Decimal | None:
    """Exact sum of the known values; ``None`` when none is known (an unknown cost is not a zero)."""
    total: Decimal | None = None
    for value in values:
        if is_missing(value):
            continue
        dec = value if isinstance(value, Decimal) else to_decimal(value)
        if dec is None:
            continue
        total = dec if total is None else total + dec
    return total

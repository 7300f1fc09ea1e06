"""One way to read a user's date or time: any pandas-parsable value becomes a UTC ``Timestamp``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from opslib.errors import ParameterError

__all__ = ["utc_timestamp"]


def utc_timestamp(value: Any, name: str = "time") -> pd.Timestamp:
    """``value`` as a UTC timestamp; naive values are taken as UTC. Raises ``ParameterError`` naming
    ``name`` when the value is not a date or time."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name}: not a date or time: {value!r}") from exc
    if pd.isna(stamp):
        raise ParameterError(f"{name}: not a date or time: {value!r}")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")

"""The column contract of a cost frame, shared by the infracost loader and the offline estimate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = [
    "ALLOCATION_COLUMNS",
    "COMPONENT_COLUMNS",
    "RESOURCE_COLUMNS",
    "STATUSES",
    "make_frame",
]

#: filled by :func:`opslib.costs.allocate` (missing until then, never guessed)
ALLOCATION_COLUMNS = ["account", "environment", "team", "cost_center", "owner", "allocation_source"]

#: ``priced``: the cost is known; ``usage_based``: only usage-priced parts, no usage given;
#: ``price_not_found``: a part has no price; ``unsupported``: the resource type is not priced at all;
#: ``free``: the resource itself costs nothing; ``unknown``: no cost given and no reason why.
STATUSES = ("priced", "usage_based", "price_not_found", "unsupported", "free", "unknown")

RESOURCE_COLUMNS = [
    "project",
    "unit",
    "address",
    "resource_type",
    "monthly_cost",
    "hourly_cost",
    "currency",
    "price_source",
    "price_not_found",
    "usage_based",
    "status",
    "components",
    "region",
    *ALLOCATION_COLUMNS,
    "tags",
    "monthly_cost_exact",
    "hourly_cost_exact",
    "source_file",
]

COMPONENT_COLUMNS = [
    "project",
    "unit",
    "address",
    "resource_type",
    "subresource",
    "component",
    "quantity_unit",
    "hourly_quantity",
    "monthly_quantity",
    "price",
    "monthly_cost",
    "hourly_cost",
    "currency",
    "price_source",
    "price_not_found",
    "usage_based",
    "status",
    "region",
    *ALLOCATION_COLUMNS,
    "tags",
    "price_exact",
    "monthly_cost_exact",
    "hourly_cost_exact",
    "source_file",
]

_FLOAT = {"monthly_cost", "hourly_cost", "hourly_quantity", "monthly_quantity", "price"}
_BOOL = {"price_not_found", "usage_based"}
_OBJECT = {"tags", "monthly_cost_exact", "hourly_cost_exact", "price_exact"}


def make_frame(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Rows as a frame with exactly ``columns`` and stable dtypes (also when there are no rows)."""
    records = list(rows)
    data: dict[str, Any] = {}
    for col in columns:
        values = [r.get(col) for r in records]
        if col in _FLOAT:
            data[col] = pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
        elif col in _BOOL:
            data[col] = pd.Series([bool(v) for v in values], dtype="bool")
        elif col == "components":
            data[col] = pd.Series([int(v or 0) for v in values], dtype="int64")
        elif col in _OBJECT:
            data[col] = pd.Series(values, dtype="object")
        else:
            data[col] = pd.Series(values, dtype="object").astype("string")
    return pd.DataFrame(data, columns=columns)

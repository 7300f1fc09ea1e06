"""The bundled price catalogue (``data/prices/aws-prices.csv``): list prices by region, type and size."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from opslib._io import read_text
from opslib._paths import data_dir
from opslib.costs._money import to_decimal
from opslib.errors import ParseError, SchemaError

__all__ = [
    "CATALOG_COLUMNS",
    "FIXED_HOURLY_UNITS",
    "FIXED_MONTHLY_UNITS",
    "PriceCatalog",
    "PriceRow",
    "default_catalog_path",
    "load_catalog",
]

CATALOG_COLUMNS = ["region", "resource_type", "attribute", "unit", "price_usd", "price_date", "source"]
#: charged per hour of existence: monthly = price × quantity × 730
FIXED_HOURLY_UNITS = frozenset({"hour", "vCPU-hour", "GB-hour"})
#: charged per month of existence (quantity = keys, GB, IOPS...): monthly = price × quantity
FIXED_MONTHLY_UNITS = frozenset({"month", "GB-month", "IOPS-month", "MBps-month"})
FREE_UNIT = "free"


@dataclass(frozen=True)
class PriceRow:
    region: str
    resource_type: str
    attribute: str
    unit: str
    price: Decimal
    price_date: str
    source: str
    line: int

    @property
    def usage_based(self) -> bool:
        """A price per unit of use (GB processed, requests): no cost without a usage figure."""
        return self.unit not in FIXED_HOURLY_UNITS | FIXED_MONTHLY_UNITS | {FREE_UNIT}

    @property
    def free(self) -> bool:
        return self.unit == FREE_UNIT


class PriceCatalog:
    """Prices keyed by ``(region, resource_type, attribute)``; region ``*`` matches every region."""

    def __init__(self, rows: list[PriceRow], path: str | None = None) -> None:
        self.path = path
        self._index: dict[tuple[str, str, str], PriceRow] = {}
        for row in rows:
            self._index[(row.region, row.resource_type, row.attribute)] = row
        self._types = {row.resource_type for row in rows}

    def __len__(self) -> int:
        return len(self._index)

    def lookup(self, region: str, resource_type: str, attribute: str = "") -> PriceRow | None:
        """The price row, or None when the catalogue has no price for it."""
        return self._index.get((region, resource_type, attribute)) or self._index.get(
            ("*", resource_type, attribute)
        )

    def knows(self, resource_type: str) -> bool:
        """True when some price (possibly ``free``) exists for the type in some region."""
        return resource_type in self._types

    def regions(self) -> list[str]:
        return sorted({key[0] for key in self._index if key[0] != "*"})

    def to_frame(self) -> pd.DataFrame:
        """The catalogue as a frame: the CSV columns with ``price_usd`` as float plus ``price_exact``."""
        rows = [
            {
                "region": r.region,
                "resource_type": r.resource_type,
                "attribute": r.attribute,
                "unit": r.unit,
                "price_usd": float(r.price),
                "price_date": r.price_date,
                "source": r.source,
                "usage_based": r.usage_based,
                "price_exact": r.price,
            }
            for r in self._index.values()
        ]
        return pd.DataFrame(rows, columns=[*CATALOG_COLUMNS, "usage_based", "price_exact"])


def default_catalog_path() -> Path:
    return data_dir() / "prices" / "aws-prices.csv"


def load_catalog(path: str | Path | PriceCatalog | None = None) -> PriceCatalog:
    """Read a price catalogue CSV (the bundled one by default); bad rows raise ``ParseError`` with line."""
    if isinstance(path, PriceCatalog):
        return path
    file = Path(path) if path is not None else default_catalog_path()
    try:
        mtime = file.stat().st_mtime
    except OSError as exc:
        raise ParseError(f"cannot read price catalogue: {exc.strerror or exc}", path=file) from exc
    return _load_cached(str(file), mtime)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> PriceCatalog:
    text = read_text(path, "costs", what="price catalogue")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in CATALOG_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SchemaError(f"price catalogue lacks columns: {', '.join(missing)}", path=path, line=1)
        rows = [_row(record, path, reader.line_num) for record in reader]
    except csv.Error as exc:
        raise ParseError(f"invalid CSV: {exc}", path=path, line=reader.line_num or 1) from None
    return PriceCatalog(rows, path=path)


def _row(record: dict[str | Any, Any], path: str, line: int) -> PriceRow:
    try:
        price = to_decimal(record["price_usd"])
    except ValueError as exc:
        raise ParseError(f"price_usd: {exc}", path=path, line=line) from None
    if price is None:
        raise ParseError("price_usd is empty", path=path, line=line)

    def cell(name: str) -> str:
        value = record.get(name)
        return value.strip() if isinstance(value, str) else ""  # a short row leaves None

    return PriceRow(
        region=cell("region"),
        resource_type=cell("resource_type"),
        attribute=cell("attribute"),
        unit=cell("unit"),
        price=price,
        price_date=cell("price_date"),
        source=cell("source"),
        line=line,
    )

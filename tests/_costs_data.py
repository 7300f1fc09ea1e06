"""Sample inputs the cost tests share, loaded once per test process (the sample tree takes seconds)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

import opslib
from opslib._paths import sample_dir


@lru_cache(maxsize=1)
def sample_tree() -> Any:
    return opslib.load_tree(sample_dir() / "infrastructure-live")


@lru_cache(maxsize=1)
def sample_plans() -> pd.DataFrame:
    return opslib.load_plans(sample_dir() / "plans")

"""Costs: infracost JSON, an offline estimate from the price catalogue, allocation, diffs and the gate.

``load_costs`` reads infracost output, ``estimate_costs`` prices plans or a tree offline, ``allocate``
adds account/environment/team/cost_center from the tree, ``diff`` compares two cost frames and
``check`` turns a change into a verdict with terraform-style exit codes (2: over the threshold).
"""

from __future__ import annotations

from opslib.costs._frame import COMPONENT_COLUMNS, RESOURCE_COLUMNS, STATUSES
from opslib.costs.allocation import allocate, apply_tags, ownership, unowned_share
from opslib.costs.catalog import PriceCatalog, load_catalog
from opslib.costs.compare import CostVerdict, check, diff, totals, unpriced
from opslib.costs.estimate import estimate_costs
from opslib.costs.infracost import InfracostReport, load_costs, read_infracost
from opslib.costs.report import CostReport, build_cost_report
from opslib.costs.units import unit_from_path

__all__ = [
    "COMPONENT_COLUMNS",
    "RESOURCE_COLUMNS",
    "STATUSES",
    "CostReport",
    "CostVerdict",
    "InfracostReport",
    "PriceCatalog",
    "allocate",
    "apply_tags",
    "build_cost_report",
    "check",
    "diff",
    "estimate_costs",
    "load_catalog",
    "load_costs",
    "ownership",
    "read_infracost",
    "totals",
    "unit_from_path",
    "unowned_share",
    "unpriced",
]

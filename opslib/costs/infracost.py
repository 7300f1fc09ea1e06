"""Read infracost JSON (``infracost breakdown|diff --format json``, version 0.2) into a cost frame.

The file is a tree: projects → breakdown → resources → costComponents, with ``subresources`` nesting to
any depth (an EC2 instance holds ``root_block_device`` and ``ebs_block_device[0]``). Money is a decimal
string or null; a null is an unknown cost (usage-based with no usage file, or no price found) and stays
NaN here: it is never a zero.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from opslib._io import decode_utf8, loads_json, read_bytes
from opslib.costs._frame import COMPONENT_COLUMNS, RESOURCE_COLUMNS, make_frame
from opslib.costs._money import HOURS_PER_MONTH, dsum, to_decimal
from opslib.costs.units import UnitIndex, unit_from_path
from opslib.errors import ParseError, SchemaError
from opslib.secrets import Masker, mask_named

__all__ = ["InfracostReport", "Section", "load_costs", "read_infracost"]

log = logging.getLogger(__name__)

Section = Literal["breakdown", "past", "diff"]
Level = Literal["resource", "component"]

_SECTION_KEYS: dict[str, str] = {"breakdown": "breakdown", "past": "pastBreakdown", "diff": "diff"}
_TOTAL_KEYS = (
    "totalHourlyCost",
    "totalMonthlyCost",
    "totalMonthlyUsageCost",
    "pastTotalHourlyCost",
    "pastTotalMonthlyCost",
    "pastTotalMonthlyUsageCost",
    "diffTotalHourlyCost",
    "diffTotalMonthlyCost",
    "diffTotalMonthlyUsageCost",
)


@dataclass(frozen=True)
class InfracostReport:
    """The parsed file: its root totals as exact decimals, and the raw projects."""

    path: str
    version: str
    currency: str
    command: str | None
    time_generated: str | None
    totals: dict[str, Decimal | None]
    projects: list[dict[str, Any]]
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_past(self) -> bool:
        """True for ``infracost diff`` output (or a breakdown run with ``--compare-to``)."""
        if self.command == "diff":
            return True
        return any(isinstance(p.get("pastBreakdown"), Mapping) for p in self.projects)


def read_infracost(path: str | Path) -> InfracostReport:
    """Parse an infracost JSON file; ``ParseError`` (with line) for bad JSON, ``SchemaError`` for shape."""
    file = Path(path)
    raw = read_bytes(file, "costs", what="infracost file")
    decode_utf8(raw, file)  # a stray byte is reported at its own line
    data = loads_json(raw, file)
    if not isinstance(data, dict) or not isinstance(data.get("projects"), list):
        raise SchemaError("not infracost JSON: no 'projects' list at the top level", path=file)
    version = str(data.get("version", ""))
    if version and not version.startswith("0."):
        log.warning("%s: infracost format version %s is newer than 0.2; reading it as 0.2", file, version)
    errors: list[dict[str, Any]] = []
    totals: dict[str, Decimal | None] = {}
    for key in _TOTAL_KEYS:
        totals[key] = _money(data.get(key), file, key, errors)
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    projects = [p for p in data["projects"] if isinstance(p, dict)]
    return InfracostReport(
        path=str(file),
        version=version or "0.2",
        currency=str(data.get("currency") or "USD"),
        command=(metadata or {}).get("infracostCommand"),
        time_generated=data.get("timeGenerated"),
        totals=totals,
        projects=projects,
        errors=errors,
    )


def _items(value: Any, file: Path | str, where: str, errors: list[dict[str, Any]]) -> list[Any]:
    """``value`` when it is a JSON array; null is an empty one, anything else an error."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    errors.append(
        {
            "path": str(file),
            "line": None,
            "column": None,
            "message": f"{where}: expected a list, not {type(value).__name__} {str(value)[:40]!r}",
        }
    )
    return []


def _money(value: Any, file: Path, where: str, errors: list[dict[str, Any]]) -> Decimal | None:
    try:
        return to_decimal(value)
    except ValueError as exc:
        errors.append({"path": str(file), "line": None, "column": None, "message": f"{where}: {exc}"})
        return None


def load_costs(
    path: str | Path,
    *,
    level: Level = "resource",
    section: Section = "breakdown",
    tree: Any = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Load an infracost JSON file (breakdown or diff output) as a cost frame.

    ``level="resource"`` gives one row per resource, its subresources rolled into it; ``"component"``
    one row per cost component (a subresource's components carry its path in ``subresource``).
    ``section`` picks the current ``breakdown`` (default), the ``past`` breakdown of a diff, or the
    ``diff`` itself (signed changes). ``tree`` (a ``TerragruntTree``, a tree root or a units frame) maps
    projects to unit ids and adds account, environment, team and cost_center (see ``allocate``).

    Resource columns: ``project``, ``unit`` (tree unit id from ``metadata.path``), ``address``,
    ``resource_type``, ``monthly_cost``, ``hourly_cost`` (float; NaN when unknown, never 0),
    ``currency``, ``price_source`` (``infracost``), ``price_not_found``, ``usage_based`` (bools),
    ``status`` (``priced|usage_based|price_not_found|unknown``), ``components`` (count), ``region``,
    ``account``, ``environment``, ``team``, ``cost_center``, ``owner``, ``tags`` (dict),
    ``monthly_cost_exact``, ``hourly_cost_exact`` (``Decimal`` or None), ``source_file``.
    Component columns add ``subresource``, ``component``, ``quantity_unit``, ``hourly_quantity``,
    ``monthly_quantity``, ``price`` and ``price_exact``.

    Values that are not decimal numbers are listed in ``frame.attrs["errors"]`` (``strict=True``
    raises instead); ``frame.attrs["totals"]`` holds the file's own totals as ``Decimal``.

    >>> costs = load_costs("data/sample/costs/infracost-breakdown.json")  # doctest: +SKIP
    >>> costs.groupby("unit").monthly_cost.sum()  # doctest: +SKIP
    """
    if level not in ("resource", "component"):
        raise SchemaError(f"level must be 'resource' or 'component', not {level!r}")
    if section not in _SECTION_KEYS:
        raise SchemaError(f"section must be one of {sorted(_SECTION_KEYS)}, not {section!r}")
    report = read_infracost(path)
    unit_ids, root = _tree_units(tree)
    errors = list(report.errors)
    rows: list[dict[str, Any]] = []
    for index, project in enumerate(report.projects):
        rows.extend(_project_rows(report, index, project, section, level, unit_ids, root, errors))
    if errors and strict:
        first = errors[0]
        raise ParseError(first["message"], path=first["path"])
    frame = make_frame(rows, RESOURCE_COLUMNS if level == "resource" else COMPONENT_COLUMNS)
    frame.attrs["errors"] = errors
    frame.attrs["totals"] = dict(report.totals)
    frame.attrs["currency"] = report.currency
    from opslib.costs.allocation import allocate, apply_tags

    frame = allocate(frame, tree) if tree is not None else apply_tags(frame)
    return frame


def _tree_units(tree: Any) -> tuple[UnitIndex | None, str | None]:
    if tree is None:
        return None, None
    from opslib.costs.allocation import tree_units

    units = tree_units(tree)
    root = units.attrs.get("root")
    return UnitIndex(str(u) for u in units["unit"]), (str(root) if root else None)


def _project_rows(
    report: InfracostReport,
    index: int,
    project: dict[str, Any],
    section: str,
    level: str,
    unit_ids: UnitIndex | None,
    root: str | None,
    errors: list[dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    metadata = project.get("metadata") if isinstance(project.get("metadata"), dict) else {}
    raw_path = str((metadata or {}).get("path") or project.get("name") or "")
    # infracost keeps going when a project fails (bad HCL, missing module) and lists why here
    for problem in _items(
        (metadata or {}).get("errors"), report.path, f"projects[{index}].metadata.errors", errors
    ):
        message = problem.get("message") if isinstance(problem, dict) else problem
        errors.append(
            {
                "path": report.path,
                "line": None,
                "column": None,
                "message": f"project {raw_path or index}: {message}",
            }
        )
    base = {
        "project": str(project.get("name") or raw_path),
        "unit": unit_from_path(raw_path, unit_ids, root=root),
        "currency": report.currency,
        "price_source": "infracost",
        "source_file": report.path,
    }
    breakdown = project.get(_SECTION_KEYS[section])
    if not isinstance(breakdown, dict):
        return
    resources = _items(
        breakdown.get("resources"), report.path, f"projects[{index}].{_SECTION_KEYS[section]}", errors
    )
    for r_index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            continue
        where = f"projects[{index}].{_SECTION_KEYS[section]}.resources[{r_index}]"
        if level == "resource":
            yield {**base, **_resource_row(resource, report, where, errors)}
        else:
            yield from ({**base, **row} for row in _component_rows(resource, report, where, errors))


def _resource_type(resource: Mapping[str, Any]) -> str:
    """``resourceType`` when infracost wrote it (newer versions), else read from the address."""
    declared = resource.get("resourceType")
    if declared:
        return str(declared)
    parts = [p for p in str(resource.get("name", "")).split(".") if p]
    # module.x.aws_instance.web[0] -> aws_instance; data.aws_x.y -> aws_x
    while parts and parts[0] in ("module", "data"):
        parts = parts[2:] if parts[0] == "module" else parts[1:]
    return parts[0] if parts else ""


def _walk_components(
    resource: Mapping[str, Any],
    report: InfracostReport,
    where: str,
    errors: list[dict[str, Any]],
    prefix: str = "",
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for component in _items(resource.get("costComponents"), report.path, f"{where}.costComponents", errors):
        if isinstance(component, Mapping):
            yield prefix, component
    for s_index, sub in enumerate(
        _items(resource.get("subresources"), report.path, f"{where}.subresources", errors)
    ):
        if isinstance(sub, Mapping):
            name = str(sub.get("name", ""))
            yield from _walk_components(
                sub,
                report,
                f"{where}.subresources[{s_index}]",
                errors,
                f"{prefix}.{name}" if prefix else name,
            )


def _resource_row(
    resource: Mapping[str, Any], report: InfracostReport, where: str, errors: list[dict[str, Any]]
) -> dict[str, Any]:
    file = Path(report.path)
    components = list(_walk_components(resource, report, where, errors))
    monthly = _money(resource.get("monthlyCost"), file, f"{where}.monthlyCost", errors)
    hourly = _money(resource.get("hourlyCost"), file, f"{where}.hourlyCost", errors)
    if monthly is None:
        # A hand-written or truncated file may leave the parent's total out: roll up the parts whose
        # cost is known. All parts unknown keeps the resource unknown (NaN), not zero.
        monthly = dsum(
            _money(c.get("monthlyCost"), file, f"{where}:{c.get('name')}", errors) for _, c in components
        )
    if hourly is None and monthly is not None:
        hourly = monthly / HOURS_PER_MONTH
    price_not_found = any(bool(c.get("priceNotFound")) for _, c in components)
    usage_based = any(bool(c.get("usageBased")) for _, c in components)
    return {
        "address": str(resource.get("name", "")),
        "resource_type": _resource_type(resource),
        "monthly_cost": monthly,
        "hourly_cost": hourly,
        "monthly_cost_exact": monthly,
        "hourly_cost_exact": hourly,
        "price_not_found": price_not_found,
        "usage_based": usage_based,
        "status": _status(monthly, price_not_found, usage_based),
        "components": len(components),
        "tags": _tags(resource),
    }


def _component_rows(
    resource: Mapping[str, Any], report: InfracostReport, where: str, errors: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    file = Path(report.path)
    common = {
        "address": str(resource.get("name", "")),
        "resource_type": _resource_type(resource),
        "tags": _tags(resource),
    }
    for sub, comp in _walk_components(resource, report, where, errors):
        cwhere = f"{where}{'.' + sub if sub else ''}:{comp.get('name')}"
        monthly = _money(comp.get("monthlyCost"), file, f"{cwhere}.monthlyCost", errors)
        hourly = _money(comp.get("hourlyCost"), file, f"{cwhere}.hourlyCost", errors)
        price = _money(comp.get("price"), file, f"{cwhere}.price", errors)
        pnf, usage = bool(comp.get("priceNotFound")), bool(comp.get("usageBased"))
        yield {
            **common,
            "subresource": sub or None,
            "component": str(comp.get("name", "")),
            "quantity_unit": comp.get("unit"),
            "hourly_quantity": _money(comp.get("hourlyQuantity"), file, f"{cwhere}.hourlyQuantity", errors),
            "monthly_quantity": _money(
                comp.get("monthlyQuantity"), file, f"{cwhere}.monthlyQuantity", errors
            ),
            "price": price,
            "price_exact": price,
            "monthly_cost": monthly,
            "hourly_cost": hourly,
            "monthly_cost_exact": monthly,
            "hourly_cost_exact": hourly,
            "price_not_found": pnf,
            "usage_based": usage,
            "status": _status(monthly, pnf, usage),
        }


def _status(monthly: Decimal | None, price_not_found: bool, usage_based: bool) -> str:
    if price_not_found:
        return "price_not_found"
    if monthly is None:
        return "usage_based" if usage_based else "unknown"
    return "priced"


def _tags(resource: Mapping[str, Any]) -> dict[str, str] | None:
    tags = resource.get("tags")
    if isinstance(tags, Mapping):
        # a tag named like a secret (``db_password``) or holding a known-format one is masked
        return mask_named({str(k): str(v) for k, v in tags.items()}, Masker())
    return None

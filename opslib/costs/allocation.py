"""Who pays: join costs with the tree to add account, environment, team, cost_center and owner.

Ownership comes from the files our users keep (the team's Terragrunt standards): ``account.hcl`` locals
(``owner``, ``team``, ``cost_center``), a unit's ``inputs.tags``, and ``tags.yml`` overrides (the nearest
one to the unit wins, as the root's tag merging applies them last). A resource's own tags, when the
infracost file carries them, are the most specific and win over all of these.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opslib._io import read_text
from opslib.costs._money import dsum
from opslib.errors import OpslibError, SchemaError

__all__ = ["OWNERSHIP_KEYS", "allocate", "apply_tags", "ownership", "tree_units", "unowned_share"]

log = logging.getLogger(__name__)

#: normalised tag key -> column
OWNERSHIP_KEYS = {"team": "team", "costcenter": "cost_center", "owner": "owner"}
_INTERP = re.compile(r"\$\{\s*local\.([A-Za-z0-9_]+)\s*\}")


@lru_cache(maxsize=4096)
def _norm_key(key: str) -> str:
    # tag keys repeat on every resource of a platform: normalised once each
    return _NOT_KEY.sub("", key.lower())


_NOT_KEY = re.compile(r"[^a-z0-9]")


def tree_units(tree: Any) -> pd.DataFrame:
    """The tree's units frame (``unit``, ``path``, ``account``, ``environment``, ``region``, ``inputs``).

    ``tree`` is a ``TerragruntTree``, a tree root (loaded with ``opslib.load_tree``) or a units frame.
    ``attrs["root"]`` holds the root folder when known.
    """
    root: Any = None
    if isinstance(tree, (str, Path)):
        from opslib import load_tree

        root = Path(tree)
        tree = load_tree(root)
    if isinstance(tree, pd.DataFrame):
        units = tree
        root = root or units.attrs.get("root")
    else:
        found = getattr(tree, "units", None)
        if not isinstance(found, pd.DataFrame):
            raise SchemaError(f"expected a TerragruntTree, a tree root or a units frame, not {type(tree)!r}")
        units = found
        root = root or getattr(tree, "root", None)
    if "unit" not in units.columns:
        raise SchemaError("the units frame has no 'unit' column")
    units = units.copy()
    units.attrs["root"] = str(root) if root is not None else None
    return units


def _strip(value: Any) -> Any:
    # python-hcl2 8 keeps the quotes of string literals
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@lru_cache(maxsize=512)
def _account_locals(path: str, mtime: float) -> dict[str, Any]:
    import hcl2

    try:
        parsed = hcl2.loads(read_text(path, "hcl"))
    except Exception as exc:  # python-hcl2 raises lark errors of many kinds
        log.warning("%s: cannot read locals for cost allocation: %s", path, exc)
        return {}
    merged: dict[str, Any] = {}
    for block in parsed.get("locals", []) or []:
        if isinstance(block, Mapping):
            merged.update({k: _strip(v) for k, v in block.items() if not k.startswith("__")})

    def resolve(value: Any) -> Any:
        if not isinstance(value, str) or "${" not in value:
            return value
        text = _INTERP.sub(lambda m: str(merged.get(m.group(1), m.group(0))), value)
        return None if "${" in text else text

    return {k: resolve(v) for k, v in merged.items()}


@lru_cache(maxsize=512)
def _tags_yml(path: str, mtime: float) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(read_text(path, "hcl"))
    except (OpslibError, yaml.YAMLError) as exc:
        log.warning("%s: cannot read tags for cost allocation: %s", path, exc)
        return {}
    if isinstance(data, Mapping):
        for wrapper in ("override_tags", "tags", "default_tags"):
            if isinstance(data.get(wrapper), Mapping) and len(data) == 1:
                data = data[wrapper]
                break
    if not isinstance(data, Mapping):
        return {}
    return {str(k): str(v) for k, v in data.items() if v is not None and not isinstance(v, (dict, list))}


def _ownership_from(values: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in values.items():
        column = OWNERSHIP_KEYS.get(_norm_key(str(key)))
        if column and isinstance(value, (str, int)) and str(value).strip():
            out[column] = str(value).strip()
    return out


def _unit_dir(row: Mapping[str, Any], root: Path | None) -> Path | None:
    path = row.get("path")
    if isinstance(path, str) and path:
        candidate = Path(path)
        if not candidate.is_absolute() and root is not None:
            candidate = root / candidate
        return candidate.parent if candidate.suffix in (".hcl", ".json") else candidate
    if root is not None:
        return root / str(row["unit"])
    return None


def _folders(unit_dir: Path, root: Path | None) -> list[Path]:
    """Folders from the tree root down to the unit (outermost first), so deeper files override."""
    if root is not None and unit_dir.is_relative_to(root):
        parts = unit_dir.relative_to(root).parts
        return [root, *(root.joinpath(*parts[: i + 1]) for i in range(len(parts)))]
    # no root known: climb to the folder holding root.hcl, at most a few levels
    chain = [unit_dir]
    for parent in list(unit_dir.parents)[:6]:
        chain.append(parent)
        if (parent / "root.hcl").is_file():
            break
    return list(reversed(chain))


def _folder_ownership(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """What one folder's ``account.hcl`` and ``tags.yml``/``tags.yaml`` say about ownership."""
    account_vals: dict[str, str] = {}
    yml_vals: dict[str, str] = {}
    account = folder / "account.hcl"
    if account.is_file():
        account_vals.update(_ownership_from(_account_locals(str(account), account.stat().st_mtime)))
    for name in ("tags.yml", "tags.yaml"):
        tags = folder / name
        if tags.is_file():
            yml_vals.update(_ownership_from(_tags_yml(str(tags), tags.stat().st_mtime)))
    return account_vals, yml_vals


def _unit_ownership(
    row: Mapping[str, Any],
    root: Path | None,
    folders: dict[Path, tuple[dict[str, str], dict[str, str]]] | None = None,
) -> dict[str, Any]:
    """``folders``: what each folder said, shared by the units of one tree (they share parents)."""
    result: dict[str, Any] = {"team": None, "cost_center": None, "owner": None, "allocation_source": None}
    sources: dict[str, str] = {}
    unit_dir = _unit_dir(row, root)
    account_vals: dict[str, str] = {}
    yml_vals: dict[str, str] = {}
    seen = {} if folders is None else folders
    if unit_dir is not None:
        for folder in _folders(unit_dir, root):
            if folder not in seen:
                seen[folder] = _folder_ownership(folder)
            account_part, yml_part = seen[folder]
            account_vals.update(account_part)
            yml_vals.update(yml_part)
    inputs = row.get("inputs")
    input_vals: dict[str, str] = {}
    if isinstance(inputs, Mapping):
        input_vals = _ownership_from(inputs)
        if isinstance(inputs.get("tags"), Mapping):
            input_vals.update(_ownership_from(inputs["tags"]))
    for label, values in (("account.hcl", account_vals), ("inputs", input_vals), ("tags.yml", yml_vals)):
        for column, value in values.items():
            result[column] = value
            sources[column] = label
    result["allocation_source"] = sources.get("team")
    return result


def ownership(tree: Any) -> pd.DataFrame:
    """One row per unit: ``unit``, ``account``, ``environment``, ``region``, ``team``, ``cost_center``,
    ``owner`` and ``allocation_source`` (the file the team came from: ``account.hcl``, ``inputs`` or
    ``tags.yml``)."""
    units = tree_units(tree)
    root = Path(units.attrs["root"]) if units.attrs.get("root") else None
    rows = []
    folders: dict[Path, tuple[dict[str, str], dict[str, str]]] = {}
    for row in units.to_dict(orient="records"):
        info = _unit_ownership({str(k): v for k, v in row.items()}, root, folders)
        rows.append(
            {
                "unit": str(row["unit"]),
                "account": row.get("account"),
                "environment": row.get("environment"),
                "region": row.get("region"),
                **info,
            }
        )
    columns = [
        "unit",
        "account",
        "environment",
        "region",
        "team",
        "cost_center",
        "owner",
        "allocation_source",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: "string" for c in columns})


def allocate(costs: pd.DataFrame, tree: Any) -> pd.DataFrame:
    """``costs`` with account, environment, region, team, cost_center and owner filled from the tree.

    The join is on ``unit``; rows whose unit is not in the tree keep missing values. A resource's own
    ``tags`` (team, cost_center/CostCenter, owner) override the unit's values. Adds
    ``allocation_source`` (``tags``, ``tags.yml``, ``inputs``, ``account.hcl`` or missing).
    """
    owners = ownership(tree).set_index("unit")
    out = costs.copy()
    keys = out["unit"].astype("string")
    for column in ("account", "environment", "region", "team", "cost_center", "owner", "allocation_source"):
        mapped = keys.map(owners[column]) if len(owners) else pd.Series(pd.NA, index=out.index)
        if column in out.columns and column in ("region", "account", "environment"):
            # keep what the source already knew (an estimate knows its region), fill the gaps
            out[column] = out[column].astype("string").fillna(mapped.astype("string"))
        else:
            out[column] = mapped.astype("string")
    out = apply_tags(out)
    out.attrs = dict(costs.attrs)
    return out


def apply_tags(costs: pd.DataFrame) -> pd.DataFrame:
    """Fill team, cost_center and owner from each resource's own ``tags`` (they win: AWS bills by
    them), and environment where it is still missing. Works without a tree."""
    out = costs.copy()
    if "allocation_source" not in out.columns:
        out["allocation_source"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if "tags" not in out.columns:
        return out
    has_env = "environment" in out.columns
    env_missing = out["environment"].isna().to_numpy() if has_env else None
    # collected first and written once per column: a cell write per resource took minutes on a platform
    updates: dict[str, dict[int, str]] = {}
    for pos, tags in enumerate(out["tags"].tolist()):
        if not isinstance(tags, Mapping) or not tags:
            continue
        for column, value in _ownership_from(tags).items():
            updates.setdefault(column, {})[pos] = value
            if column == "team":
                updates.setdefault("allocation_source", {})[pos] = "tags"
        env = next((str(v) for k, v in tags.items() if _norm_key(str(k)) == "environment"), None)
        if env and env_missing is not None and env_missing[pos]:
            updates.setdefault("environment", {})[pos] = env
    for column, found in updates.items():
        _write_cells(out, column, found)
    return out


def _write_cells(frame: pd.DataFrame, column: str, found: Mapping[int, str]) -> None:
    """Set some cells of ``column`` (by position), keeping the column's dtype (a new column: string)."""
    if column in frame.columns:
        dtype = frame[column].dtype
        values = frame[column].to_numpy(dtype=object, copy=True)
    else:
        dtype = pd.StringDtype()
        values = np.full(len(frame), pd.NA, dtype=object)
    positions = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
    values[positions] = list(found.values())
    frame[column] = pd.Series(values, index=frame.index, dtype=dtype)


def unowned_share(costs: pd.DataFrame) -> dict[str, Any]:
    """The known monthly cost that no team owns: ``unowned`` and ``total`` (Decimal), ``share`` (0..1)."""
    exact = costs["monthly_cost_exact"] if "monthly_cost_exact" in costs else costs["monthly_cost"]
    total = dsum(exact) or Decimal(0)
    team = costs["team"] if "team" in costs else pd.Series(pd.NA, index=costs.index)
    unowned = dsum(exact[team.isna()]) or Decimal(0)
    share = float(unowned / total) if total else 0.0
    return {"unowned": unowned, "total": total, "share": share, "resources": int(team.isna().sum())}

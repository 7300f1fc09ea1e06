"""Turn evaluated configs into unit and dependency rows.

Account, region and environment come from the locals of ``account.hcl`` / ``region.hcl`` / ``env.hcl``
files the unit reads or includes (nearest first), then from such files in its parent folders, then from
the path (``<account>/<region>/<environment>/...`` around a region-shaped folder name).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from opslib.secrets import Masker, mask_named
from opslib.terragrunt.evaluate import (
    Config,
    EvalError,
    Evaluator,
    Unknown,
    attr_line,
    expansion,
    iter_blocks,
    materialize,
)
from opslib.terragrunt.functions import FunctionError

__all__ = [
    "UnitResult",
    "build_unit",
    "classify_source",
    "mask_values",
    "merged_inputs",
    "scope_from_path",
    "scrub_values",
]

ACCOUNT_KEYS = ("account_name", "account", "aws_account_name", "account_alias")
REGION_KEYS = ("aws_region", "region")
ENV_KEYS = ("environment", "env", "environment_name", "stage")
_REGION = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d$")
_ENV_NAMES = {
    "prod",
    "production",
    "prd",
    "staging",
    "stage",
    "stg",
    "dev",
    "development",
    "qa",
    "test",
    "testing",
    "uat",
    "sandbox",
    "sbx",
    "preprod",
    "non-prod",
    "nonprod",
    "demo",
    "perf",
    "shared",
    "mgmt",
    "management",
    "security",
    "ops",
    "global",
}
_BRANCHES = {"main", "master", "develop", "dev", "head", "latest", "trunk", "release", "staging"}
_SHA = re.compile(r"^[0-9a-f]{7,40}$")
_VERSION = re.compile(r"^v?\d+(\.\d+)*([-.+][0-9A-Za-z.-]+)?$")


@dataclass
class UnitResult:
    row: dict[str, Any]
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)  # every file the unit reads, includes or sources
    source_dir: Path | None = None  # a local module folder
    errors: set[tuple[str, int | None, str]] = field(default_factory=set)  # error rows it met
    unresolved: list[dict[str, Any]] = field(default_factory=list)  # what stayed unknown, and why
    env: set[str] = field(default_factory=set)  # environment variables it asked for
    env_paths: set[str] = field(default_factory=set)  # unset variables its paths depend on


def classify_source(source: Any) -> tuple[str, str | None, bool]:
    """``(source_kind, module_ref, pinned)`` of an evaluated ``terraform.source``."""
    if source is None:
        return "none", None, False
    if isinstance(source, Unknown) or not isinstance(source, str):
        return "expression", None, False
    text = source.strip()
    if text.startswith("tfr:"):
        kind = "tfr"
    elif text.startswith(("git::", "git@", "github.com/", "bitbucket.org/", "gitlab.com/")) or (
        ".git" in text.split("?")[0] and "://" in text
    ):
        kind = "git"
    elif text.startswith("s3::") or ".s3.amazonaws.com" in text or text.startswith("s3://"):
        kind = "s3"
    elif text.startswith(("gcs::", "hg::")):
        kind = "http"
    elif re.match(r"^(https?|ftp)://", text):
        kind = "git" if "//" in text.split("://", 1)[1] and ".git" in text else "http"
    elif "::" in text.split("?")[0]:
        kind = "http"
    else:
        kind = "local"
    if kind == "local":
        return kind, None, True
    # the query alone: urlsplit refuses some hosts terragrunt accepts (``[`` without ``]``)
    query = parse_qs(text.split("?", 1)[1].split("#", 1)[0] if "?" in text else "")
    refs = query.get("ref") or query.get("version")
    ref = refs[0] if refs else None
    if ref is None:
        return kind, None, False
    lowered = ref.lower()
    pinned = lowered not in _BRANCHES and bool(_VERSION.match(ref) or _SHA.match(lowered))
    return kind, ref, pinned


def scope_from_path(unit: str) -> tuple[str | None, str | None, str | None]:
    """Account, region, environment guessed from a unit id like ``prod/us-east-1/app/vpc``."""
    parts = unit.split("/")
    for i, part in enumerate(parts):
        if _REGION.match(part) or part == "_global" or part == "global":
            account = parts[i - 1] if i > 0 else None
            env = parts[i + 1] if i + 1 < len(parts) - 1 else None
            if env is None and account is not None and account.lower() in _ENV_NAMES:
                env = account
            return account, part if _REGION.match(part) else None, env
    # without a region folder the layout is unknown: only a well-known environment name is trusted
    env = next((p for p in parts[:-1] if p.lower() in _ENV_NAMES), None)
    return None, None, env


def _scope_files(config: Config) -> list[Config]:
    """Every config reachable from ``config`` through includes and reads, breadth first."""
    seen: set[int] = set()
    out: list[Config] = []
    queue = [config]
    while queue:
        item = queue.pop(0)
        if id(item) in seen:
            continue
        seen.add(id(item))
        out.append(item)
        queue.extend(item.reads)
    return out


def _local_value(config: Config, keys: Iterable[str]) -> str | None:
    for key in keys:
        if key in config.local_sources:
            value = materialize(config.local(key))
            if isinstance(value, str) and value:
                return value
    return None


def _scope(ev: Evaluator, config: Config, unit_dir: Path) -> dict[str, str | None]:
    by_role: dict[str, list[Config]] = {"account": [], "region": [], "env": []}
    for item in _scope_files(config):
        role = item.path.name.split(".")[0]
        if role in by_role and item.path.name.endswith(".hcl"):
            by_role[role].append(item)
    # the nearest such file in a parent folder counts too, even when the unit does not read it
    start = os.path.join(str(unit_dir), "terragrunt.hcl")
    for role, configs in by_role.items():
        nearest = ev.find_up(start, f"{role}.hcl")
        if nearest is not None and not any(str(c.path) == nearest for c in configs):
            read = ev.read_config(Path(nearest), unit_dir)
            if isinstance(read, Config):
                configs.append(read)
        configs.sort(key=lambda c: -str(c.path).count(os.sep))
    result: dict[str, str | None] = {}
    plan = (
        ("account", ACCOUNT_KEYS, ("account",)),
        ("region", REGION_KEYS, ("region", "account")),
        ("environment", ENV_KEYS, ("env", "account", "region")),
    )
    for column, keys, roles in plan:
        value = None
        for role in roles:
            for item in by_role[role]:
                value = _local_value(item, keys)
                if value:
                    break
            if value:
                break
        result[column] = value
    if not all(result.values()):
        own = (
            _local_value(config, ACCOUNT_KEYS),
            _local_value(config, REGION_KEYS),
            _local_value(config, ENV_KEYS),
        )
        for column, value in zip(("account", "region", "environment"), own, strict=True):
            result[column] = result[column] or value
    return result


def mask_values(values: Any, masker: Masker) -> Any:
    """Mask values held under secret-like names (remembering them) at any depth, lists and objects too."""
    return mask_named(values, masker)


def scrub_values(values: Any, masker: Masker) -> Any:
    """``values`` with every secret ``masker`` knows (and every known-format one) masked: strings, map
    keys, and the reasons of unknown values (an evaluation error quoting a secret local)."""
    if isinstance(values, Unknown):
        reason = masker.scrub_str(values.reason)
        return values if reason == values.reason else Unknown(reason)
    if isinstance(values, str):
        return masker.scrub_str(values)
    if isinstance(values, dict):
        return {scrub_values(k, masker): scrub_values(v, masker) for k, v in values.items()}
    if isinstance(values, list):
        return [scrub_values(v, masker) for v in values]
    return masker.scrub(values)


_TYPE_NAMES: dict[type, str] = {str: "a string", dict: "an object", list: "a list"}


def _expect(owner: Config, body: Mapping[str, Any], name: str, value: Any, kind: type, what: str) -> bool:
    """True when ``value`` has the type terragrunt needs; else an error row (null/unknown pass quietly)."""
    if value is None or isinstance(value, (Unknown, kind)):
        return True
    message = f"{what} must be {_TYPE_NAMES.get(kind, kind.__name__)}, not {_type_name(value)}"
    owner.ev.error(owner.path, attr_line(body, name), message)
    return False


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    return next((n for t, n in _TYPE_NAMES.items() if isinstance(value, t)), type(value).__name__)


def merged_inputs(config: Config) -> Any:
    """Included inputs, then the unit's own over them: shallow, deep for ``merge_strategy = "deep"``,
    and nothing from an include with ``merge_strategy = "no_merge"``."""
    merged: dict[str, Any] = {}
    deep = False
    for inc, parent in config.merged_parents():
        deep = deep or inc.merge_strategy == "deep"
        if "inputs" in parent.doc:
            value = materialize(parent.eval_attr(parent.doc, "inputs"))
            if _expect(parent, parent.doc, "inputs", value, dict, "inputs") and isinstance(value, dict):
                merged = _deep_merge(merged, value) if inc.merge_strategy == "deep" else {**merged, **value}
    if "inputs" in config.doc:
        own = materialize(config.eval_attr(config.doc, "inputs"))
        _expect(config, config.doc, "inputs", own, dict, "inputs")
        if isinstance(own, Unknown) and not merged:
            return own
        if isinstance(own, dict):
            merged = _deep_merge(merged, own) if deep else {**merged, **own}
    return merged


def _deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _deep_merge(out[key], value)
        elif isinstance(out.get(key), list) and isinstance(value, list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


def _terraform_source(config: Config) -> tuple[Any, str | None, Config | None]:
    """Evaluated source, its text as written and the config that set it (the child wins)."""
    found: tuple[Any, str | None, Config | None] = (None, None, None)
    for owner in [p for _, p in config.merged_parents()] + [config]:
        for _, body in iter_blocks(owner.doc, "terraform"):
            if "source" in body:
                raw = body["source"]
                value = owner.eval_attr(body, "source")
                owner.unknown_path(value, "terraform.source", attr_line(body, "source"))
                if not _expect(owner, body, "source", value, str, "terraform.source"):
                    value = Unknown("terraform.source is not a string")
                found = (value, raw if isinstance(raw, str) else None, owner)
    return found


def _safe(func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except (EvalError, FunctionError) as exc:
        return Unknown(str(exc))


def build_unit(
    ev: Evaluator,
    unit: str,
    config_file: Path,
    *,
    kind: str = "unit",
    config: Config | None = None,
    row_path: Path | None = None,
    line: int = 1,
) -> UnitResult:
    """Evaluate one unit and return its row, dependency rows and the files it depends on."""
    cfg = config if config is not None else ev.unit(config_file)
    met: set[tuple[str, int | None, str]] = set()
    outer = ev.current_errors
    ev.current_errors = met
    try:
        result = _build(ev, unit, config_file, cfg, kind, row_path, line)
    finally:
        ev.current_errors = outer
    configs = _scope_files(cfg)
    result.errors = met.union(*(c.errors for c in configs))
    for item in configs:
        result.unresolved.extend(u for u in item.unresolved if u not in result.unresolved)
        result.env |= item.env_used
        result.env_paths |= item.env_paths
    return result


def _build(
    ev: Evaluator,
    unit: str,
    config_file: Path,
    cfg: Config,
    kind: str,
    row_path: Path | None,
    line: int,
) -> UnitResult:
    unit_dir = cfg.terragrunt_dir
    includes = [
        {
            "label": inc.label,
            "path": ev.rel(inc.path) if isinstance(inc.path, Path) else _raw_text(inc.raw),
            "expose": inc.expose,
            "line": inc.line,
        }
        for inc in cfg.includes()
    ]
    source, raw_source, owner = _terraform_source(cfg)
    source_kind, ref, pinned = classify_source(source)
    source_dir = None
    if source_kind == "local" and isinstance(source, str) and owner is not None:
        source_dir = cfg.resolve_path(source.split("//")[0] if not source.startswith("//") else source)
    locals_ = _safe(lambda: materialize(cfg.top("locals")) if cfg.local_sources else {})
    for checked in (cfg, *(parent for _, parent in cfg.parent_configs())):
        _duplicate_blocks(ev, checked)
    for _, parent in cfg.parent_configs():
        # terragrunt evaluates every local of an included file (root.hcl reading a missing
        # account.hcl fails the unit); evaluating them here turns such failures into error rows
        if parent.local_sources:
            _safe(lambda parent=parent: materialize(parent.top("locals")))
    inputs = _safe(merged_inputs, cfg)
    deps = _dependencies(ev, unit, cfg)
    scope = _scope(ev, cfg, unit_dir)
    path_scope = scope_from_path(unit)
    files = {c.path for c in _scope_files(cfg)} | {p for c in _scope_files(cfg) for p in c.touched}
    if source_dir is not None:
        files.add(source_dir)
    row = {
        "unit": unit,
        "path": ev.rel(row_path if row_path is not None else config_file),
        "kind": kind,
        "account": scope["account"] or path_scope[0],
        "region": scope["region"] or path_scope[1],
        "environment": scope["environment"] or path_scope[2],
        "source": source if isinstance(source, str) else raw_source,
        "source_kind": source_kind,
        "module_ref": ref,
        "pinned": pinned,
        "includes": includes,
        "locals": locals_ if isinstance(locals_, dict) else {},
        "inputs": inputs if isinstance(inputs, dict) else {},
        "lockfile": False,
        "errors": 0,
        "line": line,
    }
    return UnitResult(row=row, dependencies=deps, files=files, source_dir=source_dir)


_UNIQUE_BLOCKS = ("dependency", "generate", "feature", "include")


def _duplicate_blocks(ev: Evaluator, cfg: Config) -> None:
    """Blocks terragrunt refuses to see twice in one file: same-labelled ones, two bare includes."""
    for kind in _UNIQUE_BLOCKS:
        seen: set[str | None] = set()
        for label, body in iter_blocks(cfg.doc, kind):
            if label is None and kind != "include":
                continue
            if label in seen:
                what = f"{kind} {label!r}" if label is not None else "include without a label"
                ev.error(cfg.path, body.get("__start_line__"), f"{what} appears more than once in this file")
            seen.add(label)


def _target(ev: Evaluator, cfg: Config, value: Any) -> tuple[str | None, Path | None]:
    if not isinstance(value, str):
        return None, None
    path = cfg.resolve_path(value)
    if path.name.endswith((".hcl", ".json")) and not path.is_dir():
        path = path.parent
    return path.as_posix(), path


def _dependencies(ev: Evaluator, unit: str, cfg: Config) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for label, (owner, body) in cfg.merged_blocks("dependency").items():
        try:
            instances = expansion(owner, body)
        except (EvalError, FunctionError) as exc:
            ev.error(owner.path, body.get("__start_line__"), f"dependency {label!r}: {exc}")
            instances = Unknown(str(exc))
        if instances is None:
            named: list[tuple[str, dict[str, Any]]] = [(label, {})]
        elif isinstance(instances, Unknown):
            named = [(label, {})]  # the instances are unknown: one row for the block, no target
        else:
            named = [(f"{label}[{key}]", scope) for key, scope in instances]
        for name, scope in named:
            if isinstance(instances, Unknown):
                rows.append(
                    _dep_row(
                        ev,
                        unit,
                        name,
                        "dependency",
                        body.get("config_path"),
                        None,
                        None,
                        "mock_outputs" in body,
                        owner,
                        body.get("__start_line__"),
                    )
                )
                continue
            row = _dependency_row(ev, unit, name, owner, body, scope)
            if row is not None:
                rows.append(row)
    deps_blocks = [(p, b) for _, p in cfg.merged_parents() for _, b in iter_blocks(p.doc, "dependencies")]
    own = [(cfg, b) for _, b in iter_blocks(cfg.doc, "dependencies")]
    for owner, body in own or deps_blocks:
        raw_paths = body.get("paths")
        value = owner.eval_attr(body, "paths") if raw_paths is not None else None
        line = attr_line(body, "paths")
        owner.unknown_path(value, "dependencies.paths", line)
        if not _expect(owner, body, "paths", value, list, "dependencies.paths"):
            continue
        if isinstance(value, list):
            raws: list[Any] = [None] * len(value)
            if isinstance(raw_paths, list) and len(raw_paths) == len(value):
                raws = raw_paths
            for item, raw in zip(value, raws, strict=True):
                item = materialize(item)
                if item is None:
                    ev.error(owner.path, line, "each of dependencies.paths must be a string, not null")
                    continue
                if not _expect(owner, body, "paths", item, str, "each of dependencies.paths"):
                    continue
                resolved, path = _target(ev, owner, item)
                rows.append(
                    _dep_row(
                        ev,
                        unit,
                        "",
                        "dependencies",
                        raw if raw is not None else item,
                        resolved,
                        path,
                        False,
                        owner,
                        line,
                    )
                )
        elif value is not None:
            rows.append(_dep_row(ev, unit, "", "dependencies", raw_paths, None, None, False, owner, line))
    return rows


def _dependency_row(
    ev: Evaluator, unit: str, name: str, owner: Config, body: Mapping[str, Any], scope: dict[str, Any]
) -> dict[str, Any] | None:
    if "enabled" in body and owner.eval_attr(body, "enabled", scope) is False:
        return None  # `enabled = false`: terragrunt leaves the dependency out of the graph
    raw = body.get("config_path")
    value = owner.eval_attr(body, "config_path", scope) if raw is not None else None
    owner.unknown_path(value, f"dependency {name!r} config_path", attr_line(body, "config_path"))
    if not _expect(owner, body, "config_path", value, str, f"dependency {name!r} config_path"):
        value = None
    elif raw is None or value == "":
        # terragrunt refuses the block; the row stays (the block is there) with no target (an
        # empty path would otherwise resolve to the unit itself: a self-dependency)
        problem = "no config_path" if raw is None else "an empty config_path"
        ev.error(owner.path, body.get("__start_line__"), f"dependency {name!r} has {problem}")
        value = None
    resolved, path = _target(ev, owner, value)
    return _dep_row(
        ev,
        unit,
        name,
        "dependency",
        raw,
        resolved,
        path,
        "mock_outputs" in body,
        owner,
        body.get("__start_line__"),
    )


def _dep_row(
    ev: Evaluator,
    unit: str,
    name: str,
    kind: str,
    raw: Any,
    resolved: str | None,
    path: Path | None,
    has_mocks: bool,
    owner: Config,
    line: int | None,
) -> dict[str, Any]:
    external = path is not None and not ev.inside(path)
    written = _raw_text(raw) if isinstance(raw, str) else None  # a list/number is no path at all
    target: str | None = ev.rel(path) if path is not None and not external else (resolved or written)
    if target == "":
        # the tree root itself as a path; with no path at all (no config_path) there is no target
        target = "." if path is not None else None
    return {
        "unit": unit,
        "target": target,
        "name": name,
        "kind": kind,
        "config_path": _raw_text(raw),
        "resolved": resolved,
        "exists": False,
        "external": external,
        "has_mock_outputs": has_mocks,
        "path": ev.rel(owner.path),
        "line": line,
    }


def _raw_text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        if raw.startswith("${") and raw.endswith("}"):
            return raw[2:-1]
        return raw
    return str(raw)

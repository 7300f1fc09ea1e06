"""The :class:`TerragruntTree` facade and :func:`load_tree`."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from opslib._io import read_text
from opslib.errors import ConfigError, ParseError
from opslib.secrets import Masker
from opslib.terragrunt import graph as _graph
from opslib.terragrunt.discover import LEGACY_MESSAGE, Discovery, discover, file_role
from opslib.terragrunt.evaluate import Config, Evaluator, Unknown, attributes, iter_blocks, materialize
from opslib.terragrunt.parse import ParseCache, ParsedFile, parse_files, parse_text
from opslib.terragrunt.units import UnitResult, build_unit, mask_values, merged_inputs, scrub_values

__all__ = ["TerragruntTree", "load_tree"]

log = logging.getLogger(__name__)

UNIT_COLUMNS = [
    "unit",
    "path",
    "kind",
    "account",
    "region",
    "environment",
    "source",
    "source_kind",
    "module_ref",
    "pinned",
    "includes",
    "locals",
    "inputs",
    "lockfile",
    "errors",
    "line",
]
DEPENDENCY_COLUMNS = [
    "unit",
    "target",
    "name",
    "kind",
    "config_path",
    "resolved",
    "exists",
    "external",
    "has_mock_outputs",
    "path",
    "line",
]
FILE_COLUMNS = ["path", "role", "status", "size", "cached"]
ERROR_COLUMNS = ["path", "line", "column", "message", "kind"]
NO_UNITS_MESSAGE = "no terragrunt.hcl, terragrunt.hcl.json or terragrunt.stack.hcl found under the tree root"
_MAX_STACK_DEPTH = 8


class TerragruntTree:
    """A loaded Terragrunt tree: frames, parsed documents, the dependency graph.

    Built by :func:`load_tree`. Unit ids are posix paths relative to ``root`` (``"prod/us-east-1/vpc"``);
    file keys are posix paths relative to ``root`` (``"prod/us-east-1/vpc/terragrunt.hcl"``).

    Attributes
    ----------
    root : Path
        The resolved tree root.
    units : DataFrame
        One row per unit. ``unit`` (id), ``path`` (relative path of its config file), ``kind``
        (``unit`` | ``stack-unit``), ``account``, ``region``, ``environment`` (from the locals of
        account.hcl / region.hcl / env.hcl the unit includes or reads, then the nearest such files above
        it, else from the path around a region-shaped folder; missing (None/NaN) when nothing tells;
        a stack unit's id is its generated folder ``<stack dir>/.terragrunt-stack/<path>``), ``source``
        (evaluated ``terraform.source``; the text as written when it cannot be evaluated; ``None`` when
        absent), ``source_kind`` (``git`` | ``tfr`` | ``local`` | ``http`` |
        ``s3`` | ``expression`` | ``none``), ``module_ref`` (``?ref=`` / ``?version=`` value or None),
        ``pinned`` (bool: a remote source pinned to a tag/sha/version, not a branch; local sources count as
        pinned; ``none``/``expression`` are not), ``includes`` (list of dicts: ``label`` (None for a bare
        ``include {}``), ``path`` (relative path of the included file, or the raw/unknown path when it
        cannot be resolved inside the root), ``expose`` (bool), ``line``), ``locals`` and ``inputs``
        (dicts, secrets masked; values that cannot be known are :class:`opslib.terragrunt.Unknown`;
        ``inputs`` merged over the includes' inputs, deep for ``merge_strategy = "deep"``; ``{}`` when
        the whole ``inputs`` is unknown), ``lockfile`` (bool:
        ``.terraform.lock.hcl`` present in the unit folder), ``errors`` (count of error rows about the
        unit's own file or the files it includes/reads), ``line`` (1; for a stack unit the line of its
        ``unit`` block in ``path``, the stack file).
    dependencies : DataFrame
        One row per ``dependency`` block and per ``dependencies.paths`` entry (own or included).
        ``unit``, ``target`` (unit id, or the raw path when outside the tree / unknown), ``name`` (block
        label; ``""`` for ``dependencies``), ``kind`` (``dependency`` | ``dependencies``), ``config_path``
        (the expression as written: ``'"../vpc"'``, ``'"${get_terragrunt_dir()}/../vpc"'``,
        ``'local.vpc_dir'``), ``resolved`` (absolute posix path, missing when it cannot be evaluated),
        ``exists`` (bool: the target is a unit of this tree), ``external`` (bool: resolved outside the
        root), ``has_mock_outputs`` (bool), ``path`` (file holding the block: the unit's or an included
        one), ``line``. Blocks with ``enabled = false`` are left out.
    files : DataFrame
        Every config file read: ``path``, ``role`` (``root`` | ``account`` | ``region`` | ``env`` |
        ``unit`` | ``stack`` | ``common`` | ``tags``), ``status`` (``ok`` | ``error``), ``size``,
        ``cached`` (bool: came from the disk cache).
    errors : DataFrame
        ``path``, ``line``, ``column``, ``message``, ``kind`` (``parse`` | ``eval`` | ``discover``).
        ``discover`` rows include a pre-0.19 ``terragrunt`` block in ``terraform.tfvars`` (no unit there)
        and, at path ``.``, a root that holds files but no unit or stack file at all.
    graph : networkx.DiGraph
        Nodes are unit ids (node attrs: the unit row's account/region/environment/kind); an edge
        ``unit -> dependency`` per resolved dependency inside the tree (edge attrs ``name``, ``kind``).
    documents : dict[str, dict]
        Relative path of every parsed HCL file -> the python-hcl2 dict (``hcl2.loads`` shape: string
        literals keep their quotes, expressions are ``"${...}"``, blocks are lists with
        ``__is_block__``). Every block dict also carries ``__start_line__`` / ``__end_line__``, and every
        body (the document itself, each block) carries ``__lines__``: attribute name -> [start, end].
        Skip keys starting with ``__`` when iterating attributes.
    masker : opslib.secrets.Masker
        Remembers every masked secret value of the tree (secret-named locals/inputs, secret get_env
        values) so other modules can scrub copies of them: ``tree.masker.scrub(obj)``.
    stats : dict
        ``parsed`` (files parsed this load), ``cached`` (files read from the cache), ``seconds``.

    Methods
    -------
    source_text(relpath) -> str
        The text of a file of the tree.
    unit_config(unit) -> dict
        The unit's evaluated, merged configuration (own file + includes), secrets masked:
        ``{"locals", "inputs", "terraform", "remote_state", "dependency": {name: {...}},
        "dependencies", "generate": {name: {...}}, "include": {label: {...}}, ...}``.
    file_configs(relpath) -> list[(unit, Config)]
        A file evaluated in the context of each unit that owns or includes it (for the lint rules).
    run_order(destroy=False) -> list[list[str]]
        Waves as ``terragrunt run --all`` runs them (dependencies first); reversed for destroy.
        Members of a cycle share one wave (see ``cycles()``).
    dependents(unit, transitive=True) -> list[str]
        Units that depend on ``unit``.
    blast_radius(changed) -> DataFrame[unit, distance, reason]
        ``changed``: unit ids and/or changed file paths (relative to the root, or absolute).
    cycles() -> list[list[str]]
        Dependency cycles (each a list of unit ids); never fatal.
    to_dot() -> str, to_mermaid() -> str
        The graph as ``terragrunt dag graph`` prints it, and as a Mermaid flowchart.
    """

    def __init__(
        self,
        root: Path,
        *,
        units: pd.DataFrame,
        dependencies: pd.DataFrame,
        files: pd.DataFrame,
        errors: pd.DataFrame,
        documents: dict[str, dict[str, Any]],
        masker: Masker,
        evaluator: Evaluator,
        configs: dict[str, Config],
        unit_files: dict[str, set[Path]],
        source_dirs: dict[str, Path | None],
        stats: dict[str, Any],
    ) -> None:
        self.root = root
        self.units = units
        self.dependencies = dependencies
        self.files = files
        self.errors = errors
        self.documents = documents
        self.masker = masker
        self.stats = stats
        self._ev = evaluator
        self._configs = configs
        self._unit_files = unit_files
        self._source_dirs = source_dirs
        self._rendered: dict[str, dict[str, Any]] = {}
        self._contexts: dict[str, list[tuple[str, Config]]] | None = None
        self.graph: nx.DiGraph = _graph.build_graph(units, dependencies)

    def __repr__(self) -> str:
        return (
            f"<TerragruntTree {self.root} units={len(self.units)} "
            f"dependencies={len(self.dependencies)} errors={len(self.errors)}>"
        )

    def source_text(self, relpath: str) -> str:
        path = (self.root / relpath).resolve()
        if not self._ev.inside(path) and not self._ev.inside(self.root / relpath):
            raise ConfigError(f"{relpath} is not inside the tree", path=relpath)
        return read_text(self.root / relpath, "hcl")

    def unit_config(self, unit: str) -> dict[str, Any]:
        """The evaluated, merged configuration of ``unit`` (secrets masked)."""
        if unit not in self._rendered:
            config = self._configs.get(unit)
            if config is None:
                raise ConfigError(f"no unit {unit!r} in the tree", path=self.root)
            rendered = _render_unit(config)
            self._rendered[unit] = scrub_values(mask_values(rendered, self.masker), self.masker)
        return self._rendered[unit]

    def file_configs(self, relpath: str) -> list[tuple[str, Config]]:
        """``(unit, config)``: the file ``relpath`` evaluated as it serves each unit whose own file it is
        or that includes it (``config.top(key)`` evaluates an attribute or block there, unmasked; values
        that cannot be known are :class:`Unknown`). A file no unit uses is evaluated once in its own
        folder, with unit ``""``. For the lint rules, which judge what merge(), locals, includes and
        file() produce rather than the text alone."""
        if self._contexts is None:
            contexts: dict[str, list[tuple[str, Config]]] = {}
            for unit, config in sorted(self._configs.items()):
                contexts.setdefault(self._ev.rel(config.path), []).append((unit, config))
                for _, parent in config.parent_configs():
                    contexts.setdefault(self._ev.rel(parent.path), []).append((unit, parent))
            self._contexts = contexts
        found = self._contexts.get(relpath)
        if found:
            return found
        if relpath not in self.documents:
            return []
        own = self._ev.unit(self.root / relpath)
        self._contexts[relpath] = [("", own)]
        return self._contexts[relpath]

    def run_order(self, destroy: bool = False) -> list[list[str]]:
        return _graph.run_order(self.graph, destroy=destroy)

    def dependents(self, unit: str, transitive: bool = True) -> list[str]:
        return _graph.dependents(self.graph, unit, transitive=transitive)

    def blast_radius(self, changed: str | Iterable[str]) -> pd.DataFrame:
        items = [changed] if isinstance(changed, str) else list(changed)
        return _graph.blast_radius(
            self.graph, items, root=self.root, unit_files=self._unit_files, source_dirs=self._source_dirs
        )

    def cycles(self) -> list[list[str]]:
        return _graph.cycles(self.graph)

    def to_dot(self) -> str:
        return _graph.to_dot(self.graph)

    def to_mermaid(self) -> str:
        return _graph.to_mermaid(self.graph)


def _render_unit(config: Config) -> dict[str, Any]:
    """Merged view of a unit: its own attributes and blocks over its includes' (the child wins)."""
    out: dict[str, Any] = {}
    for _, parent in config.merged_parents():
        for key in parent.top_keys():
            if key in ("locals", "include"):
                continue
            value = _top(parent, key)
            if isinstance(out.get(key), dict) and isinstance(value, dict):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    for key in config.top_keys():
        value = _top(config, key)
        if isinstance(out.get(key), dict) and isinstance(value, dict) and key != "locals":
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    if "dependency" in out or config.merged_blocks("dependency"):
        out["dependency"] = _top(config, "dependency")
    if "inputs" in out:
        out["inputs"] = merged_inputs(config)  # honours merge_strategy = "deep"
    out["locals"] = _top(config, "locals") if config.local_sources else {}
    return out


def _top(config: Config, key: str) -> Any:
    try:
        return materialize(config.top(key))
    except Exception as exc:  # an unreadable part of a config is reported, not raised
        return Unknown(str(exc))


@dataclass
class _LoadOptions:
    strict: bool
    jobs: int | None
    cache: bool
    cache_dir: Path | None
    env: Mapping[str, str] | None
    mock_outputs: bool
    repo_root: Path | None


def load_tree(
    root: str | os.PathLike[str],
    *,
    strict: bool = False,
    jobs: int | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    mock_outputs: bool = False,
    repo_root: str | os.PathLike[str] | None = None,
) -> TerragruntTree:
    """Load a Terragrunt tree: discover, parse (parallel, cached), evaluate, build frames and graph.

    ``env``: the mapping ``get_env`` reads (``os.environ`` only when you pass it); without it,
    ``get_env`` gives its fallback or :class:`Unknown`. ``mock_outputs=True`` makes dependency outputs
    their ``mock_outputs``. ``repo_root`` is what ``get_repo_root()`` returns (default: the nearest folder
    holding ``.git`` above each unit). ``cache_dir`` defaults to ``$OPSLIB_CACHE_DIR/tree`` or
    ``~/.cache/opslib/tree``. ``strict=True`` raises :class:`ParseError` on the first unparseable file
    and :class:`ConfigError` on an unsupported layout (pre-0.19 tfvars config, no unit under the root).

    >>> tree = load_tree("data/sample/infrastructure-live")  # doctest: +SKIP
    >>> tree.units[["unit", "account", "region", "environment"]].head()  # doctest: +SKIP
    """
    started = time.perf_counter()
    path = Path(root).expanduser()
    if not path.exists():
        raise ConfigError("the tree root does not exist", path=path)
    if not path.is_dir():
        raise ConfigError("the tree root is not a folder", path=path)
    options = _LoadOptions(
        strict,
        jobs,
        cache,
        Path(cache_dir) if cache_dir is not None else None,
        env,
        mock_outputs,
        Path(repo_root).resolve() if repo_root is not None else None,
    )
    root_path = path.resolve()
    with _without_gc():
        found = discover(root_path)
        store = ParseCache.open(root_path, options.cache_dir) if options.cache else None
        parsed = parse_files(root_path, found.files, jobs=options.jobs, cache=store)
        if store is not None:
            store.prune(parsed)
            store.save()
        return _assemble(root_path, found, parsed, options, started)


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading.

    A load allocates millions of small, long-lived objects (documents, ASTs, frames); the collector
    would re-scan them over and over, which costs about 40% of a warm load of a big tree. Nothing a load
    creates needs collecting before it ends; the collector is restored (and catches up) afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _assemble(
    root: Path, found: Discovery, parsed: dict[str, ParsedFile], options: _LoadOptions, started: float
) -> TerragruntTree:
    documents = {rel: p.document for rel, p in parsed.items() if p.document is not None}
    error_rows: list[dict[str, Any]] = []
    for rel, item in sorted(parsed.items()):
        if item.error is not None:
            if options.strict:
                raise ParseError(
                    item.error["message"],
                    path=root / rel,
                    line=item.error.get("line"),
                    column=item.error.get("column"),
                )
            error_rows.append(
                {
                    "path": rel,
                    "line": item.error.get("line"),
                    "column": item.error.get("column"),
                    "message": item.error["message"],
                    "kind": "parse",
                }
            )
    for rel, why in found.skipped:
        if why.startswith("cannot read"):
            error_rows.append({"path": rel, "line": None, "column": None, "message": why, "kind": "discover"})
    error_rows.extend(_layout_errors(root, found, options.strict))

    def load_extra(path: Path) -> dict[str, Any] | None:
        # a file outside the discovered set (e.g. under a skipped folder) but inside the root
        rel = path.relative_to(root).as_posix()
        if rel in documents:
            return documents[rel]
        if rel in parsed or not path.is_file() or path.name.endswith((".yml", ".yaml")):
            return None
        try:
            documents[rel] = parse_text(read_text(path, "hcl"))
        except Exception as exc:
            error_rows.append(
                {
                    "path": rel,
                    "line": getattr(exc, "line", None),
                    "column": None,
                    "message": str(exc).splitlines()[0] if str(exc) else "parse error",
                    "kind": "parse",
                }
            )
            return None
        return documents[rel]

    ev = Evaluator(
        root,
        documents,
        load_extra,
        env=options.env,
        mock_outputs=options.mock_outputs,
        repo_root=options.repo_root,
    )
    roles = {rel: file_role(rel) for rel, _, _ in found.files}
    candidates = [rel for rel in found.unit_files if rel in documents or rel in parsed]
    configs = {rel: ev.unit(root / rel) for rel in candidates}
    included: set[Path] = set()
    for rel, config in configs.items():
        for inc in config.includes():
            if isinstance(inc.path, Path):
                if os.path.normpath(inc.path) == os.path.normpath(root / rel):
                    # not a parent config: the unit stays a unit, and says what is wrong with it
                    ev.error(root / rel, inc.line, "the unit includes itself")
                    continue
                included.add(inc.path)
    results: dict[str, UnitResult] = {}
    unit_configs: dict[str, Config] = {}
    for rel in candidates:
        if root / rel in included:
            roles[rel] = "root"  # an included terragrunt.hcl is a parent config, not a unit
            continue
        unit = rel.rsplit("/", 1)[0] if "/" in rel else "."
        config = configs[rel]
        try:
            results[unit] = build_unit(ev, unit, root / rel, config=config)
        except RecursionError:
            ev.error(root / rel, None, "configuration nests too deeply to evaluate")
            continue
        except Exception as exc:  # a shape nobody foresaw: one unit lost, not the whole tree
            _unexpected(ev, root / rel, exc, options.strict)
            continue
        unit_configs[unit] = config
    for rel in found.stack_files:
        try:
            _stack_units(ev, root / rel, root / rel, (root / rel).parent, 0, results, unit_configs)
        except RecursionError:
            ev.error(root / rel, None, "configuration nests too deeply to evaluate")
        except Exception as exc:
            _unexpected(ev, root / rel, exc, options.strict)
    return _frames(root, found, parsed, roles, ev, results, unit_configs, error_rows, started)


def _layout_errors(root: Path, found: Discovery, strict: bool) -> list[dict[str, Any]]:
    """Rows for layouts that would otherwise load as silently nothing (strict: the first one raises).

    A pre-0.19 ``terraform.tfvars`` holding a ``terragrunt`` block, and a root under which no unit or
    stack file exists at all (an empty folder is just empty, not an error).
    """
    rows: list[dict[str, Any]] = []
    for rel, line in found.legacy:
        if strict:
            raise ConfigError(LEGACY_MESSAGE, path=root / rel, line=line)
        rows.append(
            {"path": rel, "line": line, "column": None, "message": LEGACY_MESSAGE, "kind": "discover"}
        )
    if found.has_files and not found.unit_files and not found.stack_files:
        if strict:
            raise ConfigError(NO_UNITS_MESSAGE, path=root)
        rows.append(
            {"path": ".", "line": None, "column": None, "message": NO_UNITS_MESSAGE, "kind": "discover"}
        )
    return rows


def _stack_units(
    ev: Evaluator,
    stack_file: Path,
    row_file: Path,
    gen_dir: Path,
    depth: int,
    results: dict[str, UnitResult],
    unit_configs: dict[str, Config],
) -> None:
    """``unit`` blocks of a stack file as stack-unit rows; local nested ``stack`` blocks followed."""
    if ev.document(stack_file) is None:
        return
    # relative sources resolve from where the stack file lives (a generated folder may not exist yet)
    stack = Config(ev, stack_file, stack_file.parent, stack_file.parent)
    for kind in ("unit", "stack"):
        for label, body in iter_blocks(stack.doc, kind):
            if label is None:
                ev.error(stack_file, body.get("__start_line__"), f"{kind} block without a name")
                continue
            fields = {name: stack.eval_attr(body, name) for name in attributes(body)}
            rel_path = fields.get("path")
            if not isinstance(rel_path, str) or not rel_path.strip():
                ev.error(stack_file, body.get("__start_line__"), f"{kind} {label!r} has no usable path")
                continue
            generated = ".terragrunt-stack" if fields.get("no_dot_terragrunt_stack") is not True else ""
            target_dir = Path(os.path.normpath(gen_dir / generated / rel_path))
            if not target_dir.is_relative_to(Path(os.path.normpath(gen_dir / generated))):
                # terragrunt refuses to generate outside the stack folder (it could overwrite anything)
                ev.error(
                    stack_file, body.get("__start_line__"), f"{kind} {label!r}: path leaves the stack folder"
                )
                continue
            source = fields.get("source")
            source_dir = (
                stack.resolve_path(source) if isinstance(source, str) and classify_local(source) else None
            )
            line = body.get("__start_line__") or 1
            if source_dir is not None and not _local_source_found(ev, source_dir, kind):
                where = ev.rel(source_dir) if ev.inside(source_dir) else f"{source} (outside the tree root)"
                ev.error(stack_file, line, f"{kind} {label!r}: source not found: {where}")
            if kind == "stack":
                if source_dir is not None and depth >= _MAX_STACK_DEPTH:
                    # a stack that (indirectly) generates itself would recurse for ever
                    ev.error(stack_file, line, f"stack {label!r}: stacks nest deeper than {_MAX_STACK_DEPTH}")
                elif source_dir is not None:
                    _stack_units(
                        ev,
                        source_dir / "terragrunt.stack.hcl",
                        row_file,
                        target_dir,
                        depth + 1,
                        results,
                        unit_configs,
                    )
                continue
            unit = ev.rel(target_dir)
            if unit in results:
                message = f"unit {label!r}: another unit is generated into {unit} already"
                ev.error(stack_file, body.get("__start_line__"), message)
                continue
            values = materialize(fields.get("values"))
            if source_dir is not None and ev.document(source_dir / "terragrunt.hcl") is not None:
                config = Config(ev, source_dir / "terragrunt.hcl", target_dir, target_dir, values=values)
                result = build_unit(
                    ev,
                    unit,
                    source_dir / "terragrunt.hcl",
                    kind="stack-unit",
                    config=config,
                    row_path=row_file,
                    line=line,
                )
            else:
                config = Config(ev, stack_file, target_dir, target_dir, values=values)
                result = build_unit(
                    ev, unit, stack_file, kind="stack-unit", config=config, row_path=row_file, line=line
                )
                result.row.update(_source_columns(source))
                result.dependencies = []
            result.files.add(row_file)
            results[unit] = result
            unit_configs[unit] = config


def _unexpected(ev: Evaluator, path: Path, exc: Exception, strict: bool) -> None:
    """An internal failure on one file: an error row (lenient) or a ConfigError naming it (strict)."""
    log.debug("cannot evaluate %s", path, exc_info=True)  # the row says what; debug keeps the stack
    message = f"cannot evaluate this file ({type(exc).__name__}: {exc})"
    if strict:
        raise ConfigError(message, path=path) from exc
    ev.error(path, None, message)


def _local_source_found(ev: Evaluator, source_dir: Path, kind: str) -> bool:
    """A local unit source is a folder; a local stack source a folder holding a stack file."""
    if kind == "stack":
        return ev.exists(source_dir / "terragrunt.stack.hcl")
    return ev.is_dir(source_dir)


def classify_local(source: str) -> bool:
    from opslib.terragrunt.units import classify_source

    return classify_source(source)[0] == "local"


def _source_columns(source: Any) -> dict[str, Any]:
    from opslib.terragrunt.units import classify_source

    kind, ref, pinned = classify_source(source)
    return {
        "source": source if isinstance(source, str) else None,
        "source_kind": kind,
        "module_ref": ref,
        "pinned": pinned,
        "includes": [],
        "locals": {},
        "inputs": {},
    }


def _frames(
    root: Path,
    found: Discovery,
    parsed: dict[str, ParsedFile],
    roles: dict[str, str],
    ev: Evaluator,
    results: dict[str, UnitResult],
    unit_configs: dict[str, Config],
    error_rows: list[dict[str, Any]],
    started: float,
) -> TerragruntTree:
    for found_error in ev.errors.values():
        error_rows.append(
            {
                "path": ev.rel(found_error.path),
                "line": found_error.line,
                "column": None,
                "message": found_error.message,
                "kind": "eval",
            }
        )
    errors = pd.DataFrame(error_rows, columns=ERROR_COLUMNS)
    errors = errors.astype({"line": "Int64", "column": "Int64"})
    unit_ids = set(results)
    error_paths = errors["path"].tolist()
    masker = ev.masker
    unit_rows = []
    dep_rows = []
    unit_files: dict[str, set[Path]] = {}
    source_dirs: dict[str, Path | None] = {}
    for unit in sorted(results):
        result = results[unit]
        row = result.row
        row["lockfile"] = unit in found.lock_dirs
        if error_paths:
            files_rel = {ev.rel(p) for p in result.files}
            row["errors"] = sum(1 for p in error_paths if p in files_rel)
        row["locals"] = mask_values(row["locals"], masker)
        row["inputs"] = mask_values(row["inputs"], masker)
        unit_rows.append(row)
        unit_files[unit] = result.files
        source_dirs[unit] = result.source_dir
        for dep in result.dependencies:
            dep["exists"] = dep["target"] in unit_ids and not dep["external"]
            dep_rows.append(dep)
    for row in unit_rows:  # second pass: copies of secrets found in other units, in every column
        for column in ("locals", "inputs", "source", "module_ref", "includes"):
            row[column] = scrub_values(row[column], masker)
    for dep in dep_rows:
        dep["config_path"] = scrub_values(dep.get("config_path"), masker)
    errors["message"] = [scrub_values(message, masker) for message in errors["message"]]
    units = pd.DataFrame(unit_rows, columns=UNIT_COLUMNS)
    units = units.astype({"pinned": "bool", "lockfile": "bool", "errors": "int64", "line": "int64"})
    dependencies = pd.DataFrame(dep_rows, columns=DEPENDENCY_COLUMNS)
    dependencies = dependencies.astype(
        {"exists": "bool", "external": "bool", "has_mock_outputs": "bool", "line": "Int64"}
    )
    files = pd.DataFrame(
        [
            {
                "path": rel,
                "role": roles.get(rel, file_role(rel)),
                "status": "error" if parsed[rel].error is not None else "ok",
                "size": parsed[rel].size,
                "cached": parsed[rel].cached,
            }
            for rel in sorted(parsed)
        ],
        columns=FILE_COLUMNS,
    ).astype({"size": "int64", "cached": "bool"})
    stats = {
        "parsed": int((~files["cached"]).sum()),
        "cached": int(files["cached"].sum()),
        "seconds": round(time.perf_counter() - started, 3),
    }
    documents = {rel: doc for rel, doc in ev.documents.items() if rel in parsed}
    return TerragruntTree(
        root,
        units=units,
        dependencies=dependencies,
        files=files,
        errors=errors,
        documents=documents,
        masker=masker,
        evaluator=ev,
        configs=unit_configs,
        unit_files=unit_files,
        source_dirs=source_dirs,
        stats=stats,
    )

"""The :class:`TerragruntTree` facade and :func:`load_tree`."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
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
from opslib.terragrunt.evaluate import Config, ErrorRow, Evaluator, Unknown, materialize
from opslib.terragrunt.parse import ParseCache, ParsedFile, _parse_one, parse_files
from opslib.terragrunt.stacks import Stacks, generate_stacks
from opslib.terragrunt.unitcache import CachedUnit, CacheState, UnitCache, env_digest, stamp
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
    "unresolved",
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
FILE_COLUMNS = ["path", "role", "status", "size", "cached", "units"]
ERROR_COLUMNS = ["path", "line", "column", "message", "kind"]
NO_UNITS_MESSAGE = "no terragrunt.hcl, terragrunt.hcl.json or terragrunt.stack.hcl found under the tree root"


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
        (``unit`` | ``stack-unit`` | ``catalog``: a unit folder some stack takes its units from, read
        on its own as a template, left out of the graph), ``account``, ``region``, ``environment``
        (from the locals of account.hcl / region.hcl / env.hcl the unit includes or reads, then the
        nearest such files above it, else from the path around a region-shaped folder; missing
        (None/NaN) when nothing tells; a stack unit's id is its generated folder
        ``<stack dir>/.terragrunt-stack/<path>``), ``source`` (evaluated ``terraform.source``; the
        text as written when it cannot be evaluated; ``None`` when absent), ``source_kind``
        (``git`` | ``tfr`` | ``local`` | ``http`` |
        ``s3`` | ``expression`` | ``none``), ``module_ref`` (``?ref=`` / ``?version=`` value or None),
        ``pinned`` (bool: a remote source pinned to a tag/sha/version, not a branch; local sources count as
        pinned; ``none``/``expression`` are not), ``includes`` (list of dicts: ``label`` (None for a bare
        ``include {}``), ``path`` (relative path of the included file, or the raw/unknown path when it
        cannot be resolved inside the root), ``expose`` (bool), ``line``), ``locals`` and ``inputs``
        (dicts, secrets masked; values that cannot be known are :class:`opslib.terragrunt.Unknown`;
        ``inputs`` merged over the includes' inputs, deep for ``merge_strategy = "deep"``; ``{}`` when
        the whole ``inputs`` is unknown), ``lockfile`` (bool:
        ``.terraform.lock.hcl`` present in the unit folder), ``errors`` (count of error rows about the
        unit's own file or the files it includes/reads), ``unresolved`` (list of ``{function, reason,
        path, line}``: what stayed unknown and why), ``line`` (1; for a stack unit the line of its
        ``unit`` block in ``path``, the stack file).

        Files are read anywhere in the repository holding the root (``repo_root``, else the nearest
        ``.git`` above it), read-only: a catalog beside the loaded folder, a root.hcl above it.
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
        Every config file read: ``path`` (``../catalog/...`` outside the root), ``role`` (``root`` |
        ``account`` | ``region`` | ``env`` | ``unit`` | ``stack`` | ``catalog`` | ``common`` | ``tags``),
        ``status`` (``ok`` | ``error``), ``size``, ``cached`` (bool: came from the disk cache),
        ``units`` (ids of the units reading it: for a catalog file, the stack units it feeds).
    errors : DataFrame
        ``path``, ``line``, ``column``, ``message``, ``kind`` (``parse`` | ``eval`` | ``discover`` |
        ``warning``: a path depends on an unset environment variable, named in the message).
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
        ``parsed`` (files parsed this load), ``cached`` (files read from the cache), ``evaluated``
        (units evaluated this load), ``reused`` (units taken from the unit cache), ``seconds``.

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
        env_paths: dict[str, set[str]] | None = None,
    ) -> None:
        self.root = root
        self.units = units
        self.dependencies = dependencies
        self.files = files
        self.errors = errors
        self.documents = documents
        self._masker = masker
        self.stats = stats
        # set when units came from the unit cache: a full evaluation, run when something needs it
        self._pending: Callable[[], TerragruntTree] | None = None
        self._ev = evaluator
        self._configs = configs
        self._unit_files = unit_files
        self._source_dirs = source_dirs
        self._env_paths = env_paths or {}
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

    @property
    def masker(self) -> Masker:
        self._finish()  # the secrets of cached units are learnt again, never stored
        return self._masker

    def _finish(self) -> None:
        """Evaluate every unit when the load reused cached ones and the evaluator's state is asked for
        (the masker, a unit's configuration)."""
        if self._pending is None:
            return
        full, self._pending = self._pending(), None
        self._masker = full._masker
        self._ev = full._ev
        self._configs = full._configs
        self._contexts = None

    def unit_config(self, unit: str) -> dict[str, Any]:
        """The evaluated, merged configuration of ``unit`` (secrets masked)."""
        if unit not in self._rendered:
            if unit not in self._configs:
                self._finish()
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
        self._finish()
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
            self.graph,
            items,
            root=self.root,
            unit_files=self._unit_files,
            source_dirs=self._source_dirs,
            env_paths=self._env_paths,
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


def _git_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder, or a worktree's file)."""
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return None


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

    repo_root = options.repo_root or _git_root(root)
    extra: dict[str, ParsedFile] = {}

    def load_extra(path: Path) -> dict[str, Any] | None:
        # a file outside the discovered set: under a skipped folder, or elsewhere in the repository
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if rel in documents:
            return documents[rel]
        if rel in parsed or rel in extra or path.name.endswith((".yml", ".yaml")):
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        item = extra[rel] = _parse_one(str(root), rel, st.st_size, st.st_mtime_ns)
        if item.error is not None:
            error_rows.append(
                {
                    "path": rel,
                    "line": item.error.get("line"),
                    "column": item.error.get("column"),
                    "message": item.error["message"],
                    "kind": "parse",
                }
            )
            return None
        documents[rel] = item.document or {}
        return documents[rel]

    ev = Evaluator(
        root,
        documents,
        load_extra,
        env=options.env,
        mock_outputs=options.mock_outputs,
        repo_root=repo_root,
    )
    ucache: UnitCache | None = None
    affected: set[str] | None = None
    if options.cache:
        key = (str(repo_root), options.mock_outputs, options.env is None)
        ucache = UnitCache(root, options.cache_dir, key)
        ucache.load()
        affected = ucache.affected(found.files, options.env)
    reused: dict[str, CachedUnit] = {}
    evaluation: _Evaluation | None = None
    if affected is not None and ucache is not None and ucache.state is not None:
        evaluation = _evaluate_some(ev, root, ucache.state, affected, options.strict)
        if evaluation is not None:
            reused = {u: e for u, e in ucache.state.units.items() if u not in affected}
            for rel, item in ucache.state.extra.items():
                extra.setdefault(rel, item)  # what this load read again is newer
    if evaluation is None:
        if reused or affected is not None:
            ev = Evaluator(
                root,
                documents,
                load_extra,
                env=options.env,
                mock_outputs=options.mock_outputs,
                repo_root=repo_root,
            )
        evaluation = _evaluate_all(ev, root, found, documents, parsed, options.strict, repo_root)
    # when nothing was evaluated, the stored state already is this load's: no need to write it again
    stored = ucache.state.units.keys() if ucache is not None and ucache.state is not None else set()
    keep = None if reused and reused.keys() == stored else ucache
    tree, state = _frames(root, found, parsed, ev, evaluation, error_rows, started, extra, reused, keep)
    if keep is not None and state is not None:
        keep.save(state)
    if reused:
        no_cache = _LoadOptions(**{**vars(options), "cache": False})
        tree._pending = lambda: _assemble(root, found, parsed, no_cache, started)
    return tree


@dataclass
class _Evaluation:
    results: dict[str, UnitResult]
    configs: dict[str, Config]
    roles: dict[str, str]
    stacks: Stacks
    rels: dict[str, str | None]  # unit -> its config file (None for a stack unit)
    loose: list[dict[str, Any]] | None = None  # cached error rows no unit met


def _evaluate_all(
    ev: Evaluator,
    root: Path,
    found: Discovery,
    documents: dict[str, Any],
    parsed: dict[str, ParsedFile],
    strict: bool,
    repo_root: Path | None,
) -> _Evaluation:
    """Evaluate every unit and stack of the tree."""
    roles = {rel: file_role(rel) for rel, _, _ in found.files}
    candidates = [rel for rel in found.unit_files if rel in documents or rel in parsed]
    configs = {rel: ev.unit(root / rel) for rel in candidates}
    results: dict[str, UnitResult] = {}
    unit_configs: dict[str, Config] = {}
    # stacks first: the folders they take units from are catalog units, not units of their own
    stacks = generate_stacks(ev, [root / rel for rel in found.stack_files], results, unit_configs, repo_root)
    for rel in found.stack_files:
        if os.fspath((root / rel).parent) in stacks.catalog_stacks:
            roles[rel] = "catalog"
    catalog: dict[str, list[ErrorRow]] = {
        rel: [] for rel in candidates if os.fspath((root / rel).parent) in stacks.catalog_dirs
    }
    included: set[Path] = set()
    includes: dict[str, list[tuple[str, int | None]]] = {}
    by_path = {os.path.normpath(root / rel): rel for rel in configs}
    for rel, config in configs.items():
        # a template read on its own: what only its stack sets stays unknown, and is no error
        ev.error_sink = catalog.get(rel)
        ev.current_errors = config.errors
        try:
            for inc in config.includes():
                if not isinstance(inc.path, Path):
                    continue
                if os.path.normpath(inc.path) == os.path.normpath(root / rel):
                    # not a parent config: the unit stays a unit, and says what is wrong with it
                    ev.error(root / rel, inc.line, "the unit includes itself")
                    continue
                included.add(inc.path)
                target = by_path.get(os.path.normpath(inc.path))
                if target is not None:
                    includes.setdefault(rel, []).append((target, inc.line))
        finally:
            ev.error_sink = None
            ev.current_errors = None
    for rel in _include_cycles(ev, root, includes):
        included.discard(root / rel)  # each stays a unit, with the cycle as its error
    for rel in candidates:
        if root / rel in included:
            roles[rel] = "root"  # an included terragrunt.hcl is a parent config, not a unit
        elif rel in catalog:
            roles[rel] = "catalog"
        else:
            _build(ev, root, rel, configs[rel], results, unit_configs, strict, "unit")
    for rel, sunk in catalog.items():
        if roles[rel] != "catalog":
            continue
        ev.error_sink = sunk
        try:
            _build(ev, root, rel, configs[rel], results, unit_configs, strict, "catalog")
        finally:
            ev.error_sink = None
        unit = rel.rsplit("/", 1)[0] if "/" in rel else "."
        if unit in results:
            results[unit].unresolved.extend(
                {"function": "", "reason": row.message, "path": ev.rel(row.path), "line": row.line}
                for row in sunk
            )
    rels: dict[str, str | None] = {u: None for u in results}
    for rel in candidates:
        unit = rel.rsplit("/", 1)[0] if "/" in rel else "."
        if unit in results and results[unit].row["kind"] != "stack-unit":
            rels[unit] = rel
    return _Evaluation(results, unit_configs, roles, stacks, rels)


_ONE_LEVEL = "Terragrunt reads one level of include"


def _include_cycles(ev: Evaluator, root: Path, includes: dict[str, list[tuple[str, int | None]]]) -> set[str]:
    """Unit files that include each other in a ring (a includes b, b includes a): Terragrunt refuses
    them, and read as parent configs they would all vanish from the units. Each gets an error naming the
    ring; returns them."""
    graph = nx.DiGraph((rel, target) for rel, targets in includes.items() for target, _ in targets)
    ringed: set[str] = set()
    for ring in nx.strongly_connected_components(graph):
        if len(ring) < 2:
            continue
        ringed |= ring
        for rel in sorted(ring):
            for target, line in includes.get(rel, []):
                if target in ring:
                    cycle = nx.shortest_path(graph, target, rel)
                    chain = " -> ".join([rel, *cycle])
                    ev.error(root / rel, line, f"include cycle: {chain} ({_ONE_LEVEL})")
    return ringed


def _evaluate_some(
    ev: Evaluator, root: Path, state: CacheState, affected: set[str], strict: bool
) -> _Evaluation | None:
    """Evaluate only ``affected`` (plain and catalog units); None when that changes what includes what
    (then everything is evaluated again)."""
    results: dict[str, UnitResult] = {}
    configs: dict[str, Config] = {}
    rels: dict[str, str | None] = {}
    for unit in sorted(affected):
        entry = state.units[unit]
        rel = entry.rel
        if rel is None:
            return None
        kind = entry.result.row["kind"]
        config = ev.unit(root / rel)
        sunk: list[ErrorRow] = []
        ev.error_sink = sunk if kind == "catalog" else None
        try:
            _build(ev, root, rel, config, results, configs, strict, kind)
        finally:
            ev.error_sink = None
        if unit not in results:
            return None
        before = [i["path"] for i in entry.result.row["includes"]]
        if [i["path"] for i in results[unit].row["includes"]] != before:
            return None  # it includes other files now: roots and units may have changed roles
        results[unit].unresolved.extend(
            {"function": "", "reason": row.message, "path": ev.rel(row.path), "line": row.line}
            for row in sunk
        )
        rels[unit] = rel
    for unit, entry in state.units.items():
        if unit not in affected:
            results[unit] = entry.result
            rels[unit] = entry.rel
    return _Evaluation(results, configs, dict(state.roles), state.stacks, rels, list(state.loose))


def _build(
    ev: Evaluator,
    root: Path,
    rel: str,
    config: Config,
    results: dict[str, UnitResult],
    unit_configs: dict[str, Config],
    strict: bool,
    kind: str,
) -> None:
    unit = rel.rsplit("/", 1)[0] if "/" in rel else "."
    try:
        results[unit] = build_unit(ev, unit, root / rel, config=config, kind=kind)
    except RecursionError:
        ev.error(root / rel, None, "configuration nests too deeply to evaluate")
        return
    except Exception as exc:  # a shape nobody foresaw: one unit lost, not the whole tree
        _unexpected(ev, root / rel, exc, strict)
        return
    unit_configs[unit] = config


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


def _unexpected(ev: Evaluator, path: Path, exc: Exception, strict: bool) -> None:
    """An internal failure on one file: an error row (lenient) or a ConfigError naming it (strict)."""
    log.debug("cannot evaluate %s", path, exc_info=True)  # the row says what; debug keeps the stack
    message = f"cannot evaluate this file ({type(exc).__name__}: {exc})"
    if strict:
        raise ConfigError(message, path=path) from exc
    ev.error(path, None, message)


def _outside_role(root: Path, rel: str, stacks: Stacks) -> str:
    """Role of a file read from outside the discovered set: a catalog unit's/stack's file, else by name."""
    folder = os.path.normpath(os.path.dirname(os.path.join(root, rel)))
    if folder in stacks.catalog_dirs or folder in stacks.catalog_stacks:
        return "catalog"
    return file_role(rel)


def _frames(
    root: Path,
    found: Discovery,
    parsed: dict[str, ParsedFile],
    ev: Evaluator,
    evaluation: _Evaluation,
    error_rows: list[dict[str, Any]],
    started: float,
    extra: dict[str, ParsedFile],
    reused: dict[str, CachedUnit],
    ucache: UnitCache | None,
) -> tuple[TerragruntTree, CacheState | None]:
    results, unit_configs, roles, stacks = (
        evaluation.results,
        evaluation.configs,
        evaluation.roles,
        evaluation.stacks,
    )
    file_errors: dict[str, int] = {}
    for row in error_rows:
        file_errors[row["path"]] = file_errors.get(row["path"], 0) + 1
    fresh: dict[tuple[str, int | None, str], dict[str, Any]] = {}
    for kind, found_rows in (("eval", ev.errors), ("warning", ev.warnings)):
        for key, found_error in found_rows.items():
            fresh[key] = {
                "path": ev.rel(found_error.path),
                "line": found_error.line,
                "column": None,
                "message": found_error.message,
                "kind": kind,
            }
    met: dict[str, list[dict[str, Any]]] = {}
    for unit, result in results.items():
        met[unit] = reused[unit].rows if unit in reused else [fresh[k] for k in result.errors if k in fresh]
    if evaluation.loose is None:
        attributed = {k for unit, result in results.items() for k in result.errors}
        loose = [row for key, row in fresh.items() if key not in attributed]
        eval_rows = list(fresh.values())  # in the order they were met
    else:
        loose = evaluation.loose
        eval_rows = []
        seen: set[tuple[Any, ...]] = set()
        for row in [*fresh.values(), *(r for unit in sorted(met) for r in met[unit]), *loose]:
            ident = (row["path"], row["line"], row["message"], row["kind"])
            if ident not in seen:
                seen.add(ident)
                eval_rows.append(row)
    error_rows = [*error_rows, *eval_rows]
    errors = pd.DataFrame(error_rows, columns=ERROR_COLUMNS)
    errors = errors.astype({"line": "Int64", "column": "Int64"})
    unit_ids = set(results)
    masker = ev.masker
    unit_rows = []
    dep_rows = []
    unit_files: dict[str, set[Path]] = {}
    source_dirs: dict[str, Path | None] = {}
    readers: dict[str, list[str]] = {}
    env_paths: dict[str, set[str]] = {}
    for unit in sorted(results):
        result = results[unit]
        row = result.row
        row["lockfile"] = unit in found.lock_dirs
        files_rel = {ev.rel(p) for p in result.files}
        # errors the unit met evaluating, and unparseable files it reads: not every error of a shared root
        met_errors = sum(1 for r in met[unit] if r["kind"] == "eval")
        row["errors"] = met_errors + sum(file_errors.get(p, 0) for p in files_rel)
        if unit not in reused:  # cached rows were masked when they were evaluated
            row["locals"] = mask_values(row["locals"], masker)
            row["inputs"] = mask_values(row["inputs"], masker)
        row["unresolved"] = sorted(
            result.unresolved, key=lambda u: (u["path"], u["line"] or 0, u["function"])
        )
        unit_rows.append(row)
        unit_files[unit] = result.files
        source_dirs[unit] = result.source_dir
        if result.env_paths:
            env_paths[unit] = result.env_paths
        for rel in files_rel:
            readers.setdefault(rel, []).append(unit)
        for dep in result.dependencies:
            members = stacks.members.get(dep["target"]) if dep["target"] not in unit_ids else None
            if members and not dep["external"]:
                # a dependency on a stack folder is one on every unit the stack generates
                for member in members:
                    dep_rows.append({**dep, "target": member, "exists": True})
                continue
            dep["exists"] = dep["target"] in unit_ids and not dep["external"]
            dep_rows.append(dep)
    for row in unit_rows:  # second pass: copies of secrets found in other units, in every column
        if row["unit"] in reused:
            continue  # cached rows were scrubbed when they were evaluated
        for column in ("locals", "inputs", "source", "module_ref", "includes", "unresolved"):
            row[column] = scrub_values(row[column], masker)
    for dep in dep_rows:
        dep["config_path"] = scrub_values(dep.get("config_path"), masker)
    for found_row in fresh.values():  # in place: the unit cache keeps these rows
        found_row["message"] = scrub_values(found_row["message"], masker)
    errors["message"] = [scrub_values(message, masker) for message in errors["message"]]
    units = pd.DataFrame(unit_rows, columns=UNIT_COLUMNS)
    units = units.astype({"pinned": "bool", "lockfile": "bool", "errors": "int64", "line": "int64"})
    dependencies = pd.DataFrame(dep_rows, columns=DEPENDENCY_COLUMNS)
    dependencies = dependencies.astype(
        {"exists": "bool", "external": "bool", "has_mock_outputs": "bool", "line": "Int64"}
    )
    listed = {**parsed, **extra}
    files = pd.DataFrame(
        [
            {
                "path": rel,
                "role": roles.get(rel) or _outside_role(root, rel, stacks),
                "status": "error" if item.error is not None else "ok",
                "size": item.size,
                "cached": item.cached,
                "units": readers.get(rel, []),
            }
            for rel, item in sorted(listed.items())
        ],
        columns=FILE_COLUMNS,
    ).astype({"size": "int64", "cached": "bool"})
    stats = {
        "parsed": int((~files["cached"]).sum()),
        "cached": int(files["cached"].sum()),
        "evaluated": len(results) - len(reused),
        "reused": len(reused),
        "seconds": round(time.perf_counter() - started, 3),
    }
    documents = {rel: doc for rel, doc in ev.documents.items() if rel in parsed}
    state = None
    if ucache is not None:
        state = _cache_state(root, found, ev, evaluation, met, loose, extra, ucache)
    tree = TerragruntTree(
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
        env_paths=env_paths,
        stats=stats,
    )
    return tree, state


def _cache_state(
    root: Path,
    found: Discovery,
    ev: Evaluator,
    evaluation: _Evaluation,
    met: dict[str, list[dict[str, Any]]],
    loose: list[dict[str, Any]],
    extra: dict[str, ParsedFile],
    ucache: UnitCache,
) -> CacheState:
    """What the unit cache keeps of this load (rows already masked)."""
    discovered = {os.path.join(root, rel) for rel, _, _ in found.files}
    units: dict[str, CachedUnit] = {}
    outside: dict[str, Any] = {}
    names: set[str] = set()
    old = ucache.state
    for unit, result in evaluation.results.items():
        deps = frozenset(os.fspath(p) for p in result.files)
        units[unit] = CachedUnit(result, evaluation.rels.get(unit), deps, met[unit])
        names |= result.env
        for path in deps:
            if path not in discovered and path not in outside and not os.path.isdir(path):
                outside[path] = stamp(path)
    probes = {path: known for path, known in ev.probes().items()}
    if evaluation.loose is not None and old is not None:
        probes = {**old.probes, **probes}  # a partial load looked for fewer files
    return CacheState(
        key=ucache.key,
        files={rel: (size, mtime) for rel, size, mtime in found.files},
        outside=outside,
        probes=probes,
        env=env_digest(ev.env, names),
        units=units,
        roles=evaluation.roles,
        stacks=evaluation.stacks,
        loose=loose,
        extra=extra,
        stack_files=set(found.stack_files),
    )

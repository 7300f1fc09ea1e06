"""A safe, lazy, partial evaluator for Terragrunt configurations.

Nothing here executes a command or reaches outside the tree: ``run_cmd``, ``sops_decrypt_file``, AWS
lookups, clocks and reads outside the root evaluate to :class:`Unknown`, and so does everything computed
from them. Locals, includes and ``read_terragrunt_config`` results are evaluated on demand and memoised;
a reference cycle yields ``Unknown`` plus one error row, never a crash.

A :class:`Config` is one file evaluated in one context (the unit it serves). An included file is
evaluated in its child's context (``get_terragrunt_dir()`` is the child's folder), a file read with
``read_terragrunt_config`` in its own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opslib.secrets import Masker
from opslib.terragrunt import tgfunctions
from opslib.terragrunt.expr import ExprSyntaxError, Node, compile_value
from opslib.terragrunt.functions import FUNCTIONS, FunctionError, checked_number, hcl_str
from opslib.terragrunt.functions import to_number as _function_number
from opslib.terragrunt.values import (
    UNKNOWN,
    EvalError,
    Unknown,
    _Lazy,
    attr_line,
    attributes,
    contains_unknown,
    is_unknown,
    iter_blocks,
    materialize,
)

__all__ = [
    "UNKNOWN",
    "Config",
    "ConfigView",
    "EvalError",
    "Evaluator",
    "Include",
    "Unknown",
    "attr_line",
    "attributes",
    "contains_unknown",
    "env_variable",
    "expansion",
    "is_unknown",
    "iter_blocks",
    "materialize",
]

# functions that are never run: they execute programs, call AWS, read the clock or the machine
_NEVER_RUN = {
    "run_cmd",
    "sops_decrypt_file",
    "get_aws_account_id",
    "get_aws_account_alias",
    "get_aws_caller_identity_arn",
    "get_aws_caller_identity_user_id",
    "timestamp",
    "plantimestamp",
    "uuid",
    "uuidv5",
    "bcrypt",
    "get_platform",
    "get_working_dir",
    "get_terraform_command",
    "get_terraform_cli_args",
    "get_default_retryable_errors",
    "local_exec",
    "constraint_check",
    "filebase64",
    "filemd5",
    "filesha256",
    "fileset",
    "pathexpand",
    "abspath",
    "get_terragrunt_source_cli_flag",
}
# pure functions whose result would hide an unknown nested anywhere in an argument
_DEEP = {
    "jsonencode",
    "yamlencode",
    "join",
    "format",
    "formatlist",
    "sort",
    "distinct",
    "contains",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "base64encode",
    "length",
    "keys",
    "values",
    "toset",
    "setunion",
    "setintersection",
    "setsubtract",
    "flatten",
    "index",
    "compact",
    "alltrue",
    "anytrue",
    "sum",
    "transpose",
    "regexall",
    "tostring",
}


@dataclass
class Include:
    label: str | None
    path: Path | Unknown  # resolved absolute path
    expose: bool
    merge_strategy: str
    line: int | None
    raw: str


@dataclass
class ErrorRow:
    path: Path
    line: int | None
    message: str


class Evaluator:
    """Shared state of one tree's evaluation: documents, caches, env, errors, secrets."""

    def __init__(
        self,
        root: Path,
        documents: dict[str, dict[str, Any]],
        load_document: Callable[[Path], dict[str, Any] | None],
        *,
        env: Mapping[str, str] | None = None,
        mock_outputs: bool = False,
        repo_root: Path | None = None,
    ) -> None:
        self.root = root
        self.documents = documents
        self._load_document = load_document
        self.env = env
        self.mock_outputs = mock_outputs
        self._repo_root = repo_root
        self._repo_root_found = repo_root is not None
        self._clone_roots: dict[str, Path | None] = {}  # unit folder -> its repository, when none holds root
        # files may be read anywhere in the repository (a catalog beside the loaded folder), never beyond
        self._area_text = (
            os.fspath(repo_root) if repo_root is not None and root.is_relative_to(repo_root) else ""
        )
        self._area_prefix = self._area_text.rstrip(os.sep) + os.sep if self._area_text else ""
        self.masker = Masker()
        self.errors: dict[tuple[str, int | None, str], ErrorRow] = {}
        self._reads: dict[tuple[str, Path | None], Config] = {}
        self._uses_original: dict[str, bool] = {}
        self._root_text = str(root)
        self._root_prefix = self._root_text.rstrip(os.sep) + os.sep
        self._found: dict[tuple[str, str], str | None] = {}
        self._stats: dict[str, tuple[bool, bool]] = {}
        self._compiled: dict[int, tuple[Any, Node]] = {}
        # a stack unit's generated folder (not on disk until `terragrunt stack generate`) -> its source
        self._overlays: dict[str, str] = {}
        self._values_files: dict[str, Any] = {}  # generated terragrunt.values.hcl -> the stack's values
        self.warnings: dict[tuple[str, int | None, str], ErrorRow] = {}
        self._lines: dict[str, list[str]] = {}
        self.error_sink: list[ErrorRow] | None = None  # set while evaluating a catalog unit on its own
        self.current_errors: set[tuple[str, int | None, str]] | None = None

    # -- files ------------------------------------------------------------------------------------
    # string operations: pathlib's relative_to dominated the evaluation time of big trees
    def inside(self, path: Path | str) -> bool:
        text = os.fspath(path)
        return text == self._root_text or text.startswith(self._root_prefix)

    def readable(self, path: Path | str) -> bool:
        """Inside the root, or elsewhere in the repository holding it (read-only: catalogs, roots)."""
        text = os.fspath(path)
        if text == self._root_text or text.startswith(self._root_prefix):
            return True
        return bool(self._area_text) and (text == self._area_text or text.startswith(self._area_prefix))

    def rel(self, path: Path | str) -> str:
        """The id of a path: relative to the root; ``../catalog/...`` elsewhere in the repository."""
        text = os.fspath(path)
        if text == self._root_text:
            return "."
        if text.startswith(self._root_prefix):
            return text[len(self._root_prefix) :].replace(os.sep, "/")
        if self._area_text and (text == self._area_text or text.startswith(self._area_prefix)):
            return os.path.relpath(text, self._root_text).replace(os.sep, "/")
        return text.replace(os.sep, "/")

    def compile(self, value: Any) -> Node:
        """The AST of a document value; containers are compiled once per tree (root.hcl's inputs
        serve every unit)."""
        if isinstance(value, (dict, list)):
            hit = self._compiled.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            node = compile_value(value)
            self._compiled[id(value)] = (value, node)
            return node
        return compile_value(value)

    def exists(self, path: Path | str) -> bool:
        return self._stat(os.fspath(path))[0]

    def is_dir(self, path: Path | str) -> bool:
        return self._stat(os.fspath(path))[1]

    def _stat(self, text: str) -> tuple[bool, bool]:
        # thousands of units read the same few files: ask the file system once per path
        known = self._stats.get(text)
        if known is None:
            known = self._stats[text] = (os.path.exists(text), os.path.isdir(text))
        return known

    def find_up(self, start: str, name: str) -> str | None:
        """The first ``start/../name``, ``start/../../name``... up to the repository root (else the
        tree root), memoised."""
        key = (start, name)
        if key in self._found:
            return self._found[key]
        found = None
        folder = os.path.dirname(start)
        top = self._area_text or self._root_text
        while self.readable(folder):
            candidate = os.path.join(folder, name)
            if self.exists(candidate):
                found = os.path.normpath(candidate)
                break
            if folder == top or os.path.dirname(folder) == folder:
                break
            folder = os.path.dirname(folder)
        self._found[key] = found
        return found

    @property
    def search_top(self) -> str:
        """Where upward searches stop: the repository root, else the tree root."""
        return self._area_text or self._root_text

    def document(self, path: Path | str) -> dict[str, Any] | None:
        if not self.readable(path):
            return None
        doc = self.documents.get(self.rel(path))
        if doc is None:
            doc = self._load_document(Path(path))
        return doc

    def find_line(self, path: Path, line: int, needle: str) -> int:
        """The first line from ``line`` to the end of the attribute starting there that holds ``needle``."""
        lines = self._text_lines(os.fspath(path))
        depth = 0
        for number in range(line, len(lines) + 1):
            text = lines[number - 1]
            if needle in text:
                return number
            depth += sum(text.count(c) for c in "{[(") - sum(text.count(c) for c in "}])")
            if depth <= 0 and number > line:
                break
        return line

    def _text_lines(self, text: str) -> list[str]:
        found = self._lines.get(text)
        if found is None:
            try:
                with open(text, encoding="utf-8-sig", errors="replace") as handle:
                    found = handle.read().split("\n")
            except OSError:
                found = []
            self._lines[text] = found
        return found

    def error(self, path: Path, line: int | None, message: str) -> None:
        key = (str(path), line, message)
        if self.error_sink is not None:
            if key not in self.errors:
                self.error_sink.append(ErrorRow(path, line, message))
            return
        if self.current_errors is not None:
            self.current_errors.add(key)  # the unit being evaluated met this error
        if key not in self.errors:
            self.errors[key] = ErrorRow(path, line, message)

    def warn(self, path: Path, line: int | None, message: str) -> None:
        key = (str(path), line, message)
        if self.error_sink is not None:
            return
        if self.current_errors is not None:
            self.current_errors.add(key)  # the unit being evaluated met this warning
        if key not in self.warnings:
            self.warnings[key] = ErrorRow(path, line, message)

    def probes(self) -> dict[str, tuple[bool, bool]]:
        """Every path looked for, with what was found (exists, is a folder); generated files left out."""
        return {path: known for path, known in self._stats.items() if path not in self._values_files}

    # -- generated stack folders --------------------------------------------------------------------
    def add_overlay(self, generated: Path, source: Path, values: Any) -> None:
        """``generated`` (a stack unit's folder) holds a copy of ``source`` plus terragrunt.values.hcl."""
        gen = os.fspath(generated)
        self._overlays[gen] = os.fspath(source)
        values_file = os.path.join(gen, "terragrunt.values.hcl")
        if not os.path.exists(values_file):
            self._values_files[values_file] = values
            self._stats[values_file] = (True, False)

    def generated(self, text: str) -> str:
        """``text``, or the source file it is a copy of when it lies in a not yet generated stack unit."""
        if not self._overlays or text in self._values_files or os.path.exists(text):
            return text
        folder = text
        while True:
            source = self._overlays.get(folder)
            if source is not None:
                return source + text[len(folder) :]
            parent = os.path.dirname(folder)
            if parent == folder:
                return text
            folder = parent

    def repo_root(self, start: Path) -> Path | None:
        """The repository ``get_repo_root()`` names for a config in ``start``: the one given or holding
        the loaded folder; else the nearest at or above ``start`` (a folder of clones loaded whole:
        each clone is its own repository)."""
        if self._repo_root_found:
            return self._repo_root
        text = os.fspath(start)
        if text not in self._clone_roots:
            self._clone_roots[text] = next(
                (folder for folder in [start, *start.parents] if self.exists(os.path.join(folder, ".git"))),
                None,
            )
        return self._clone_roots[text]

    # -- configs ----------------------------------------------------------------------------------
    def unit(self, config_file: Path, values: Any = None) -> Config:
        folder = config_file.parent
        return Config(self, config_file, folder, folder, values=values)

    def read_config(self, path: Path | str, original_dir: Path) -> Config | Unknown:
        text = os.fspath(path)
        if text in self._values_files:
            return _values_config(self, Path(text), self._values_files[text])
        # a file only depends on the reader when it asks for the original dir; share it otherwise
        uses = self._uses_original.get(text)
        if uses is None:
            doc = self.document(text)
            if doc is None:
                return Unknown(
                    f"read_terragrunt_config({self.rel(text)}): not a parsed file of the repository"
                )
            uses = self._uses_original[text] = "get_original_terragrunt_dir" in repr(doc)
        key = (text, original_dir if uses else None)
        config = self._reads.get(key)
        if config is None:
            file = Path(text)
            config = Config(self, file, file.parent, original_dir)
            self._reads[key] = config
        return config


def env_variable(value: Any) -> str | None:
    """The environment variable an unknown value waits for (``get_env`` without a default), if any."""
    if isinstance(value, Unknown) and value.reason.startswith("get_env("):
        return value.reason[len("get_env(") :].split(")", 1)[0]
    return None


def _values_config(ev: Evaluator, path: Path, values: Any) -> Config:
    """The terragrunt.values.hcl a stack writes into a unit's folder, from the stack's values."""
    values = materialize(values)
    items = values if isinstance(values, dict) else {}
    config = Config(ev, path, path.parent, path.parent)
    config.doc = {**{key: None for key in items}, "__lines__": {key: [1, 1] for key in items}}
    config._top = dict(items)
    return config


class _LocalsView(_Lazy):
    def __init__(self, config: Config) -> None:
        self.config = config

    def get(self, key: str) -> Any:
        return self.config.local(key)

    def keys(self) -> list[str]:
        return list(self.config.local_sources)

    def cache(self) -> dict[tuple[Any, ...], Any] | None:
        return self.config.materialized


class ConfigView(_Lazy):
    """What ``read_terragrunt_config`` and an exposed include give: attributes, locals, blocks."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def get(self, key: str) -> Any:
        return self.config.top(key)

    def keys(self) -> list[str]:
        return self.config.top_keys()

    def cache(self) -> dict[tuple[Any, ...], Any] | None:
        return self.config.materialized


class _IncludesView(_Lazy):
    def __init__(self, config: Config) -> None:
        self.config = config

    def get(self, key: str) -> Any:
        for inc in self.config.includes():
            if (inc.label or "") == key:
                if not inc.expose:
                    raise EvalError(f"include {key!r} is not exposed (set expose = true)")
                parent = self.config.included(inc)
                return ConfigView(parent) if isinstance(parent, Config) else parent
        # a bare exposed `include {}` is read without a label: include.locals.x, include.inputs
        bare = next((inc for inc in self.config.includes() if inc.label is None and inc.expose), None)
        if bare is not None:
            parent = self.config.included(bare)
            return ConfigView(parent).get(key) if isinstance(parent, Config) else parent
        raise EvalError(f"no include labelled {key!r}")

    def keys(self) -> list[str]:
        return [inc.label or "" for inc in self.config.includes() if inc.expose]


class _DependenciesView(_Lazy):
    def __init__(self, config: Config) -> None:
        self.config = config

    def get(self, key: str) -> Any:
        body = self.config.unit_root.merged_blocks("dependency").get(key)
        if body is None:
            raise _needle(EvalError(f"no dependency block named {key!r}"), f"dependency.{key}")
        return dependency_value(self.config, key, *body)

    def keys(self) -> list[str]:
        return list(self.config.unit_root.merged_blocks("dependency"))


def dependency_value(config: Config, key: str, owner: Config, block: Mapping[str, Any]) -> Any:
    """What ``dependency.<key>`` gives: ``outputs`` (mocks or unknown), ``inputs``, ``config_path``;
    for a block with an ``expansion``, a map from each instance key to that."""
    instances = expansion(owner, block)
    if instances is None:
        return _dependency_instance(config, key, owner, block, {})
    if isinstance(instances, Unknown):
        return instances
    return {
        name: _dependency_instance(config, f"{key}[{name}]", owner, block, scope) for name, scope in instances
    }


def _dependency_instance(
    config: Config, key: str, owner: Config, block: Mapping[str, Any], scope: dict[str, Any]
) -> dict[str, Any]:
    mocks = owner.eval_attr(block, "mock_outputs", scope) if "mock_outputs" in block else None
    if config.ev.mock_outputs and isinstance(mocks, dict):
        outputs: Any = mocks
    else:
        outputs = Unknown(f"dependency.{key}.outputs")
    return {
        "outputs": outputs,
        "inputs": Unknown(f"dependency.{key}.inputs"),
        "config_path": owner.eval_attr(block, "config_path", scope) if "config_path" in block else None,
    }


def expansion(owner: Config, block: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]] | Unknown | None:
    """The instances of a block with an ``expansion { for_each | count }``: (key, scope) pairs where the
    scope holds ``each`` or ``count``; None when the block does not expand."""
    bodies = [body for _, body in iter_blocks(block, "expansion")]
    if not bodies:
        return None
    body = bodies[0]
    if "for_each" in body:
        items = materialize(owner.eval_attr(body, "for_each"))
        if isinstance(items, Unknown):
            return items
        if isinstance(items, dict):
            return [(str(k), {"each": {"key": k, "value": v}}) for k, v in items.items()]
        if isinstance(items, list):
            return [(hcl_str(v), {"each": {"key": v, "value": v}}) for v in items]
        raise _needle(EvalError("expansion.for_each must be a map or a set"), "for_each")
    if "count" in body:
        count = materialize(owner.eval_attr(body, "count"))
        if isinstance(count, Unknown):
            return count
        number = _num(count)
        return [(str(i), {"count": {"index": i}}) for i in range(int(number))]
    raise _needle(EvalError("expansion needs for_each or count"), "expansion")


class Config:
    """One file evaluated in one context."""

    def __init__(
        self,
        ev: Evaluator,
        path: Path,
        terragrunt_dir: Path,
        original_dir: Path,
        *,
        include_dir: Path | None = None,
        child: Config | None = None,
        values: Any = None,
    ) -> None:
        self.ev = ev
        self.path = path
        self.terragrunt_dir = terragrunt_dir
        self.terragrunt_text = str(terragrunt_dir)
        self.original_dir = original_dir
        self.include_dir = include_dir  # set when this file is included by ``child``
        self.child = child
        self.values = values
        doc = ev.document(path)
        self.doc: dict[str, Any] = doc if doc is not None else {}
        self.local_sources: dict[str, tuple[Any, int | None]] = {}
        for _, body in iter_blocks(self.doc, "locals"):
            for name, value in attributes(body).items():
                self.local_sources[name] = (value, attr_line(body, name))
        self._locals: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        self._includes: list[Include] | None = None
        self._included: dict[int, Config | Unknown] = {}
        self._top: dict[str, Any] = {}
        self._merged: dict[str, dict[str, tuple[Config, dict[str, Any]]]] = {}
        self.materialized: dict[tuple[Any, ...], Any] = {}
        self.touched: set[Path] = set()  # files this config read (includes, reads, file())
        self.reads: list[Config] = []  # configs this one read or included
        self.env_used: set[str] = set()  # environment variables get_env asked for
        self.unresolved: list[dict[str, Any]] = []  # functions whose value stays unknown, and why
        self.errors: set[tuple[str, int | None, str]] = set()  # error rows met evaluating this file
        self.line: int | None = None  # the line being evaluated
        self.extra_parents: list[tuple[Include, Config]] = []  # a stack's autoinclude
        self.env_paths: set[str] = set()  # unset environment variables some path of this file needs
        self.scope_vars: dict[str, Any] = {}  # unit/stack references of a stack file's autoinclude

    @property
    def unit_root(self) -> Config:
        return self.child.unit_root if self.child is not None else self

    # -- locals -----------------------------------------------------------------------------------
    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self.local_sources:
            raise _needle(EvalError(f"no local named {name!r} in {self.ev.rel(self.path)}"), f"local.{name}")
        if name in self._evaluating:
            value, line = self.local_sources[name]
            self.ev.error(self.path, line, f"local.{name} refers to itself (a reference cycle)")
            return Unknown(f"cycle in local.{name}")
        value, line = self.local_sources[name]
        self._evaluating.add(name)
        try:
            result = self.eval_value(value, line)
        finally:
            self._evaluating.discard(name)
        self._locals[name] = result
        return result

    # -- includes ---------------------------------------------------------------------------------
    def includes(self) -> list[Include]:
        if self._includes is None:
            self._includes = []
            for label, body in iter_blocks(self.doc, "include"):
                line = body.get("__start_line__")
                raw = body.get("path")
                target: Path | Unknown
                if raw is None:
                    target = Unknown("include without a path")
                    self.ev.error(self.path, line, "include block has no path")
                else:
                    value = self.eval_value(raw, attr_line(body, "path"))
                    if isinstance(value, str):
                        target = self.resolve_path(value)
                    else:
                        target = value if isinstance(value, Unknown) else Unknown("path is not a string")
                        # the unit loads without what it includes: say so where the include is
                        name = f"include {label!r}" if label is not None else "include"
                        failed = target.reason.startswith("error:")  # its error row is there already
                        if not failed and not self.unknown_path(target, name, attr_line(body, "path")):
                            self.ev.error(
                                self.path, line, f"{name}: cannot resolve its path ({target.reason})"
                            )
                expose = self.eval_value(body.get("expose", False), None) is True
                strategy = self.eval_value(body.get("merge_strategy", '"shallow"'), None)
                self._includes.append(
                    Include(
                        label,
                        target,
                        expose,
                        strategy if isinstance(strategy, str) else "shallow",
                        line,
                        raw if isinstance(raw, str) else "",
                    )
                )
        return self._includes

    def included(self, inc: Include) -> Config | Unknown:
        key = id(inc)
        if key not in self._included:
            result: Config | Unknown
            if isinstance(inc.path, Unknown):
                result = inc.path
            elif self.ev.document(inc.path) is None:
                if not self.ev.exists(inc.path):
                    self.ev.error(self.path, inc.line, f"included file not found: {self.ev.rel(inc.path)}")
                else:
                    self.touched.add(inc.path)  # unparseable: its error rows count for this unit
                result = Unknown(f"include {self.ev.rel(inc.path)}: not a parsed file of the repository")
            elif inc.path == self.path or (self.child is not None):
                # terragrunt does not nest includes; an included file's own includes are not merged
                result = Unknown("nested include")
            else:
                result = Config(
                    self.ev,
                    inc.path,
                    self.terragrunt_dir,
                    self.original_dir,
                    include_dir=inc.path.parent,
                    child=self,
                )
                self.touched.add(inc.path)
                self.reads.append(result)
            self._included[key] = result
        return self._included[key]

    def parent_configs(self) -> list[tuple[Include, Config]]:
        out = []
        for inc in self.includes():
            parent = self.included(inc)
            if isinstance(parent, Config):
                out.append((inc, parent))
        return out + self.extra_parents

    def merged_parents(self) -> list[tuple[Include, Config]]:
        """The includes whose configuration merges into this one: all but ``merge_strategy = "no_merge"``
        (terragrunt still reads such a file, through ``expose``, but takes nothing from it)."""
        return [(inc, parent) for inc, parent in self.parent_configs() if inc.merge_strategy != "no_merge"]

    # -- top-level attributes and blocks ------------------------------------------------------------
    def top_keys(self) -> list[str]:
        keys = [k for k in self.doc if not k.startswith("__")]
        if "locals" in keys and self.path.name == "terragrunt.stack.hcl":
            keys.append("local")
        return keys

    def top(self, key: str) -> Any:
        if key in self._top:
            return self._top[key]
        stack_file = self.path.name == "terragrunt.stack.hcl"
        if key == "locals" or (key == "local" and stack_file):
            # a stack file read with read_terragrunt_config shows its locals as ``local``
            value: Any = _LocalsView(self)
        elif key == "dependency":
            # this file's own dependency blocks (with its includes when it is the unit), each with its
            # attributes as written: an exposed include's ``dependency.vpc.config_path`` must not
            # resolve through the including unit, whose own block may read exactly that (a cycle)
            value = {
                name: {**owner.render_body(block), **materialize(dependency_value(self, name, owner, block))}
                for name, (owner, block) in self.merged_blocks("dependency").items()
            }
        elif key == "include":
            value = {
                (inc.label or ""): {"path": self.ev.rel(inc.path) if isinstance(inc.path, Path) else inc.path}
                for inc in self.includes()
            }
        elif key in self.doc and key in (self.doc.get("__lines__") or {}):
            value = self.eval_attr(self.doc, key)
        elif key in self.doc:
            value = self.render_blocks(key)
        else:
            raise EvalError(f"{self.ev.rel(self.path)} has no {key!r}")
        self._top[key] = value
        return value

    def render_blocks(self, kind: str) -> Any:
        labelled: dict[str, Any] = {}
        plain: dict[str, Any] = {}
        named = kind in ("unit", "stack") and self.path.name == "terragrunt.stack.hcl"
        for label, body in iter_blocks(self.doc, kind):
            rendered = self.render_body(body)
            if label is None:
                plain.update(rendered)
            else:
                labelled[label] = {"name": label, **rendered} if named else rendered
        return labelled if labelled else plain

    def render_body(self, body: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in attributes(body):
            out[name] = self.eval_attr(body, name)
        for key, value in body.items():
            if key.startswith("__") or key in out or not isinstance(value, list):
                continue
            # nested blocks: plain ones (a list when repeated), labelled ones by label
            plain = []
            labelled: dict[str, Any] = {}
            for label, nested in iter_blocks(body, key):
                if label is None:
                    plain.append(self.render_body(nested))
                else:
                    labelled[label] = self.render_body(nested)
            if labelled:
                out[key] = labelled
            elif plain:
                out[key] = plain if len(plain) > 1 else plain[0]
        return out

    def merged_blocks(self, kind: str) -> dict[str, tuple[Config, dict[str, Any]]]:
        """Labelled blocks of this config and its includes (the child wins), with their owner."""
        if kind not in self._merged:
            merged: dict[str, tuple[Config, dict[str, Any]]] = {}
            for _, parent in self.merged_parents():
                for label, body in iter_blocks(parent.doc, kind):
                    merged[label or ""] = (parent, body)
            for label, body in iter_blocks(self.doc, kind):
                merged[label or ""] = (self, body)
            self._merged[kind] = merged
        return self._merged[kind]

    # -- evaluation -------------------------------------------------------------------------------
    def eval_attr(self, body: Mapping[str, Any], name: str, scope: dict[str, Any] | None = None) -> Any:
        if name not in body:
            return None
        return self.eval_value(body[name], attr_line(body, name), scope)

    def eval_value(self, value: Any, line: int | None, scope: dict[str, Any] | None = None) -> Any:
        ev = self.ev
        outer_line, outer_errors = self.line, ev.current_errors
        self.line = line
        ev.current_errors = self.errors
        try:
            return self._eval_value(value, line, scope if scope is not None else {})
        finally:
            self.line = outer_line
            ev.current_errors = outer_errors

    def _eval_value(self, value: Any, line: int | None, scope: dict[str, Any]) -> Any:
        try:
            node = self.ev.compile(value)
        except ExprSyntaxError as exc:
            self.ev.error(self.path, line, f"cannot read expression: {exc}")
            return Unknown("unreadable expression")
        except RecursionError:
            self.ev.error(self.path, line, "expression nests too deeply")
            return Unknown("recursion")
        try:
            return self.eval(node, scope)
        except (EvalError, FunctionError) as exc:
            self.ev.error(self.path, self.failing_line(line, exc), str(exc))
            return Unknown(f"error: {exc}")
        except RecursionError:
            self.ev.error(self.path, line, "expression nests too deeply")
            return Unknown("recursion")
        except Exception as exc:  # never a traceback from a user's file: an error row instead
            self.ev.error(self.path, line, f"cannot evaluate: {type(exc).__name__}: {exc}")
            return Unknown(f"error: {exc}")

    def failing_line(self, line: int | None, exc: Exception) -> int | None:
        """The line inside a multi-line attribute that holds what failed (the attribute's first line when
        the text does not tell)."""
        needle = getattr(exc, "needle", None)
        if line is None or not needle:
            return line
        return self.ev.find_line(self.path, line, needle)

    def unknown_path(self, value: Any, what: str, line: int | None) -> bool:
        """A path that stays unknown because an environment variable is unset: a warning naming it
        (True), since the files it would read are missing from this unit's blast radius."""
        variable = env_variable(value)
        if variable is None:
            return False
        self.ev.warn(
            self.path,
            line,
            f"{what}: the path depends on the unset environment variable {variable}; "
            "what it reads is not known",
        )
        self.env_paths.add(variable)
        return True

    def note_unresolved(self, function: str, reason: str) -> None:
        entry = {"function": function, "reason": reason, "path": self.ev.rel(self.path), "line": self.line}
        if entry not in self.unresolved:
            self.unresolved.append(entry)

    def eval(self, node: Node, scope: dict[str, Any]) -> Any:
        return _EVAL[node[0]](self, node, scope)

    def resolve_path(self, text: str) -> Path:
        return Path(self.resolve_text(text))

    def resolve_text(self, text: str) -> str:
        """``text`` made absolute from this config's terragrunt dir, normalised (as a string)."""
        return os.path.normpath(os.path.join(self.terragrunt_text, text))

    # -- helpers for functions ----------------------------------------------------------------------
    def include_for(self, label: Any) -> Include | None:
        incs = self.includes()
        if label is not None:
            return next((i for i in incs if i.label == label), None)
        return incs[0] if incs else None


def _ev_lit(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    return node[1]


def _ev_paren(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    return cfg.eval(node[1], scope)


def _ev_tmpl(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    parts = node[1]
    if len(parts) == 1 and isinstance(parts[0], tuple) and parts[0][0] == "i":
        return cfg.eval(parts[0][1], scope)
    out: list[str] = []
    unknown = _render_parts(cfg, parts, scope, out)
    return unknown if unknown is not None else "".join(out)


def _render_parts(
    cfg: Config, parts: tuple[Any, ...], scope: dict[str, Any], out: list[str]
) -> Unknown | None:
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        tag = part[0]
        if tag == "i":
            value = materialize(cfg.eval(part[1], scope))
            if isinstance(value, Unknown):
                return value
            out.append(hcl_str(value))
        elif tag == "if":
            cond = cfg.eval(part[1], scope)
            if isinstance(cond, Unknown):
                return cond
            unknown = _render_parts(cfg, part[2] if cond else part[3], scope, out)
            if unknown is not None:
                return unknown
        elif tag == "for":
            _, kname, vname, coll_node, body = part
            coll = materialize(cfg.eval(coll_node, scope))
            if isinstance(coll, Unknown):
                return coll
            for k, v in _iterate(coll):
                inner = dict(scope)
                inner[vname] = v
                if kname:
                    inner[kname] = k
                unknown = _render_parts(cfg, body, inner, out)
                if unknown is not None:
                    return unknown
    return None


def _iterate(coll: Any) -> list[tuple[Any, Any]]:
    if isinstance(coll, dict):
        return [(k, coll[k]) for k in sorted(coll)]
    if isinstance(coll, list):
        return list(enumerate(coll))
    if coll is None:
        return []
    raise EvalError(f"cannot iterate over a {type(coll).__name__}")


def _ev_var(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    name = node[1]
    if name in scope:
        return scope[name]
    if cfg.scope_vars and name in cfg.scope_vars:
        return cfg.scope_vars[name]
    if name == "local":
        return _LocalsView(cfg)
    if name == "include":
        return _IncludesView(cfg.unit_root if cfg.child is None else cfg.child)
    if name == "dependency":
        return _DependenciesView(cfg)
    if name == "feature":
        return _features(cfg)
    if name == "values":
        values = cfg.unit_root.values
        return values if values is not None else Unknown("values (set by a stack)")
    return Unknown(f"reference to {name}")


def _features(cfg: Config) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (owner, body) in cfg.unit_root.merged_blocks("feature").items():
        out[name] = {"value": owner.eval_attr(body, "default")}
    return out


def _needle(exc: Exception, needle: str) -> Exception:
    """Mark ``exc`` with the text that shows where it happened (for the error row's line)."""
    if getattr(exc, "needle", None) is None:
        exc.needle = needle  # type: ignore[attr-defined]
    return exc


def _get(obj: Any, key: Any) -> Any:
    try:
        return _get_item(obj, key)
    except EvalError as exc:
        raise _needle(exc, str(key)) from None


def _get_item(obj: Any, key: Any) -> Any:
    if isinstance(obj, Unknown):
        return obj
    if isinstance(key, Unknown):
        return key
    if isinstance(obj, _Lazy):
        return obj.get(str(key))
    if isinstance(obj, dict):
        if key not in obj and isinstance(key, (int, float)) and not isinstance(key, bool):
            key = hcl_str(key)  # a map's keys are strings: m[0] reads m["0"]
        if key not in obj:
            raise EvalError(f"no key {key!r} in the object")
        return obj[key]
    if isinstance(obj, list):
        try:
            return obj[int(key)]
        except (ValueError, TypeError, IndexError) as exc:
            raise EvalError(f"bad index {key!r}") from exc
    if obj is None:
        raise EvalError(f"cannot read {key!r} of null")
    raise EvalError(f"cannot read {key!r} of a {type(obj).__name__}")


def _ev_attr(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    return _get(cfg.eval(node[1], scope), node[2])


def _ev_index(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    obj = cfg.eval(node[1], scope)
    key = cfg.eval(node[2], scope)
    if isinstance(obj, list) and isinstance(key, str) and key.isascii() and key.isdigit():
        key = int(key)
    return _get(obj, key)


def _ev_splat(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    obj = materialize(cfg.eval(node[1], scope))
    if isinstance(obj, Unknown):
        return obj
    items = obj if isinstance(obj, list) else ([] if obj is None else [obj])
    out = []
    for item in items:
        value = item
        for op in node[2]:
            key = op[2] if op[0] == "attr" else cfg.eval(op[2], scope)
            value = _get(value, key)
        out.append(value)
    return out


def _ev_tuple(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    return [cfg.eval(item, scope) for item in node[1]]


def _ev_object(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    out: dict[str, Any] = {}
    for key_node, value_node in node[1]:
        key = cfg.eval(key_node, scope)
        if isinstance(key, Unknown):
            return key
        out[hcl_str(key)] = cfg.eval(value_node, scope)
    return out


def _ev_cond(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    cond = materialize(cfg.eval(node[1], scope))
    if isinstance(cond, Unknown):
        return cond
    if not isinstance(cond, bool):
        raise EvalError(f"a condition must be a bool, not {cond!r}")
    return cfg.eval(node[2] if cond else node[3], scope)


def _num(value: Any) -> int | float:
    # one conversion rule for operators and functions; an operator's failure is an evaluation error
    try:
        return _function_number(value)
    except FunctionError as exc:
        raise EvalError(str(exc)) from exc


def _ev_bin(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    op = node[1]
    left = materialize(cfg.eval(node[2], scope))
    if op in ("&&", "||"):
        if left is False and op == "&&":
            return False
        if left is True and op == "||":
            return True
        right = materialize(cfg.eval(node[3], scope))
        if isinstance(left, Unknown):
            return left
        if isinstance(right, Unknown):
            return right
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise EvalError(f"{op} takes bools")
        return right
    right = materialize(cfg.eval(node[3], scope))
    if isinstance(left, Unknown):
        return left
    if isinstance(right, Unknown):
        return right
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    a, b = _num(left), _num(right)
    if op in ("+", "-", "*"):
        # a chain of products would otherwise grow an integer without bound
        return checked_number(a + b if op == "+" else a - b if op == "-" else a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        result = a / b
        return int(result) if result.is_integer() and isinstance(a, int) and isinstance(b, int) else result
    if op == "%":
        return _remainder(a, b)
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _remainder(a: int | float, b: int | float) -> int | float:
    """HCL's ``%`` (cty's Modulo): the remainder keeps the dividend's sign (``-5 % 3`` is -2, not
    Python's 1) and ``x % 0`` is ``x``, as ``terraform console`` gives."""
    if b == 0:
        return a
    if isinstance(a, int) and isinstance(b, int):
        rest = abs(a) % abs(b)
        return -rest if a < 0 else rest
    return math.fmod(a, b)


def _ev_un(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    value = materialize(cfg.eval(node[2], scope))
    if isinstance(value, Unknown):
        return value
    if node[1] == "!":
        if not isinstance(value, bool):
            raise EvalError("! takes a bool")
        return not value
    return -_num(value)


def _ev_tfor(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    _, kname, vname, coll_node, value_node, cond_node = node
    coll = materialize(cfg.eval(coll_node, scope))
    if isinstance(coll, Unknown):
        return coll
    out = []
    for k, v in _iterate(coll):
        inner = {**scope, vname: v}
        if kname:
            inner[kname] = k
        if cond_node is not None:
            keep = cfg.eval(cond_node, inner)
            if isinstance(keep, Unknown):
                return keep
            if not keep:
                continue
        out.append(cfg.eval(value_node, inner))
    return out


def _ev_ofor(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    _, kname, vname, coll_node, key_node, value_node, group, cond_node = node
    coll = materialize(cfg.eval(coll_node, scope))
    if isinstance(coll, Unknown):
        return coll
    out: dict[str, Any] = {}
    for k, v in _iterate(coll):
        inner = {**scope, vname: v}
        if kname:
            inner[kname] = k
        if cond_node is not None:
            keep = cfg.eval(cond_node, inner)
            if isinstance(keep, Unknown):
                return keep
            if not keep:
                continue
        key = cfg.eval(key_node, inner)
        if isinstance(key, Unknown):
            return key
        value = cfg.eval(value_node, inner)
        if group:
            out.setdefault(hcl_str(key), []).append(value)
        else:
            out[hcl_str(key)] = value
    return out


def _ev_call(cfg: Config, node: Node, scope: dict[str, Any]) -> Any:
    _, name, arg_nodes, expand = node
    if name in ("try", "can"):
        return _try(cfg, name, arg_nodes, scope)
    if name in _NEVER_RUN:
        cfg.note_unresolved(name, "never run: it executes a program, calls AWS or reads the machine")
        return Unknown(f"{name}() is never run")
    args = [cfg.eval(a, scope) for a in arg_nodes]
    if expand and args:
        last = materialize(args.pop())
        if isinstance(last, Unknown):
            return last
        args.extend(last if isinstance(last, list) else [last])
    special = tgfunctions.CONTEXT_FUNCTIONS.get(name)
    if special is not None:
        try:
            result = special(cfg, args)
        except (FunctionError, EvalError) as exc:
            raise _needle(exc, f"{name}(") from None
        if isinstance(result, Unknown) and not any(result is a for a in args):
            cfg.note_unresolved(name, result.reason)  # born here, not passed through from an argument
        return result
    func = FUNCTIONS.get(name)
    if func is None:
        cfg.note_unresolved(name, "this function is not evaluated")
        return Unknown(f"function {name}() is not evaluated")
    args = [materialize(a) for a in args]
    deep = name in _DEEP
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
        if deep and contains_unknown(arg):
            return Unknown(f"{name}() of an unknown value")
    try:
        return func(*args)
    except FunctionError as exc:
        raise _needle(exc, f"{name}(") from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise _needle(FunctionError(f"{name}(): {exc}"), f"{name}(") from exc


def _try(cfg: Config, name: str, arg_nodes: tuple[Node, ...], scope: dict[str, Any]) -> Any:
    if name == "can" and len(arg_nodes) != 1:
        # terraform: 'Function "can" expects only 1 argument(s)'
        raise _needle(FunctionError(f"can() takes exactly one argument, not {len(arg_nodes)}"), "can(")
    for node in arg_nodes:
        try:
            value = materialize(cfg.eval(node, scope))
        except (EvalError, FunctionError):
            if name == "can":
                return False
            continue
        if name == "can":
            return value if isinstance(value, Unknown) else True
        return value
    if name == "can":
        return False
    raise FunctionError("try(): no argument could be evaluated")


_EVAL: dict[str, Callable[[Config, Node, dict[str, Any]], Any]] = {
    "lit": _ev_lit,
    "paren": _ev_paren,
    "tmpl": _ev_tmpl,
    "var": _ev_var,
    "attr": _ev_attr,
    "index": _ev_index,
    "splat": _ev_splat,
    "tuple": _ev_tuple,
    "object": _ev_object,
    "cond": _ev_cond,
    "bin": _ev_bin,
    "un": _ev_un,
    "tfor": _ev_tfor,
    "ofor": _ev_ofor,
    "call": _ev_call,
}

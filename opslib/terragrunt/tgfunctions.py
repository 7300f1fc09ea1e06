"""Terragrunt functions that need the tree: paths, includes, reads, files and the environment.

Each takes the :class:`~opslib.terragrunt.evaluate.Config` being evaluated and the evaluated arguments.
Nothing here reaches outside the root: a path that leaves it gives :class:`Unknown`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opslib._io import read_text
from opslib.errors import OpslibError
from opslib.secrets import is_secret_name
from opslib.terragrunt.expr import ExprSyntaxError, compile_template, compile_value
from opslib.terragrunt.functions import FunctionError, to_json
from opslib.terragrunt.values import Unknown, attributes, contains_unknown, materialize

if TYPE_CHECKING:
    from opslib.terragrunt.evaluate import Config

__all__ = ["CONTEXT_FUNCTIONS"]

_TF_COMMANDS_NEED_VARS = ["apply", "console", "destroy", "import", "plan", "push", "refresh"]
_TF_COMMANDS_LOCKING = ["apply", "destroy", "import", "init", "plan", "refresh", "taint", "untaint"]


def _str_arg(args: list[Any], i: int, default: Any = None) -> Any:
    if i >= len(args):
        return default
    return materialize(args[i])


def _find_in_parent_folders(cfg: Config, args: list[Any]) -> Any:
    name = _str_arg(args, 0, "terragrunt.hcl")
    fallback = _str_arg(args, 1)
    if isinstance(name, Unknown):
        return name
    found = cfg.ev.find_up(cfg.terragrunt_text, str(name))
    if found is not None:
        return found
    if len(args) > 1:
        return fallback
    if cfg.ev.repo_root(cfg.terragrunt_dir) is not None:
        # the whole repository was searched: terragrunt fails here too
        top = cfg.ev.rel(cfg.ev.search_top)
        raise FunctionError(f"find_in_parent_folders({name}): no such file in any parent folder up to {top}")
    # without a repository the search stopped at the tree root: the file may lie above it
    return Unknown(f"find_in_parent_folders({name}): not found inside the tree root")


def _read_terragrunt_config(cfg: Config, args: list[Any]) -> Any:
    target = _str_arg(args, 0)
    if isinstance(target, Unknown):
        return target
    if not isinstance(target, str):
        raise FunctionError("read_terragrunt_config takes a path")
    path = cfg.resolve_text(target)
    path = cfg.ev.generated(path)
    if not cfg.ev.exists(path):
        if len(args) > 1:
            return args[1]
        if not cfg.ev.readable(path):
            return Unknown(f"read_terragrunt_config({target}): outside the repository")
        if os.path.basename(path) == "terragrunt.values.hcl":
            # written by `terragrunt stack generate`: a catalog unit read on its own has none yet
            return Unknown("terragrunt.values.hcl (written when a stack generates this unit)")
        raise FunctionError(f"read_terragrunt_config: file not found: {cfg.ev.rel(path)}")
    if cfg.ev.is_dir(path):
        path = os.path.join(path, "terragrunt.hcl")
    read = cfg.ev.read_config(path, cfg.original_dir)
    if isinstance(read, Unknown):
        return read
    cfg.touched.add(read.path)
    if read is not cfg and read not in cfg.reads:
        cfg.reads.append(read)
    from opslib.terragrunt.evaluate import ConfigView  # a cycle: evaluate calls these functions

    return ConfigView(read)


def _relative(a: Path, b: Path) -> str:
    return Path(os.path.relpath(a, b)).as_posix()


def _path_relative_to_include(cfg: Config, args: list[Any]) -> Any:
    parent_dir = _parent_dir(cfg, _str_arg(args, 0))
    if isinstance(parent_dir, Unknown):
        return parent_dir
    return _relative(cfg.terragrunt_dir, parent_dir)


def _path_relative_from_include(cfg: Config, args: list[Any]) -> Any:
    parent_dir = _parent_dir(cfg, _str_arg(args, 0))
    if isinstance(parent_dir, Unknown):
        return parent_dir
    return _relative(parent_dir, cfg.terragrunt_dir)


def _parent_dir(cfg: Config, label: Any) -> Path | Unknown:
    if cfg.include_dir is not None and label is None:
        return cfg.include_dir
    owner = cfg.child if cfg.child is not None else cfg
    inc = owner.include_for(label)
    if inc is None:
        return cfg.include_dir if cfg.include_dir is not None else cfg.terragrunt_dir
    if isinstance(inc.path, Unknown):
        return inc.path
    return inc.path.parent


def _get_parent_terragrunt_dir(cfg: Config, args: list[Any]) -> Any:
    folder = _parent_dir(cfg, _str_arg(args, 0))
    return folder if isinstance(folder, Unknown) else folder.as_posix()


def _repo(cfg: Config) -> Path | Unknown:
    root = cfg.ev.repo_root(cfg.terragrunt_dir)
    return root if root is not None else Unknown("get_repo_root(): no git repository")


def _get_repo_root(cfg: Config, args: list[Any]) -> Any:
    root = _repo(cfg)
    return root if isinstance(root, Unknown) else root.as_posix()


def _get_path_from_repo_root(cfg: Config, args: list[Any]) -> Any:
    root = _repo(cfg)
    return root if isinstance(root, Unknown) else _relative(cfg.terragrunt_dir, root)


def _get_path_to_repo_root(cfg: Config, args: list[Any]) -> Any:
    root = _repo(cfg)
    return root if isinstance(root, Unknown) else _relative(root, cfg.terragrunt_dir)


def _get_env(cfg: Config, args: list[Any]) -> Any:
    name = _str_arg(args, 0)
    if isinstance(name, Unknown):
        return name
    env = cfg.ev.env
    cfg.env_used.add(str(name))
    if env is not None and name in env:
        value: Any = env[name]
    elif len(args) > 1:
        value = _str_arg(args, 1)
    else:
        return Unknown(f"get_env({name}): the environment variable is not set")
    if is_secret_name(str(name)):
        cfg.ev.masker.add(value)
    return value


def _file_path(cfg: Config, args: list[Any], func: str) -> Path | Unknown:
    target = _str_arg(args, 0)
    if isinstance(target, Unknown):
        return target
    if not isinstance(target, str):
        raise FunctionError(f"{func}() takes a path")
    # like terraform's file functions in terragrunt: relative to the folder of the file that calls them
    # (an included root.hcl's file("./common/provider.tf") is next to root.hcl, not the unit)
    path = Path(cfg.ev.generated(os.path.normpath(os.path.join(cfg.path.parent, target))))
    real = Path(os.path.realpath(path))
    if not cfg.ev.readable(path) or not (cfg.ev.readable(real) or real == path):
        return Unknown(f"{func}({target}): outside the repository")
    return path


def _file(cfg: Config, args: list[Any]) -> Any:
    path = _file_path(cfg, args, "file")
    if isinstance(path, Unknown):
        return path
    try:
        text = read_text(path, "hcl")
    except OpslibError as exc:
        raise FunctionError(f"file(): cannot read {cfg.ev.rel(path)}: {exc.reason}") from exc
    cfg.touched.add(path)
    return text


def _fileexists(cfg: Config, args: list[Any]) -> Any:
    path = _file_path(cfg, args, "fileexists")
    return path if isinstance(path, Unknown) else path.is_file()


def _templatefile(cfg: Config, args: list[Any]) -> Any:
    text = _file(cfg, args[:1])
    if isinstance(text, Unknown):
        return text
    variables = materialize(args[1]) if len(args) > 1 else {}
    if isinstance(variables, Unknown):
        return variables
    try:
        node = compile_template(text)
    except ExprSyntaxError as exc:
        raise FunctionError(f"templatefile(): {exc}") from exc
    return cfg.eval(node, dict(variables))


def _read_tfvars_file(cfg: Config, args: list[Any]) -> Any:
    path = _file_path(cfg, args, "read_tfvars_file")
    if isinstance(path, Unknown):
        return path
    from opslib.terragrunt.parse import parse_text

    try:
        text = read_text(path, "hcl")
        if path.name.endswith(".json"):
            return to_json(json.loads(text))
        doc = parse_text(text)
    except Exception as exc:  # a bad tfvars file fails the call, like terragrunt
        raise FunctionError(f"read_tfvars_file(): cannot parse {cfg.ev.rel(path)}") from exc
    cfg.touched.add(path)
    values = {k: materialize(cfg.eval(compile_value(v), {})) for k, v in attributes(doc).items()}
    if contains_unknown(values):
        return Unknown("read_tfvars_file() of unknown values")
    return to_json(values)


def _get_terragrunt_dir(cfg: Config, args: list[Any]) -> str:
    return cfg.terragrunt_text.replace(os.sep, "/")


def _get_original_terragrunt_dir(cfg: Config, args: list[Any]) -> str:
    return str(cfg.original_dir).replace(os.sep, "/")


def _const(value: Any) -> Callable[[Config, list[Any]], Any]:
    return lambda cfg, args: list(value)


CONTEXT_FUNCTIONS: dict[str, Callable[[Config, list[Any]], Any]] = {
    "find_in_parent_folders": _find_in_parent_folders,
    "read_terragrunt_config": _read_terragrunt_config,
    "path_relative_to_include": _path_relative_to_include,
    "path_relative_from_include": _path_relative_from_include,
    "get_terragrunt_dir": _get_terragrunt_dir,
    "get_parent_terragrunt_dir": _get_parent_terragrunt_dir,
    "get_original_terragrunt_dir": _get_original_terragrunt_dir,
    "get_repo_root": _get_repo_root,
    "get_path_from_repo_root": _get_path_from_repo_root,
    "get_path_to_repo_root": _get_path_to_repo_root,
    "get_env": _get_env,
    "file": _file,
    "fileexists": _fileexists,
    "templatefile": _templatefile,
    "read_tfvars_file": _read_tfvars_file,
    "get_terraform_commands_that_need_vars": _const(_TF_COMMANDS_NEED_VARS),
    "get_terraform_commands_that_need_locking": _const(_TF_COMMANDS_LOCKING),
    "get_terraform_commands_that_need_input": _const(["apply", "import", "init", "plan", "refresh"]),
    "get_terraform_commands_that_need_parallelism": _const(["apply", "plan", "destroy"]),
}

"""Read Terraform plans in every form Terraform and Terragrunt write them.

Forms, detected from the content, not the file name:

- ``terraform show -json PLANFILE`` (``format_version`` 0.x–1.x): rows from ``resource_changes``
  (``kind="planned"``) and ``resource_drift`` (``kind="drift"``), with before/after values;
- ``terraform plan -json`` (the machine-readable UI stream, one JSON object a line): rows from
  ``planned_change`` and ``resource_drift`` messages, without values;
- a folder holding either, laid out as ``terragrunt run --all plan --json-out-dir DIR`` writes it
  (``DIR/<unit>/tfplan.json``): ``unit`` is the folder relative to ``DIR``, matched to the tree's unit
  ids when a tree is given;
- the console output of ``terragrunt run --all plan -json`` (or ``run-all``), where terragrunt prefixes
  each line of a unit's output (``14:02:37.123 STDOUT [prod/rds] terraform: {...}``, older
  ``[prod/rds] terraform: {...}`` or ``[/abs/prod/rds] {...}``) and mixes in its own log lines: the
  prefix is stripped, ``unit`` comes from the bracketed path (relative to the tree root when a tree is
  given) and terragrunt's own lines are counted in ``frame.attrs["terragrunt_log_lines"]``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from opslib._io import read_bytes
from opslib.errors import OpslibError, ParseError, SchemaError
from opslib.plans._diff import changed_paths, join_path
from opslib.plans._mask import collect_plan_secrets, mask_marked
from opslib.plans._risk import risk_of
from opslib.secrets import Masker

__all__ = ["ACTIONS", "CHANGE_COLUMNS", "load_plans", "normalize_actions", "plan_errors"]

log = logging.getLogger(__name__)

#: columns of the changes frame, in order (ARCHITECTURE.md "Changes" plus provenance)
CHANGE_COLUMNS: list[str] = [
    "unit",
    "address",
    "module_address",
    "type",
    "name",
    "index",
    "provider",
    "mode",
    "kind",
    "action",
    "actions",
    "action_reason",
    "changed_paths",
    "replace_paths",
    "before",
    "after",
    "risk",
    "previous_address",
    "deposed",
    "source_file",
    "source_kind",
]
ACTIONS = ("create", "update", "delete", "replace", "read", "no-op", "forget")

# the three ways Terraform spells a replacement in ``change.actions``
_REPLACE = {("delete", "create"), ("create", "delete"), ("create", "forget")}
# ``plan -json`` UI actions -> our actions (a move or an import alone changes nothing real)
_UI_ACTIONS = {"noop": "no-op", "no-op": "no-op", "move": "no-op", "import": "no-op", "remove": "forget"}
# ``plan -json`` spells three replace reasons its own way; use the ``show -json`` names for every form
_UI_REASONS = {
    "tainted": "replace_because_tainted",
    "requested": "replace_by_request",
    "cannot_update": "replace_because_cannot_update",
}
_SKIP_DIRS = {".terraform", ".terragrunt-cache", ".git", "__pycache__"}
_PLAN_SUFFIXES = {".json", ".jsonl", ".ndjson", ".log"}

# terragrunt's console prefix, every part optional: time (pretty format), level (STDOUT for the tool's
# own output, INFO/WARN... for terragrunt's), the old ``[terragrunt]`` tag, then ``[unit path]``
_TG_PREFIX = re.compile(
    rb"^(?:(?P<time>\d{1,2}:\d{2}:\d{2}(?:\.\d+)?)\s+)?"
    rb"(?:(?P<level>STDOUT|STDERR|ERROR|WARN|WARNING|INFO|DEBUG|TRACE)\b\s*)?"
    rb"(?:(?P<tag>\[terragrunt\])\s*)?"
    rb"(?:\[(?P<unit>[^\]\r\n]+)\]\s*)?"
)
# the tool name terragrunt puts before the message (``terraform:``, ``tofu:``)
_TOOL_PREFIX = re.compile(rb"^[\w.\-]+:\s*(?=\{)")
_ANSI = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class PlanFile:
    """What one plan file says about its unit as a whole (kept in ``frame.attrs["plans"]``)."""

    unit: str
    source_file: str
    form: str  # "show-json" | "plan-log"
    format_version: str | None = None
    terraform_version: str | None = None
    applyable: bool | None = None
    complete: bool | None = None
    errored: bool = False
    output_changes: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False)


class _Errors:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.items: list[dict[str, Any]] = []

    def add(self, err: OpslibError) -> None:
        if self.strict:
            raise err
        log.warning("%s", err)
        self.items.append({"path": err.path, "line": err.line, "message": err.reason})


def normalize_actions(actions: Iterable[str]) -> str:
    """One action for Terraform's action list; every replace encoding becomes ``replace``."""
    seq = tuple(actions)
    if seq in _REPLACE:
        return "replace"
    if len(seq) == 1:
        one = _UI_ACTIONS.get(seq[0], seq[0])
        if one in ACTIONS:
            return one
    raise ValueError(f"unknown actions {list(seq)}")


# --------------------------------------------------------------------------- reading files


@dataclass
class _LogRead:
    """A plan log's lines: messages and bad lines carry the unit path terragrunt prefixed them with."""

    messages: list[tuple[int, Any, str | None]] = field(default_factory=list)
    bad: list[tuple[ParseError, str | None]] = field(default_factory=list)
    terragrunt_lines: int = 0


def _strip_terragrunt(raw: bytes) -> tuple[bytes, str | None, bool]:
    """(the line without terragrunt's prefix, the unit path or None, whether a prefix was found)."""
    if raw.lstrip().startswith(b"{"):  # the common case, a plain `terraform plan -json` line
        return raw, None, False
    line = _ANSI.sub(b"", raw).strip()
    m = _TG_PREFIX.match(line)
    if m is None or m.end() == 0:
        return raw, None, False
    # a bare time or unit-less level alone is not enough: "WARN" may start a stderr line of anything
    if not (m.group("unit") or m.group("tag") or (m.group("time") and m.group("level"))):
        return raw, None, False
    rest = line[m.end() :]
    tool = _TOOL_PREFIX.match(rest)
    if tool is not None:
        rest = rest[tool.end() :]
    unit = m.group("unit").decode("utf-8", "replace").strip() if m.group("unit") else None
    return rest, unit, True


def _read_log_lines(data: bytes, path: Path) -> _LogRead:
    """Every line of a plan log; a log captured with `2>&1` holds Terraform's warning boxes, one killed
    mid-write a cut last line, a terragrunt console log terragrunt's own lines: the good messages are
    kept and each bad line reported."""
    out = _LogRead()
    # lines neither JSON-like nor prefixed: in a terragrunt console log the continuation lines of its
    # own multi-line messages (the run order, an error's detail), elsewhere reported as bad lines
    stray: list[tuple[ParseError, str | None]] = []
    seen_prefix = False
    for lineno, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        text, unit, prefixed = _strip_terragrunt(raw)
        seen_prefix = seen_prefix or prefixed
        if prefixed and not text.startswith(b"{"):
            out.terragrunt_lines += 1  # terragrunt's own log line or the tool's non-JSON stderr
            continue
        try:
            msg = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            err = ParseError(f"invalid JSON in plan log: {exc.msg}", path=path, line=lineno, column=exc.colno)
            (out.bad if prefixed or text.lstrip().startswith(b"{") else stray).append((err, unit))
            continue
        if isinstance(msg, dict) and "type" in msg:
            out.messages.append((lineno, msg, unit))
        else:
            out.bad.append((ParseError("not a `terraform plan -json` message", path=path, line=lineno), unit))
    if seen_prefix:
        out.terragrunt_lines += len(stray)
    else:
        out.bad = sorted(out.bad + stray, key=lambda b: b[0].line or 0)
    return out


def _read_json(path: Path) -> tuple[str, Any]:
    """("show-json", dict) or ("plan-log", _LogRead)."""
    data = read_bytes(path, "plan", what="plan file")
    # Windows PowerShell's `>` writes UTF-16 with a BOM, other tools a UTF-8 BOM
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError("not UTF-16 text after a UTF-16 byte order mark", path=path) from exc
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data[:2] == b"PK":
        raise ParseError(
            "this is a binary plan file; convert it with `terraform show -json PLANFILE`", path=path
        )
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        first_error: orjson.JSONDecodeError = exc
    else:
        if isinstance(doc, dict) and "type" in doc and ("@message" in doc or "@level" in doc):
            return "plan-log", _LogRead(messages=[(1, doc, None)])
        return "show-json", doc
    read = _read_log_lines(data, path)
    if not read.messages:  # not a log at all: report the whole-document error
        raise ParseError(
            f"invalid JSON: {first_error.msg}", path=path, line=first_error.lineno, column=first_error.colno
        ) from first_error
    return "plan-log", read


def _is_show_plan(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and "format_version" in doc
        and any(
            k in doc
            for k in (
                "resource_changes",
                "resource_drift",
                "planned_values",
                "configuration",
                "output_changes",
            )
        )
    )


def _check_version(version: Any, path: Path, what: str) -> None:
    text = str(version or "")
    major = text.split(".", 1)[0]
    if not major.isdigit() or int(major) > 1:
        raise SchemaError(f"unsupported {what} version {text!r} (opslib reads 0.x and 1.x)", path=path)


# --------------------------------------------------------------------------- show -json


def _change_row(rc: dict[str, Any], kind: str, plan: PlanFile, masker: Masker) -> dict[str, Any]:
    change = rc.get("change") or {}
    actions = [str(a) for a in change.get("actions") or []]
    action = normalize_actions(actions)
    before, after = change.get("before"), change.get("after")
    return {
        "unit": plan.unit,
        "address": rc.get("address"),
        "module_address": rc.get("module_address"),
        "type": rc.get("type"),
        "name": rc.get("name"),
        "index": rc.get("index"),
        "provider": rc.get("provider_name"),
        "mode": rc.get("mode"),
        "kind": kind,
        "action": action,
        "actions": actions,
        "action_reason": rc.get("action_reason"),
        "changed_paths": changed_paths(before, after, change.get("after_unknown")),
        "replace_paths": [_path_text(p) for p in change.get("replace_paths") or []],
        "before": mask_marked(before, change.get("before_sensitive"), masker),
        "after": mask_marked(after, change.get("after_sensitive"), masker),
        "risk": risk_of(action, rc.get("type")),
        "previous_address": rc.get("previous_address"),
        "deposed": rc.get("deposed"),
        "source_file": plan.source_file,
        "source_kind": plan.form,
    }


def _path_text(steps: Any) -> str:
    text = ""
    for step in steps if isinstance(steps, list) else [steps]:
        text = join_path(text, step if isinstance(step, int) else str(step))
    return text


# the sections read, and the JSON type Terraform writes each as
_SECTIONS: dict[str, type] = {
    "resource_changes": list,
    "resource_drift": list,
    "output_changes": dict,
    "variables": dict,
    "configuration": dict,
    "planned_values": dict,
    "prior_state": dict,
}


def _check_sections(doc: dict[str, Any], path: Path) -> None:
    for key, kind in _SECTIONS.items():
        value = doc.get(key)
        if value is not None and not isinstance(value, kind):
            expected = "an array" if kind is list else "an object"
            raise SchemaError(f"{key}: expected {expected}, not {type(value).__name__}", path=path)


def _from_show(doc: dict[str, Any], plan: PlanFile, masker: Masker, errors: _Errors) -> None:
    path = Path(plan.source_file)
    _check_version(doc.get("format_version"), path, "plan format")
    _check_sections(doc, path)
    plan.format_version = str(doc.get("format_version"))
    plan.terraform_version = doc.get("terraform_version")
    plan.applyable = doc.get("applyable")
    plan.complete = doc.get("complete")
    plan.errored = bool(doc.get("errored", False))
    plan.output_changes = sum(
        1
        for c in (doc.get("output_changes") or {}).values()
        if isinstance(c, dict) and (c.get("actions") or ["no-op"]) != ["no-op"]
    )
    collect_plan_secrets(doc, masker)
    for key, kind in (("resource_changes", "planned"), ("resource_drift", "drift")):
        for i, rc in enumerate(doc.get(key) or []):
            try:
                if not isinstance(rc, dict):
                    raise ValueError("not an object")
                plan.rows.append(_change_row(rc, kind, plan, masker))
            except (ValueError, TypeError, AttributeError) as exc:
                errors.add(SchemaError(f"{key}[{i}]: {exc}", path=path))


# --------------------------------------------------------------------------- plan -json log


def _from_log(messages: Iterable[tuple[int, Any]], plan: PlanFile, errors: _Errors) -> None:
    path = Path(plan.source_file)
    plan.applyable = False
    for lineno, msg in messages:
        mtype = msg.get("type")
        if mtype == "version":
            _check_version(msg.get("ui"), path, "UI")
            # OpenTofu writes its version under "tofu"
            plan.terraform_version = msg.get("terraform") or msg.get("tofu")
            plan.format_version = str(msg.get("ui"))
        elif mtype == "diagnostic" and (msg.get("diagnostic") or {}).get("severity") == "error":
            plan.errored = True
        elif mtype == "outputs":
            plan.output_changes += sum(
                1
                for o in (msg.get("outputs") or {}).values()
                if isinstance(o, dict) and o.get("action") not in (None, "noop", "no-op")
            )
        elif mtype in ("planned_change", "resource_drift"):
            try:
                plan.rows.append(_log_row(msg, "planned" if mtype == "planned_change" else "drift", plan))
            except (ValueError, TypeError, AttributeError) as exc:
                errors.add(SchemaError(f"{mtype}: {exc}", path=path, line=lineno))
    if plan.errored:
        plan.applyable = False
    else:
        plan.applyable = plan.output_changes > 0 or any(
            r["kind"] == "planned" and r["action"] not in ("no-op", "read") for r in plan.rows
        )


def _log_row(msg: dict[str, Any], kind: str, plan: PlanFile) -> dict[str, Any]:
    change = msg.get("change") or {}
    res = change.get("resource") or {}
    raw = str(change.get("action"))
    action = "replace" if raw == "replace" else normalize_actions([raw])
    prev = change.get("previous_resource") or {}
    return {
        "unit": plan.unit,
        "address": res.get("addr"),
        "module_address": res.get("module") or None,
        "type": res.get("resource_type"),
        "name": res.get("resource_name"),
        "index": res.get("resource_key"),
        "provider": res.get("implied_provider"),
        "mode": "data" if str(res.get("resource", "")).startswith("data.") else "managed",
        "kind": kind,
        "action": action,
        "actions": [raw],
        "action_reason": _UI_REASONS.get(str(change.get("reason")), change.get("reason")),
        "changed_paths": [],
        "replace_paths": [],
        "before": None,
        "after": None,
        "risk": risk_of(action, res.get("resource_type")),
        "previous_address": prev.get("addr"),
        "deposed": None,
        "source_file": plan.source_file,
        "source_kind": plan.form,
    }


# --------------------------------------------------------------------------- units


def _resolve_tree(tree: Any) -> Any:
    """A tree root given as a path is loaded; anything else is used as given."""
    if isinstance(tree, (str, Path)):
        from opslib.terragrunt import load_tree

        return load_tree(tree)
    return tree


def _unit_ids(tree: Any) -> list[str] | None:
    if tree is None:
        return None
    units = getattr(tree, "units", tree)
    if isinstance(units, pd.DataFrame):
        return [str(u) for u in units["unit"].tolist()]
    return [str(u) for u in units]


def _unit_for(file: Path, base: Path | None, ids: list[str] | None) -> str:
    """The unit id a plan file belongs to."""
    stem = file.name.removesuffix(file.suffix).removesuffix(".tfplan")
    if base is not None:
        rel = file.parent.relative_to(base).as_posix()
        guess = rel if rel != "." else stem
    else:
        guess = file.parent.name if file.name == "tfplan.json" else stem
    if ids:
        if guess in ids:
            return guess
        parts = file.parent.resolve().parts
        # the longest unit id the plan's folder ends with (the JSON dir may sit anywhere)
        matches = [u for u in ids if tuple(u.split("/")) == parts[-len(u.split("/")) :]]
        if matches:
            return max(matches, key=len)
    return guess


def _unit_of_prefix(raw: str, root: Path | None, ids: list[str] | None) -> str:
    """The unit id of the path terragrunt prefixed a line with (relative to the run dir or absolute)."""
    text = raw.replace("\\", "/").rstrip("/")
    while text.startswith("./"):
        text = text[2:]
    # a path outside the tree is matched by its ending below
    if root is not None and Path(text).is_absolute() and Path(text).is_relative_to(root):
        text = Path(text).relative_to(root).as_posix()
    if ids:
        if text in ids:
            return text
        parts = tuple(p for p in text.split("/") if p)
        # the longest unit id the path ends with (terragrunt may run from above or below the tree root)
        matches = [u for u in ids if tuple(u.split("/")) == parts[-len(u.split("/")) :]]
        if matches:
            return max(matches, key=len)
    return text or "."


def _plan_files(folder: Path) -> list[Path]:
    found = []
    for p in sorted(folder.rglob("*")):
        if p.suffix in _PLAN_SUFFIXES and p.is_file() and not (_SKIP_DIRS & set(p.relative_to(folder).parts)):
            found.append(p)
    return found


# --------------------------------------------------------------------------- public


@dataclass
class _Context:
    """What every file of one ``load_plans`` call shares."""

    masker: Masker
    errors: _Errors
    ids: list[str] | None
    root: Path | None  # the tree root, to make absolute unit paths relative
    terragrunt_lines: int = 0


def _from_log_units(read: _LogRead, plan: PlanFile, ctx: _Context) -> list[PlanFile]:
    """One plan per unit of a (terragrunt console) log; a plain log is one plan of ``plan.unit``."""
    ctx.terragrunt_lines += read.terragrunt_lines
    units: dict[str, list[tuple[int, Any]]] = {}
    for lineno, msg, prefix in read.messages:
        unit = plan.unit if prefix is None else _unit_of_prefix(prefix, ctx.root, ctx.ids)
        units.setdefault(unit, []).append((lineno, msg))
    plans = {u: PlanFile(unit=u, source_file=plan.source_file, form="plan-log") for u in units}
    for err, prefix in read.bad:
        ctx.errors.add(err)
        bad_unit = None if prefix is None else _unit_of_prefix(prefix, ctx.root, ctx.ids)
        # a message may be missing: of that unit, or of any when the line names none
        for u, p in plans.items():
            if bad_unit is None or u == bad_unit:
                p.complete = False
    for u, p in plans.items():
        _from_log(units[u], p, ctx.errors)
    return list(plans.values())


def _load_file(file: Path, unit: str, ctx: _Context, *, in_folder: bool) -> list[PlanFile]:
    masker, errors = ctx.masker, ctx.errors
    plan = PlanFile(unit=unit, source_file=str(file), form="show-json")
    try:
        form, doc = _read_json(file)
        if form == "plan-log":
            return _from_log_units(doc, plan, ctx)
        if _is_show_plan(doc):
            _from_show(doc, plan, masker, errors)
        elif in_folder:
            log.debug("%s: not a plan, skipped", file)
            return []
        else:
            raise SchemaError(
                "not a Terraform plan (expected `terraform show -json` or `terraform plan -json` output)",
                path=file,
            )
    except OSError as exc:
        errors.add(ParseError(f"cannot read: {exc.strerror}", path=file))
        plan.errored = True
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError) as exc:
        # a section of an unexpected type (a list where Terraform writes an object...): the file is
        # reported, not a traceback from deep inside the reader
        errors.add(SchemaError(f"unexpected plan structure: {exc}", path=file))
        plan.errored = True
        plan.rows.clear()
    except OpslibError as exc:
        errors.add(exc)
        plan.errored = True
    return [plan]


def load_plans(
    path: str | Path, *, tree: Any = None, strict: bool = False, unit: str | None = None
) -> pd.DataFrame:
    """Load plan(s) into a frame of changes, one row per resource change or drift.

    ``path`` is a ``terraform show -json`` file, a ``terraform plan -json`` log, or a folder of them
    (``<unit>/tfplan.json``, as ``--json-out-dir`` writes). ``tree`` (a ``TerragruntTree``, its units
    frame or a list of unit ids) maps folders to unit ids; ``unit`` names the unit of a single file.

    Columns: ``unit``, ``address``, ``module_address``, ``type``, ``name``, ``index``, ``provider``,
    ``mode``, ``kind`` (planned | drift), ``action`` (create | update | delete | replace | read | no-op |
    forget), ``actions`` (Terraform's list), ``action_reason``, ``changed_paths`` (list of attribute
    paths), ``replace_paths``, ``before``/``after`` (dicts; sensitive values and every copy of them
    replaced by ``****``), ``risk`` (low | medium | high | critical), ``previous_address``, ``deposed``,
    ``source_file``, ``source_kind`` (``show-json`` | ``plan-log``: the form the unit's plan was read from).

    ``frame.attrs["plans"]`` lists each plan file (unit, form, versions, applyable, errored,
    output_changes); ``frame.attrs["errors"]`` lists problems (path, line, message);
    In a folder, a unit with several plans (``tfplan.json`` beside the ``plan -json`` log of the same
    run) is read from one: the richest form (``show -json``), recorded in ``source_kind``; the others
    are listed in ``frame.attrs["superseded"]``, never counted twice.
    ``frame.attrs["terragrunt_log_lines"]`` counts terragrunt's own (non-JSON) console lines skipped in
    ``terragrunt run --all plan -json`` output, whose units come from each line's prefix. Lenient by
    default: a bad file becomes an error and an errored unit; ``strict=True`` raises instead.

    >>> changes = load_plans("data/sample/plans")  # doctest: +SKIP
    >>> changes[changes.kind == "drift"][["unit", "address", "changed_paths"]]  # doctest: +SKIP
    """
    root = Path(path)
    errors = _Errors(strict)
    tree = _resolve_tree(tree)
    masker = Masker()
    tree_masker = getattr(tree, "masker", None)
    if isinstance(tree_masker, Masker):  # the tree's secrets (inputs, locals) are masked in plans too
        masker.update(tree_masker)
    ids = _unit_ids(tree)
    tree_root = getattr(tree, "root", None)
    ctx = _Context(masker, errors, ids, Path(tree_root) if isinstance(tree_root, (str, Path)) else None)
    superseded: list[dict[str, Any]] = []
    if root.is_dir():
        found = [
            p for f in _plan_files(root) for p in _load_file(f, _unit_for(f, root, ids), ctx, in_folder=True)
        ]
        kept, superseded = _one_plan_per_unit(found)
    elif root.exists():
        kept = _load_file(root, unit or _unit_for(root, None, ids), ctx, in_folder=False)
    else:
        raise ParseError("no such file or folder", path=root)
    rows = [masker.scrub(r) for p in kept for r in p.rows]
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    # set apart: a column of count indexes and missing ones would become float (0 -> 0.0), and for_each
    # keys must stay strings; Terraform's own values are kept as they are
    frame["index"] = pd.Series([r["index"] for r in rows], index=frame.index, dtype=object)
    frame.attrs["plans"] = [{k: v for k, v in asdict(p).items() if k != "rows"} for p in kept]
    frame.attrs["errors"] = errors.items
    frame.attrs["terragrunt_log_lines"] = ctx.terragrunt_lines
    frame.attrs["superseded"] = superseded
    return frame


#: richer first: ``show -json`` carries before/after values and sensitivity, a ``plan -json`` log only
#: actions and addresses
_FORM_RANK = {"show-json": 0, "plan-log": 1}


def _one_plan_per_unit(plans: list[PlanFile]) -> tuple[list[PlanFile], list[dict[str, Any]]]:
    """Keep one plan per unit: a readable one over an errored one, the richest form, then the newest
    file. Several forms of one unit's plan (``tfplan.json`` beside the ``plan -json`` log) would count
    every change twice; the ones left out are listed (unit, source_file, form, kept)."""
    by_unit: dict[str, list[PlanFile]] = {}
    for plan in plans:
        by_unit.setdefault(plan.unit, []).append(plan)
    kept: list[PlanFile] = []
    dropped: list[dict[str, Any]] = []
    for unit, group in by_unit.items():
        if len(group) == 1:
            kept.append(group[0])
            continue
        best = min(group, key=lambda p: (p.errored, _FORM_RANK.get(p.form, 9), -_mtime(p.source_file)))
        kept.append(best)
        for other in group:
            if other is not best:
                log.info("%s: plan of %s left out, %s is used", other.source_file, unit, best.source_file)
                dropped.append(
                    {
                        "unit": unit,
                        "source_file": other.source_file,
                        "form": other.form,
                        "kept": best.source_file,
                    }
                )
    return kept, dropped


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return 0.0


def plan_errors(changes: pd.DataFrame) -> pd.DataFrame:
    """The problems met while loading ``changes``: ``path``, ``line``, ``message``."""
    return pd.DataFrame(changes.attrs.get("errors", []), columns=["path", "line", "message"])

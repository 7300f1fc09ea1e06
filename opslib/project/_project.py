"""``Project``: one live repository's inputs, read from ``opslib.toml`` or ``[tool.opslib]``.

Paths in the file are relative to the file. Nothing falls back to the bundled sample: an input the file
does not set is *not given*, and every loader method says so instead of reading something else.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from opslib.errors import ConfigError
from opslib.project._schema import INPUTS, REPORT_SETTINGS, how_to_give

__all__ = ["PROJECT_FILE", "InputRead", "Project", "Settings", "find_project_file"]

log = logging.getLogger(__name__)

PROJECT_FILE = "opslib.toml"
_PYPROJECT = "pyproject.toml"
_ESTIMATE = "estimate"


@dataclass(frozen=True)
class Settings:
    """The ``[reports]`` table: output folder, cost approval threshold, staleness limit in days."""

    out: Path = Path("reports")
    cost_threshold: float = 100
    stale_after_days: float = 7


@dataclass
class InputRead:
    """What one input gave when it was read: a row of :meth:`Project.inputs_read`."""

    input: str
    path: str
    files: int
    rows: int
    newest: pd.Timestamp | None
    note: str = ""

    def age_days(self, now: pd.Timestamp | None = None) -> float | None:
        if self.newest is None or pd.isna(self.newest):
            return None
        now = now if now is not None else pd.Timestamp.now(tz="UTC")
        return round((now - self.newest).total_seconds() / 86400, 1)


def find_project_file(start: str | Path | None = None) -> Path | None:
    """The nearest ``opslib.toml`` (or ``pyproject.toml`` with ``[tool.opslib]``) from ``start`` upwards."""
    here = Path(start or Path.cwd()).expanduser().resolve()
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / _PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "opslib" in data["tool"]


def _read_table(path: Path) -> tuple[dict[str, Any], str]:
    """The project table of ``path`` and the prefix its keys are named with in messages."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the project file: {exc.strerror}", path=path) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from exc
    if path.name == _PYPROJECT:
        tool = data.get("tool", {})
        table = tool.get("opslib") if isinstance(tool, dict) else None
        if not isinstance(table, dict):
            raise ConfigError("no [tool.opslib] table", path=path)
        return table, "tool.opslib."
    return data, ""


def _number(value: Any, key: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key} must be a number, not {value!r}", path=path)
    return float(value)


@dataclass
class Project:
    """The inputs of one platform, by name, and the report settings.

    >>> project = Project.load("~/live")          # doctest: +SKIP  (a folder or the file itself)
    >>> project.history()                         # doctest: +SKIP  the activity log as a DataFrame
    >>> project.has("plans"), project.path("plans")  # doctest: +SKIP

    ``inputs`` maps an input key (see ``opslib.project.INPUTS``) to an absolute path, or to the word
    ``"estimate"`` for ``costs``. ``file`` is the project file (None when the inputs came from the
    command line only); ``sample`` marks the bundled sample data. Each loader method raises
    :class:`ConfigError` for an input that is not given and records what it read in
    :meth:`inputs_read`.
    """

    inputs: dict[str, Any] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    file: Path | None = None
    sample: bool = False
    read: dict[str, InputRead] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ making one
    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Read a project file: ``opslib.toml``, a ``pyproject.toml`` with ``[tool.opslib]``, or a folder
        holding one. Unknown keys and paths that do not exist are :class:`ConfigError` naming the file
        and the key."""
        target = Path(path).expanduser()
        if target.is_dir():
            file = target / PROJECT_FILE
            if not file.is_file():
                pyproject = target / _PYPROJECT
                if pyproject.is_file() and _has_tool_table(pyproject):
                    file = pyproject
                else:
                    raise ConfigError(
                        f"no {PROJECT_FILE} (or pyproject.toml with [tool.opslib]) here; "
                        "`opslib init` writes one",
                        path=target,
                    )
        elif target.is_file():
            file = target
        else:
            raise ConfigError("no such project file or folder", path=target)
        file = file.resolve()
        table, prefix = _read_table(file)
        return cls._from_table(table, prefix, file)

    @classmethod
    def _from_table(cls, table: Mapping[str, Any], prefix: str, file: Path) -> Project:
        unknown = sorted(set(table) - {"inputs", "reports"})
        if unknown:
            raise ConfigError(
                f"unknown key {prefix}{unknown[0]} (known: {prefix}inputs, {prefix}reports)", path=file
            )
        raw_inputs = table.get("inputs", {})
        raw_reports = table.get("reports", {})
        for name, value in (("inputs", raw_inputs), ("reports", raw_reports)):
            if not isinstance(value, dict):
                raise ConfigError(f"{prefix}{name} must be a table ([{prefix}{name}])", path=file)
        base = file.parent
        inputs: dict[str, Any] = {}
        for key, value in raw_inputs.items():
            where = f"{prefix}inputs.{key}"
            if key not in INPUTS:
                raise ConfigError(f"unknown key {where} (known: {', '.join(INPUTS)})", path=file)
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where} must be a path (a non-empty string), not {value!r}", path=file)
            if key == "costs" and value.strip().lower() == _ESTIMATE:
                inputs[key] = _ESTIMATE
                continue
            resolved = (base / value).expanduser()
            if not resolved.exists():
                raise ConfigError(f"{where} = {value!r}: {resolved} does not exist", path=file)
            inputs[key] = resolved.resolve()
        settings: dict[str, Any] = {}
        for key, value in raw_reports.items():
            where = f"{prefix}reports.{key}"
            if key not in REPORT_SETTINGS:
                raise ConfigError(f"unknown key {where} (known: {', '.join(REPORT_SETTINGS)})", path=file)
            if key == "out":
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(f"{where} must be a folder path, not {value!r}", path=file)
                settings["out"] = (base / value).expanduser()
            else:
                settings[key] = _number(value, where, file)
        if "out" not in settings:
            settings["out"] = base / str(REPORT_SETTINGS["out"])
        return cls(inputs=inputs, settings=Settings(**settings), file=file)

    @classmethod
    def find(cls, start: str | Path | None = None) -> Project | None:
        """The project of the nearest project file from ``start`` (default: the current folder) upwards."""
        file = find_project_file(start)
        return cls.load(file) if file is not None else None

    @classmethod
    def from_paths(cls, base: str | Path | None = None, **inputs: Any) -> Project:
        """A project with no file: inputs given directly (relative paths from ``base`` or the current
        folder); None or "" leaves an input out."""
        return cls().override(base=base, **inputs)

    @classmethod
    def bundled_sample(cls) -> Project:
        """The bundled sample platform (``data/sample``), marked as sample data."""
        from opslib._paths import sample_dir

        root = sample_dir()
        inputs: dict[str, Any] = {
            "history": root / "project",
            "tree": root / "infrastructure-live",
            "plans": root / "plans",
            "run_reports": root / "run-reports",
            "costs": root / "costs" / "infracost-breakdown.json",
            "costs_baseline": root / "costs" / "infracost-baseline.json",
            "runbooks": root / "runbooks" / "service-outage.md",
            "drift_store": root / "drift-history",
        }
        return cls(inputs=inputs, sample=True)

    def override(self, base: str | Path | None = None, **inputs: Any) -> Project:
        """A copy with some inputs replaced (the command line's ``-p``); None or "" keeps the project's."""
        unknown = sorted(set(inputs) - set(INPUTS))
        if unknown:
            raise ConfigError(f"unknown input {unknown[0]!r} (known: {', '.join(INPUTS)})")
        merged = dict(self.inputs)
        folder = Path(base) if base is not None else Path.cwd()
        for key, value in inputs.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if key == "costs" and isinstance(value, str) and value.strip().lower() == _ESTIMATE:
                merged[key] = _ESTIMATE
            elif key == "run_reports" and isinstance(value, str) and "," in value:
                merged[key] = [(folder / p.strip()).expanduser() for p in value.split(",") if p.strip()]
            else:
                merged[key] = (folder / Path(str(value))).expanduser()
        return replace(self, inputs=merged, read={})

    # ------------------------------------------------------------------ asking
    def has(self, key: str) -> bool:
        """Whether input ``key`` is given (``costs = "estimate"`` counts when a tree or plans are)."""
        _check_key(key)
        value = self.inputs.get(key)
        if value is None:
            return False
        if value == _ESTIMATE:
            return self.has("plans") or self.has("tree")
        return True

    def path(self, key: str) -> Any:
        """The input's path (a list for several run reports, ``"estimate"`` for estimated costs), or None."""
        _check_key(key)
        return self.inputs.get(key)

    def not_given(self, key: str) -> str:
        """The one line a report shows for a missing input."""
        where = f" in {self.file.name}" if self.file is not None else ""
        return f"{key}: not given — {how_to_give(key)}{where}"

    def _need(self, key: str) -> Any:
        if not self.has(key):
            source = f" by {self.file}" if self.file is not None else ""
            raise ConfigError(f"input {key!r} is not given{source}: {how_to_give(key)}")
        return self.inputs[key]

    # ------------------------------------------------------------------ loading, one method per input
    def history(self) -> pd.DataFrame:
        """The activity log (``opslib.load_history``)."""
        from opslib.history import load_history

        path = self._need("history")
        frame = load_history(path)
        files = [p for p in _files(path) if p.name in ("project_history.json", "PROJECT_HISTORY.md")] or [
            path
        ]
        newest = frame["timestamp"].max() if len(frame) else None
        self._record("history", path, len(files), len(frame), newest)
        return frame

    def tree(self, **options: Any) -> Any:
        """The Terragrunt tree (``opslib.load_tree``; ``options`` go to it)."""
        from opslib.terragrunt import load_tree

        path = self._need("tree")
        live = load_tree(path, **options)
        files = [Path(live.root) / p for p in live.files["path"]] if "path" in live.files.columns else []
        self._record(
            "tree",
            path,
            len(files),
            len(live.units),
            _newest_mtime(Path(p) for p in files),
            note="rows: units",
        )
        return live

    def plans(self, tree: Any = None) -> pd.DataFrame:
        """The changes of every plan (``opslib.load_plans``); ``tree`` maps folders to unit ids."""
        from opslib.plans import load_plans

        path = self._need("plans")
        changes = load_plans(path, tree=tree)
        sources = sorted({str(p["source_file"]) for p in changes.attrs.get("plans", [])})
        units = len({p["unit"] for p in changes.attrs.get("plans", [])})
        self._record(
            "plans",
            path,
            len(sources),
            len(changes),
            _newest_mtime(Path(s) for s in sources),
            note=f"{units} units planned; rows: resource changes",
        )
        return changes

    def run_reports(self) -> pd.DataFrame:
        """Every terragrunt run report (``opslib.load_run_report`` of each file), one frame."""
        from opslib.runs import RUN_COLUMNS, load_run_report

        value = self._need("run_reports")
        paths = value if isinstance(value, list) else [value]
        files = [f for p in paths for f in _run_report_files(Path(p))]
        frames = [load_run_report(f) for f in files]
        frame = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame({c: pd.Series(dtype=object) for c in RUN_COLUMNS})
        )
        self._record(
            "run_reports",
            ", ".join(str(p) for p in paths),
            len(files),
            len(frame),
            _newest_mtime(files),
            note="rows: unit runs",
        )
        return frame

    def costs(self, tree: Any = None) -> pd.DataFrame:
        """Resource costs: infracost JSON (``load_costs``) or the offline estimate (``estimate_costs``)."""
        from opslib.costs import estimate_costs, load_costs

        value = self._need("costs")
        if value == _ESTIMATE:
            source = self.plans(tree) if self.has("plans") else (tree if tree is not None else self.tree())
            frame = estimate_costs(source, tree=tree)
            self._record("costs", _ESTIMATE, 0, len(frame), None, note="estimated from the price catalogue")
            return frame
        frame = load_costs(value, tree=tree)
        self._record("costs", value, 1, len(frame), _infracost_time(Path(value)), note="rows: resources")
        return frame

    def costs_baseline(self, tree: Any = None) -> pd.DataFrame:
        """The infracost JSON the costs are compared with."""
        from opslib.costs import load_costs

        value = self._need("costs_baseline")
        frame = load_costs(value, tree=tree)
        self._record(
            "costs_baseline", value, 1, len(frame), _infracost_time(Path(value)), note="rows: resources"
        )
        return frame

    def runbooks(self) -> dict[str, pd.DataFrame]:
        """Every runbook (``opslib.load_runbook``), by file name."""
        from opslib.runbook import load_runbook

        files = self.runbook_files()
        books = {f.name: load_runbook(f) for f in files}
        self._record(
            "runbooks",
            self.inputs["runbooks"],
            len(files),
            sum(len(b) for b in books.values()),
            _newest_mtime(files),
            note="rows: steps",
        )
        return books

    def runbook_files(self) -> list[Path]:
        """The Markdown runbooks of the ``runbooks`` input (a file, or the ``*.md`` of a folder)."""
        path = Path(self._need("runbooks"))
        if path.is_file():
            return [path]
        return sorted(p for p in path.rglob("*.md") if p.name.lower() != "readme.md")

    def drift_store(self) -> pd.DataFrame:
        """The drift store's history (``opslib.drift.history``)."""
        from opslib import drift

        path = Path(self._need("drift_store"))
        frame = drift.history(path)
        files = [p for p in _files(path) if p.suffix == ".jsonl"]
        self._record(
            "drift_store",
            path,
            len(files),
            len(frame),
            _newest_mtime(files),
            note="rows: drifted resources over time",
        )
        return frame

    # ------------------------------------------------------------------ what was read
    def note(self, key: str, rows: int, note: str = "") -> None:
        """Record input ``key`` as read by some other call: files and newest time come from its path."""
        value = self._need(key)
        if value == _ESTIMATE:
            self._record(key, value, 0, rows, None, note or "estimated from the price catalogue")
            return
        paths = value if isinstance(value, list) else [value]
        files = [f for p in paths for f in _files(p)]
        newest = _infracost_time(Path(paths[0])) if key.startswith("costs") else _newest_mtime(files)
        self._record(key, ", ".join(str(p) for p in paths), len(files), rows, newest, note)

    def record(self, key: str, path: Any, files: int, rows: int, newest: Any = None, note: str = "") -> None:
        """Note an input read some other way (a notebook loading a file itself)."""
        self._record(key, path, files, rows, newest, note)

    def _record(self, key: str, path: Any, files: int, rows: int, newest: Any, note: str = "") -> None:
        stamp = None if newest is None or pd.isna(newest) else pd.Timestamp(newest)
        if stamp is not None and stamp.tzinfo is None:
            stamp = stamp.tz_localize("UTC")
        self.read[key] = InputRead(key, str(path), int(files), int(rows), stamp, note)

    def stale(self, now: pd.Timestamp | None = None) -> dict[str, float]:
        """Plans and costs read whose newest timestamp is older than ``stale_after_days``: key -> age."""
        limit = self.settings.stale_after_days
        out: dict[str, float] = {}
        for key in ("plans", "costs", "costs_baseline"):
            item = self.read.get(key)
            age = item.age_days(now) if item is not None else None
            if age is not None and age > limit:
                out[key] = age
        return out

    def inputs_read(self, keys: list[str] | None = None, now: pd.Timestamp | None = None) -> pd.DataFrame:
        """One row per input (``keys``, default all): ``input``, ``path``, ``files``, ``rows``,
        ``newest``, ``age_days``, ``stale``, ``note`` (``not given: ...`` for a missing one)."""
        rows = []
        stale = self.stale(now)
        for key in keys or list(INPUTS):
            item = self.read.get(key)
            if item is not None:
                rows.append(
                    {
                        "input": key,
                        "path": item.path,
                        "files": item.files,
                        "rows": item.rows,
                        "newest": item.newest,
                        "age_days": item.age_days(now),
                        "stale": key in stale,
                        "note": item.note,
                    }
                )
            elif self.has(key):
                rows.append(
                    {
                        "input": key,
                        "path": str(self.inputs[key]),
                        "files": None,
                        "rows": None,
                        "newest": None,
                        "age_days": None,
                        "stale": False,
                        "note": "given, not read",
                    }
                )
            else:
                rows.append(
                    {
                        "input": key,
                        "path": "",
                        "files": None,
                        "rows": None,
                        "newest": None,
                        "age_days": None,
                        "stale": False,
                        "note": "not given: " + how_to_give(key),
                    }
                )
        return pd.DataFrame(
            rows, columns=["input", "path", "files", "rows", "newest", "age_days", "stale", "note"]
        )

    def summary(self, now: pd.Timestamp | None = None) -> dict[str, Any]:
        """What a report's summary JSON records about its inputs: ``sample``, ``project``, ``inputs``
        (key -> files, rows, newest, age_days) and ``stale`` (key -> age in days)."""
        return {
            "sample": self.sample,
            "project": str(self.file) if self.file is not None else None,
            "inputs": {
                key: {
                    "path": r.path,
                    "files": r.files,
                    "rows": r.rows,
                    "newest": r.newest.isoformat() if r.newest is not None else None,
                    "age_days": r.age_days(now),
                }
                for key, r in self.read.items()
            },
            "stale": self.stale(now),
            "stale_after_days": self.settings.stale_after_days,
        }


def _check_key(key: str) -> None:
    if key not in INPUTS:
        raise ConfigError(f"unknown input {key!r} (known: {', '.join(INPUTS)})")


def _files(path: Any) -> list[Path]:
    target = Path(path)
    if target.is_file():
        return [target]
    if target.is_dir():
        return sorted(p for p in target.rglob("*") if p.is_file())
    return []


def _run_report_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".json", ".csv"))


def _newest_mtime(paths: Any) -> pd.Timestamp | None:
    newest = 0.0
    for p in paths:
        try:
            newest = max(newest, Path(p).stat().st_mtime)
        except OSError:
            continue
    return pd.Timestamp(newest, unit="s", tz="UTC") if newest else None


def _infracost_time(path: Path) -> pd.Timestamp | None:
    """infracost's own ``timeGenerated``, else the file's modification time."""
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        generated = doc.get("timeGenerated") if isinstance(doc, dict) else None
        stamp = pd.Timestamp(str(generated)) if generated else None
    except (OSError, ValueError, TypeError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        return _newest_mtime([path])
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")

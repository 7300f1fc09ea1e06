"""Drift: record each run's drift in a store, tell how long things have drifted, collect plans.

- :func:`record` appends a run's drift (rows of a changes frame) to a store under a folder, as JSON
  lines (``drift.jsonl`` + ``runs.jsonl``, the default: diffable, appendable) or Parquet
  (``drift.parquet`` + ``runs.parquet``), under a lock, each file replaced atomically.
- :func:`history` turns the store into one row per drifted resource: first seen, last seen, number
  of runs, age in days, still open or not ("drifted for 9 days").
- :func:`attribute_changes`, :func:`causes` and :func:`unit_matrix` shape a changes frame for the
  drift report.
- :func:`collect` runs ``terraform plan -detailed-exitcode`` (or ``terragrunt run --all plan``) on every
  unit of a tree and writes ``<out>/<unit>/tfplan.json``. It never applies anything.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import pandas as pd

from opslib._io import atomic_write_bytes, locked, read_bytes
from opslib._time import utc_timestamp
from opslib.errors import ConfigError, ExecutionError, MissingDependencyError, ParseError
from opslib.plans import aggregate_exit_code, max_risk
from opslib.plans._diff import get_path
from opslib.secrets import scrub_text

__all__ = [
    "COLLECT_COLUMNS",
    "HISTORY_COLUMNS",
    "STORE_COLUMNS",
    "Collected",
    "attribute_changes",
    "causes",
    "collect",
    "history",
    "load_store",
    "record",
    "unit_matrix",
]

log = logging.getLogger(__name__)

STORE_COLUMNS = ["run_id", "at", "unit", "address", "type", "kind", "action", "risk", "changed_paths", "diff"]
RUN_COLUMNS = ["run_id", "at", "units", "drifted_units", "drifted_resources"]
HISTORY_COLUMNS = [
    "unit",
    "address",
    "type",
    "first_seen",
    "last_seen",
    "runs",
    "age_days",
    "open",
    "risk",
    "changed_paths",
]
COLLECT_COLUMNS = ["unit", "path", "exit_code", "duration_s", "started", "ended", "plan_json", "error"]
_FORMATS = ("jsonl", "parquet")


# ============================================================================ shaping a changes frame


def _value_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def attribute_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per changed attribute of each change: the before → after of every changed path.

    Columns: ``unit``, ``address``, ``type``, ``kind``, ``action``, ``risk``, ``path``, ``before``,
    ``after`` (values as text, already masked: they come from the masked ``before``/``after``).
    """
    records = []
    for row in changes.to_dict(orient="records"):
        for path in row.get("changed_paths") or []:
            records.append(
                {
                    "unit": row["unit"],
                    "address": row["address"],
                    "type": row["type"],
                    "kind": row["kind"],
                    "action": row["action"],
                    "risk": row["risk"],
                    "path": path,
                    "before": _value_text(get_path(row.get("before"), path)),
                    "after": _value_text(get_path(row.get("after"), path)),
                }
            )
    return pd.DataFrame(
        records, columns=["unit", "address", "type", "kind", "action", "risk", "path", "before", "after"]
    )


def causes(changes: pd.DataFrame, *, kind: str = "drift") -> pd.DataFrame:
    """Drift grouped by cause: the same resource type, attribute path and before → after across units.

    Columns: ``type``, ``path``, ``before``, ``after``, ``resources`` (count), ``units`` (count),
    ``unit_list`` (sorted unit ids), ``risk`` (highest). Sorted by units, then resources, descending.
    """
    attrs = attribute_changes(changes[changes["kind"] == kind] if kind else changes)
    cols = ["type", "path", "before", "after", "resources", "units", "unit_list", "risk"]
    if attrs.empty:
        return pd.DataFrame(columns=cols)
    grouped = attrs.groupby(["type", "path", "before", "after"], sort=True)
    out = grouped.agg(
        resources=("address", "size"),
        units=("unit", "nunique"),
        unit_list=("unit", lambda s: sorted(set(s))),
        risk=("risk", lambda s: max_risk(s.tolist())),
    ).reset_index()
    return out.sort_values(
        ["units", "resources", "type", "path"], ascending=[False, False, True, True], kind="stable"
    ).reset_index(drop=True)[cols]


def unit_matrix(
    changes: pd.DataFrame,
    units: pd.DataFrame,
    *,
    index: str = "account",
    columns: str = "environment",
    kind: str = "drift",
) -> pd.DataFrame:
    """Count of drifted resources per ``index`` × ``columns`` (account × environment by default).

    ``units`` is the tree's units frame (``unit`` plus the two columns). Units missing from the tree
    count under ``"(outside tree)"``.
    """
    rows = changes[changes["kind"] == kind] if kind else changes
    meta = units[["unit", index, columns]].drop_duplicates("unit")
    merged = rows[["unit", "address"]].merge(meta, on="unit", how="left")
    merged[[index, columns]] = merged[[index, columns]].astype(object).fillna("(outside tree)")
    table = merged.pivot_table(index=index, columns=columns, values="address", aggfunc="count", fill_value=0)
    return table.astype(int)


# ============================================================================ the store


def _store_format(folder: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in _FORMATS:
            raise ConfigError(f"unknown drift store format {fmt!r} (expected jsonl or parquet)")
        return fmt
    return "parquet" if (folder / "drift.parquet").exists() else "jsonl"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    rows = []
    for lineno, line in enumerate(read_bytes(path, "drift", what="drift store").splitlines(), start=1):
        if line.strip():
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ParseError(f"invalid JSON line: {exc.msg}", path=path, line=lineno) from exc
            if not isinstance(row, dict):
                raise ParseError("a drift store line must be a JSON object", path=path, line=lineno)
            rows.append(row)
    return rows


def _read_table(folder: Path, name: str, columns: list[str]) -> pd.DataFrame:
    parquet = folder / f"{name}.parquet"
    if parquet.exists():
        frame = pd.read_parquet(parquet)
        if "changed_paths" in frame:
            frame["changed_paths"] = frame["changed_paths"].map(lambda v: [str(x) for x in v])
    else:
        frame = pd.DataFrame(_read_jsonl(folder / f"{name}.jsonl"), columns=columns)
    if "at" in frame:
        frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    return frame.reindex(columns=columns)


def load_store(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's two tables: ``(runs, drift)``; columns ``RUN_COLUMNS`` and ``STORE_COLUMNS``."""
    root = Path(folder)
    return _read_table(root, "runs", RUN_COLUMNS), _read_table(root, "drift", STORE_COLUMNS)


def _write_table(folder: Path, name: str, frame: pd.DataFrame, fmt: str) -> None:
    out = frame.copy()
    out["at"] = pd.to_datetime(out["at"], utc=True).map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(out, preserve_index=False), buffer)
        atomic_write_bytes(folder / f"{name}.parquet", buffer.getvalue().to_pybytes())
    else:
        lines = [orjson.dumps(rec) for rec in out.to_dict(orient="records")]
        atomic_write_bytes(folder / f"{name}.jsonl", b"".join(line + b"\n" for line in lines))


def _as_utc(at: dt.datetime | str | pd.Timestamp | None) -> pd.Timestamp:
    if at is None:
        return pd.Timestamp.now(tz="UTC").floor("s")
    return utc_timestamp(at, "at")  # ParameterError naming the value, not a pandas traceback


def _drift_records(changes: pd.DataFrame, kinds: Sequence[str]) -> list[dict[str, Any]]:
    rows = changes[changes["kind"].isin(list(kinds)) & ~changes["action"].isin(["no-op", "read"])]
    diffs = attribute_changes(rows)
    by_row: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for d in diffs.to_dict(orient="records"):
        by_row.setdefault((d["unit"], d["address"], d["kind"]), []).append(
            {"path": d["path"], "before": d["before"], "after": d["after"]}
        )
    return [
        {
            "unit": r["unit"],
            "address": r["address"],
            "type": r["type"],
            "kind": r["kind"],
            "action": r["action"],
            "risk": r["risk"],
            "changed_paths": list(r["changed_paths"] or []),
            "diff": json.dumps(by_row.get((r["unit"], r["address"], r["kind"]), [])),
        }
        for r in rows.to_dict(orient="records")
    ]


def record(
    changes: pd.DataFrame,
    folder: str | Path,
    *,
    run_id: str | None = None,
    at: dt.datetime | str | pd.Timestamp | None = None,
    fmt: str | None = None,
    kinds: Sequence[str] = ("drift",),
) -> pd.DataFrame:
    """Append one run's drift to the store in ``folder``; returns the rows recorded.

    ``kinds`` chooses which rows count as drift: ``("drift",)`` (the default) keeps what Terraform
    found changed outside it; add ``"planned"`` to record every pending change too (what a
    ``-detailed-exitcode`` drift check flags). ``at`` defaults to now (UTC); ``run_id`` to ``at`` as
    ``YYYYmmddTHHMMSSZ``. Recording the same ``run_id`` again replaces that run (safe to retry).
    The store is JSON lines unless ``fmt="parquet"`` or the folder already holds Parquet.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    when = _as_utc(at)
    rid = run_id or when.strftime("%Y%m%dT%H%M%SZ")
    kind = _store_format(root, fmt)
    new = pd.DataFrame(_drift_records(changes, kinds), columns=STORE_COLUMNS[2:])
    new.insert(0, "at", when)
    new.insert(0, "run_id", rid)
    planned_units = {str(p["unit"]) for p in changes.attrs.get("plans", [])} | set(
        changes["unit"].astype(str)
    )
    run = pd.DataFrame(
        [
            {
                "run_id": rid,
                "at": when,
                "units": sorted(planned_units),
                "drifted_units": int(new["unit"].nunique()),
                "drifted_resources": len(new),
            }
        ],
        columns=RUN_COLUMNS,
    )
    with locked(root / ".drift"):  # .drift.lock: hidden, so listings show only the two tables
        runs, drift = load_store(root)
        runs = pd.concat([runs[runs["run_id"] != rid], run], ignore_index=True) if len(runs) else run
        drift = pd.concat([drift[drift["run_id"] != rid], new], ignore_index=True) if len(drift) else new
        runs = runs.sort_values(["at", "run_id"], kind="stable")
        drift = drift.sort_values(["at", "unit", "address"], kind="stable")
        _write_table(root, "drift", drift, kind)
        _write_table(root, "runs", runs, kind)
    log.info("recorded %d drifted resources for run %s in %s", len(new), rid, root)
    return new


def history(folder: str | Path) -> pd.DataFrame:
    """One row per drifted resource in the store: how long it has drifted.

    Columns: ``unit``, ``address``, ``type``, ``first_seen`` (start of its latest unbroken streak of
    runs; a run that did not plan the unit does not break it), ``last_seen``, ``runs`` (number of runs
    that saw it drifted), ``age_days`` (whole days from first_seen to last_seen), ``open`` (drifted in
    the latest run that planned its unit), ``risk`` (highest seen), ``changed_paths`` (latest).
    Sorted open first, then oldest first.
    """
    runs, drift = load_store(folder)
    if drift.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    run_list: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in runs.sort_values("at").to_dict(orient="records")
    ]
    records = []
    for (unit, address), group in drift.groupby(["unit", "address"], sort=True):
        seen = set(group["run_id"])
        covering = [r for r in run_list if _covers(r, str(unit), seen)]
        last_seen = group["at"].max()
        open_ = bool(covering) and covering[-1]["run_id"] in seen
        first_seen = _streak_start(last_seen, seen, covering)
        latest = group.sort_values("at").iloc[-1]
        records.append(
            {
                "unit": unit,
                "address": address,
                "type": latest["type"],
                "first_seen": first_seen,
                "last_seen": last_seen,
                "runs": len(seen),
                "age_days": int((last_seen - first_seen).total_seconds() // 86400),
                "open": open_,
                "risk": max_risk(group["risk"].tolist()),
                "changed_paths": list(latest["changed_paths"]),
            }
        )
    out = pd.DataFrame(records, columns=HISTORY_COLUMNS)
    return out.sort_values(
        ["open", "first_seen", "unit", "address"], ascending=[False, True, True, True], kind="stable"
    ).reset_index(drop=True)


def _covers(run: dict[str, Any], unit: str, seen: set[str]) -> bool:
    """Whether ``run`` planned ``unit`` (a run that did not cannot say the drift was gone)."""
    units = run.get("units")
    if run["run_id"] in seen or units is None or not hasattr(units, "__len__") or len(units) == 0:
        return True
    return unit in list(units)


def _streak_start(last_seen: pd.Timestamp, seen: set[str], covering: list[dict[str, Any]]) -> pd.Timestamp:
    """Start of the unbroken streak of runs, ending at the last sighting, that saw the drift."""
    start = last_seen
    for run in reversed([r for r in covering if r["at"] <= last_seen]):
        if run["run_id"] not in seen:
            break
        start = run["at"]
    return pd.Timestamp(start)


# ============================================================================ collection


class Collected(NamedTuple):
    """What :func:`collect` returns: per-unit results and the aggregate exit code."""

    results: pd.DataFrame
    exit_code: int


#: the only terraform subcommands collect may run; apply/destroy/import are refused outright
_ALLOWED = {"init", "plan", "show", "version"}


def _tf(binary: str, args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    if args[0] not in _ALLOWED:
        raise ExecutionError(f"refusing to run `terraform {args[0]}`: collect only plans")
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_INPUT="0")
    return subprocess.run(
        [binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _discover(root: Path) -> list[Path]:
    """Terraform folders under ``root`` (folders holding ``*.tf``), skipping caches."""
    skip = {".terraform", ".terragrunt-cache", ".git"}
    folders = {p.parent for p in root.rglob("*.tf") if not skip & set(p.relative_to(root).parts)}
    return sorted(folders)


def _error_tail(text: str, limit: int = 400) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip() and "CLI configuration" not in ln]
    return scrub_text("\n".join(lines))[-limit:]


def _plan_unit(binary: str, folder: Path, root: Path, out_dir: Path, timeout: float) -> dict[str, Any]:
    unit = folder.relative_to(root).as_posix() if folder != root else folder.name
    dest = out_dir / unit
    dest.mkdir(parents=True, exist_ok=True)
    started = pd.Timestamp.now(tz="UTC")
    clock = time.monotonic()
    result: dict[str, Any] = {"unit": unit, "path": str(folder), "plan_json": None, "error": None}
    try:
        if not (folder / ".terraform").is_dir():
            init = _tf(binary, ["init", "-input=false", "-no-color"], folder, timeout)
            if init.returncode != 0:
                raise ExecutionError(f"terraform init failed: {_error_tail(init.stderr or init.stdout)}")
        planfile = dest / "tfplan"
        plan = _tf(
            binary,
            ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false", f"-out={planfile}"],
            folder,
            timeout,
        )
        code = plan.returncode
        if code not in (0, 2):
            raise ExecutionError(f"terraform plan failed: {_error_tail(plan.stderr or plan.stdout)}")
        show = _tf(binary, ["show", "-json", "-no-color", str(planfile)], folder, timeout)
        if show.returncode != 0:
            raise ExecutionError(f"terraform show failed: {_error_tail(show.stderr)}")
        atomic_write_bytes(dest / "tfplan.json", show.stdout.encode())
        planfile.unlink(missing_ok=True)  # binary plans hold secrets in clear; keep only the JSON
        result.update(exit_code=code, plan_json=str(dest / "tfplan.json"))
    except subprocess.TimeoutExpired:
        result.update(exit_code=1, error=f"timed out after {timeout:.0f}s")
    except (ExecutionError, OSError) as exc:
        result.update(exit_code=1, error=str(exc))
    result.update(
        duration_s=round(time.monotonic() - clock, 3), started=started, ended=pd.Timestamp.now(tz="UTC")
    )
    if result["error"]:
        log.warning("%s: %s", unit, result["error"])
    return result


def _collect_terragrunt(binary: str, root: Path, out_dir: Path, timeout: float) -> Collected:
    """``terragrunt run --all plan`` with a JSON plan per unit and a run report.

    Per-unit exit codes come from the plans (what ``-detailed-exitcode`` gives for each) and from the
    run report (failed and early-exit units give 1); the aggregate is terragrunt's own exit code.
    """
    from opslib.plans import load_plans, summary
    from opslib.runs import load_run_report

    report = out_dir / "run-report.json"
    args = [
        binary,
        "run",
        "--all",
        "--non-interactive",
        "--json-out-dir",
        str(out_dir),
        "--report-file",
        str(report),
        "--",
        "plan",
        "-detailed-exitcode",
        "-lock=false",
        "-input=false",
    ]
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_INPUT="0")
    try:
        proc = subprocess.run(
            args, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ExecutionError(f"terragrunt run --all plan timed out after {timeout:.0f}s", path=root) from exc
    if not report.exists():
        raise ExecutionError(
            f"terragrunt wrote no run report: {_error_tail(proc.stderr or proc.stdout)}", path=root
        )
    runs = load_run_report(report)
    codes = summary(load_plans(out_dir)).set_index("unit")["exit_code"].to_dict()
    records = []
    for run in runs.to_dict(orient="records"):
        plan_json = out_dir / run["unit"] / "tfplan.json"
        failed = run["result"] in ("failed", "early exit")
        code = 1 if failed else int(codes.get(run["unit"], 0))
        records.append(
            {
                "unit": run["unit"],
                "path": str(root / run["unit"]),
                "exit_code": code,
                "duration_s": run["duration_s"],
                "started": run["started"],
                "ended": run["ended"],
                "plan_json": str(plan_json) if plan_json.exists() else None,
                "error": (run["cause"] or run["reason"]) if failed else None,
            }
        )
    frame = pd.DataFrame(records, columns=COLLECT_COLUMNS)
    own = proc.returncode if proc.returncode in (0, 1, 2) else 1
    return Collected(frame, aggregate_exit_code([own, *frame["exit_code"].tolist()]))


def collect(
    root: str | Path,
    out_dir: str | Path,
    *,
    jobs: int | None = None,
    terraform: str = "terraform",
    terragrunt: str | None = None,
    timeout: float = 1800.0,
) -> Collected:
    """Plan every unit under ``root`` and write ``out_dir/<unit>/tfplan.json``. Never applies.

    Each Terraform folder (a folder holding ``*.tf``) gets ``terraform init`` when it has no
    ``.terraform`` yet, ``terraform plan -detailed-exitcode -lock=false -out``, and ``terraform show
    -json``, at most ``jobs`` at a time (default: CPU count, capped at 4). When ``terragrunt`` names an
    installed binary and ``root`` holds ``terragrunt.hcl`` units, one ``terragrunt run --all plan
    --json-out-dir`` does the work instead.

    Returns :class:`Collected`: ``results`` (columns ``unit``, ``path``, ``exit_code``, ``duration_s``,
    ``started``, ``ended``, ``plan_json``, ``error``) and ``exit_code`` combined as ``run --all``:
    any 1 → 1, else any 2 → 2, else 0.
    """
    base = Path(root).resolve()
    out = Path(out_dir).resolve()
    if not base.is_dir():
        raise ConfigError("not a folder", path=base)
    out.mkdir(parents=True, exist_ok=True)
    if terragrunt is not None:
        tg = shutil.which(terragrunt)
        if tg is None:
            raise MissingDependencyError(terragrunt, binary=True)
        if any(base.rglob("terragrunt.hcl")):
            return _collect_terragrunt(tg, base, out, timeout)
    binary = shutil.which(terraform)
    if binary is None:
        raise MissingDependencyError(terraform, binary=True)
    folders = [f for f in _discover(base) if out not in f.parents and f != out]
    workers = max(1, jobs or min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda f: _plan_unit(binary, f, base, out, timeout), folders))
    frame = pd.DataFrame(results, columns=COLLECT_COLUMNS)
    frame["exit_code"] = frame["exit_code"].astype(int)
    code = aggregate_exit_code(frame["exit_code"].tolist())
    atomic_write_bytes(
        out / "collect.json",
        orjson.dumps(
            {
                "exit_code": code,
                "units": [
                    {k: (v.isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in r.items()}
                    for r in results
                ],
            },
            option=orjson.OPT_INDENT_2,
        ),
    )
    return Collected(frame, code)

"""Run report notebooks with papermill and export them as offline HTML.

``run_report("overview", {"weeks": 12})`` executes ``notebooks/overview.ipynb`` with the parameters
injected after its ``parameters`` cell, keeps the executed notebook as ``reports/overview.ipynb``, writes
``reports/overview.html`` (code hidden, plotly.js inline, no external script) and refreshes
``reports/index.html``. Unknown parameter names and values of the wrong type fail before any kernel
starts; a failing cell raises :class:`~opslib.errors.NotebookError` naming the cell, and the executed
notebook is kept for debugging.

Inputs come from a project (:class:`opslib.project.Project`, ``opslib.toml``) with parameters over it,
or from the bundled sample when ``sample=True``; nothing falls back to the sample otherwise. A report
whose required inputs are missing is *skipped* with its reason (``run_all``) or refused with a
:class:`~opslib.errors.MissingInputError` (``run_report``)::

    results = run_all(project=Project.load("~/live"), out_dir="reports")
    for r in results:
        print(r.name, r.status, r.reason or headline(r.summary))
"""

from __future__ import annotations

import ast
import difflib
import html
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opslib._io import atomic_write_text
from opslib._paths import notebooks_dir
from opslib.errors import ConfigError, MissingInputError, NotebookError, ParameterError
from opslib.notebook import SUMMARY_ENV
from opslib.project import REPORT_INPUTS, REQUIREMENTS, Project, report_inputs, skip_reason

__all__ = [
    "ALIASES",
    "ReportResult",
    "coerce_value",
    "error_of",
    "export_html",
    "headline",
    "inline_markdown",
    "list_reports",
    "notebook_parameters",
    "notebook_values",
    "report_stem",
    "run_all",
    "run_report",
    "write_index",
]

log = logging.getLogger(__name__)

#: seconds a notebook's kernel may take to start: papermill's 60 s is exceeded on a busy 2-core machine
#: (reports run two at a time, a scheduler's worker is shared); a kernel that never starts still fails
KERNEL_START_TIMEOUT = 300

KERNEL_NAME = "python3"
_RUN_SUFFIX = ".run.json"
_SUMMARY_SUFFIX = ".summary.json"
_KERNEL_LOG_SUFFIX = ".kernel.log"
# Any script or stylesheet pulled from the network: stripped so a report opens offline and leaks nothing.
_EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.IGNORECASE)
_EXTERNAL_LINK = re.compile(r"<link[^>]*\bhref=[\"']https?://[^>]*>", re.IGNORECASE)
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL)


@dataclass
class ReportResult:
    """What one report run produced (``skipped``: not run, ``reason`` says which input it needs)."""

    name: str
    status: str  # "ok" | "failed" | "skipped"
    notebook: str
    html: str | None
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    started_at: str = ""
    reason: str | None = None
    sample: bool = False


def list_reports(folder: str | Path | None = None) -> list[str]:
    """Names of the report notebooks (``notebooks/*.ipynb``, files starting with ``_`` excluded)."""
    base = Path(folder) if folder else notebooks_dir()
    return sorted(p.stem for p in base.glob("*.ipynb") if not p.name.startswith(("_", ".")))


#: short names users type for the report notebooks (``opslib report cost -p ...``)
ALIASES = {
    "cost": "cost_report",
    "costs": "cost_report",
    "drift": "drift_report",
    "failures": "failure_analysis",
    "incident": "incident_runbook",
    "runbook": "incident_runbook",
    "promotion": "promotion_report",
    "promote": "promotion_report",
    "review": "change_review",
}


def _notebook_path(name: str | Path, folder: str | Path | None = None) -> Path:
    if isinstance(name, str) and name in ALIASES:
        name = ALIASES[name]
    candidate = Path(name)
    if candidate.suffix == ".ipynb" and candidate.is_file():
        return candidate
    base = Path(folder) if folder else notebooks_dir()
    path = base / f"{candidate.name}.ipynb"
    if not path.is_file():
        known = list_reports(base)
        hint = difflib.get_close_matches(str(name), known, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(
            f"no report named {str(name)!r}{extra}; available: {', '.join(known) or 'none'}", path=base
        )
    return path


def report_stem(name: str | Path) -> str:
    """The report a name, alias or notebook path stands for (``cost`` -> ``cost_report``)."""
    return _notebook_path(name).stem


def notebook_parameters(name: str | Path, folder: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The parameters a report declares: name -> {"type": ..., "default": ..., "help": ...}."""
    import papermill

    path = _notebook_path(name, folder)
    try:
        declared = papermill.inspect_notebook(str(path))
    except Exception as exc:  # papermill raises bare exceptions for unreadable notebooks
        raise ConfigError(f"cannot read the notebook's parameters: {exc}", path=path) from exc
    return {
        key: {
            "type": _declared_type(value.get("inferred_type_name"), value.get("default")),
            "default": value.get("default"),
            "help": value.get("help", ""),
        }
        for key, value in declared.items()
    }


def _declared_type(annotated: str | None, default: str | None) -> str | None:
    """The annotation papermill found, else the type of the literal default (``None`` stays untyped)."""
    if annotated and annotated != "None":
        return annotated
    try:
        value = ast.literal_eval(default or "None")
    except (ValueError, SyntaxError):
        return None
    return None if value is None else type(value).__name__


def coerce_value(raw: Any, declared_type: str | None = None) -> Any:
    """Turn a command-line string into the value a parameter expects.

    ``None``/``null`` -> None, ``true``/``false`` -> bool, numbers and JSON lists/dicts are parsed, and
    everything else stays a string. A parameter declared ``str`` keeps its string even when it looks
    like a number (a unit id like ``"007"`` must not become 7).
    """
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text.lower() in {"none", "null"}:
        return None
    kind = (declared_type or "").lower()
    if kind.startswith("str"):
        return raw
    if text.lower() in {"true", "false"}:
        return text.lower() == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return raw


def _check_parameters(
    name: str, declared: Mapping[str, Mapping[str, Any]], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    unknown = [key for key in parameters if key not in declared]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, list(declared), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ParameterError(
            f"report {name!r} has no parameter {', '.join(hints)}; "
            f"its parameters are: {', '.join(sorted(declared)) or 'none'}"
        )
    values = {key: coerce_value(value, declared[key].get("type")) for key, value in parameters.items()}
    for key, value in values.items():
        _check_type(name, key, declared[key].get("type"), value)
    return values


_SCALARS: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "bool": (bool,)}


def _check_type(report: str, key: str, declared_type: str | None, value: Any) -> None:
    """A number or flag parameter given something else fails here, not inside a cell of the notebook."""
    kinds = _SCALARS.get((declared_type or "").lower())
    if kinds is None or value is None:
        return
    wrong = not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))
    if wrong:
        raise ParameterError(
            f"report {report!r}: parameter {key!r} takes a{'n' if declared_type == 'int' else ''} "
            f"{declared_type}, not {value!r}"
        )


def notebook_values(
    name: str | Path,
    parameters: Mapping[str, Any] | None = None,
    *,
    project: Project | str | Path | None = None,
    sample: bool = False,
) -> tuple[dict[str, Any], str | None]:
    """The parameters report ``name`` runs with, and why it cannot run (None when it can).

    The project's inputs, with ``parameters`` over them, become the notebook's input parameters
    (absolute paths); ``parameters`` may also name an input by its project key (``drift_store``,
    ``costs_baseline``, ``runbooks``). Every check happens here, before any kernel starts.
    """
    source = _notebook_path(name)
    report = source.stem
    declared = notebook_parameters(source)
    mapping = REPORT_INPUTS.get(report, {})
    to_param = {key: param for param, key in mapping.items()}
    given = {
        to_param.get(key, key) if key not in declared else key: v for key, v in (parameters or {}).items()
    }
    values = _check_parameters(report, declared, given)
    if report not in REQUIREMENTS or not {"project", "sample"} <= set(declared):
        return values, None  # a notebook of the user's own: parameters as given
    # the notebook's own `sample` and `project` parameters mean what the arguments mean
    sample = bool(sample or values.pop("sample", None) is True)
    named = values.pop("project", None)
    if project is None and named:
        project = str(named)
    loaded = project if isinstance(project, Project) or project is None else Project.load(project)
    inputs = report_inputs(
        report,
        project=loaded if loaded is not None else "",
        sample=bool(sample),
        **{param: values.pop(param) for param in list(values) if param in mapping},
    ).project
    for param, key in mapping.items():
        path = inputs.path(key)
        if path is not None and not inputs.sample:
            values[param] = ",".join(str(p) for p in path) if isinstance(path, list) else str(path)
    values["project"] = str(inputs.file) if inputs.file is not None else ""
    values["sample"] = bool(inputs.sample)
    if "threshold" in declared and "threshold" not in given and loaded is not None:
        values["threshold"] = loaded.settings.cost_threshold
    return values, skip_reason(report, inputs)


def run_report(
    name: str | Path,
    parameters: Mapping[str, Any] | None = None,
    out_dir: str | Path = "reports",
    *,
    project: Project | str | Path | None = None,
    sample: bool = False,
    html_export: bool = True,
    timeout: int | None = 900,
    update_index: bool = True,
) -> Path:
    """Execute one report notebook; returns the path of the executed notebook.

    ``project`` (a :class:`Project` or its file/folder) gives the inputs, ``parameters`` override
    them; ``sample=True`` runs on the bundled sample instead. Raises :class:`ParameterError` before
    anything runs when a parameter is unknown or of the wrong type, :class:`MissingInputError` when
    the report's required inputs are not given, and :class:`NotebookError` (naming the failing cell)
    when a cell raises; the executed notebook is kept.
    """
    values, reason = notebook_values(name, parameters, project=project, sample=sample)
    if reason is not None:
        raise MissingInputError(reason)
    result = _execute(name, values, Path(out_dir), html_export=html_export, timeout=timeout)
    if update_index:
        write_index(out_dir)
    if result.status != "ok":
        raise error_of(result)
    return Path(result.notebook)


def error_of(result: ReportResult) -> NotebookError:
    info = json.loads(result.error or "{}")
    message = info.get("message", "report failed")
    if result.notebook:
        message += f"; the executed notebook is kept at {result.notebook}"
    return NotebookError(
        message,
        notebook=info.get("source", result.name),
        cell_index=info.get("cell"),
        executed=result.notebook,
        ename=info.get("ename"),
        evalue=info.get("evalue"),
    )


def _execute(
    name: str | Path, parameters: Mapping[str, Any], out_dir: Path, *, html_export: bool, timeout: int | None
) -> ReportResult:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = _notebook_path(name)
    report = source.stem
    declared = notebook_parameters(source)
    values = _check_parameters(report, declared, parameters)
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{report}.ipynb"
    summary_path = out_dir / f"{report}{_SUMMARY_SUFFIX}"
    summary_path.unlink(missing_ok=True)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    error: str | None = None
    # The kernel inherits this process's environment: it tells the notebook where to put its summary.
    previous = os.environ.get(SUMMARY_ENV)
    os.environ[SUMMARY_ENV] = str(summary_path.resolve())
    kernel_log = out_dir / f"{report}{_KERNEL_LOG_SUFFIX}"
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=values,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            start_timeout=KERNEL_START_TIMEOUT,
            # relative paths given as parameters mean what they mean where the user ran the command
            cwd=os.getcwd(),
            kernel_manager_class=quiet_kernel_manager(kernel_log),
        )
    except PapermillExecutionError as exc:
        error = json.dumps(
            {
                "message": f"cell {exc.exec_count} raised {exc.ename}: {exc.evalue}",
                "cell": exc.cell_index,
                "ename": exc.ename,
                "evalue": exc.evalue,
                "source": str(source),
            }
        )
    finally:
        if previous is None:
            os.environ.pop(SUMMARY_ENV, None)
        else:
            os.environ[SUMMARY_ENV] = previous
    if error is None:
        kernel_log.unlink(missing_ok=True)
    elif kernel_log.exists() and kernel_log.stat().st_size:
        info = json.loads(error)
        info["message"] += f" (kernel log: {kernel_log})"
        error = json.dumps(info)
    seconds = time.perf_counter() - clock
    html_path = export_html(executed) if html_export and executed.exists() else None
    summary = _read_json(summary_path)
    result = ReportResult(
        name=report,
        status="ok" if error is None else "failed",
        notebook=str(executed),
        html=str(html_path) if html_path else None,
        seconds=round(seconds, 2),
        parameters={k: v for k, v in values.items()},
        summary=summary,
        error=error,
        started_at=started.isoformat(timespec="seconds"),
        sample=bool(values.get("sample")),
    )
    atomic_write_text(out_dir / f"{report}{_RUN_SUFFIX}", json.dumps(asdict(result), indent=2, default=str))
    return result


def quiet_kernel_manager(log_path: Path) -> type:
    """A kernel manager whose kernel writes its own log (stderr) to ``log_path``, not to the console.

    ipykernel warns "Kernel is running over TCP without encryption" at every start and may log
    "KeyboardInterrupt caught in kernel" at shutdown: noise a first-time user reads as a failure. Cell
    errors still reach the report (they travel over the kernel's messages, not its stderr), and the
    log is kept for a report that fails.
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "ab") as stream:  # the child keeps its own copy of the descriptor
                kw["stderr"] = stream
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def export_html(notebook: str | Path, output: str | Path | None = None) -> Path:
    """Write ``notebook`` as self-contained HTML: inputs hidden, no script or style from the network."""
    import nbformat
    from nbconvert import HTMLExporter

    source = Path(notebook)
    nb = nbformat.read(str(source), as_version=4)
    # Widget state would make nbconvert load the widget manager from a CDN; reports are static.
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": source.stem}})
    body = _MATHJAX_BLOCK.sub("", body)
    body = _EXTERNAL_SCRIPT.sub("", body)
    body = _EXTERNAL_LINK.sub("", body)
    target = Path(output) if output else source.with_suffix(".html")
    atomic_write_text(target, body)
    return target


def _run_one(args: tuple[str, dict[str, Any], str, int | None]) -> ReportResult:
    name, parameters, out_dir, timeout = args
    try:
        return _execute(name, parameters, Path(out_dir), html_export=True, timeout=timeout)
    except Exception as exc:  # one broken report must not stop the others
        log.exception("report %s could not run", name)
        return ReportResult(
            name=name,
            status="failed",
            notebook="",
            html=None,
            seconds=0.0,
            error=json.dumps({"message": str(exc)}),
        )


def _skipped(name: str, reason: str, out: Path, parameters: Mapping[str, Any]) -> ReportResult:
    """Record a report that did not run; its pages from an earlier run go, so none is mistaken for new."""
    report = _notebook_path(name).stem
    for suffix in (".html", ".ipynb", _SUMMARY_SUFFIX):
        (out / f"{report}{suffix}").unlink(missing_ok=True)
    result = ReportResult(
        name=report,
        status="skipped",
        notebook="",
        html=None,
        seconds=0.0,
        parameters={k: v for k, v in parameters.items() if k not in ("project", "sample")},
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        reason=reason,
    )
    atomic_write_text(out / f"{report}{_RUN_SUFFIX}", json.dumps(asdict(result), indent=2, default=str))
    return result


def run_all(
    names: list[str] | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    out_dir: str | Path | None = None,
    *,
    project: Project | str | Path | None = None,
    sample: bool = False,
    jobs: int | None = None,
    timeout: int | None = 900,
) -> list[ReportResult]:
    """Run several reports in parallel (bounded by cores); returns one result per report, in order.

    ``project`` (a :class:`~opslib.project.Project`, or its file or folder) feeds every report;
    ``parameters`` maps a report name to parameters over it; ``sample=True`` runs on the bundled
    sample instead. A report whose required inputs are missing is not run: its result has
    ``status="skipped"`` and a ``reason`` (``drift_report needs plans or drift_store (...)``).
    ``out_dir`` defaults to the project's ``[reports] out``, else ``reports``. Parameters of every
    report are checked before any of them runs.
    """
    names = names or list_reports()
    parameters = parameters or {}
    loaded = project if isinstance(project, Project) or project is None else Project.load(project)
    out = Path(out_dir) if out_dir is not None else (loaded.settings.out if loaded else Path("reports"))
    planned: list[tuple[str, dict[str, Any], str | None]] = []
    for name in names:  # fail fast, before any kernel starts
        values, reason = notebook_values(name, parameters.get(name, {}), project=loaded, sample=sample)
        planned.append((name, values, reason))
    out.mkdir(parents=True, exist_ok=True)
    tasks = [(n, v, str(out), timeout) for n, v, reason in planned if reason is None]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    if workers == 1:
        ran = [_run_one(task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            ran = list(pool.map(_run_one, tasks))
    by_name = iter(ran)
    results = [
        next(by_name) if reason is None else _skipped(name, reason, out, values)
        for name, values, reason in planned
    ]
    write_index(out)
    return results


def headline(summary: Mapping[str, Any]) -> str:
    """The one line a report's summary gives ``index.html`` and ``opslib report all``.

    A notebook's own ``headline`` string wins (each report words its figures: "failure rate 15.6%...",
    "drift found: 8 resources in 7 units (exit code 1)"); otherwise its first scalar figures.
    """
    text = summary.get("headline")
    stale = summary.get("stale")
    note = ""
    if isinstance(stale, dict) and stale:
        note = "; STALE: " + ", ".join(f"{k} {float(v):g} days old" for k, v in stale.items())
    if isinstance(text, str) and text.strip():
        return text.strip() + note
    parts = []
    for key, value in summary.items():
        if isinstance(value, (dict, list)) or key == "headline" or key in _INPUT_KEYS:
            continue
        if isinstance(value, float):
            value = f"{value:,.2f}"
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts[:6]) + note


# what ``Project.summary`` adds to every summary: not figures of the report
_INPUT_KEYS = {"sample", "project", "inputs", "stale", "stale_after_days"}


def _figures(summary: Mapping[str, Any]) -> str:
    """Every scalar figure of a summary (the index shows them on hover under the headline)."""
    return headline({k: v for k, v in summary.items() if k != "headline"})


_CODE_SPAN = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def inline_markdown(text: str) -> str:
    """A headline's inline Markdown (`code`, **bold**) as HTML; everything else escaped."""
    escaped = html.escape(text)
    escaped = _CODE_SPAN.sub(r"<code>\1</code>", escaped)
    return _BOLD.sub(r"<b>\1</b>", escaped)


def _started(value: Any) -> str:
    """``2026-12-06T06:40:12+00:00`` as "2026-12-06 06:40" (the column says UTC)."""
    try:
        return datetime.fromisoformat(str(value)).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value or "")


def write_index(out_dir: str | Path = "reports") -> Path:
    """Write ``index.html`` linking every report in ``out_dir`` with its headline figures.

    Skipped reports are listed with their reason; sample-data reports and stale inputs are flagged,
    and a banner says so when any report on the page read the bundled sample.
    """
    out = Path(out_dir)
    rows = []
    any_sample = False
    for run_file in sorted(out.glob(f"*{_RUN_SUFFIX}")):
        info = _read_json(run_file)
        if not info:
            continue
        name = str(info.get("name", run_file.name[: -len(_RUN_SUFFIX)]))
        html_name = f"{name}.html"
        link = (
            f'<a href="{html.escape(html_name)}">{html.escape(name)}</a>'
            if (out / html_name).exists() and info.get("status") != "skipped"
            else html.escape(name)
        )
        status = str(info.get("status", "?"))
        summary = info.get("summary") or {}
        sample = bool(info.get("sample") or summary.get("sample"))
        any_sample |= sample
        error = json.loads(info["error"]).get("message", "") if info.get("error") else ""
        text = str(info.get("reason") or "") if status == "skipped" else headline(summary)
        tags = "<span class='sample'>Sample data</span> " if sample else ""
        if summary.get("stale"):
            tags += "<span class='stale'>stale inputs</span> "
        params = ", ".join(f"{k}={v!r}" for k, v in (info.get("parameters") or {}).items()) or "defaults"
        rows.append(
            f"<tr class='{html.escape(status)}'><td>{link}</td><td>{html.escape(status)}</td>"
            f"<td title='{html.escape(_figures(summary), quote=True)}'>{tags}"
            f"{html.escape(text) if status == 'skipped' else inline_markdown(text)}"
            f"{'<br><i>' + html.escape(error) + '</i>' if error else ''}</td>"
            f"<td class='when'>{html.escape(_started(info.get('started_at')))}</td>"
            f"<td>{float(info.get('seconds') or 0):.1f}s</td><td><code>{html.escape(params)}</code></td></tr>"
        )
    banner = (
        f"<div class='sample-banner'>Sample data: reports marked so read the bundled sample platform, "
        f"not yours. {html.escape(_POINT_AT_YOURS)}</div>"
        if any_sample
        else ""
    )
    page = _INDEX_TEMPLATE.format(
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        banner=banner,
        rows="\n".join(rows) or "<tr><td colspan='6'>No reports yet.</td></tr>",
    )
    target = out / "index.html"
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, page)
    return target


_POINT_AT_YOURS = "Point opslib at your platform: `opslib init`, then `opslib report all --project DIR`."

_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>opslib reports</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
tr.failed td {{ background: #fde8e8; }}
code {{ font-size: .85em; background: #f3f4f6; padding: 0 .2em; border-radius: .2em; }}
td.when {{ white-space: nowrap; }}
tr.skipped td {{ color: #666; }}
.sample-banner {{ background: #fff3cd; border: 1px solid #e0b000; padding: .6em 1em; font-weight: bold; }}
.sample, .stale {{ background: #fff3cd; border-radius: 3px; padding: 0 .3em; font-size: .85em; }}
.stale {{ background: #fde8e8; }}
</style></head>
<body><h1>opslib reports</h1>{banner}<p>Generated {generated}</p>
<table><thead><tr><th>Report</th><th>Status</th><th>Headline</th><th>Started (UTC)</th><th>Took</th>
<th>Parameters</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""

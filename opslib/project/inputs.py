"""Which inputs a report reads, whether it can run, and the opening section every report shows.

A report notebook resolves its inputs with one call::

    inputs = report_inputs("overview", project=project, sample=sample, history=history, tree=tree)

The rule (the same in JupyterLab and under ``opslib report``): ``sample=True`` is the bundled sample
and nothing else; otherwise the project file (``project``, or the nearest ``opslib.toml`` when
``project`` is None) with the notebook's own parameters over it. Only a notebook opened with no
project file and no input at all (``sample=None``) shows the sample, bannered. Once any input is given,
a missing one stays missing.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from opslib.errors import MissingInputError, ParameterError
from opslib.project._project import Project
from opslib.project._schema import REPORT_INPUTS, REQUIREMENTS, how_to_give

__all__ = ["SAMPLE_BANNER", "ReportInputs", "missing_inputs", "report_inputs", "skip_reason"]

SAMPLE_BANNER = (
    "Sample data: this report reads the bundled sample platform, not yours. "
    "Point it at your platform with `opslib init` and `opslib report all --project DIR`."
)


def missing_inputs(report: str, project: Project) -> list[str] | None:
    """None when ``report`` can run on ``project``; else the inputs of its nearest requirement."""
    alternatives = REQUIREMENTS.get(report)
    if not alternatives:
        return None
    best: list[str] | None = None
    for needed in alternatives:
        lacking = [key for key in needed if not project.has(key)]
        if not lacking:
            return None
        if best is None or len(lacking) < len(best):
            best = lacking
    return best


def skip_reason(report: str, project: Project) -> str | None:
    """``drift_report needs plans or drift_store (set inputs.plans or -p plans DIR)``, or None."""
    alternatives = REQUIREMENTS.get(report)
    if report == "change_review" and project.has("tree") and not _in_git(Path(project.path("tree"))):
        return f"{report} needs a tree inside a git work tree: a change (base..HEAD) to review"
    if not alternatives or missing_inputs(report, project) is None:
        return None
    if report == "cost_report" and project.path("costs") == "estimate":
        return f"{report} needs a tree or plans to estimate costs from ({how_to_give('tree')})"
    wants = " or ".join(" and ".join(needed) for needed in alternatives)
    lacking = missing_inputs(report, project) or []
    hints = "; ".join(how_to_give(key) for key in lacking)
    return f"{report} needs {wants} ({hints})"


def _in_git(folder: Path) -> bool:
    return any((parent / ".git").exists() for parent in (folder, *folder.resolve().parents))


class ReportInputs:
    """The resolved inputs of one report run: a :class:`Project` plus how to show them.

    Attribute access falls through to the project (``inputs.history()``, ``inputs.has("plans")``).
    """

    def __init__(self, report: str, project: Project) -> None:
        self.report = report
        self.project = project

    def __getattr__(self, name: str) -> Any:
        return getattr(self.project, name)

    @property
    def sample(self) -> bool:
        return self.project.sample

    def keys(self) -> list[str]:
        """The project inputs this report reads, in the order its parameters name them."""
        seen: list[str] = []
        for key in REPORT_INPUTS.get(self.report, {}).values():
            if key not in seen:
                seen.append(key)
        return seen

    def banner(self) -> None:
        """The "Sample data" banner, when the inputs are the bundled sample."""
        if not self.sample:
            return
        from IPython.display import HTML, display

        display(
            HTML(
                "<div class='opslib-sample-banner' style='background:#fff3cd;border:1px solid #e0b000;"
                "padding:.6em 1em;margin:.5em 0;font-weight:bold'>"
                f"{html.escape(SAMPLE_BANNER)}</div>"
            )
        )

    def require(self) -> None:
        """Stop with :class:`MissingInputError` when the report's required inputs are not given."""
        reason = skip_reason(self.report, self.project)
        if reason is not None:
            raise MissingInputError(reason)

    def not_given(self, key: str) -> None:
        """Show the one line of a section whose input is missing or empty."""
        from IPython.display import Markdown, display

        item = self.project.read.get(key)
        if self.project.has(key) and item is not None and item.rows == 0:
            text = f"{key}: given but empty — 0 rows read from {item.path}"
        else:
            text = self.project.not_given(key)
        display(Markdown(f"*{text}.*"))

    def missing(self, key: str, frame: Any) -> bool:
        """True (and the one-line note shown) when ``frame``, read from input ``key``, is None or empty."""
        if frame is None or len(frame) == 0:
            self.not_given(key)
            return True
        return False

    def note(self, key: str, rows: int, note: str = "") -> None:
        """Record that input ``key`` was read elsewhere (a library call given its path) with ``rows`` rows."""
        self.project.note(key, rows, note)

    def show(self) -> None:
        """The opening section: the banner, then every input read (path, files, rows, newest, age)."""
        from IPython.display import HTML, display

        self.banner()
        lines = []
        stale = self.project.stale()
        for key in self.keys():
            item = self.project.read.get(key)
            if item is None:
                text = (
                    "given (read by the report itself)"
                    if self.project.has(key)
                    else "not given: " + how_to_give(key)
                )
                lines.append(f"<li><b>{html.escape(key)}</b>: {html.escape(text)}</li>")
                continue
            age = item.age_days()
            newest = (
                "" if item.newest is None else f"; newest {item.newest:%Y-%m-%d %H:%M} UTC ({age:g} days ago)"
            )
            limit = self.project.settings.stale_after_days
            flag = f" <b style='color:#b00'>stale: older than {limit:g} days</b>" if key in stale else ""
            note = f" ({html.escape(item.note)})" if item.note else ""
            lines.append(
                f"<li><b>{html.escape(key)}</b> <code>{html.escape(item.path)}</code>: {item.files} files, "
                f"{item.rows} rows{newest}{flag}{note}</li>"
            )
        source = (
            "the bundled sample data"
            if self.sample
            else f"project file <code>{html.escape(str(self.project.file))}</code>"
            if self.project.file is not None
            else "parameters only (no project file)"
        )
        display(HTML(f"<p><b>Inputs read</b> (from {source}):</p><ul>{''.join(lines)}</ul>"))

    def summary(self) -> dict[str, Any]:
        """The inputs part of the report's summary JSON (see :meth:`Project.summary`)."""
        return self.project.summary()

    def stale_note(self) -> str:
        """``"; stale: plans 12 days old"`` for the headline, or ""."""
        stale = self.project.stale()
        if not stale:
            return ""
        return "; stale: " + ", ".join(f"{k} {v:g} days old" for k, v in stale.items())


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def report_inputs(
    report: str,
    *,
    project: str | Path | Project | None = None,
    sample: bool | None = None,
    base: str | Path | None = None,
    **parameters: Any,
) -> ReportInputs:
    """Resolve the inputs of ``report`` from its notebook parameters (see the module docstring).

    ``project``: a project file or folder, a :class:`Project`, None to look for the nearest
    ``opslib.toml`` from the current folder upwards, or "" for none. ``parameters``: the notebook's
    input parameters by their own names (``baseline``, ``drift_history``, ``runbook``...).
    """
    mapping = REPORT_INPUTS.get(report, {})
    unknown = sorted(set(parameters) - set(mapping))
    if unknown:
        raise ParameterError(f"report {report!r} has no input parameter {unknown[0]!r}")
    given = {mapping[name]: value for name, value in parameters.items() if _given(value)}
    if sample:
        if given or _given(project):
            names = ", ".join(sorted(given)) or f"project {project}"
            raise ParameterError(f"sample data was asked for together with inputs ({names}); choose one")
        return ReportInputs(report, Project.bundled_sample())
    found: Project | None
    if isinstance(project, Project):
        found = project
    elif _given(project):
        found = Project.load(str(project))
    elif project is None:
        found = Project.find()
    else:
        found = None
    if found is None and not given and sample is None:
        # a notebook opened with nothing at all: the sample, bannered
        return ReportInputs(report, Project.bundled_sample())
    return ReportInputs(report, (found or Project()).override(base=base, **given))

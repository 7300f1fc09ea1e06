"""Read an incident runbook written in Markdown into a DataFrame of steps.

The format (FORMATS.md, "Incident runbook"): a ``## Incident Runbook: <title>`` heading, then one
``###`` heading per phase (Detection, Immediate Actions, Investigation, Mitigation, Communication), each
holding bullets or numbered steps. Commands appear as inline code spans or as fenced code blocks under a
step. A runbook quoted inside a larger document (the persona file keeps it in a fenced ``markdown``
block) is found and read from there.

We read lines ourselves rather than through a CommonMark parser: runbooks are small, their structure is
shallow, and we need the source line of every step for error messages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opslib._io import read_text
from opslib.errors import ParseError

__all__ = [
    "KNOWN_EXECUTABLES",
    "PLACEHOLDER_RE",
    "STEP_COLUMNS",
    "is_command",
    "load_runbook",
    "parse_runbook",
    "placeholder_names",
    "stage_of",
]

log = logging.getLogger(__name__)

STEP_COLUMNS = ["phase", "stage", "order", "text", "commands", "placeholders", "kind", "links", "line"]

#: ``${SERVICE}``, ``<service>`` or ``{namespace}``; ``${...}`` is tried first so its braces are not
#: read as a second placeholder, and ``%{...}`` (curl's ``-w`` format) is not a placeholder.
PLACEHOLDER_RE = re.compile(
    r"\$\{(?P<env>[A-Za-z_][A-Za-z0-9_]*)\}|<(?P<angle>[A-Za-z][A-Za-z0-9_-]*)>|(?<![%$])\{(?P<brace>[A-Za-z][A-Za-z0-9_-]*)\}"
)

#: Programs whose name alone marks an inline code span as a command.
KNOWN_EXECUTABLES = frozenset(
    {
        "kubectl",
        "stern",
        "terragrunt",
        "terraform",
        "aws",
        "curl",
        "helm",
        "docker",
        "git",
        "make",
        "psql",
        "mysql",
        "redis-cli",
        "jq",
        "gcloud",
        "az",
        "bash",
        "sh",
        "python",
        "python3",
        "ssh",
        "dig",
        "nslookup",
        "ping",
        "systemctl",
        "journalctl",
        "k9s",
        "argocd",
        "flux",
        "istioctl",
        "linkerd",
        "eksctl",
        "wget",
        "nc",
        "openssl",
        "opslib",
    }
)

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,3}[.)])\s+(?P<text>.*)$")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_URL = re.compile(r"https?://[^\s)>\]]+")
_PROGRAM = re.compile(r"^[a-z][a-z0-9_.+-]*$")
_SHELL_LANGS = {"", "bash", "sh", "shell", "console", "zsh", "shell-session", "text"}
_RUNBOOK_TITLE = re.compile(r"incident\s+runbook\b\s*:?\s*(?P<title>.*)$", re.IGNORECASE)

_STAGES: list[tuple[str, re.Pattern[str]]] = [
    ("detection", re.compile(r"detect|alert|symptom|trigger", re.I)),
    ("immediate", re.compile(r"immediate|first|triage|acknowledge|initial", re.I)),
    ("investigation", re.compile(r"investigat|diagnos|debug|analy", re.I)),
    ("mitigation", re.compile(r"mitigat|remediat|rollback|roll back|recover|resol|fix|failover", re.I)),
    ("communication", re.compile(r"communicat|notif|status|stakeholder|escalat", re.I)),
]


def stage_of(phase: str) -> str:
    """Canonical stage of a phase heading: detection, immediate, investigation, mitigation,
    communication, or ``other``."""
    for stage, pattern in _STAGES:
        if pattern.search(phase):
            return stage
    return "other"


def placeholder_names(command: str) -> list[str]:
    """Placeholder names in ``command``, normalised (lower case, ``-`` → ``_``), first-seen order."""
    names: list[str] = []
    for match in PLACEHOLDER_RE.finditer(command):
        raw = match.group("env") or match.group("angle") or match.group("brace") or ""
        name = raw.lower().replace("-", "_")
        if name not in names:
            names.append(name)
    return names


def is_command(span: str) -> bool:
    """Whether an inline code span reads as a command rather than a name or value.

    A command starts with a path (``./scripts/x.sh``), a known program (``kubectl``), or is at least
    two words whose first looks like a program name (lower case, no ``=``).
    """
    words = span.strip().split()
    if not words:
        return False
    exe = words[0]
    if exe.startswith(("./", "../", "/", "~/")):
        return True
    if exe in KNOWN_EXECUTABLES:
        return True
    return len(words) >= 2 and bool(_PROGRAM.match(exe))


@dataclass
class _Step:
    phase: str
    order: int
    text: str
    line: int
    kind: str
    indent: int = 0
    commands: list[str] = field(default_factory=list)


@dataclass
class _State:
    path: str | None
    steps: list[_Step] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    phase: str | None = None
    order: int = 0
    current: _Step | None = None

    def error(self, line: int, message: str) -> None:
        self.errors.append({"path": self.path, "line": line, "message": message})


def _code_spans(text: str) -> list[str]:
    return [m.group(2).strip() for m in _CODE_SPAN.finditer(text)]


def _fenced_commands(body: list[str]) -> list[str]:
    """Commands in a shell fence: comments dropped, ``$`` prompts stripped, ``\\`` lines joined."""
    commands: list[str] = []
    pending = ""
    for raw in body:
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending and line.startswith("$ "):
            line = line[2:]
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        commands.append((pending + line).strip())
        pending = ""
    if pending.strip():
        commands.append(pending.strip())
    return commands


def _locate(lines: list[str]) -> tuple[int, int]:
    """The line range holding the runbook: a fenced block quoting one, else the whole document."""
    fence: str | None = None
    start = 0
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None and match:
            fence, start = match.group("fence"), i + 1
        elif (
            fence is not None
            and line.strip().startswith(fence[0] * len(fence))
            and set(line.strip()) == {fence[0]}
        ):
            body = lines[start:i]
            if any(_RUNBOOK_TITLE.search(h.group(2)) for h in map(_HEADING.match, body) if h):
                return start, i
            fence = None
    return 0, len(lines)


def _title_and_level(lines: list[str], start: int, end: int, default: str) -> tuple[str, int, int]:
    """(title, title heading level, index of the first line after the title); level 0 = no title.

    The title is the ``Incident Runbook: <title>`` heading, else a level-1 heading; with neither, every
    heading is a phase and the title comes from the file name.
    """
    first: tuple[str, int, int] | None = None
    for i in range(start, end):
        heading = _HEADING.match(lines[i])
        if not heading:
            continue
        level, text = len(heading.group(1)), heading.group(2)
        runbook = _RUNBOOK_TITLE.search(text)
        if runbook:
            return (runbook.group("title").strip() or text), level, i + 1
        if first is None and level == 1:
            first = (text, level, i + 1)
    if first is not None:
        return first
    return default, 0, start


def _add_commands(step: _Step, text: str) -> None:
    for span in _code_spans(text):
        if is_command(span) and span not in step.commands:
            step.commands.append(span)


def _start_step(state: _State, match: re.Match[str], lineno: int) -> None:
    assert state.phase is not None
    indent = len(match.group("indent").expandtabs(4))
    text = match.group("text").strip()
    parent = state.current
    if parent is not None and indent >= parent.indent + 2:
        # a nested item belongs to its parent step: sub-bullets usually list the commands of one action
        parent.text += ("; " if parent.text else "") + text
        _add_commands(parent, text)
        return
    state.order += 1
    kind = "bullet" if match.group("marker") in "-*+" else "numbered"
    step = _Step(state.phase, state.order, text, lineno, kind, indent)
    _add_commands(step, text)
    state.steps.append(step)
    state.current = step


def _read_fence(state: _State, lines: list[str], i: int, end: int, match: re.Match[str]) -> int:
    """Consume a fenced block starting at ``lines[i]``; return the index after its closing line."""
    fence, info = match.group("fence"), match.group("info").strip().lower()
    body: list[str] = []
    j = i + 1
    while j < end:
        stripped = lines[j].strip()
        if stripped.startswith(fence) and set(stripped) == {fence[0]}:
            break
        body.append(lines[j])
        j += 1
    else:
        state.error(i + 1, f"code fence {fence} opened here is never closed")
    language = info.split()[0] if info else ""
    if state.phase is None or language not in _SHELL_LANGS:
        return j + 1
    commands = _fenced_commands(body)
    if not commands:
        return j + 1
    step = state.current
    if step is None:
        state.order += 1
        step = _Step(state.phase, state.order, f"Run: {commands[0]}", i + 1, "code")
        state.steps.append(step)
        state.current = step
    step.commands.extend(c for c in commands if c not in step.commands)
    return j + 1


def _walk(state: _State, lines: list[str], start: int, end: int, title_level: int) -> None:
    i = start
    blank_before = False
    while i < end:
        line = lines[i]
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if title_level and level <= title_level:
                break  # the next section of a larger document: the runbook ends here
            state.phase, state.order, state.current = heading.group(2).strip(), 0, None
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            i = _read_fence(state, lines, i, end, fence)
            continue
        item = _ITEM.match(line)
        if item and state.phase is not None:
            _start_step(state, item, i + 1)
        elif line.strip() and state.current is not None and (line[:1].isspace() or not blank_before):
            # continuation of the current step (indented, or a lazy continuation line)
            state.current.text += " " + line.strip()
            _add_commands(state.current, line)
        elif line.strip() and state.phase is not None and any(is_command(s) for s in _code_spans(line)):
            state.order += 1
            step = _Step(state.phase, state.order, line.strip(), i + 1, "paragraph")
            _add_commands(step, line)
            state.steps.append(step)
            state.current = step
        elif line.strip():
            state.current = None
        blank_before = not line.strip()
        i += 1


def _frame(state: _State) -> pd.DataFrame:
    rows = []
    for step in state.steps:
        placeholders: list[str] = []
        for command in step.commands:
            placeholders += [p for p in placeholder_names(command) if p not in placeholders]
        rows.append(
            {
                "phase": step.phase,
                "stage": stage_of(step.phase),
                "order": step.order,
                "text": step.text,
                "commands": list(step.commands),
                "placeholders": placeholders,
                "kind": step.kind,
                "links": _URL.findall(step.text),
                "line": step.line,
            }
        )
    frame = pd.DataFrame(rows, columns=STEP_COLUMNS)
    frame["order"] = frame["order"].astype("int64")
    frame["line"] = frame["line"].astype("int64")
    frame.index = pd.RangeIndex(len(frame), name="step")
    return frame


def parse_runbook(text: str, *, path: str | Path | None = None, strict: bool = False) -> pd.DataFrame:
    """Parse runbook Markdown ``text``; see :func:`load_runbook` for the columns."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    name = str(path) if path is not None else None
    start, end = _locate(lines)
    default_title = Path(path).stem.replace("-", " ").replace("_", " ").title() if path else "Runbook"
    title, level, body_start = _title_and_level(lines, start, end, default_title)
    state = _State(name)
    _walk(state, lines, body_start, end, level)
    if not state.steps:
        state.error(
            start + 1, "no runbook steps found (expected ### phase headings with bullets or numbered steps)"
        )
    if strict and state.errors:
        first = state.errors[0]
        raise ParseError(first["message"], path=name, line=first["line"])
    for problem in state.errors:
        log.warning("%s:%s: %s", problem["path"], problem["line"], problem["message"])
    frame = _frame(state)
    frame.attrs.update({"title": title, "path": name, "errors": state.errors})
    return frame


def load_runbook(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Load a Markdown incident runbook as a DataFrame of steps, one row per step.

    Index ``step`` (0, 1, ...: the number ``IncidentSession.run(step)`` takes). Columns:

    - ``phase``: the ``###`` heading the step sits under, as written (``Immediate Actions``)
    - ``stage``: that phase mapped to detection | immediate | investigation | mitigation |
      communication | other
    - ``order``: 1-based position within the phase
    - ``text``: the step as written, inline code kept in backticks
    - ``commands``: list of command strings (inline code spans that read as commands, and the lines of
      a fenced shell block under the step)
    - ``placeholders``: names used in the commands (``<service>``, ``{namespace}``, ``${SERVICE}`` →
      ``service``, ``namespace``)
    - ``kind``: bullet | numbered | code | paragraph
    - ``links``: URLs in the text
    - ``line``: 1-based source line of the step

    ``frame.attrs`` holds ``title``, ``path`` and ``errors`` (list of ``{path, line, message}``).
    Lenient by default: problems (an unclosed fence, no steps at all) are listed in ``errors``;
    ``strict=True`` raises :class:`~opslib.errors.ParseError` naming the file and line.

    >>> steps = load_runbook("data/sample/runbooks/service-outage.md")  # doctest: +SKIP
    >>> steps.loc[steps["stage"] == "mitigation", "commands"]  # doctest: +SKIP
    """
    target = Path(path)
    text = read_text(target, "runbook", what="runbook")
    return parse_runbook(text, path=target, strict=strict)

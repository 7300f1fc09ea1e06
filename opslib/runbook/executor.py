"""Turn runbook commands into argument vectors and run them safely.

A runbook command is a template written by a person (``kubectl rollout undo deployment/<service> -n
{namespace}``); the values filled into it come from the incident (a service name typed into a form). The
template is split with :mod:`shlex` *before* any value is inserted, and each value replaces its
placeholder inside one argument. No shell ever sees the result. Values are names (a service, a
namespace): each must match ``[A-Za-z0-9][A-Za-z0-9._-]{0,62}`` and hold no ``..``, so a value can
neither steer a program to another path, host or URL (``169.254.169.254/latest/meta-data/...#`` as a
service in a ``curl`` health check, ``api/../../tmp`` in a ``--working-dir``) nor reach the OS at a
length it rejects.

Live execution runs only programs on an allowlist (and the runbook's own scripts inside one configured
folder), with a timeout, the output captured, secrets masked and the text truncated.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from opslib.errors import ExecutionError, ParameterError
from opslib.runbook.parse import PLACEHOLDER_RE
from opslib.secrets import Masker, scrub_text

__all__ = [
    "DEFAULT_ALLOWLIST",
    "SAFE_VALUE",
    "CommandResult",
    "ExecutorConfig",
    "build_argv",
    "mask_output",
    "resolve_executable",
    "run_argv",
    "truncate",
]

log = logging.getLogger(__name__)

DEFAULT_ALLOWLIST = frozenset({"kubectl", "stern", "terragrunt", "terraform", "aws", "curl"})

# Tokens that only mean something to a shell. We never start a shell, so a template that relies on one
# would silently do something else (kubectl would receive "|" as an argument): refuse it instead.
_SHELL_TOKENS = re.compile(r"^(\|{1,2}|&{1,2}|;{1,2})$|^(\d?>|<|&>)|;$|\$\(|`")
_SENTINEL = "\x00opslib-ph-{}\x00"
#: what a placeholder value may be: a name, as Kubernetes, AWS and Terragrunt units spell them
SAFE_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


@dataclass(frozen=True)
class ExecutorConfig:
    """How live commands may run.

    ``allowlist``: bare program names that may run (looked up on ``PATH`` at run time).
    ``scripts_dir``: the folder holding the runbook's own scripts; ``./scripts/x.sh`` runs
    ``<scripts_dir>/x.sh`` and nothing outside that folder runs by path.
    ``timeout``: seconds before a command is killed. ``max_output``: characters of output kept.
    """

    allowlist: frozenset[str] = DEFAULT_ALLOWLIST
    scripts_dir: Path | None = None
    timeout: float = 60.0
    max_output: int = 4000

    @classmethod
    def make(
        cls,
        allowlist: Iterable[str] | None = None,
        scripts_dir: str | Path | None = None,
        timeout: float = 60.0,
        max_output: int = 4000,
    ) -> ExecutorConfig:
        names = DEFAULT_ALLOWLIST if allowlist is None else frozenset(str(a) for a in allowlist)
        if timeout <= 0:
            raise ParameterError(f"timeout must be positive, got {timeout!r}")
        folder = Path(scripts_dir).resolve() if scripts_dir is not None else None
        return cls(names, folder, float(timeout), int(max_output))


@dataclass
class CommandResult:
    """One command's outcome. ``exit_code`` is None when it did not run (dry run, refused, timeout)."""

    argv: list[str]
    status: str  # dry-run | ok | failed | refused | timeout | error
    exit_code: int | None = None
    output: str = ""
    duration: float = 0.0
    truncated: bool = False
    executable: str | None = field(default=None, repr=False)


def _value_map(values: Mapping[str, object]) -> dict[str, str]:
    return {str(k).lower().replace("-", "_"): str(v) for k, v in values.items() if v is not None}


def build_argv(command: str, values: Mapping[str, object]) -> list[str]:
    """Split ``command`` into an argument vector and fill its placeholders.

    Each ``<name>``, ``{name}`` or ``${NAME}`` is replaced by ``values[name]`` (names matched case- and
    dash-insensitively) *inside* the argument that holds it, so a value never splits into several
    arguments nor reaches a shell. Raises :class:`ExecutionError` when the template needs a shell (pipes,
    ``;``, redirections, ``$(...)``) or a placeholder has no value, and when a value is not a safe name
    (:data:`SAFE_VALUE`, no ``..``): a path, URL, query, fragment, option or over-long value is refused
    with a message naming it.
    """
    lookup = _value_map(values)
    filled: list[str] = []

    def hold(match: re.Match[str]) -> str:
        filled.append(match.group(0))
        return _SENTINEL.format(len(filled) - 1)

    template = PLACEHOLDER_RE.sub(hold, command)
    try:
        tokens = shlex.split(template, posix=True)
    except ValueError as exc:  # unbalanced quotes
        raise ExecutionError(f"cannot split command {command!r}: {exc}") from exc
    if not tokens:
        raise ExecutionError("empty command")
    for token in tokens:
        if _SHELL_TOKENS.search(token):
            raise ExecutionError(
                f"command {command!r} needs a shell ({token!r}); opslib runs commands without one, "
                "so put the pipeline in a script under the scripts folder"
            )
    return [_fill(token, filled, lookup, command) for token in tokens]


def _fill(token: str, raw: list[str], lookup: dict[str, str], command: str) -> str:
    out = token
    for index, placeholder in enumerate(raw):
        sentinel = _SENTINEL.format(index)
        if sentinel not in out:
            continue
        match = PLACEHOLDER_RE.fullmatch(placeholder)
        assert match is not None
        name = (match.group("env") or match.group("angle") or match.group("brace") or "").lower()
        name = name.replace("-", "_")
        if name not in lookup:
            raise ExecutionError(f"no value for placeholder {placeholder} in {command!r}")
        value = lookup[name]
        _check_value(placeholder, value)
        out = out.replace(sentinel, value)
    return out


def _check_value(placeholder: str, value: str) -> None:
    if SAFE_VALUE.fullmatch(value) and ".." not in value:
        return
    shown = repr(value if len(value) <= 80 else value[:77] + "...")
    if value.startswith("-"):
        why = "starts with '-' and would be read as an option"
    elif len(value) > 63:
        why = f"is {len(value)} characters long (at most 63)"
    elif ".." in value:
        why = "holds '..'"
    else:
        bad = sorted({c for c in value if not (c.isascii() and (c.isalnum() or c in "._-"))})
        why = "holds " + ", ".join(repr(c) for c in bad[:5]) if bad else "must start with a letter or digit"
    raise ExecutionError(
        f"value {shown} for {placeholder} {why}; a value must be a name "
        "(letters, digits, '.', '_', '-'; at most 63 characters)"
    )


def resolve_executable(program: str, config: ExecutorConfig) -> str:
    """The file that ``program`` (``argv[0]``) would run, or :class:`ExecutionError` when it may not.

    Bare names must be on the allowlist and on ``PATH``; paths must be files inside ``scripts_dir``
    (looked up by name there, so ``./scripts/x.sh`` in a runbook runs ``<scripts_dir>/x.sh``).
    """
    if "/" in program or os.sep in program:
        return _resolve_script(program, config)
    if program not in config.allowlist:
        allowed = ", ".join(sorted(config.allowlist)) or "nothing"
        raise ExecutionError(f"{program!r} is not on the allowlist ({allowed})")
    found = shutil.which(program)
    if found is None:
        raise ExecutionError(f"{program!r} is allowed but not on PATH")
    return found


def _resolve_script(program: str, config: ExecutorConfig) -> str:
    if config.scripts_dir is None:
        raise ExecutionError(f"{program!r} is a script path and no scripts folder is configured")
    folder = config.scripts_dir
    candidates = [folder / Path(program).name]
    if not Path(program).is_absolute():
        candidates.append(folder.parent / program)
    for candidate in candidates:
        resolved = candidate.resolve()
        # resolve() follows symlinks, so a link pointing out of the folder is refused here
        if resolved.is_relative_to(folder) and resolved.is_file():
            if not os.access(resolved, os.X_OK):
                raise ExecutionError(f"script {resolved} is not executable")
            return str(resolved)
    raise ExecutionError(f"script {program!r} not found inside the scripts folder {folder}")


def mask_output(text: str, masker: Masker | None = None) -> str:
    """Mask secrets in command output: remembered values, ``password=...`` pairs, known formats."""
    if masker is not None:
        text = masker.scrub_str(text)
    return scrub_text(text)


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """Keep the head and tail of long output (errors tend to sit at the end)."""
    if limit <= 0 or len(text) <= limit:
        return text, False
    head = limit * 2 // 3
    tail = limit - head
    dropped = len(text) - head - tail
    return f"{text[:head]}\n… [{dropped} characters truncated] …\n{text[-tail:]}", True


def run_argv(argv: list[str], config: ExecutorConfig, masker: Masker | None = None) -> CommandResult:
    """Run ``argv`` if the allowlist permits it; never raises for the command's own failure."""
    try:
        executable = resolve_executable(argv[0], config)
    except ExecutionError as exc:
        return CommandResult(list(argv), "refused", output=str(exc))
    started = time.monotonic()
    try:
        # an argv list, no shell, and the executable was checked against the allowlist above
        proc = subprocess.run(
            [executable, *argv[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=config.timeout,
            check=False,
            shell=False,
        )
    except subprocess.TimeoutExpired as exc:
        partial = exc.output.decode("utf-8", "replace") if isinstance(exc.output, bytes) else ""
        text, cut = truncate(mask_output(partial, masker), config.max_output)
        note = f"\n[timed out after {config.timeout:g} s]"
        return CommandResult(
            list(argv), "timeout", None, text + note, time.monotonic() - started, cut, executable
        )
    except OSError as exc:
        return CommandResult(
            list(argv),
            "error",
            None,
            f"could not start: {exc}",
            time.monotonic() - started,
            False,
            executable,
        )
    text, cut = truncate(mask_output(proc.stdout.decode("utf-8", "replace"), masker), config.max_output)
    status = "ok" if proc.returncode == 0 else "failed"
    log.info("ran %s: exit %s", argv[0], proc.returncode)
    return CommandResult(
        list(argv), status, proc.returncode, text, time.monotonic() - started, cut, executable
    )

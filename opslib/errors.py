"""The one error family of opslib.

Every failure a user can cause (a bad file, a bad parameter, a missing tool) raises a subclass of
:class:`OpslibError`. Each carries structured fields and renders a one-line, readable message that names
the file and, where known, the line. The CLI turns any of them into that line and exit code 1.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConfigError",
    "ExecutionError",
    "LockError",
    "MissingDependencyError",
    "MissingInputError",
    "NotebookError",
    "OpslibError",
    "ParameterError",
    "ParseError",
    "SchemaError",
    "WriteError",
    "location",
]


def location(path: str | Path | None, line: int | None = None, column: int | None = None) -> str:
    """``path:line:column`` with the parts that are known, as compilers print it."""
    if path is None:
        return ""
    text = str(path)
    if line is not None:
        text += f":{line}"
        if column is not None:
            text += f":{column}"
    return text


class OpslibError(Exception):
    """Base of every error opslib raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(message)

    def __str__(self) -> str:
        where = location(self.path, self.line, self.column)
        return f"{where}: {self.reason}" if where else self.reason


class ParseError(OpslibError):
    """A file could not be parsed (JSON, HCL, Markdown, CSV...)."""


class SchemaError(OpslibError):
    """A file parsed but does not have the shape the loader needs."""


class ConfigError(OpslibError):
    """Bad configuration: options, pyproject/.opslib.toml settings, unknown names."""


class ParameterError(ConfigError):
    """A report parameter that the notebook does not declare, or a value of the wrong kind."""


class WriteError(OpslibError):
    """A file could not be written: read-only, a folder in the way, a folder that cannot be created."""


class MissingInputError(ConfigError):
    """A report's required input is not given (the message says which and how to give it)."""


class LockError(OpslibError):
    """A file lock could not be taken in time."""


class MissingDependencyError(OpslibError):
    """An optional package or external binary is missing; the message says how to get it."""

    def __init__(self, package: str, extra: str | None = None, *, binary: bool = False) -> None:
        if binary:
            message = f"the `{package}` executable is not on PATH; install it to use this command"
        elif extra:
            message = (
                f"the {package} optional dependency is missing; please run: pip install 'opslib[{extra}]'"
            )
        else:
            message = f"the {package} package is missing; please run: pip install {package}"
        super().__init__(message)
        self.package = package


class ExecutionError(OpslibError):
    """An external command or step failed."""


class NotebookError(ExecutionError):
    """A report notebook failed while executing; names the cell and keeps the executed notebook."""

    def __init__(
        self,
        message: str,
        *,
        notebook: str | Path,
        cell_index: int | None = None,
        executed: str | Path | None = None,
        ename: str | None = None,
        evalue: str | None = None,
    ) -> None:
        super().__init__(message, path=notebook)
        self.cell_index = cell_index
        self.executed = str(executed) if executed is not None else None
        self.ename = ename
        self.evalue = evalue

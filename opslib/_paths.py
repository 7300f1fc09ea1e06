"""Where the bundled notebooks and sample data live: the checkout in development, the wheel otherwise."""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled", "data_dir", "notebooks_dir", "repo_root", "sample_dir"]

_PACKAGE = Path(__file__).resolve().parent


def repo_root() -> Path | None:
    """The source checkout holding this package, when opslib runs from one."""
    root = _PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root
    return None


def bundled(name: str) -> Path:
    """``notebooks`` or ``data``: from the checkout when there is one, else from the installed wheel."""
    root = repo_root()
    if root is not None and (root / name).is_dir():
        return root / name
    return _PACKAGE / "_bundled" / name


def notebooks_dir() -> Path:
    return bundled("notebooks")


def data_dir() -> Path:
    return bundled("data")


def sample_dir() -> Path:
    """``data/sample``: the sample tree, history, plans, costs and runbooks every report defaults to."""
    return data_dir() / "sample"

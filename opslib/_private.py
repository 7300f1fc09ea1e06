"""Cache folders and files only their owner can read.

The tree parse cache must hold the documents as written (secrets included: evaluation needs them), so
its protection is the file system: folders 0700, files 0600. Other caches hold masked data and get the
same modes anyway.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["private_dir", "private_file"]

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) mode 0700; an existing folder of ours is tightened to 0700."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for folder in (path, *missing):
        with contextlib.suppress(OSError):  # not ours (a shared OPSLIB_CACHE_DIR): leave its mode
            if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
                os.chmod(folder, DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Make ``path`` readable by its owner only (a failure is logged by the caller's cache handling)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)

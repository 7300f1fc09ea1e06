"""Atomic, locked file writes shared by every writer in opslib.

A writer takes an exclusive lock on ``<file>.lock``, writes a temporary file in the same folder, fsyncs
it and renames it over the target, then fsyncs the folder. A reader therefore sees the old file or the
new one, never half of one, and a writer killed mid-write leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from opslib.errors import LockError

__all__ = ["atomic_write_bytes", "atomic_write_text", "locked"]

DEFAULT_TIMEOUT = 60.0


@contextlib.contextmanager
def locked(path: str | Path, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive inter-process lock for ``path`` (a sibling ``.lock`` file)."""
    target = Path(path)
    lock = FileLock(str(target) + ".lock")
    try:
        # short polls: many writers each append one small entry, so waits are brief
        lock.acquire(timeout=timeout, poll_interval=0.01)
    except Timeout as exc:
        raise LockError(f"could not lock the file within {timeout:.0f}s", path=target) from exc
    try:
        yield
    finally:
        lock.release()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temp file, fsync, rename, fsync folder)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; keep the old file's mode, or the mode a plain open() would give
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

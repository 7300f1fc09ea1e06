"""File I/O shared by every loader and writer in opslib: bounded reads, atomic and locked writes.

Reading: :func:`read_bytes` opens only regular files (a FIFO, a device or a socket is refused at once,
never read or waited on), and refuses a file above the size limit of its kind (:class:`Limits`; each
limit can be raised with an environment variable such as ``OPSLIB_MAX_HCL_MB=64``). :func:`loads_json`
parses a JSON document after checking how deeply it nests, so no parser below ever recurses without
bound. Every refusal is a :class:`~opslib.errors.ParseError` naming the file.

Writing: a writer takes an exclusive lock on ``<file>.lock``, writes a temporary file in the same folder,
fsyncs it and renames it over the target, then fsyncs the folder. A reader therefore sees the old file
or the new one, never half of one, and a writer killed mid-write leaves the previous file intact. A
symlink is followed (its target is replaced, the link stays); a read-only file is refused, not replaced.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from opslib.errors import LockError, ParseError, WriteError

__all__ = [
    "Limits",
    "atomic_write_bytes",
    "atomic_write_text",
    "clean_stale_temps",
    "decode_utf8",
    "json_depth",
    "limits",
    "loads_json",
    "locked",
    "override_limits",
    "read_bytes",
    "read_text",
    "writable_target",
]

DEFAULT_TIMEOUT = 60.0
MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Largest file opslib reads, per kind (bytes), and the deepest JSON nesting it parses.

    The defaults sit far above real files (a 1,000,000-entry history is about 480 MB; a large unit's
    ``terragrunt.hcl`` is tens of KB). Raise one with ``OPSLIB_MAX_<KIND>_MB`` (e.g.
    ``OPSLIB_MAX_HISTORY_MB=4096``) or, in code, :func:`override_limits`.
    """

    history: int = 1024 * MB  # project_history.json and PROJECT_HISTORY.md
    hcl: int = 16 * MB  # each HCL / terragrunt.hcl.json / tags.yml file of a tree
    plan: int = 1024 * MB
    run_report: int = 256 * MB
    costs: int = 256 * MB  # infracost JSON, price catalogues, allocation files
    runbook: int = 16 * MB
    drift: int = 256 * MB
    config: int = 16 * MB  # .opslib.toml, pyproject.toml, report parameters
    json_depth: int = 512  # orjson stops at 1024; real documents nest a few dozen levels


_overrides: dict[str, int] = {}


def limits() -> Limits:
    """The limits in force: defaults, then ``OPSLIB_MAX_<KIND>_MB`` variables, then overrides."""
    values: dict[str, int] = {}
    for item in dataclasses.fields(Limits):
        if item.name == "json_depth":
            env = os.environ.get("OPSLIB_MAX_JSON_DEPTH")
            scale = 1
        else:
            env = os.environ.get(f"OPSLIB_MAX_{item.name.upper()}_MB")
            scale = MB
        # a malformed setting keeps the default rather than failing every read
        if env:
            with contextlib.suppress(ValueError):
                values[item.name] = int(float(env) * scale)
    values.update(_overrides)
    return Limits(**values)


@contextlib.contextmanager
def override_limits(**changes: int) -> Iterator[Limits]:
    """Use other limits inside the ``with`` block (bytes, or levels for ``json_depth``)."""
    unknown = set(changes) - {f.name for f in dataclasses.fields(Limits)}
    if unknown:
        raise TypeError(f"unknown limit(s): {', '.join(sorted(unknown))}")
    saved = dict(_overrides)
    _overrides.update(changes)
    try:
        yield limits()
    finally:
        _overrides.clear()
        _overrides.update(saved)


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{size:,} bytes"


def read_bytes(path: str | Path, kind: str, *, what: str = "file") -> bytes:
    """The content of the regular file ``path``, at most the ``kind`` limit of :class:`Limits`.

    Opened non-blocking, so a FIFO never waits for a writer; anything but a regular file, a file over
    the limit, or an unreadable file raises :class:`ParseError` naming it.
    """
    limit = int(getattr(limits(), kind))
    source = Path(path)
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ParseError(f"cannot read {what}: no such file", path=source) from None
    except OSError as exc:
        # ENXIO: a socket; EACCES, ELOOP, ENOTDIR...: the OS says why
        reason = "a socket" if exc.errno == 6 else (exc.strerror or str(exc))
        raise ParseError(f"cannot read {what}: {reason}", path=source) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ParseError(f"cannot read {what}: it is {_kind_of(info.st_mode)}", path=source)
        if info.st_size > limit:
            raise ParseError(_too_big(what, info.st_size, limit, kind), path=source)
        chunks: list[bytes] = []
        total = 0
        while True:  # a file growing while read still stops at the limit
            chunk = os.read(fd, min(max(info.st_size - total, 0) + 1, limit + 1 - total) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ParseError(_too_big(what, total, limit, kind), path=source)
    except OSError as exc:
        raise ParseError(f"cannot read {what}: {exc.strerror or exc}", path=source) from None
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_big(what: str, size: int, limit: int, kind: str) -> str:
    variable = f"OPSLIB_MAX_{kind.upper()}_MB"
    return (
        f"the {what} is {_size_text(size)}, above the {_size_text(limit)} limit for this kind of file "
        f"(raise it with {variable})"
    )


def decode_utf8(data: bytes, path: str | Path, *, utf16: bool = False) -> str:
    """UTF-8 text (a BOM dropped); a stray byte is a ParseError at its line.

    ``utf16``: also decode UTF-16 that starts with a byte-order mark (some Windows editors write it).
    """
    if utf16 and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"invalid UTF-16 text: {exc.reason}", path=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ParseError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path=path, line=line, column=column
        ) from None


def read_text(path: str | Path, kind: str, *, what: str = "file") -> str:
    """:func:`read_bytes` decoded by :func:`decode_utf8`."""
    return decode_utf8(read_bytes(path, kind, what=what), path)


# every byte but the ones that can open or close a level, or start or escape a string
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"\\[]{}')
_CHUNK = 1 << 24


def json_depth(data: bytes) -> int:
    """How deeply a JSON document nests (brackets inside strings do not count).

    Exact above :data:`SHALLOW`; a shallower document may be given any value up to ``SHALLOW``. Linear
    and mostly in C (a fraction of the time Arrow needs to read the same bytes), so even the fast
    history path can afford it before handing a file to a recursive C++ parser.
    """
    if b"\\" in data:
        # escaped backslashes, then escaped quotes, can neither open nor close anything
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    reduced = data.translate(None, _NOT_STRUCTURE)
    # Peel innermost pairs: empty strings (or two strings with nothing between them, which merge into
    # one), empty arrays, empty objects. Each replace that peels brackets removes at most one level,
    # so a stream that empties within SHALLOW of them nests at most SHALLOW deep. Strings holding
    # unmatched brackets stop the peeling; then the exact count decides.
    current = reduced
    peels = 0
    while current and peels <= SHALLOW:
        before = len(current)
        current = current.replace(b'""', b"")
        for pair in (b"[]", b"{}"):
            peeled = current.replace(pair, b"")
            if len(peeled) != len(current):
                peels += 1
                current = peeled
        if len(current) == before:
            break
    return min(peels, SHALLOW) if not current and peels <= SHALLOW else _exact_depth(reduced)


#: depth below which :func:`json_depth` need not be exact (every limit is set far above it)
SHALLOW = 64


def _exact_depth(reduced: bytes) -> int:
    """Nesting depth of a stream of quotes and brackets (escapes already removed)."""
    import numpy as np

    steps_of = np.zeros(256, dtype=np.int8)
    steps_of[[ord("["), ord("{")]] = 1
    steps_of[[ord("]"), ord("}")]] = -1
    depth = deepest = 0
    inside = 0
    for start in range(0, len(reduced), _CHUNK):
        arr = np.frombuffer(reduced, dtype=np.uint8, count=min(_CHUNK, len(reduced) - start), offset=start)
        parity = np.cumsum(arr == ord('"'), dtype=np.uint8)
        parity += np.uint8(inside)
        parity &= 1
        steps = steps_of[arr]
        steps[parity.view(bool)] = 0
        levels = np.cumsum(steps, dtype=np.int64) + depth
        deepest = max(deepest, int(levels.max()))
        depth = int(levels[-1])
        inside = int(parity[-1])
    return deepest


def loads_json(data: bytes, path: str | Path, *, what: str = "JSON", check_depth: bool = True) -> Any:
    """Parse a JSON document; a syntax error, a too-deep nesting or a huge number is a ParseError.

    Integers too long for Python's string conversion (over 4,300 digits) become floats (``inf`` when
    out of range), as JavaScript readers would, instead of failing the whole document.
    """
    import orjson

    limit = limits().json_depth
    if check_depth and json_depth(data) > limit:
        raise ParseError(f"{what} nests deeper than {limit} levels (OPSLIB_MAX_JSON_DEPTH)", path=path)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    # orjson refuses 64-bit overflow and says little about where; the standard parser says where
    text = decode_utf8(data, path)
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid {what}: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from None
    except (RecursionError, ValueError) as exc:
        raise ParseError(f"invalid {what}: {exc}", path=path) from None


def _parse_int(text: str) -> int | float:
    return int(text) if len(text) < 4000 else float(text)


# ---------------------------------------------------------------------------------------------- writes


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
    except OSError as exc:  # read-only folder, a file where the folder should be...
        raise WriteError(f"cannot create the lock file: {exc.strerror or exc}", path=target) from None
    try:
        yield
    finally:
        lock.release()


def writable_target(path: str | Path) -> Path:
    """The file a write to ``path`` replaces: a symlink's target; refused when it cannot be replaced.

    Raises :class:`WriteError` when the path is a folder, is read-only, or sits under something that is
    not a folder.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        info = target.stat()
    except FileNotFoundError:
        return target
    except NotADirectoryError:
        raise WriteError(_NOT_A_FOLDER, path=path) from None
    except OSError as exc:
        raise WriteError(f"cannot write the file: {exc.strerror or exc}", path=path) from None
    if stat.S_ISDIR(info.st_mode):
        raise WriteError("cannot write the file: it is a folder", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise WriteError(f"cannot write the file: it is {_kind_of(info.st_mode)}", path=path)
    if not info.st_mode & 0o222:
        raise WriteError("the file is read-only; refusing to replace it", path=path)
    return target


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (temp file, fsync, rename, fsync folder).

    A symlink is followed: its target is replaced and the link kept. Raises :class:`WriteError` (naming
    the file) for a read-only file, a folder in the way, or a folder that cannot be created or written.
    """
    target = writable_target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(_folder_problem(exc), path=path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; keep the old file's mode, or the mode a plain open() would give
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write the file: {exc.strerror or exc}", path=path) from None
        raise
    _fsync_dir(target.parent)


_NOT_A_FOLDER = "cannot write the file: a parent in its path is a file, not a folder"


def _folder_problem(exc: OSError) -> str:
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return _NOT_A_FOLDER
    return f"cannot write the file: {exc.strerror or exc}"


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(path, text.encode(encoding))


def clean_stale_temps(path: str | Path, older_than: float = 0.0) -> list[Path]:
    """Remove temporary files a killed writer of ``path`` left behind; returns those removed.

    Call it while holding :func:`locked` for ``path`` (then no live writer owns one, and ``older_than``
    may be 0); without the lock, give an age in seconds that no write lasts.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    removed: list[Path] = []
    now = time.time()
    with contextlib.suppress(OSError):
        for candidate in target.parent.glob(f".{target.name}.*.tmp"):
            with contextlib.suppress(OSError):
                if now - candidate.stat().st_mtime >= older_than:
                    candidate.unlink()
                    removed.append(candidate)
    return removed


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

"""Map an infracost project path (``metadata.path``) to a tree unit id.

infracost writes the path it was run on, relative to its working directory or absolute:
``infrastructure-live/prod/us-east-1/prod/eks``, ``./prod/us-east-1/prod/eks/``, ``/home/ci/repo/...``,
sometimes inside ``.terragrunt-cache``. Unit ids are posix paths relative to the tree root.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

__all__ = ["LIVE_ROOT_NAMES", "UnitIndex", "unit_from_path"]

#: folder names that usually hold a live tree; everything up to the last one is stripped
LIVE_ROOT_NAMES = ("infrastructure-live", "terragrunt-live", "live", "terragrunt")


def _clean(path: str) -> list[str]:
    text = path.replace("\\", "/").strip()
    parts = [p for p in text.split("/") if p not in ("", ".")]
    # state and module caches hang below the unit folder
    for marker in (".terragrunt-cache", ".terraform", ".infracost"):
        if marker in parts:
            parts = parts[: parts.index(marker)]
    return parts


class UnitIndex:
    """Unit ids by their cleaned path parts, so a project path finds its unit by looking up its own
    suffixes (one lookup per folder level) instead of comparing against every unit: infracost output
    for a platform has a project per unit."""

    def __init__(self, unit_ids: Iterable[str]) -> None:
        self.by_parts: dict[tuple[str, ...], str] = {}
        for unit in unit_ids:
            parts = tuple(_clean(unit))
            if parts:
                self.by_parts.setdefault(parts, unit)  # ids that clean alike: the first one wins
        self.deepest = max((len(p) for p in self.by_parts), default=0)

    def __bool__(self) -> bool:
        return bool(self.by_parts)

    def longest_suffix(self, parts: list[str]) -> str | None:
        """The unit whose parts are the longest suffix of ``parts``, or None."""
        for size in range(min(len(parts), self.deepest), 0, -1):
            unit = self.by_parts.get(tuple(parts[-size:]))
            if unit is not None:
                return unit
        return None


def unit_from_path(
    path: str, unit_ids: Sequence[str] | UnitIndex | None = None, *, root: str | None = None
) -> str:
    """The unit id for ``path``.

    With ``unit_ids`` (from a tree; a :class:`UnitIndex` of them when many paths are mapped), the
    longest unit id that the path ends with wins, so an absolute path or one with any prefix still
    maps. Without them (or without a match), the part relative to ``root`` is used when the path lies
    under it, else everything up to the last live-tree folder name (``infrastructure-live/`` ...) is
    stripped.
    """
    parts = _clean(path)
    if root:
        root_parts = _clean(root)
        if root_parts and parts[: len(root_parts)] == root_parts:
            parts = parts[len(root_parts) :]
    if unit_ids:
        index = unit_ids if isinstance(unit_ids, UnitIndex) else UnitIndex(unit_ids)
        best = index.longest_suffix(parts)
        if best is not None:
            return best
    for index_ in range(len(parts) - 1, -1, -1):
        if parts[index_] in LIVE_ROOT_NAMES:
            parts = parts[index_ + 1 :]
            break
    return str(PurePosixPath(*parts)) if parts else "."

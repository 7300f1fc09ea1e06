"""Map an infracost project path (``metadata.path``) to a tree unit id.

infracost writes the path it was run on, relative to its working directory or absolute:
``infrastructure-live/prod/us-east-1/prod/eks``, ``./prod/us-east-1/prod/eks/``, ``/home/ci/repo/...``,
sometimes inside ``.terragrunt-cache``. Unit ids are posix paths relative to the tree root.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

__all__ = ["LIVE_ROOT_NAMES", "unit_from_path"]

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


def unit_from_path(path: str, unit_ids: Sequence[str] | None = None, *, root: str | None = None) -> str:
    """The unit id for ``path``.

    With ``unit_ids`` (from a tree), the longest unit id that the path ends with wins, so an absolute
    path or one with any prefix still maps. Without them (or without a match), the part relative to
    ``root`` is used when the path lies under it, else everything up to the last live-tree folder name
    (``infrastructure-live/`` ...) is stripped.
    """
    parts = _clean(path)
    if root:
        root_parts = _clean(root)
        if root_parts and parts[: len(root_parts)] == root_parts:
            parts = parts[len(root_parts) :]
    if unit_ids:
        best: str | None = None
        for unit in unit_ids:
            uparts = _clean(unit)
            if (
                uparts
                and parts[-len(uparts) :] == uparts
                and (best is None or len(uparts) > len(_clean(best)))
            ):
                best = unit
        if best is not None:
            return best
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in LIVE_ROOT_NAMES:
            parts = parts[index + 1 :]
            break
    return str(PurePosixPath(*parts)) if parts else "."

"""Module refs per unit: which version of which component each environment runs.

``refs(tree)`` gives one row per unit:

| column | meaning |
|---|---|
| ``component`` | the module path inside its source (``modules/rds``, ``terraform-aws-modules/vpc/aws``), |
|  | or the catalog unit (``units/sqs``) for stack units |
| ``repository`` | the source without sub-path and query (a registry module is its own repository): |
|  | refs are compared within one repository |
| ``environment``, ``account``, ``region``, ``unit`` | as in ``tree.units`` |
| ``ref`` | the ``?ref=`` / ``?version=`` value as written (``None`` without one) |
| ``ref_kind`` | ``release`` · ``pre-release`` · ``branch`` · ``commit`` · ``none`` · ``unresolved`` |
|  | (``unresolved``: the source is an expression opslib could not evaluate) |
| ``version`` | the parsed semantic version (``1.9.0-rc1``) for releases and pre-releases |
| ``pinned`` | ``True`` for releases, pre-releases and commits |
| ``line`` | the line of the unit's file where the unit starts (stack units: their ``unit`` block) |
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import Any
from urllib.parse import parse_qs

import pandas as pd

__all__ = ["REF_COLUMNS", "SemVer", "classify_ref", "parse_source", "parse_version", "refs"]

REF_COLUMNS = [
    "component",
    "repository",
    "environment",
    "account",
    "region",
    "unit",
    "kind",
    "ref",
    "ref_kind",
    "version",
    "pinned",
    "line",
]

_SEMVER = re.compile(
    r"^v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?"
    r"(?:-?(?P<pre>(?:rc|alpha|beta|pre|preview|a|b)[0-9A-Za-z.-]*|[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*))?"
    r"(?:\+[0-9A-Za-z.-]+)?$",
    re.IGNORECASE,
)
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


@total_ordering
class SemVer:
    """A semantic version with semver 2.0 precedence: a pre-release sorts before its release."""

    __slots__ = ("major", "minor", "patch", "pre")

    def __init__(self, major: int, minor: int, patch: int, pre: str | None) -> None:
        self.major, self.minor, self.patch, self.pre = major, minor, patch, pre or None

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None

    def _key(self) -> tuple[Any, ...]:
        if self.pre is None:
            pre: tuple[Any, ...] = (1,)
        else:
            # numeric identifiers compare numerically and before alphanumeric ones (semver 11.4)
            parts = re.split(r"[.-]", self.pre)
            pre = (0, *((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts))
        return (self.major, self.minor, self.patch, pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemVer) and self._key() == other._key()

    def __lt__(self, other: SemVer) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        return f"{core}-{self.pre}" if self.pre else core

    def __repr__(self) -> str:
        return f"SemVer({str(self)!r})"


def parse_version(ref: Any) -> SemVer | None:
    """``v1.9.0-rc1`` -> ``SemVer(1, 9, 0, 'rc1')``; ``None`` for anything that is not a version."""
    if not isinstance(ref, str) or not ref:
        return None
    match = _SEMVER.match(ref.strip())
    if not match:
        return None
    patch = match.group("patch")
    return SemVer(int(match["major"]), int(match["minor"]), int(patch or 0), match["pre"])


def classify_ref(ref: Any) -> str:
    """``release`` · ``pre-release`` · ``commit`` · ``branch`` · ``none`` · ``unresolved``."""
    if not isinstance(ref, str) or not ref.strip():
        return "none"
    text = str(ref).strip()
    if "${" in text:
        return "unresolved"
    if _COMMIT.match(text.lower()) and not text.isdigit():
        return "commit"
    version = parse_version(text)
    if version is None:
        return "branch"  # main, develop, feature/x, latest: anything that moves
    return "pre-release" if version.is_prerelease else "release"


def parse_source(source: Any) -> tuple[str | None, str | None, str | None]:
    """``(repository, component, ref)`` of a module source string; ``(None, None, None)`` otherwise."""
    if not isinstance(source, str) or not source.strip():
        return None, None, None
    text = source.strip()
    base, _, query = text.partition("?")
    params = parse_qs(query.split("#", 1)[0])
    values = params.get("ref") or params.get("version")
    ref = values[0] if values else None
    if base.startswith("tfr:"):
        # tfr:///namespace/name/provider or tfr://registry.example/namespace/name/provider
        path = re.sub(r"^tfr:/*", "", base)
        parts = [p for p in path.split("/") if p]
        host = "registry.terraform.io"
        if len(parts) == 4:
            host, parts = parts[0], parts[1:]
        component = "/".join(parts) or None
        # each registry module is versioned on its own: it is its own repository
        return f"tfr://{host}/{component}", component, ref
    # go-getter: the repository before '//', the module path after it
    scheme_split = base.split("://", 1)
    head, rest = (scheme_split[0] + "://", scheme_split[1]) if len(scheme_split) == 2 else ("", base)
    repo, sep, subdir = rest.partition("//")
    repository = head + repo
    component = subdir.strip("/") if sep else None
    if not component:
        component = repo.rstrip("/").split("/")[-1].removesuffix(".git") or None
    return repository, component, ref


def refs(tree: Any) -> pd.DataFrame:
    """One row per unit with its component, ref, ref kind and version (columns in the module doc)."""
    rows = []
    for unit in tree.units.to_dict(orient="records"):
        repository, component, ref = parse_source(unit.get("source"))
        kind = classify_ref(ref)
        if unit.get("source_kind") == "expression":
            kind = "unresolved"  # never judged a branch from text opslib could not evaluate
        version = parse_version(ref) if kind in ("release", "pre-release") else None
        rows.append(
            {
                "component": component,
                "repository": repository,
                "environment": unit.get("environment"),
                "account": unit.get("account"),
                "region": unit.get("region"),
                "unit": unit["unit"],
                "kind": unit.get("kind"),
                "ref": ref,
                "ref_kind": kind,
                "version": str(version) if version else None,
                "pinned": kind in ("release", "pre-release", "commit"),
                "line": int(unit["line"]) if pd.notna(unit.get("line")) else None,
            }
        )
    frame = pd.DataFrame(rows, columns=REF_COLUMNS)
    return frame.sort_values(["component", "environment", "unit"], na_position="last").reset_index(drop=True)

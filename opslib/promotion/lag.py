"""How far one environment's module refs lag behind another's.

``lag(tree, source="staging", target="production")`` gives one row per component and target unit:

| column | meaning |
|---|---|
| ``component``, ``repository`` | as in :func:`opslib.promotion.refs` |
| ``unit`` | the target unit (``None`` for ``missing-in-target``) |
| ``source_unit`` | the source unit it is compared with: the one with the same folder name, else the newest |
| ``source_ref``, ``target_ref`` | refs as written |
| ``versions_behind`` | releases known for the repository with target < v ≤ source (the source counts |
|  | even when it is a pre-release); negative when the target is ahead |
| ``status`` | ``behind`` · ``equal`` · ``ahead`` · ``unpinned`` · ``missing-in-source`` · |
|  | ``missing-in-target`` · ``unknown`` (two different commits: no order) |
| ``note`` | why, in words |

Versions are known from the tree itself: every ref of the same repository in any environment.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from opslib.errors import ConfigError
from opslib.promotion.refs import SemVer, parse_version, refs

__all__ = ["ENV_ALIASES", "LAG_COLUMNS", "environment_names", "lag", "match_environment", "pipeline"]

LAG_COLUMNS = [
    "component",
    "repository",
    "environment",
    "unit",
    "source_environment",
    "source_unit",
    "source_ref",
    "target_ref",
    "versions_behind",
    "status",
    "note",
]

#: the words teams use for the same stage of the promotion pipeline
ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "dev": ("dev", "development", "develop"),
    "test": ("test", "qa", "int", "integration"),
    "staging": ("staging", "stage", "stg", "uat", "preprod", "pre-prod"),
    "prod": ("prod", "production", "prd", "live"),
}


def _canonical(name: str) -> str:
    lowered = name.strip().lower()
    for canonical, words in ENV_ALIASES.items():
        if lowered in words:
            return canonical
    return lowered


def environment_names(refs_frame: pd.DataFrame) -> list[str]:
    """Environments present in a refs frame."""
    return sorted({str(e) for e in refs_frame["environment"].dropna()})


def match_environment(name: str, present: Iterable[str]) -> str:
    """The tree's environment that ``name`` means (``production`` finds ``prod``); ConfigError if none."""
    present = list(present)
    if name in present:
        return name
    wanted = _canonical(name)
    for env in present:
        if _canonical(env) == wanted:
            return env
    raise ConfigError(f"no environment {name!r} in the tree (environments: {', '.join(present) or 'none'})")


def pipeline(refs_frame: pd.DataFrame) -> list[str]:
    """The tree's environments in promotion order (dev → test → staging → prod); others left out."""
    present = environment_names(refs_frame)
    order = list(ENV_ALIASES)
    staged = [(order.index(_canonical(e)), e) for e in present if _canonical(e) in ENV_ALIASES]
    return [env for _, env in sorted(staged)]


def _known_versions(frame: pd.DataFrame) -> dict[str, list[SemVer]]:
    known: dict[str, set[SemVer]] = {}
    for repository, ref in zip(frame["repository"], frame["ref"], strict=True):
        version = parse_version(ref) if isinstance(ref, str) else None
        if repository and version is not None:
            known.setdefault(repository, set()).add(version)
    return {repo: sorted(versions) for repo, versions in known.items()}


def _leaf(unit: str) -> str:
    return unit.rstrip("/").rsplit("/", 1)[-1]


def _pick_source(candidates: list[dict[str, Any]], target_unit: str) -> dict[str, Any]:
    same = [c for c in candidates if _leaf(c["unit"]) == _leaf(target_unit)]
    pool = same or candidates
    # the newest version in the source environment is what a promotion would bring
    return max(pool, key=lambda c: (parse_version(c["ref"]) or SemVer(-1, 0, 0, None), c["unit"]))


def _behind(known: list[SemVer], target: SemVer, source: SemVer) -> int:
    return sum(1 for v in known if target < v <= source and (not v.is_prerelease or v == source))


def _compare(src: dict[str, Any], tgt: dict[str, Any], known: list[SemVer]) -> tuple[str, int | None, str]:
    if not tgt["pinned"]:
        return "unpinned", None, f"target runs {tgt['ref'] or 'no ref'} ({tgt['ref_kind']})"
    if not src["pinned"]:
        ref = src["ref"] or "no ref"
        return "unpinned", None, f"source runs {ref} ({src['ref_kind']}): nothing to promote"
    if src["ref"] == tgt["ref"]:
        return "equal", 0, ""
    s, t = parse_version(src["ref"]), parse_version(tgt["ref"])
    if s is None or t is None:
        return "unknown", None, "refs are commits or not comparable versions"
    if s == t:
        return "equal", 0, "same version, written differently"
    if t < s:
        return "behind", _behind(known, t, s), ""
    return "ahead", -_behind(known, s, t), "target runs a newer version than the source"


def lag(tree: Any, source: str = "staging", target: str = "prod") -> pd.DataFrame:
    """Per component and target unit: how the target environment's ref compares with the source's."""
    frame = refs(tree) if not isinstance(tree, pd.DataFrame) else tree
    present = environment_names(frame)
    src_env, tgt_env = match_environment(source, present), match_environment(target, present)
    modules = frame[frame["component"].notna()]
    known = _known_versions(modules)
    rows: list[dict[str, Any]] = []
    keys = sorted({(r, c) for r, c in zip(modules["repository"], modules["component"], strict=True)})
    for repository, component in keys:
        same = modules[(modules["repository"] == repository) & (modules["component"] == component)]
        sources = same[same["environment"] == src_env].to_dict(orient="records")
        targets = same[same["environment"] == tgt_env].to_dict(orient="records")
        base = {"component": component, "repository": repository, "source_environment": src_env}
        if not targets and sources:
            pick = _pick_source(sources, sources[0]["unit"])
            rows.append(
                base
                | {
                    "environment": tgt_env,
                    "unit": None,
                    "source_unit": pick["unit"],
                    "source_ref": pick["ref"],
                    "target_ref": None,
                    "versions_behind": None,
                    "status": "missing-in-target",
                    "note": f"no {component} unit in {tgt_env}",
                }
            )
        for tgt in targets:
            row = base | {"environment": tgt_env, "unit": tgt["unit"], "target_ref": tgt["ref"]}
            if not sources:
                rows.append(
                    row
                    | {
                        "source_unit": None,
                        "source_ref": None,
                        "versions_behind": None,
                        "status": "missing-in-source",
                        "note": f"no {component} unit in {src_env}",
                    }
                )
                continue
            src = _pick_source(sources, tgt["unit"])
            status, behind, note = _compare(src, tgt, known.get(repository, []))
            rows.append(
                row
                | {
                    "source_unit": src["unit"],
                    "source_ref": src["ref"],
                    "versions_behind": behind,
                    "status": status,
                    "note": note,
                }
            )
    out = pd.DataFrame(rows, columns=LAG_COLUMNS)
    out["versions_behind"] = out["versions_behind"].astype("Int64")
    return out

"""What the promotion report shows: the component × environment matrix, the lag of production, the lead
time per version, refs that are not pinned, and the promotions to make next; plus ``promote check``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opslib.errors import ConfigError
from opslib.promotion.lag import _behind, _known_versions, lag, match_environment, pipeline
from opslib.promotion.refs import parse_version, refs
from opslib.promotion.timeline import lead_times, timeline

__all__ = ["CheckResult", "PromotionReport", "build_report", "check", "headline", "matrix", "next_promotions"]

MATRIX_COLUMNS = ["component", "environment", "refs", "units", "versions_behind_newest"]


def matrix(refs_frame: pd.DataFrame, environments: list[str] | None = None) -> pd.DataFrame:
    """Long form of the component × environment matrix: the refs each environment runs and how many
    released versions the oldest of them is behind the newest release of that component anywhere."""
    envs = environments or pipeline(refs_frame) or sorted(refs_frame["environment"].dropna().unique())
    modules = refs_frame[refs_frame["component"].notna() & refs_frame["environment"].isin(envs)]
    known = _known_versions(refs_frame[refs_frame["component"].notna()])
    rows = []
    for (repository, component), group in modules.groupby(["repository", "component"], sort=True):
        releases = [v for v in known.get(str(repository), []) if not v.is_prerelease]
        newest = releases[-1] if releases else None
        for env, cell in group.groupby("environment", sort=False):
            counts = cell["ref"].fillna("(none)").value_counts()
            text = ", ".join(f"{ref} ×{n}" if n > 1 else str(ref) for ref, n in sorted(counts.items()))
            versions = [parse_version(r) for r in cell["ref"] if isinstance(r, str)]
            oldest = min((v for v in versions if v is not None), default=None)
            behind = None
            if newest is not None and oldest is not None and cell["pinned"].all():
                behind = _behind(releases, oldest, newest) if oldest < newest else 0
            rows.append(
                {
                    "component": component,
                    "environment": env,
                    "refs": text,
                    "units": len(cell),
                    "versions_behind_newest": behind,
                }
            )
    out = pd.DataFrame(rows, columns=MATRIX_COLUMNS)
    out["versions_behind_newest"] = out["versions_behind_newest"].astype("Int64")
    out["environment"] = pd.Categorical(out["environment"], categories=envs, ordered=True)
    return out.sort_values(["component", "environment"]).reset_index(drop=True)


def next_promotions(tree: Any, refs_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Along the pipeline (dev → staging → prod), each component that a stage could take from the one
    before it: from, to, component, the ref to promote, units and the longest lag."""
    frame = refs(tree) if refs_frame is None else refs_frame
    stages = pipeline(frame)
    rows = []
    for source, target in itertools.pairwise(stages):
        lagging = lag(frame, source, target)
        behind = lagging[lagging["status"] == "behind"]
        for (component, ref), group in behind.groupby(["component", "source_ref"], sort=True):
            version = parse_version(str(ref))
            rows.append(
                {
                    "from": source,
                    "to": target,
                    "component": component,
                    "ref": ref,
                    "units": len(group),
                    "versions_behind": int(group["versions_behind"].max()),
                    "note": "release candidate: cut the release first"
                    if version is not None and version.is_prerelease
                    else "",
                }
            )
    columns = ["from", "to", "component", "ref", "units", "versions_behind", "note"]
    return pd.DataFrame(rows, columns=columns)


def headline(lag_frame: pd.DataFrame, source: str, target: str) -> str:
    """``prod lags staging on 11 of 11 components`` (components both environments run)."""
    compared = lag_frame[~lag_frame["status"].isin(["missing-in-source", "missing-in-target"])]
    total = compared["component"].nunique()
    if total == 0:
        return f"{target} and {source} share no component: nothing to compare"
    lagging = compared.loc[compared["status"] == "behind", "component"].nunique()
    unpinned = compared.loc[compared["status"] == "unpinned", "component"].nunique()
    text = f"{target} lags {source} on {lagging} of {total} components"
    return text + (f"; {unpinned} with an unpinned ref" if unpinned else "")


@dataclass
class PromotionReport:
    """Everything the promotion notebook shows."""

    source: str
    target: str
    refs: pd.DataFrame
    lag: pd.DataFrame
    matrix: pd.DataFrame
    unpinned: pd.DataFrame
    next: pd.DataFrame
    timeline: pd.DataFrame | None = None
    lead_times: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def headline(self) -> str:
        return headline(self.lag, self.source, self.target)


def _default_pair(frame: pd.DataFrame, source: str | None, target: str | None) -> tuple[str, str]:
    stages = pipeline(frame)
    present = sorted(frame["environment"].dropna().unique())
    tgt = match_environment(target, present) if target else (stages[-1] if stages else None)
    if tgt is None:
        raise ConfigError("no production-like environment in the tree: name one with target=")
    if source:
        return match_environment(source, present), tgt
    before = [s for s in stages if s != tgt]
    if tgt not in stages or not before or stages.index(tgt) == 0:
        raise ConfigError(f"no environment before {tgt} in the pipeline ({' → '.join(stages) or 'none'})")
    return stages[stages.index(tgt) - 1], tgt


def build_report(
    tree: Any, history: pd.DataFrame | None = None, source: str | None = None, target: str | None = None
) -> PromotionReport:
    """The promotion report of ``target`` (default: the last pipeline stage) against ``source``
    (default: the stage before it)."""
    frame = refs(tree)
    src, tgt = _default_pair(frame, source, target)
    report = PromotionReport(
        source=src,
        target=tgt,
        refs=frame,
        lag=lag(frame, src, tgt),
        matrix=matrix(frame),
        unpinned=frame[~frame["pinned"] & frame["component"].notna()].reset_index(drop=True),
        next=next_promotions(tree, frame),
    )
    if history is not None:
        report.timeline = timeline(history, tree)
        report.lead_times = lead_times(report.timeline, production=tgt)
    return report


@dataclass
class CheckResult:
    """``promote check``: exit code 2 with the problems, or 0."""

    target: str
    source: str
    problems: pd.DataFrame

    @property
    def exit_code(self) -> int:
        return 2 if len(self.problems) else 0


def check(
    tree: Any, target: str | None = None, source: str | None = None, max_behind: int = 1
) -> CheckResult:
    """Production (``target``) must run pinned refs and lag ``source`` by at most ``max_behind`` versions."""
    frame = refs(tree)
    src, tgt = _default_pair(frame, source, target)
    lagging = lag(frame, src, tgt)
    unpinned = lagging["status"].eq("unpinned") & lagging["note"].str.startswith("target")
    too_far = lagging["status"].eq("behind") & (lagging["versions_behind"].fillna(0) > max_behind)
    problems = lagging[unpinned | too_far].assign(
        problem=lambda f: f["status"].map(
            {"unpinned": "unpinned ref in " + tgt, "behind": f"more than {max_behind} behind {src}"}
        )
    )
    return CheckResult(tgt, src, problems.reset_index(drop=True))

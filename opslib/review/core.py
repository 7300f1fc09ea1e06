"""One change judged as a reviewer must: what it touches, what it newly breaks, how risky its plan is, what
it costs, and whether a human must approve it.

``review(root, base=...)`` returns a :class:`Review`. Its frames:

- ``files``: ``status``, ``path``, ``old_path`` (relative to the repository top), ``in_tree``.
- ``affected``: ``unit``, ``distance`` (0: changed or reads a changed file), ``reason``, ``environment``,
  ``account``, ``production``, ``deleted``.
- ``findings``: ``state`` (introduced | fixed | existing), ``tool``, ``rule_id``, ``severity``, ``unit``,
  ``path``, ``line``, ``message``, ``fingerprint``; lint and any SARIF files given.
- ``plan``: the plan changes of affected units with their ``risk`` (empty when no plans were given).
- ``refs``: production units whose module ref becomes unpinned or goes backwards.
- ``formatting``: ``path``, ``diff`` of changed HCL files ``fmt`` would rewrite.
``cost`` is a :class:`~opslib.costs.compare.CostVerdict` (or None), ``notes`` says what was skipped and
why, ``verdict`` is ``approval-required`` or ``ok`` with ``reasons``.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opslib._textdiff import unified_diff
from opslib.errors import OpslibError
from opslib.review import git as _git
from opslib.review.findings import FINDING_DIFF_COLUMNS, read_sarif, split_findings, split_sarif

__all__ = ["Review", "log_review", "review"]

log = logging.getLogger(__name__)

_HCL = (".hcl", ".tf", ".tfvars", ".hcl.json")
_BLOCKING = ("critical", "high")
_PROD_WORDS = {"prod", "production", "prd", "live"}


@dataclass
class Review:
    """The review of one change (see the module doc for every frame)."""

    top: Path
    tree_root: Path
    base: str
    head: str
    files: pd.DataFrame
    affected: pd.DataFrame
    findings: pd.DataFrame
    plan: pd.DataFrame
    refs: pd.DataFrame
    formatting: pd.DataFrame
    cost: Any = None
    cost_threshold: float = 100.0
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    masker: Any = None  # the secrets both trees hold: every rendering is scrubbed with it

    def scrub(self, text: str) -> str:
        """``text`` with every secret value of either side masked."""
        return str(self.masker.scrub_str(text)) if self.masker is not None else text

    @property
    def verdict(self) -> str:
        return "approval-required" if self.reasons else "ok"

    @property
    def exit_code(self) -> int:
        return 2 if self.reasons else 0

    def introduced(self) -> pd.DataFrame:
        return self.findings[self.findings["state"] == "introduced"]

    def headline(self) -> str:
        units = len(self.affected)
        new = len(self.introduced())
        text = f"{self.verdict}: {len(self.files)} files, {units} units affected, {new} new findings"
        return text + (f" ({'; '.join(self.reasons)})" if self.reasons else "")


def _is_production(environment: Any, account: Any) -> bool:
    words = {str(v).strip().lower() for v in (environment, account) if isinstance(v, str)}
    return bool(words & _PROD_WORDS)


def _affected(
    head_tree: Any, base_tree: Any, files: list[_git.ChangedFile], top: Path, base_root: Path, tree_rel: str
) -> pd.DataFrame:
    """Changed units, units reading changed files, and their dependents, from both sides of the change."""
    head_paths = [str(top / f.path) for f in files if f.status != "deleted"]
    frames = [head_tree.blast_radius(head_paths).assign(deleted=False)] if head_paths else []
    # what the change removes, and the old side of renames, as the base tree knew them
    old = [f.old_path or f.path for f in files if f.status in ("deleted", "renamed")]
    if old and base_tree is not None:
        gone = base_tree.blast_radius(_rebase_paths(old, tree_rel, base_root))
        if not gone.empty:
            gone = gone.assign(deleted=~gone["unit"].isin(set(head_tree.units["unit"])))
            frames.append(gone)
    columns = ["unit", "distance", "reason", "deleted"]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    frame = frame.sort_values(["distance", "unit"], kind="stable").drop_duplicates("unit", keep="first")
    scope = pd.concat([head_tree.units, base_tree.units if base_tree is not None else None])
    scope = scope.drop_duplicates("unit").set_index("unit")
    frame = frame.assign(
        environment=frame["unit"].map(scope["environment"]),
        account=frame["unit"].map(scope["account"]),
    )
    frame["production"] = [
        _is_production(e, a) for e, a in zip(frame["environment"], frame["account"], strict=True)
    ]
    frame["distance"] = frame["distance"].astype("int64")
    order = ["unit", "distance", "reason", "environment", "account", "production", "deleted"]
    return frame[order].reset_index(drop=True)


def _rebase_paths(paths: list[str], tree_rel: str, base_root: Path) -> list[str]:
    """Repository-relative paths as absolute paths inside the exported base tree."""
    out = []
    for path in paths:
        inside = path[len(tree_rel) + 1 :] if tree_rel and path.startswith(tree_rel + "/") else path
        out.append(str(base_root / inside))
    return out


def _formatting(top: Path, files: list[_git.ChangedFile], notes: list[str]) -> pd.DataFrame:
    columns = ["path", "diff"]
    hcl = [f.path for f in files if f.status != "deleted" and f.path.endswith(_HCL)]
    if not hcl:
        return pd.DataFrame(columns=columns)
    binary = shutil.which("terraform") or shutil.which("tofu")
    if binary is None:
        notes.append("formatting not checked: neither terraform nor tofu is on PATH")
        return pd.DataFrame(columns=columns)
    rows = []
    for rel in hcl:
        text = (top / rel).read_text(encoding="utf-8", errors="replace")
        # `fmt -` formats any HCL from stdin; terraform refuses .hcl file names, not their syntax
        done = subprocess.run(
            [binary, "fmt", "-no-color", "-"],
            input=text,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            rows.append({"path": rel, "diff": f"does not parse: {done.stderr.strip().splitlines()[-1:]}"})
        elif done.stdout != text:
            rows.append({"path": rel, "diff": unified_diff(text, done.stdout, rel)})
    notes.append(f"formatting checked with {Path(binary).name} fmt on {len(hcl)} changed HCL files")
    return pd.DataFrame(rows, columns=columns)


def _plan(plans: Any, head_tree: Any, affected: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    if plans is None:
        notes.append("no plans given: plan risk not judged (pass --plans DIR or set inputs.plans)")
        return pd.DataFrame(columns=["unit", "address", "type", "action", "risk"])
    from opslib.plans import load_plans

    changes = plans if isinstance(plans, pd.DataFrame) else load_plans(plans, tree=head_tree)
    mine = changes[changes["unit"].isin(set(affected["unit"])) & (changes["action"] != "no-op")]
    if mine.empty:
        notes.append("the plans given hold no change for the affected units")
    return mine.reset_index(drop=True)


def _cost(
    costs: Any, head_tree: Any, base_tree: Any, affected: pd.DataFrame, threshold: float, notes: list[str]
) -> Any:
    from opslib.costs import compare

    if costs is not None:
        return compare.check(costs, threshold=threshold)
    from opslib.costs import estimate_costs

    units = set(affected["unit"])
    try:
        head = estimate_costs(head_tree)
        base = estimate_costs(base_tree) if base_tree is not None else head.iloc[0:0]
    except OpslibError as exc:
        notes.append(f"offline cost estimate not made: {exc}")
        return None
    head, base = head[head["unit"].isin(units)], base[base["unit"].isin(units)]
    notes.append(
        "cost from the offline estimate of the affected units (list prices; --costs takes an infracost diff)"
    )
    return compare.check(head, threshold=threshold, baseline=base)


def _refs(head_tree: Any, base_tree: Any, affected: pd.DataFrame) -> pd.DataFrame:
    from opslib.promotion import parse_version, refs

    columns = ["unit", "environment", "base_ref", "head_ref", "problem"]
    if base_tree is None:
        return pd.DataFrame(columns=columns)
    prod = set(affected.loc[affected["production"] & ~affected["deleted"], "unit"])
    before = refs(base_tree).set_index("unit")
    rows = []
    for row in refs(head_tree).to_dict(orient="records"):
        if row["unit"] not in prod:
            continue
        old = before.loc[row["unit"]] if row["unit"] in before.index else None
        old_ref = old["ref"] if old is not None else None
        problem = None
        if not row["pinned"] and row["ref_kind"] != "unresolved" and (old is None or bool(old["pinned"])):
            problem = f"unpinned ref {row['ref'] or '(none)'} ({row['ref_kind']})"
        elif (
            old is not None
            and (new_v := parse_version(row["ref"]))
            and (old_v := parse_version(old_ref))
            and new_v < old_v
        ):
            problem = f"goes backwards: {old_ref} -> {row['ref']}"
        if problem:
            rows.append(
                {
                    "unit": row["unit"],
                    "environment": row["environment"],
                    "base_ref": old_ref,
                    "head_ref": row["ref"],
                    "problem": problem,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _masker(head_tree: Any, base_tree: Any) -> Any:
    from opslib.secrets import Masker

    masker = Masker()
    for tree in (head_tree, base_tree):
        if tree is not None and getattr(tree, "masker", None) is not None:
            masker.update(tree.masker)
    return masker


def _reasons(result: Review) -> list[str]:
    reasons = []
    if not result.plan.empty and "risk" in result.plan:
        risky = result.plan[result.plan["risk"].isin(_BLOCKING)]
        if len(risky):
            reasons.append(f"{len(risky)} critical/high risk plan changes")
    prod = result.affected[result.affected["production"]]
    if len(prod):
        reasons.append(f"production touched ({len(prod)} units)")
    if result.cost is not None and result.cost.exit_code:
        reasons.append(
            f"cost +{float(result.cost.increase):,.2f} {result.cost.currency}/month, over the threshold"
        )
    new = result.introduced()
    blocking = new[new["severity"].isin(_BLOCKING)]
    if len(blocking):
        reasons.append(f"{len(blocking)} new critical/high findings")
    if len(result.refs):
        reasons.append(f"{len(result.refs)} production refs unpinned or going backwards")
    return reasons


def review(
    root: str | Path = ".",
    base: str | None = None,
    *,
    head: str = "HEAD",
    plans: Any = None,
    costs: Any = None,
    sarif: Sequence[str | Path] | Iterable[str | Path] = (),
    cost_threshold: float = 100.0,
    check_format: bool = True,
) -> Review:
    """Review the change from ``base`` (default: the merge base with the default branch) to ``head`` of
    the Terragrunt tree at ``root``. Lint runs on both sides; the base side is read from git into a
    temporary folder, so the working tree is never touched."""
    from opslib.rules import lint
    from opslib.terragrunt import load_tree

    tree_root = Path(root).resolve()
    top = _git.repo_top(tree_root)
    base_rev = base or _git.default_base(top)
    base_sha = str(_git.git(top, "rev-parse", "--verify", f"{base_rev}^{{commit}}")).strip()
    files = _git.changed_files(top, base_sha, head)
    tree_rel = tree_root.relative_to(top).as_posix() if tree_root != top else ""
    notes: list[str] = [] if files else [f"no changes between {base_rev} and {head}"]
    # the work tree is the user's own: its warm cache saves a whole load on a big platform (units whose
    # files changed since are evaluated again); the base side is a fresh export, read without one
    head_tree = load_tree(tree_root)
    with tempfile.TemporaryDirectory(prefix="opslib-review-") as scratch:
        base_root = _git.export(top, base_sha, tree_rel or ".", Path(scratch))
        has_base = any(base_root.rglob("*.hcl"))
        base_tree = load_tree(base_root, cache=False) if has_base else None
        if base_tree is None:
            notes.append(
                f"no Terragrunt tree at {tree_rel or '.'} in {base_rev}: every finding counts as new"
            )
        base_findings = lint(base_tree) if base_tree is not None else lint(head_tree).iloc[0:0]
        findings = split_findings(base_findings, lint(head_tree), base_root, tree_root)
        affected = _affected(head_tree, base_tree, files, top, base_root, tree_rel)
        cost = _cost(costs, head_tree, base_tree, affected, cost_threshold, notes)
        masker = _masker(head_tree, base_tree)
        ref_rows = _refs(head_tree, base_tree, affected)
    added = _git.added_lines(top, base_sha, head)
    for path in sarif:
        extra = split_sarif(
            read_sarif(path), top=top, tree_root=tree_root, units=list(head_tree.units["unit"]), added=added
        )
        findings = pd.concat([findings, extra], ignore_index=True) if len(extra) else findings
    in_tree = [
        (top / f.path).is_relative_to(tree_root) or (top / (f.old_path or "")).is_relative_to(tree_root)
        for f in files
    ]
    result = Review(
        top=top,
        tree_root=tree_root,
        base=base_rev,
        head=head,
        files=pd.DataFrame(
            [{"status": f.status, "path": f.path, "old_path": f.old_path} for f in files],
            columns=["status", "path", "old_path"],
        ).assign(in_tree=in_tree),
        affected=affected,
        findings=findings[FINDING_DIFF_COLUMNS].reset_index(drop=True),
        plan=_plan(plans, head_tree, affected, notes),
        refs=ref_rows,
        formatting=_formatting(top, files, notes) if check_format else pd.DataFrame(columns=["path", "diff"]),
        cost=cost,
        cost_threshold=cost_threshold,
        notes=notes,
        masker=masker,
    )
    result.reasons = _reasons(result)
    return result


def log_review(result: Review, folder: str | Path, agent: str = "opslib-review") -> dict[str, Any]:
    """Append the review to the activity history in ``folder`` (action type ``review``)."""
    from opslib.history import log_activity

    files = result.files
    return log_activity(
        folder,
        agent=agent,
        action_type="review",
        category="infrastructure",
        description=result.scrub(result.headline()),
        status="completed",
        task=f"Review {result.base[:12]}..{result.head}",
        title=f"Change review: {result.verdict}",
        summary="; ".join(result.reasons) or "no approval needed",
        files_created=[p for s, p in zip(files["status"], files["path"], strict=True) if s == "added"],
        files_modified=[
            p for s, p in zip(files["status"], files["path"], strict=True) if s not in ("added", "deleted")
        ],
        files_deleted=[p for s, p in zip(files["status"], files["path"], strict=True) if s == "deleted"],
        tags=["review", result.verdict],
        verdict=result.verdict,
    )

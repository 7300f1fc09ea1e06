"""Environment promotion: refs, lag, timeline and lead time, the ref-only edit, and ``promote check``.

Figures are hand-computed from tests/fixtures/promotion/live (dev → staging → prod, module versions of
one repository: 1.8.0, 1.9.0, 2.0.0, 2.1.0-rc.1) and from the sample tree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from opslib import promotion
from opslib.cli import main
from opslib.errors import ConfigError
from opslib.terragrunt import load_tree

FIXTURE = Path(__file__).parent / "fixtures" / "promotion" / "live"
SAMPLE = Path(__file__).parents[1] / "data" / "sample" / "infrastructure-live"


@pytest.fixture(scope="module")
def tree():
    return load_tree(FIXTURE, cache=False)


@pytest.fixture()
def tree_copy(tmp_path):
    root = tmp_path / "live"
    shutil.copytree(FIXTURE, root)
    return root


def _by_unit(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["unit"]: row for row in frame.to_dict(orient="records")}


# ---------------------------------------------------------------------------------------------- versions


@pytest.mark.parametrize(
    ("ref", "kind"),
    [
        ("v1.2.0", "release"),
        ("1.2", "release"),
        ("v1.9.0-rc1", "pre-release"),
        ("2.1.0-beta.2", "pre-release"),
        ("main", "branch"),
        ("feature/new-ui", "branch"),
        ("latest", "branch"),
        ("3f2a9c1", "commit"),
        ("8d0e861d3b6d0d52c9c5cf3f7a6c8bb25f3e1b2a", "commit"),
        (None, "none"),
        ("${local.version}", "unresolved"),
    ],
)
def test_ref_kinds(ref, kind):
    assert promotion.classify_ref(ref) == kind


def test_semver_order_puts_prerelease_before_its_release():
    v = promotion.parse_version
    ordered = ["v1.8.0", "v1.9.0-alpha", "v1.9.0-rc.1", "v1.9.0-rc.2", "v1.9.0-rc.10", "v1.9.0", "v1.10.0"]
    assert sorted(ordered, key=v) == ordered
    assert v("1.9") == v("v1.9.0")


def test_parse_source_splits_repository_component_ref():
    git = "git::https://github.com/acme/modules.git//modules/rds?ref=v1.2.0"
    assert promotion.parse_source(git) == (
        "git::https://github.com/acme/modules.git",
        "modules/rds",
        "v1.2.0",
    )
    tfr = "tfr:///terraform-aws-modules/vpc/aws?version=5.8.1"
    assert promotion.parse_source(tfr) == (
        "tfr://registry.terraform.io/terraform-aws-modules/vpc/aws",
        "terraform-aws-modules/vpc/aws",
        "5.8.1",
    )
    assert promotion.parse_source(None) == (None, None, None)


# ---------------------------------------------------------------------------------------------- refs / lag


def test_refs_one_row_per_unit(tree):
    frame = _by_unit(promotion.refs(tree))
    assert frame["dev/vpc"]["ref_kind"] == "pre-release" and frame["dev/vpc"]["version"] == "2.1.0-rc.1"
    assert frame["dev/app"]["ref_kind"] == "branch" and not frame["dev/app"]["pinned"]
    assert frame["prod/db"]["ref"] == "v1.9.0"  # through local.module_version
    assert frame["prod/bucket"]["component"] == "acme/bucket/aws"
    api = frame["prod/services/.terragrunt-stack/api"]
    assert (api["kind"], api["ref"], api["environment"]) == ("stack-unit", "v1.0.0", "prod")


def test_lag_prod_behind_staging_hand_computed(tree):
    lagging = promotion.lag(tree, source="staging", target="production")  # "production" finds prod
    rows = _by_unit(lagging[lagging["unit"].notna()])
    expected = {
        "prod/vpc": ("v2.0.0", "v1.8.0", 2, "behind"),  # 1.9.0 and 2.0.0 lie between
        "prod/db": ("v2.0.0", "v1.9.0", 1, "behind"),
        "prod/app": ("v1.9.0", "v1.9.0", 0, "equal"),
        "prod/bucket": ("3.2.0", "3.1.0", 1, "behind"),
        "prod/services/.terragrunt-stack/api": ("v1.1.0", "v1.0.0", 1, "behind"),
    }
    for unit, (src, tgt, behind, status) in expected.items():
        row = rows[unit]
        assert (row["source_ref"], row["target_ref"], row["versions_behind"], row["status"]) == (
            src,
            tgt,
            behind,
            status,
        ), unit
    assert rows["prod/cache"]["status"] == "unpinned"
    assert rows["prod/dns"]["status"] == "missing-in-source"


def test_lag_prerelease_source_counts_and_missing_target(tree):
    lagging = promotion.lag(tree, source="dev", target="staging")
    rows = _by_unit(lagging[lagging["unit"].notna()])
    # the release candidate is ahead of 2.0.0 and counts itself: one version behind
    assert (rows["staging/vpc"]["status"], rows["staging/vpc"]["versions_behind"]) == ("behind", 1)
    assert rows["staging/app"]["status"] == "unpinned"  # dev runs a branch: nothing to promote
    assert rows["staging/app"]["note"].startswith("source runs feature/new-ui")
    reverse = promotion.lag(tree, source="prod", target="staging")
    back = _by_unit(reverse[reverse["unit"].notna()])
    assert (back["staging/vpc"]["status"], back["staging/vpc"]["versions_behind"]) == ("ahead", -2)
    missing = reverse[reverse["status"] == "missing-in-target"]
    assert missing["component"].tolist() == ["dns"]


def test_unknown_environment_is_a_config_error(tree):
    with pytest.raises(ConfigError, match="no environment 'qa'"):
        promotion.lag(tree, source="qa", target="prod")


# ---------------------------------------------------------------------------------------------- timeline


def _history(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    for column in ("files_modified", "files_created", "tags", "extra", "task", "summary"):
        if column not in frame:
            frame[column] = None
    return frame


def test_timeline_and_lead_time_hand_computed(tree):
    history = _history(
        [
            {
                "id": "a",
                "timestamp": "2025-12-01T09:00:00Z",
                "action_type": "deployment",
                "status": "completed",
                "description": "Promote infra-modules to v1.9.0",
                "files_modified": ["live/dev/db/terragrunt.hcl"],
            },
            {
                "id": "b",
                "timestamp": "2025-12-03T10:00:00Z",
                "action_type": "deployment",
                "status": "completed",
                "description": "Bumped ?ref=v1.8.0 to ?ref=v1.9.0 in 2 units under staging",
            },
            {
                "id": "c",
                "timestamp": "2025-12-10T12:00:00Z",
                "action_type": "deployment",
                "status": "partial",
                "description": "Bumped ?ref=v1.8.0 to ?ref=v1.9.0 under prod",
            },
            {
                "id": "d",
                "timestamp": "2026-01-05T09:00:00Z",
                "action_type": "deployment",
                "status": "completed",
                "description": "Promote v2.0.0",
                "files_modified": ["live/dev/vpc/terragrunt.hcl"],
            },
            {
                "id": "e",
                "timestamp": "2026-01-20T09:00:00Z",
                "action_type": "deployment",
                "status": "failed",
                "description": "Bumped ?ref=v1.9.0 to ?ref=v2.0.0 under prod",
            },  # failed: never reached prod
            {
                "id": "f",
                "timestamp": "2026-01-21T09:00:00Z",
                "action_type": "deployment",
                "status": "completed",
                "description": "Deploy api 2026.1.3 to prod",
                "files_modified": ["live/prod/app/terragrunt.hcl"],
            },
            {
                "id": "g",
                "timestamp": "2026-01-22T09:00:00Z",
                "action_type": "review",
                "status": "completed",
                "description": "Reviewed the v2.0.0 notes",
                "files_modified": ["live/prod/vpc/terragrunt.hcl"],
            },
        ]
    )
    frame = promotion.timeline(history, tree)
    reached = {(r.ref, r.environment): (r.entry_id, r.units) for r in frame.itertuples()}
    assert reached == {
        ("v1.9.0", "dev"): ("a", 1),
        ("v1.9.0", "staging"): ("b", 6),  # every unit under staging/ (the entry names no files)
        ("v1.9.0", "prod"): ("c", 7),
        ("v2.0.0", "dev"): ("d", 1),
    }
    assert frame.attrs["skipped"] == 1  # the application release names no module version
    leads = promotion.lead_times(frame).set_index("ref")
    assert leads.loc["v1.9.0", "lead_time"] == pd.Timedelta(days=9, hours=3)
    assert leads.loc["v1.9.0", "lead_time_days"] == pytest.approx(9.125)
    assert leads.loc["v1.9.0", "first_environment"] == "dev"
    assert pd.isna(leads.loc["v2.0.0", "lead_time"])


def test_sample_timeline_knows_the_promotions():
    from opslib import load_history

    tree = load_tree(SAMPLE)
    frame = promotion.timeline(load_history(SAMPLE.parent / "project"), tree)
    first = {(r.ref, r.environment): r.first_reached for r in frame.itertuples()}
    assert first[("v1.8.0", "dev")] == pd.Timestamp(
        "2026-09-25T09:48:02Z"
    )  # the failed try a day earlier is not it
    assert ("v1.8.0", "prod") not in first
    leads = promotion.lead_times(frame).set_index("ref")
    assert leads.loc["v1.7.2", "lead_time"] == pd.Timestamp("2026-08-19T09:40:32Z") - pd.Timestamp(
        "2026-08-07T10:20:48Z"
    )


# ---------------------------------------------------------------------------------------------- the edit


def _changed_lines(diff: str) -> list[tuple[str, str]]:
    minus = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    plus = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(minus) == len(plus)
    return list(zip(minus, plus, strict=True))


def test_plan_edits_only_refs_in_every_construct(tree_copy):
    plan = promotion.plan_promotion(load_tree(tree_copy, cache=False), "staging", "prod")
    assert {e.how for e in plan.edits} == {"source ref", "local", "stack values"}
    assert plan.refused == []
    pairs = _changed_lines(plan.diff())
    assert len(pairs) == 5  # vpc, db (local), bucket (tfr version), cache (branch -> release), api (values)
    for old, new in pairs:
        assert _without_ref(old) == _without_ref(new), (old, new)  # nothing but the ref text changed
        assert old != new


def _without_ref(line: str) -> str:
    return re.sub(r'((?:ref|version)=|version\s*=\s*")[^"&#\s]+', r"\1<ref>", line)


def test_plan_diff_applies_with_git_and_write_makes_refs_equal(tree_copy):
    plan = promotion.plan_promotion(load_tree(tree_copy, cache=False), "staging", "prod")
    patch = tree_copy.parent / "promote.patch"
    patch.write_text(plan.diff())
    git = shutil.which("git")
    if git:
        done = subprocess.run(
            [git, "apply", "--check", str(patch)], cwd=tree_copy, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    before = {p: p.read_text() for p in tree_copy.rglob("*.hcl")}
    written = promotion.apply_promotion(plan)
    assert len(written) == 5
    after = load_tree(tree_copy, cache=False)
    rows = promotion.lag(after, "staging", "prod")
    compared = rows[rows["status"].isin(["behind", "equal", "unpinned", "ahead"])]
    assert set(compared["status"]) == {"equal"}
    untouched = [p for p in before if str(p.relative_to(tree_copy)) not in written]
    assert all(p.read_text() == before[p] for p in untouched)


def test_write_refuses_a_file_changed_after_planning(tree_copy):
    plan = promotion.plan_promotion(load_tree(tree_copy, cache=False), "staging", "prod", ["vpc"])
    target = tree_copy / "prod" / "vpc" / "terragrunt.hcl"
    target.write_text(target.read_text() + "\n# edited meanwhile\n")
    with pytest.raises(ConfigError, match="changed since the promotion was planned"):
        promotion.apply_promotion(plan)
    assert "v1.8.0" in target.read_text()


def test_branch_is_refused_and_downgrade_warns(tree):
    plan = promotion.plan_promotion(tree, "dev", "staging", ["app"])
    assert plan.edits == [] and plan.refused[0][0] == "staging/app"
    assert "refusing to promote a branch" in plan.refused[0][1]
    down = promotion.plan_promotion(tree, "prod", "staging", ["vpc"])
    assert [e.new_ref for e in down.edits] == ["v1.8.0"]
    assert "downgrade" in down.warnings[0]


def test_shared_file_ref_is_refused_not_edited(tmp_path):
    root = tmp_path / "live"
    common = 'terraform {\n  source = "git::https://git.example.com/m.git//vpc?ref=v1.0.0"\n}\n'
    (root / "_envcommon").mkdir(parents=True)
    (root / "_envcommon" / "vpc.hcl").write_text(common)
    for env, ref in (("staging", "v1.1.0"), ("prod", None)):
        unit = root / env / "vpc"
        unit.mkdir(parents=True)
        (root / env / "env.hcl").write_text(f'locals {{\n  environment = "{env}"\n}}\n')
        body = 'include "common" {\n  path = "${get_terragrunt_dir()}/../../_envcommon/vpc.hcl"\n}\n'
        if ref:
            body += f'terraform {{\n  source = "git::https://git.example.com/m.git//vpc?ref={ref}"\n}}\n'
        (unit / "terragrunt.hcl").write_text(body)
    plan = promotion.plan_promotion(load_tree(root, cache=False), "staging", "prod")
    assert plan.edits == []
    assert "_envcommon/vpc.hcl" in plan.refused[0][1]


def test_unknown_component_is_a_config_error(tree):
    with pytest.raises(ConfigError, match="no component nope"):
        promotion.plan_promotion(tree, "staging", "prod", ["nope"])


# ---------------------------------------------------------------------------------------------- sample + CLI


def test_sample_promote_plan_applies_and_writes(tmp_path, capsys):
    root = tmp_path / "live"
    shutil.copytree(SAMPLE, root)
    assert main(["promote", "plan", str(root), "--from", "staging", "--to", "prod"]) == 0
    diff = capsys.readouterr().out
    pairs = _changed_lines(diff)
    assert len(pairs) == 15 and all(o.replace("v1.7.2", "v1.8.0") == n for o, n in pairs)
    if shutil.which("git"):
        patch = tmp_path / "p.patch"
        patch.write_text(diff)
        done = subprocess.run(
            ["git", "apply", "--check", str(patch)], cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert main(["promote", "plan", str(root), "--from", "staging", "--to", "prod", "--write"]) == 0
    after = promotion.lag(load_tree(root, cache=False), "staging", "prod")
    shared = after[after["status"].isin(["behind", "equal"])]
    assert set(shared["status"]) == {"equal"} and len(shared) == 15


def test_sample_branch_refused_exit_1(capsys):
    assert (
        main(
            ["promote", "plan", str(SAMPLE), "--from", "dev", "--to", "prod", "--component", "modules/lambda"]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "prod/us-east-1/prod/lambda-thumbnailer" in err and "refusing to promote a branch" in err


def test_check_exit_codes(capsys, tree):
    assert main(["promote", "check", str(SAMPLE)]) == 0  # prod one release behind staging
    assert main(["promote", "check", str(SAMPLE), "--max-behind", "0"]) == 2
    capsys.readouterr()
    # the fixture's prod runs a branch: exit 2 whatever the lag allowance
    assert main(["promote", "check", str(FIXTURE), "--max-behind", "5"]) == 2
    out = capsys.readouterr().out
    assert "prod/cache" in out and "unpinned" in out
    result = promotion.check(tree, max_behind=1)
    assert set(result.problems["unit"]) == {"prod/cache", "prod/vpc"}


def test_report_headline_and_next_promotions():
    tree = load_tree(SAMPLE)
    report = promotion.build_report(tree)
    assert (report.source, report.target) == ("staging", "prod")
    assert report.headline() == "prod lags staging on 10 of 10 components"
    nxt = report.next
    rc = nxt[(nxt["from"] == "dev") & (nxt["to"] == "staging")]
    assert set(rc["component"]) == {"modules/vpc", "modules/eks"} and set(rc["ref"]) == {"v1.9.0-rc1"}
    assert rc["note"].str.contains("release candidate").all()
    to_prod = nxt[nxt["to"] == "prod"]
    assert int(to_prod["units"].sum()) == 15
    assert report.unpinned["unit"].tolist() == ["non-prod/us-east-1/dev/lambda-thumbnailer"]
    cells = {(r.component, r.environment): r.versions_behind_newest for r in report.matrix.itertuples()}
    assert cells[("modules/vpc", "prod")] == 1 and cells[("modules/vpc", "dev")] == 0
    # a registry module is versioned on its own: s3-bucket 4.1.2 is not behind the vpc module's 5.8.1
    assert cells[("terraform-aws-modules/s3-bucket/aws", "prod")] == 0

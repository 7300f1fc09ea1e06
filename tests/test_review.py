"""Change review on a git repository built from the sample tree (opslib.review.sample.demo_repo):
(a) prod VPC module ref bumped, (b) a hardcoded password in a staging unit, (c) an _envcommon edit."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from opslib import review as rv
from opslib.cli import main
from opslib.review.sample import DEMO_PASSWORD, demo_repo
from opslib.rules import lint
from opslib.terragrunt import load_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SAMPLE = Path(__file__).parents[1] / "data" / "sample" / "infrastructure-live"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]


def _commit(repo: Path, message: str) -> None:
    subprocess.run([*GIT, "-C", str(repo), "add", "-A"], check=True, capture_output=True)
    subprocess.run([*GIT, "-C", str(repo), "commit", "-q", "-m", message], check=True, capture_output=True)


def _init(repo: Path) -> None:
    """A repository whose main branch holds the sample tree, checked out on a branch ``change``."""
    subprocess.run([*GIT, "-C", str(repo), "init", "-q", "-b", "main"], check=True, capture_output=True)
    _commit(repo, "base")
    subprocess.run([*GIT, "-C", str(repo), "checkout", "-q", "-b", "change"], check=True, capture_output=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = demo_repo(tmp_path_factory.mktemp("review"))
    return root, rv.review(root, "main", check_format=False)


def test_affected_units_and_dependents_with_distance(demo):
    _, result = demo
    affected = result.affected.set_index("unit")
    assert affected.loc["prod/us-east-1/prod/vpc", "distance"] == 0
    assert affected.loc["prod/us-east-1/prod/vpc", "reason"].startswith("changed ")
    # _envcommon/rds.hcl is read by every rds unit: distance 0, reason names the file
    for unit in ("non-prod/us-east-1/dev/rds", "non-prod/us-east-1/staging/rds", "prod/us-east-1/prod/rds"):
        assert (affected.loc[unit, "distance"], affected.loc[unit, "reason"]) == (
            0,
            "reads _envcommon/rds.hcl",
        )
    assert affected.loc["prod/us-east-1/prod/alb", "reason"] == "depends on prod/us-east-1/prod/vpc"
    assert affected.loc["prod/us-east-1/prod/alb", "distance"] == 1
    assert affected.loc["prod/_global/route53", "distance"] == 2  # route53 -> alb -> vpc
    assert affected.loc["prod/us-east-1/prod/vpc", "production"]
    assert not affected.loc["non-prod/us-east-1/staging/elasticache", "production"]
    assert "prod/us-east-1/prod/kms" not in affected.index  # untouched and depends on nothing changed


def test_introduced_findings_and_existing_ones(demo):
    _, result = demo
    new = result.introduced()
    assert new[["rule_id", "unit"]].values.tolist() == [["TG008", "non-prod/us-east-1/staging/elasticache"]]
    planted = lint(load_tree(SAMPLE))
    active = planted[~planted["suppressed"]]
    existing = result.findings[result.findings["state"] == "existing"]
    # every finding the sample already had (TG001, TG002, TG003, TG007, TG008, TG009, ...) is not new
    assert sorted(existing["rule_id"]) == sorted(active["rule_id"])
    assert (result.findings["state"] == "fixed").sum() == 0


@pytest.fixture(scope="module")
def cli_run(demo, tmp_path_factory):
    """One CLI run: JSON on stdout, logged to a history folder; exit code, stdout and the history."""
    import contextlib
    import io

    root, _ = demo
    history = tmp_path_factory.mktemp("history")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["review", str(root), "--base", "main", "--format", "json", "--log", "--history", str(history)]
        )
    return code, out.getvalue() + err.getvalue(), history


def test_verdict_reasons_and_exit_code(demo, cli_run):
    _, result = demo
    assert result.verdict == "approval-required" and result.exit_code == 2
    assert any(r.startswith("production touched") for r in result.reasons)
    assert "1 new critical/high findings" in result.reasons
    code, out, _ = cli_run
    assert code == 2
    data = json.loads(out)
    assert data["verdict"] == "approval-required" and data["exit_code"] == 2


def test_no_secret_in_any_output(demo, cli_run):
    _, result = demo
    _, out, history = cli_run
    outputs = [rv.to_markdown(result), rv.to_json(result), rv.to_sarif(result), out]
    outputs += [p.read_text() for p in history.iterdir() if p.suffix in (".json", ".md")]
    assert len(outputs) == 6
    for text in outputs:
        assert DEMO_PASSWORD not in text
        assert DEMO_PASSWORD[:3] + "*" not in text  # a masked value shows none of its characters


def test_logged_review_is_a_review_entry(cli_run):
    from opslib import load_history

    _, _, history = cli_run
    entry = load_history(history / "project_history.json").iloc[-1]
    assert entry["action_type"] == "review"
    assert "review" in list(entry["tags"]) and "approval-required" in list(entry["tags"])
    assert "infrastructure-live/prod/us-east-1/prod/vpc/terragrunt.hcl" in list(entry["files_modified"])


def test_no_change_says_so(tmp_path):
    root = tmp_path / "infrastructure-live"
    shutil.copytree(SAMPLE, root)
    _init(tmp_path)
    result = rv.review(root, "main", check_format=False)
    assert result.files.empty and result.affected.empty and result.verdict == "ok"
    assert "no changes between main and HEAD" in result.notes


def test_working_tree_is_never_touched(demo):
    root, _ = demo
    status = subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""


def test_markdown_comment_shape(demo):
    _, result = demo
    text = rv.to_markdown(result)
    first = text.splitlines()[1]
    assert first.startswith("### opslib change review:") and "approval required" in first
    assert text.count("<details") == text.count("</details>")


def test_non_production_change_is_ok(tmp_path, capsys):
    root = tmp_path / "infrastructure-live"
    shutil.copytree(SAMPLE, root)
    _init(tmp_path)
    unit = root / "non-prod/us-east-1/dev/sqs/terragrunt.hcl"
    unit.write_text(unit.read_text().replace("inputs = {", "# queue sizing reviewed\ninputs = {", 1))
    _commit(tmp_path, "comment")
    assert main(["review", str(root), "--base", "main", "--no-fmt", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "ok" and data["reasons"] == []
    assert {a["unit"] for a in data["affected"] if a["distance"] == 0} == {"non-prod/us-east-1/dev/sqs"}


def test_prod_ref_unpinned_or_backwards_renames_and_deletions(tmp_path):
    root = tmp_path / "infrastructure-live"
    shutil.copytree(SAMPLE, root)
    _init(tmp_path)
    vpc = root / "prod/us-east-1/prod/vpc/terragrunt.hcl"
    vpc.write_text(vpc.read_text().replace("?ref=v1.7.2", "?ref=v1.6.0"))
    sqs = root / "prod/us-east-1/prod/sqs/terragrunt.hcl"
    sqs.write_text(sqs.read_text().replace("?ref=v1.7.2", "?ref=main"))
    shutil.rmtree(root / "prod/us-east-1/prod/waf")
    (root / "mgmt/us-east-1/mgmt/sandbox").rename(root / "mgmt/us-east-1/mgmt/sandbox-2")
    _commit(tmp_path, "refs, a deleted and a renamed unit")
    result = rv.review(root, "main", check_format=False)
    problems = dict(zip(result.refs["unit"], result.refs["problem"], strict=True))
    assert problems["prod/us-east-1/prod/vpc"] == "goes backwards: v1.7.2 -> v1.6.0"
    assert problems["prod/us-east-1/prod/sqs"].startswith("unpinned ref main")
    assert "2 production refs unpinned or going backwards" in result.reasons
    statuses = set(result.files["status"])
    assert {"deleted", "renamed", "modified"} <= statuses
    affected = result.affected.set_index("unit")
    assert bool(affected.loc["prod/us-east-1/prod/waf", "deleted"])
    assert "mgmt/us-east-1/mgmt/sandbox-2" in affected.index


def test_sarif_from_other_scanners_is_split_by_changed_lines(demo, tmp_path):
    root, _ = demo
    top = root.parent
    changed = "infrastructure-live/non-prod/us-east-1/staging/elasticache/terragrunt.hcl"
    line = next(i for i, t in enumerate((top / changed).read_text().splitlines(), 1) if "admin_password" in t)

    def result(uri: str, at: int, rule: str) -> dict:
        region = {"startLine": at}
        location = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}
        return {"ruleId": rule, "level": "error", "message": {"text": rule}, "locations": [location]}

    log = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "checkov"}},
                "results": [
                    result(changed, line, "CKV_SECRET_6"),
                    result("infrastructure-live/prod/us-east-1/prod/kms/terragrunt.hcl", 3, "CKV_AWS_7"),
                ],
            }
        ],
    }
    path = tmp_path / "checkov.sarif"
    path.write_text(json.dumps(log))
    found = rv.review(root, "main", sarif=[path], check_format=False).findings
    theirs = found[found["tool"] == "checkov"].set_index("rule_id")
    assert theirs.loc["CKV_SECRET_6", "state"] == "introduced"
    assert theirs.loc["CKV_SECRET_6", "unit"] == "non-prod/us-east-1/staging/elasticache"
    assert theirs.loc["CKV_AWS_7", "state"] == "existing"
    assert theirs.loc["CKV_AWS_7", "unit"] == "prod/us-east-1/prod/kms"


def test_formatting_is_checked_or_skipped_with_a_reason(demo):
    root, _ = demo
    result = rv.review(root, "main")
    if shutil.which("terraform") or shutil.which("tofu"):
        # the demo's _envcommon edit leaves two blank lines: fmt rewrites it
        assert "infrastructure-live/_envcommon/rds.hcl" in set(result.formatting["path"])
        assert any(n.startswith("formatting checked with") for n in result.notes)
    else:
        assert any(n.startswith("formatting not checked") for n in result.notes)


def test_four_thousand_units_fit_in_one_comment(demo):
    _, result = demo
    many = pd.DataFrame(
        {
            "unit": [f"prod/us-east-1/prod/service-{i:04d}" for i in range(4000)],
            "distance": [i % 4 for i in range(4000)],
            "reason": ["reads root.hcl"] * 4000,
            "environment": ["prod"] * 4000,
            "account": ["prod"] * 4000,
            "production": [True] * 4000,
            "deleted": [False] * 4000,
        }
    )
    findings = pd.concat([result.findings] * 400, ignore_index=True).assign(state="introduced")
    big = rv.Review(**{**result.__dict__, "affected": many, "findings": findings})
    text = rv.to_markdown(big)
    assert len(text) < rv.COMMENT_LIMIT
    assert "_and 3,950 more_" in text
    assert text.count("<details") == text.count("</details>")

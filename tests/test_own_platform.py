"""Reports on a platform of one's own: nothing from the bundled sample, ever.

A copy of a real-shaped live repository (``fixtures/live_repo``: a history and a tree only) goes
through ``opslib init`` and ``opslib report all``; then every report runs with every single input given
alone, and no sample identifier (unit paths, amounts, incident id, run-report units, history ids) may
appear in any HTML page, executed notebook, summary JSON or the command's output. Each run happens once
(module-scoped) and every assertion reads its files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import opslib
from opslib import drift
from opslib._paths import sample_dir
from opslib.cli import cli
from opslib.project import INPUTS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("own_platform")]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def sample_identifiers() -> set[str]:
    """Strings that only the bundled sample has: seeing one in a user's report means it leaked in."""
    from opslib.costs.report import build_cost_report
    from opslib.runbook.rehearsal import SAMPLE_INCIDENT

    sample = sample_dir()
    units = set(opslib.load_tree(sample / "infrastructure-live").units["unit"])
    runs = set(opslib.load_run_report(sample / "run-reports")["unit"])
    history = set(opslib.load_history(sample / "project")["id"])
    costs = build_cost_report(
        costs=sample / "costs" / "infracost-breakdown.json",
        baseline=sample / "costs" / "infracost-baseline.json",
    )
    amounts = {f"{costs.total_monthly:,.2f}", f"{costs.total_monthly * 12:,.2f}"}
    assert "6,537.28" in amounts  # the figure the issue saw on a user's cost page
    found = units | runs | history | amounts | {SAMPLE_INCIDENT["incident_id"], "acme-platform", "acme-corp"}
    return {s for s in found if len(s) >= 8}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One path per project input, none of them from the sample."""
    base = tmp_path_factory.mktemp("inputs")
    repo = base / "repo"
    shutil.copytree(FIXTURES / "live_repo", repo)
    plans = base / "plans"
    (plans / "shop/ap-southeast-2/cdn").mkdir(parents=True)
    shutil.copy(
        FIXTURES / "plan_formats" / "hand-show-moved-drift.json",
        plans / "shop/ap-southeast-2/cdn/tfplan.json",
    )
    store = base / "drift-store"
    drift.record(opslib.load_plans(plans), store, at="2026-11-20T06:00:00Z")
    drift.record(opslib.load_plans(plans), store, at="2026-11-27T06:00:00Z")
    paths = {
        "history": repo / "project",
        "tree": repo / "terragrunt",
        "plans": plans,
        "run_reports": FIXTURES / "live_inputs" / "run-reports",
        "costs": FIXTURES / "infracost_formats" / "breakdown-new-project.json",
        "costs_baseline": FIXTURES / "infracost_formats" / "breakdown-usage-based.json",
        "runbooks": FIXTURES / "live_inputs" / "runbooks",
        "drift_store": store,
    }
    assert set(paths) == set(INPUTS)
    return paths


def _run(args: list[str], cwd: Path) -> tuple[int, str]:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=cwd):
        result = runner.invoke(cli, args, standalone_mode=False, catch_exceptions=False)
    return (result.return_value or 0), result.output


#: each input alone (every report), and the incident walkthrough on its pair (a runbook and a history)
CASES = {**{key: ("all", [key]) for key in INPUTS}, "runbooks+history": ("incident", ["runbooks", "history"])}


@pytest.fixture(scope="module")
def single_runs(
    inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, str, Path]]:
    """``opslib report all -p KEY PATH`` once per input: (exit code, stdout, output folder)."""
    done = {}
    for case, (report, keys) in CASES.items():
        out = tmp_path_factory.mktemp(f"only-{case.replace('+', '-')}")
        given = [arg for key in keys for arg in ("-p", key, str(inputs[key]))]
        code, text = _run(["report", report, *given, "--out", str(out), "--jobs", "2"], out)
        done[case] = (code, text, out)
    return done


def test_init_and_report_all_on_a_history_and_a_tree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "live_repo", repo)
    code, text = _run(["init", str(repo)], tmp_path)
    assert code == 0 and "found    history" in text and "found    tree" in text
    code, text = _run(["report", "all", "--project", str(repo), "--jobs", "2"], tmp_path)
    assert code == 0, text
    out = repo / "reports"  # the project's [reports] out
    assert (out / "overview.html").exists() and (out / "failure_analysis.html").exists()
    for name, needs in (
        ("cost_report", "costs"),
        ("drift_report", "plans"),
        ("incident_runbook", "runbooks"),
    ):
        assert f"{name:<20} skipped: {name} needs {needs}" in text
        assert not (out / f"{name}.html").exists()
    assert "3 ok, 4 skipped, 0 failed" in text  # no git here: no change to review
    overview = json.loads((out / "overview.summary.json").read_text())
    assert overview["units"] == 5 and overview["events"] == 14 and overview["sample"] is False
    assert "Sample data" not in (out / "index.html").read_text()
    # --strict: a skipped report is a failure (the reports that can run still run)
    code, text = _run(["report", "drift", "--project", str(repo), "--strict"], tmp_path)
    assert code == 1 and "skipped" in text


@pytest.mark.parametrize("key", list(CASES))
def test_a_single_input_never_brings_sample_data(
    key: str, single_runs: dict[str, tuple[int, str, Path]], sample_identifiers: set[str]
) -> None:
    code, text, out = single_runs[key]
    assert code == 0, text
    assert "failed" in text and " 0 failed" in text
    artifacts = {"stdout": text}
    for path in sorted(out.iterdir()):
        if path.suffix in (".html", ".ipynb") or path.name.endswith(".summary.json"):
            artifacts[path.name] = path.read_text(encoding="utf-8")
    for where, content in artifacts.items():
        leaked = sorted(s for s in sample_identifiers if s in content)
        assert not leaked, f"{key} alone: sample identifiers in {where}: {leaked[:5]}"
        assert "Sample data" not in content, f"{key} alone: {where} says sample data"
    for summary in out.glob("*.summary.json"):
        info = json.loads(summary.read_text())
        assert info["sample"] is False and set(info["inputs"]) <= set(CASES[key][1])


def test_what_each_single_input_runs(single_runs: dict[str, tuple[int, str, Path]]) -> None:
    ran = {
        key: sorted(p.name.removesuffix(".html") for p in out.glob("*.html") if p.name != "index.html")
        for key, (_, _, out) in single_runs.items()
    }
    assert ran == {
        "history": ["failure_analysis", "overview"],
        "tree": ["overview", "promotion_report"],
        "plans": ["drift_report"],
        "run_reports": [],
        "costs": ["cost_report"],
        "costs_baseline": [],
        "runbooks": [],
        "drift_store": ["drift_report"],
        "runbooks+history": ["incident_runbook"],
    }
    drift_only_store = json.loads((single_runs["drift_store"][2] / "drift_report.summary.json").read_text())
    assert drift_only_store["headline"].startswith("drift: unknown — 0 plans read")
    incident = json.loads((single_runs["runbooks+history"][2] / "incident_runbook.summary.json").read_text())
    assert incident["incident_id"] == "rehearsal-storefront-slow" and incident["steps"] == 9
    cost = json.loads((single_runs["costs"][2] / "cost_report.summary.json").read_text())
    assert cost["resources"] == 2 and "over 2 resources" in cost["headline"]  # the file's own, no sample tree

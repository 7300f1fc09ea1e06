"""The project file: loading, errors naming file and key, discovery for `opslib init`, the CLI's
refusals, one plan per unit and submodules on demand. No kernel starts here."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opslib import reports
from opslib.cli import main
from opslib.errors import ConfigError, MissingInputError, ParameterError
from opslib.plans import load_plans, summary
from opslib.project import (
    Project,
    discover,
    find_project_file,
    report_inputs,
    skip_reason,
    write_project_file,
)

FIXTURES = Path(__file__).parent / "fixtures"
LIVE = FIXTURES / "live_repo"
FORMATS = FIXTURES / "plan_formats"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(LIVE, target)
    return target


def test_load_resolves_paths_relative_to_the_file(repo: Path) -> None:
    (repo / "opslib.toml").write_text(
        '[inputs]\nhistory = "project"\ntree = "terragrunt"\n[reports]\nout = "site"\nstale_after_days = 3\n'
    )
    project = Project.load(repo)
    assert project.path("history") == (repo / "project").resolve()
    assert project.settings.out == repo / "site" and project.settings.stale_after_days == 3
    assert project.has("tree") and not project.has("plans")
    assert len(project.history()) == 14 and len(project.tree().units) == 5
    read = project.inputs_read()
    assert read.set_index("input").loc["history", "rows"] == 14
    assert read.set_index("input").loc["plans", "note"].startswith("not given: set inputs.plans")
    with pytest.raises(ConfigError, match="'plans' is not given"):
        project.plans()


def test_pyproject_tool_table_and_nearest_file(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.opslib.inputs]\nhistory = "project"\n')
    deep = repo / "terragrunt" / "core"
    assert find_project_file(deep) == repo / "pyproject.toml"
    assert Project.find(deep).has("history")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[inputs]\nhistroy = "project"\n', "inputs.histroy"),
        ('[inputs]\nplans = "plans"\n', "inputs.plans"),
        ("[reports]\ncost_treshold = 5\n", "reports.cost_treshold"),
        ('[reports]\nstale_after_days = "soon"\n', "reports.stale_after_days"),
        ("[output]\nx = 1\n", "output"),
        ("[inputs\n", "not valid TOML"),
    ],
)
def test_bad_project_file_names_file_and_key(repo: Path, text: str, key: str) -> None:
    (repo / "opslib.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        Project.load(repo / "opslib.toml")
    assert str(repo / "opslib.toml") in str(err.value) and key in str(err.value)


def test_pyproject_keys_are_named_with_their_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.opslib.inputs]\ntrees = "terragrunt"\n')
    with pytest.raises(ConfigError, match=r"tool\.opslib\.inputs\.trees"):
        Project.load(repo)


def test_init_finds_the_history_and_the_tree_and_never_overwrites(repo: Path) -> None:
    assert main(["init", str(repo)]) == 0
    text = (repo / "opslib.toml").read_text()
    assert 'history = "project"' in text and 'tree = "terragrunt"' in text
    assert '# plans = "plans"' in text and '# costs = "infracost.json"' in text  # missing: commented out
    project = Project.load(repo)
    assert sorted(project.inputs) == ["history", "tree"]
    before = text
    with pytest.raises(ConfigError, match="already here"):
        write_project_file(repo)
    assert main(["init", str(repo)]) == 1
    assert (repo / "opslib.toml").read_text() == before


def test_discover_tells_plans_costs_run_reports_apart(tmp_path: Path) -> None:
    (tmp_path / "plans" / "app").mkdir(parents=True)
    shutil.copy(FORMATS / "tf1.11-show-generated.json", tmp_path / "plans" / "app" / "tfplan.json")
    shutil.copy(FORMATS / "tf1.11-plan-generated.log", tmp_path / "plans" / "app" / "plan.log")
    shutil.copy(FIXTURES / "infracost_formats" / "breakdown-new-project.json", tmp_path / "infracost.json")
    shutil.copy(
        FIXTURES / "infracost_formats" / "breakdown-usage-based.json", tmp_path / "infracost-base.json"
    )
    shutil.copytree(FIXTURES / "live_inputs" / "run-reports", tmp_path / "run-reports")
    shutil.copytree(FIXTURES / "live_inputs" / "runbooks", tmp_path / "runbooks")
    found = {key: path.relative_to(tmp_path).as_posix() for key, (path, _) in discover(tmp_path).items()}
    assert found == {
        "plans": "plans/app",
        "costs": "infracost.json",
        "costs_baseline": "infracost-base.json",
        "run_reports": "run-reports/2026-11-24-plan.csv",
        "runbooks": "runbooks",
    }


def test_requirements_and_skip_reasons(repo: Path) -> None:
    project = Project.from_paths(history=repo / "project", tree=repo / "terragrunt")
    assert skip_reason("overview", project) is None
    assert skip_reason("failure_analysis", project) is None
    assert skip_reason("drift_report", project) == (
        "drift_report needs plans or drift_store (set inputs.plans or -p plans PATH)"
    )
    assert "needs costs" in (skip_reason("cost_report", project) or "")
    assert "runbooks" in (skip_reason("incident_runbook", project) or "")
    estimate = project.override(costs="estimate")
    assert skip_reason("cost_report", estimate) is None
    assert "needs a tree" in (skip_reason("cost_report", Project.from_paths(costs="estimate")) or "")


def test_inputs_never_fall_back_to_the_sample(repo: Path) -> None:
    given = report_inputs("overview", project="", sample=False, history=str(repo / "project"))
    assert not given.sample and not given.has("tree")
    nothing = report_inputs("overview", project="", sample=None)
    assert nothing.sample  # a notebook opened with nothing at all: the sample, bannered
    with pytest.raises(ParameterError, match="sample data was asked for together with inputs"):
        report_inputs("overview", project="", sample=True, history=str(repo / "project"))


def test_run_report_refuses_a_report_without_its_inputs(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(MissingInputError, match="drift_report needs plans or drift_store"):
        reports.run_report("drift", {"tree": str(repo / "terragrunt")}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_wrong_parameter_type_fails_before_any_kernel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["report", "overview", "--sample", "-p", "weeks", "abc", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "parameter 'weeks' takes an int, not 'abc'" in err and "cell" not in err
    assert not out.exists()
    with pytest.raises(ParameterError, match="takes a float"):
        reports.notebook_values("cost_report", {"threshold": "lots"}, sample=True)
    values, _ = reports.notebook_values("cost_report", {"threshold": "250"}, sample=True)
    assert values["threshold"] == 250


def test_cli_without_project_or_inputs_asks_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "all"]) == 1
    err = capsys.readouterr().err
    assert "no opslib.toml" in err and "--sample" in err and "opslib init" in err
    assert main(["report", "all", "--sample", "-p", "history", "x"]) == 1
    assert "--sample cannot be combined" in capsys.readouterr().err


def test_skipped_reports_are_listed_and_strict_fails(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # only reports whose inputs are missing: no kernel starts
    (repo / "opslib.toml").write_text('[inputs]\nruns_dummy = "x"\n')
    with pytest.raises(ConfigError, match=r"inputs\.runs_dummy"):
        Project.load(repo)
    (repo / "opslib.toml").write_text('[inputs]\ntree = "terragrunt"\n')
    out = repo / "reports"
    assert main(["report", "drift", "--project", str(repo)]) == 0
    printed = capsys.readouterr().out
    assert "drift_report         skipped: drift_report needs plans or drift_store" in printed
    assert main(["report", "drift", "--project", str(repo), "--strict"]) == 1
    run = json.loads((out / "drift_report.run.json").read_text())
    assert run["status"] == "skipped" and "needs plans" in run["reason"]
    index = (out / "index.html").read_text()
    assert "needs plans" in index and "Sample data" not in index


def test_one_plan_per_unit_gives_terraforms_own_counts(tmp_path: Path) -> None:
    unit = tmp_path / "plans" / "app"
    unit.mkdir(parents=True)
    shutil.copy(FORMATS / "tf1.11-show-generated.json", unit / "tfplan.json")
    shutil.copy(FORMATS / "tf1.11-plan-generated.log", unit / "plan.log")
    told = next(
        json.loads(line)["changes"]
        for line in (unit / "plan.log").read_text().splitlines()
        if '"change_summary"' in line
    )
    changes = load_plans(tmp_path / "plans")
    row = summary(changes).set_index("unit").loc["app"]
    assert (row["add"], row["change"], row["destroy"]) == (told["add"], told["change"], told["remove"])
    assert set(changes["source_kind"]) == {"show-json"}
    assert [s["form"] for s in changes.attrs["superseded"]] == ["plan-log"]
    (unit / "tfplan.json").unlink()
    alone = load_plans(tmp_path / "plans")
    assert set(alone["source_kind"]) == {"plan-log"} and not alone.attrs["superseded"]


def test_submodules_on_demand_and_import_stays_light() -> None:
    code = (
        "import sys, opslib\n"
        "assert 'opslib.metrics' not in sys.modules and 'pandas' not in sys.modules\n"
        "assert callable(opslib.metrics.failure_rates) and callable(opslib.plans.load_plans)\n"
        "assert opslib.costs and opslib.drift and opslib.project.Project is opslib.Project\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_old_plans_are_flagged_stale_in_the_headline(tmp_path: Path) -> None:
    import os

    unit = tmp_path / "plans" / "app"
    unit.mkdir(parents=True)
    shutil.copy(FORMATS / "tf1.11-show-generated.json", unit / "tfplan.json")
    month_ago = (unit / "tfplan.json").stat().st_mtime - 30 * 86400
    os.utime(unit / "tfplan.json", (month_ago, month_ago))
    project = Project.from_paths(plans=tmp_path / "plans")
    project.plans()
    assert set(project.stale()) == {"plans"} and project.stale()["plans"] >= 30
    info = project.summary()
    assert info["inputs"]["plans"]["files"] == 1 and info["sample"] is False
    line = reports.headline({"headline": "drift found", **info})
    assert line.startswith("drift found; STALE: plans 3") and "days old" in line


def test_init_finds_a_tree_of_the_older_layout_by_its_root_terragrunt_hcl(tmp_path: Path) -> None:
    live = tmp_path / "live"
    (live / "prod" / "vpc").mkdir(parents=True)
    (live / "prod" / "eks").mkdir(parents=True)
    (live / "terragrunt.hcl").write_text('remote_state {\n  backend = "s3"\n}\n', encoding="utf-8")
    for unit in ("vpc", "eks"):
        (live / "prod" / unit / "terragrunt.hcl").write_text(
            "include {\n  path = find_in_parent_folders()\n}\n", encoding="utf-8"
        )
    # a module's example folder with its own terragrunt.hcl, but nothing below it: not a tree
    example = tmp_path / "modules" / "vpc" / "example"
    example.mkdir(parents=True)
    (example / "terragrunt.hcl").write_text("inputs = {}\n", encoding="utf-8")
    found = discover(tmp_path)
    assert found["tree"][0] == live
    assert found["tree"][1] == "older layout (a terragrunt.hcl above the units), 3 terragrunt.hcl files"
    # the layout with root.hcl wins wherever it is
    (tmp_path / "new-live" / "dev" / "vpc").mkdir(parents=True)
    (tmp_path / "new-live" / "root.hcl").write_text("locals {}\n", encoding="utf-8")
    assert discover(tmp_path)["tree"][0] == tmp_path / "new-live"


def test_init_takes_the_folder_holding_two_older_layout_roots(tmp_path: Path) -> None:
    for root in ("aws", "_global"):
        (tmp_path / "live" / root / "app").mkdir(parents=True)
        (tmp_path / "live" / root / "terragrunt.hcl").write_text("locals {}\n", encoding="utf-8")
        (tmp_path / "live" / root / "app" / "terragrunt.hcl").write_text("inputs = {}\n", encoding="utf-8")
    assert discover(tmp_path)["tree"][0] == tmp_path / "live"


def test_init_finds_no_tree_in_a_folder_of_lone_units(tmp_path: Path) -> None:
    for unit in ("a", "b"):
        (tmp_path / unit).mkdir()
        (tmp_path / unit / "terragrunt.hcl").write_text("inputs = {}\n", encoding="utf-8")
    assert "tree" not in discover(tmp_path)

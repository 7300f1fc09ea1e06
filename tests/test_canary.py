"""The canary suite: a distinct fake secret planted in every place a secret leaked from (tree inputs and
locals at any nesting, a token in ``terraform.source``, evaluation errors, stack values, plan map keys
and unmarked lists, infracost tags, the activity history's fields and free text). Every CLI command in
every format, every output of one ``opslib report all`` run (HTML, notebooks, summary JSON, index,
postmortem, stdout) and the cache folder are searched for each canary and for its first three characters
followed by ``*``: none may be found.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from opslib._paths import sample_dir
from opslib.cli import cli

# one worker runs the whole module: the planted copy and the report run are shared, built once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("canary")]

FIXTURE = Path(__file__).parent / "fixtures" / "canary"
UNIT = "prod/us-east-1/prod"

CANARIES: dict[str, str] = {
    "source token local": "glpat-Zq1CanarySourceTok99",
    "local quoted by errors, map key": "Zq2-canary-eval-Pw8",
    "secret list input": "Zq3-canary-list-Key7",
    "secret object input": "Zq4-canary-obj-Cred6",
    "secret deep in a list": "Zq5-canary-deep-Sec5",
    "plan sensitive value as a map key": "Zq6-canary-plan-Sens4",
    "plan unmarked passwords list": "Zq7-canary-plan-List3",
    "history AKIA key": "AKIAZQ8CANARYHIST9X1",
    "history password=": "Zq9-canary-hist-Assign2",
    "history Password: line": "Zq10-canary-hist-Line1",
    "history follow-up": "Zq11-canary-hist-Follow3",
    "history JSON field": "Zq12-canary-hist-Field4",
    "history **Password**: field": "Zq13-canary-hist-MdField5",
    "infracost tags.db_password": "Zq14-canary-cost-Tag6",
    "stack values": "Zq15-canary-stack-Val7",
}


def leaks(text: str) -> list[str]:
    """The canaries (or a canary's first 3 characters then ``*``) found in ``text``."""
    found = []
    for what, secret in CANARIES.items():
        if secret in text:
            found.append(f"{what}: {secret}")
        elif secret[:3] + "*" in text:
            found.append(f"{what}: {secret[:3]}*")
    return found


def _plant(root: Path) -> dict[str, Path]:
    sample = sample_dir()
    live = root / "live"
    shutil.copytree(sample / "infrastructure-live", live)
    shutil.copytree(FIXTURE / "tree" / "canary-app", live / UNIT / "canary-app")
    shutil.copytree(FIXTURE / "tree" / "canary-stack", live / UNIT / "canary-stack")
    plans = root / "plans"
    shutil.copytree(sample / "plans", plans, ignore=shutil.ignore_patterns("real-terraform"))
    (plans / UNIT / "canary-app").mkdir(parents=True)
    shutil.copy(FIXTURE / "plans" / "tfplan.json", plans / UNIT / "canary-app" / "tfplan.json")
    project = root / "project"
    shutil.copytree(sample / "project", project)
    history = json.loads((project / "project_history.json").read_text())
    history["entries"].append(json.loads((FIXTURE / "history-entry.json").read_text()))
    (project / "project_history.json").write_text(json.dumps(history, indent=2))
    with (project / "PROJECT_HISTORY.md").open("a") as handle:
        handle.write((FIXTURE / "history-entry.md").read_text())
    costs = root / "costs"
    shutil.copytree(sample / "costs", costs)
    breakdown = json.loads((costs / "infracost-breakdown.json").read_text())
    resource = next(p for p in breakdown["projects"] if p["breakdown"]["resources"])["breakdown"][
        "resources"
    ][0]
    resource["tags"] = {**(resource.get("tags") or {}), "db_password": CANARIES["infracost tags.db_password"]}
    (costs / "infracost-breakdown.json").write_text(json.dumps(breakdown))
    shutil.copytree(sample / "run-reports", root / "run-reports")
    shutil.copytree(sample / "drift-history", root / "drift-history")
    shutil.copytree(sample / "runbooks", root / "runbooks")
    planted = "\n".join(p.read_text() for p in root.rglob("*") if p.is_file() and p.suffix != ".csv")
    assert not set(CANARIES.values()) - {s for s in CANARIES.values() if s in planted}, (
        "a canary is not planted"
    )
    return {
        "root": root,
        "live": live,
        "plans": plans,
        "project": project,
        "costs": costs,
        "cache": root / "cache",
    }


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("canary")
    paths = _plant(root)
    paths["cache"].mkdir()
    return paths


def _run(paths: dict[str, Path], args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(paths["cache"]))
    monkeypatch.chdir(paths["root"])
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return f"{result.stdout}\n{result.stderr}"


def _commands(p: dict[str, Path]) -> list[list[str]]:
    live, plans, project = str(p["live"]), str(p["plans"]), str(p["project"])
    breakdown = str(p["costs"] / "infracost-breakdown.json")
    runbook = str(p["root"] / "runbooks" / "database-failover.md")
    table_json_csv = ("table", "json", "csv")
    commands: list[list[str]] = []
    for fmt in table_json_csv:
        commands += [
            ["history", "show", project, "--format", fmt, "--all-columns", "-n", "5"],
            ["history", "query", project, "--format", fmt, "--all-columns", "--tags", "security"],
            ["history", "check", project, "--format", fmt],
            ["tree", "units", live, "--format", fmt],
            ["tree", "deps", live, "--format", fmt],
            ["tree", "order", live, "--format", fmt],
            ["tree", "blast-radius", f"{UNIT}/canary-app", "--root", live, "--format", fmt],
            ["plan", "show", plans, "--format", fmt],
            ["plan", "summary", plans, "--format", fmt],
            ["cost", "show", breakdown, "--format", fmt, "--tree", live],
            ["cost", "estimate", plans, "--format", fmt],
            ["failures", "rates", project, "--format", fmt],
            ["failures", "recoveries", project, "--format", fmt],
            ["failures", "dora", project, "--format", fmt],
            ["drift", "show", plans, "--format", fmt, "--tree", live],
            ["incident", "steps", runbook, "--format", fmt],
            ["promote", "refs", live, "--format", fmt],
            ["promote", "lag", live, "--format", fmt],
        ]
    for fmt in ("dot", "mermaid", "json"):
        commands.append(["tree", "graph", live, "--format", fmt])
    for fmt in ("table", "json", "sarif"):
        commands.append(["lint", live, "--format", fmt])
    for fmt in ("text", "json"):
        commands.append(["cost", "check", breakdown, "--format", fmt])
    commands.append(
        [
            "incident", "postmortem", runbook, "--incident-id", "INC-1", "--service", "api",
            "--history", project, "--tree", live, "--plans", plans, "--stdout",
            "--started-at", "2026-11-21T08:30:00Z",
        ]
    )  # fmt: skip
    return commands


def test_every_cli_command_and_format_masks_every_canary(
    canary: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    found: dict[str, list[str]] = {}
    for args in _commands(canary):
        started = time.perf_counter()
        text = _run(canary, args, monkeypatch)
        print(f"{time.perf_counter() - started:5.1f}s {' '.join(args[:2])}")
        if leaked := leaks(text):
            found[" ".join(a.replace(str(canary["root"]), "") for a in args)] = leaked
    assert not found, json.dumps(found, indent=1)


def test_lint_finds_the_planted_secrets_without_showing_them(
    canary: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(canary["cache"]))
    result = CliRunner().invoke(
        cli, ["lint", str(canary["live"]), "--format", "json"], catch_exceptions=False
    )
    rows = json.loads(result.stdout)
    tg008 = {(r["path"], r["line"]) for r in rows if r["rule_id"] == "TG008"}
    assert (f"{UNIT}/canary-stack/terragrunt.stack.hcl", 6) in tg008
    assert {line for path, line in tg008 if path.endswith("canary-app/terragrunt.hcl")} >= {6, 7, 18, 19, 20}


@pytest.fixture(scope="module")
def report_run(canary: dict[str, Path]) -> dict[str, Any]:
    """One ``opslib report all`` over the planted data (it is slow: every test below shares it)."""
    out = canary["root"] / "reports"
    before = os.environ.get("OPSLIB_CACHE_DIR")
    os.environ["OPSLIB_CACHE_DIR"] = str(canary["cache"])
    try:
        args = ["report", "all", "--out", str(out), "--jobs", "2"]
        for key, value in (
            ("tree", canary["live"]),
            ("history", canary["project"]),
            ("plans", canary["plans"]),
            ("costs", canary["costs"] / "infracost-breakdown.json"),
            ("run_reports", canary["root"] / "run-reports"),
            ("drift_history", canary["root"] / "drift-history"),
            ("runbook", canary["root"] / "runbooks" / "database-failover.md"),
        ):
            args += ["-p", key, str(value)]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        if before is None:
            os.environ.pop("OPSLIB_CACHE_DIR", None)
        else:
            os.environ["OPSLIB_CACHE_DIR"] = before
    return {"out": out, "stdout": result.output, "exit_code": result.exit_code}


def test_report_all_outputs_mask_every_canary(report_run: dict[str, Any]) -> None:
    out: Path = report_run["out"]
    files = [p for p in out.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".html", ".ipynb", ".json"} <= kinds, kinds
    found = {"stdout": leaks(report_run["stdout"])}
    for path in files:
        found[str(path.relative_to(out))] = leaks(path.read_text(errors="replace"))
    assert not any(found.values()), json.dumps({k: v for k, v in found.items() if v}, indent=1)


def test_the_reports_still_show_the_planted_rows(report_run: dict[str, Any]) -> None:
    """The canary entry and unit are there, masked: the masking hid values, not rows."""
    text = "\n".join(p.read_text(errors="replace") for p in report_run["out"].rglob("*.html"))
    assert "Rotate database credentials" in text and "canary-app" in text


def test_cache_folder_holds_no_canary_and_is_private(
    canary: dict[str, Path], report_run: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(canary, ["tree", "units", str(canary["live"])], monkeypatch)  # the tree cache is written
    _run(canary, ["history", "show", str(canary["project"])], monkeypatch)
    cache = canary["cache"]
    files = [p for p in cache.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert files, "nothing was cached"
    for folder in [p for p in cache.rglob("*") if p.is_dir()]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    history_files = [p for p in files if "history" in p.parts]
    assert history_files
    for path in history_files:  # the history cache holds the masked frame
        assert not leaks(path.read_bytes().decode("utf-8", "replace")), path

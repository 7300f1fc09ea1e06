"""Docs that cannot drift: docs/columns.md matches the frames, the README names every CLI subcommand."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import opslib
from opslib import promotion
from opslib.cli import cli

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"


def _documented() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in (REPO / "docs" / "columns.md").read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current and (match := re.match(r"\| `([a-z_]+)` \|", line)):
            sections[current].append(match.group(1))
    return sections


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    tree = opslib.load_tree(SAMPLE / "infrastructure-live")
    timeline = promotion.timeline(opslib.load_history(SAMPLE / "project"), tree)
    return {
        "load_history": opslib.load_history(SAMPLE / "project"),
        "TerragruntTree.units": tree.units,
        "TerragruntTree.dependencies": tree.dependencies,
        "TerragruntTree.files": tree.files,
        "TerragruntTree.errors": tree.errors,
        "lint": opslib.lint(tree),
        "load_plans": opslib.load_plans(SAMPLE / "plans", tree=tree),
        "load_run_report": opslib.load_run_report(SAMPLE / "run-reports"),
        "load_costs": opslib.load_costs(SAMPLE / "costs" / "infracost-breakdown.json", tree=tree),
        "load_runbook": opslib.load_runbook(SAMPLE / "runbooks" / "service-outage.md"),
        "promotion.refs": promotion.refs(tree),
        "promotion.lag": promotion.lag(tree, "staging", "prod"),
        "promotion.timeline": timeline,
        "promotion.lead_times": promotion.lead_times(timeline),
    }


def test_every_frame_has_exactly_the_documented_columns(frames: dict[str, pd.DataFrame]) -> None:
    documented = _documented()
    assert set(documented) == set(frames)
    for name, frame in frames.items():
        assert list(frame.columns) == documented[name], name


def test_estimate_has_the_columns_of_load_costs(frames: dict[str, pd.DataFrame]) -> None:
    estimate = opslib.estimate_costs(frames["load_plans"])
    assert list(estimate.columns) == list(frames["load_costs"].columns)


def test_readme_names_every_cli_subcommand() -> None:
    readme = (REPO / "README.md").read_text()
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert f"`opslib {name}" in readme, f"README's CLI table does not mention `opslib {name}`"


def test_readme_quick_start_is_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick, flags=re.MULTILINE)
    assert commands == ["make report", "make test"]

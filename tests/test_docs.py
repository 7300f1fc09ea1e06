"""Docs that cannot drift: docs/columns.md matches the frames, the README names every CLI subcommand."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import opslib
from opslib import promotion
from opslib.cli import cli
from opslib.present.kinds import kind_of

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"


def _documented_kinds() -> dict[str, dict[str, str]]:
    """{section: {column: kind}} from docs/columns.md, in the page's order."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in (REPO / "docs" / "columns.md").read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = {}
        elif current and (match := re.match(r"\| `([a-z_]+)` \| ([^|]+) \|", line)):
            sections[current][match.group(1)] = match.group(2).strip()
    return sections


def _documented() -> dict[str, list[str]]:
    return {section: list(columns) for section, columns in _documented_kinds().items()}


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


def _fits(kind: str, series: pd.Series) -> bool:
    """The values can be shown as ``kind``: a money column holds numbers, a list column lists..."""
    values = series.dropna().tolist()
    if kind.startswith(("money", "percent", "duration", "count", "number")):
        return all(isinstance(v, (int, float, Decimal, pd.Timedelta)) for v in values)
    if kind == "timestamp":
        return pd.api.types.is_datetime64_any_dtype(series) or series.dropna().empty
    if kind in ("list", "commands", "argv"):
        return all(isinstance(v, (list, tuple)) for v in values)
    if kind == "bool":
        return all(isinstance(v, (bool, np.bool_)) for v in values)
    if kind == "dict":
        return all(isinstance(v, (dict, str)) for v in values)  # a masked object is a string
    return all(not isinstance(v, (list, dict)) for v in values)


def test_every_documented_kind_is_declared_and_fits_the_values(frames: dict[str, pd.DataFrame]) -> None:
    for name, kinds in _documented_kinds().items():
        for column, documented in kinds.items():
            assert documented == str(kind_of(column, frame=name)), f"{name}.{column}: docs say {documented}"
            assert _fits(documented, frames[name][column]), (
                f"{name}.{column} does not hold {documented} values"
            )


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


def test_no_user_facing_text_speaks_of_a_seed() -> None:
    """Users know the team's Terragrunt standards, the DevOps playbook and the cost gate, not our
    reference material: docs, notebooks and the rules' words never call it "the seed"."""
    from opslib.rules.registry import all_rules

    texts = {str(p.relative_to(REPO)): p.read_text() for p in [REPO / "README.md", *REPO.glob("docs/*.md")]}
    texts |= {str(p.relative_to(REPO)): p.read_text() for p in REPO.glob("notebooks/*.ipynb")}
    texts |= {rule.id: " ".join((rule.title, rule.rationale, rule.fix)) for rule in all_rules()}
    speaking = {name for name, text in texts.items() if re.search(r"\bseed\b", text, flags=re.IGNORECASE)}
    assert not speaking

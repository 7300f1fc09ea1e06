"""Every HTML report opened in headless Chromium: no console errors, nothing fetched from the network,
every plotly figure rendered, tables present, and a layout a person can read at 1280 px (tables inside
the page or their own scroll box, no row that looks empty, no raw pandas value, every chart titled in
words, no "seed"). The same on an empty history, a one-event history and a tree without plans.
Screenshots go to pytest's temporary folders."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._browser import chromium_path, inspect_page, launch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("notebooks"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="playwright is not installed"),
    pytest.mark.skipif(
        chromium_path() is None,
        reason="no Chromium on this machine (apt-get install chromium); browser tests skipped",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch(playwright)
        yield instance
        instance.close()


def test_every_report_renders_offline(
    browser: Any, report_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, results = report_run
    assert results, "no reports ran"
    shots = tmp_path / "screenshots"
    for name in sorted(results):
        check = inspect_page(browser, (out / f"{name}.html").as_uri(), screenshot=shots / f"{name}.png")
        assert check.problems() == [], f"{name}: {check.problems()}"
        assert check.layout_problems() == [], f"{name}: {check.layout_problems()}"
        assert check.figures >= 1, f"{name}: no plotly figure in the report"
        assert check.tables >= 1, f"{name}: no table in the report"
    index = inspect_page(browser, (out / "index.html").as_uri(), screenshot=shots / "index.png")
    assert index.problems() == [] and index.tables == 1
    assert index.layout_problems() == []


#: one failed deployment, in our own words: every chart has a single point to draw
ONE_EVENT = {
    "entries": [
        {
            "id": "20261116-100547-devops_engineer",
            "timestamp": "2026-11-16T10:05:47Z",
            "agent": "devops-engineer",
            "action": {"type": "deployment", "description": "Apply the new health check to staging ecs-web"},
            "context": {"task": "Health check rollout", "category": "infrastructure"},
            "files": {"modified": ["infrastructure-live/non-prod/us-east-1/staging/ecs-web/terragrunt.hcl"]},
            "outcome": {"status": "failed", "summary": "Target group stayed unhealthy; rolled back."},
            "tags": ["deployment", "staging"],
        }
    ]
}

#: (data set, report, parameters): each report that reads the data, run on it
EDGE_RUNS = [
    ("empty-history", "overview", {"history": "{empty}"}),
    ("empty-history", "failure_analysis", {"history": "{empty}"}),
    # the incident walkthrough needs a runbook and the promotion report a tree: the sample's, named
    ("empty-history", "incident_runbook", {"history": "{empty}", "runbook": "{runbook}"}),
    ("empty-history", "promotion_report", {"history": "{empty}", "tree": "{tree}"}),
    ("one-event", "overview", {"history": "{one}"}),
    ("one-event", "failure_analysis", {"history": "{one}"}),
    ("no-plans", "drift_report", {"plans": "{plans}"}),
]


@pytest.fixture(scope="module")
def edge_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports above, run on an empty history, a one-event history and an empty plans folder."""
    import json

    from opslib import reports

    base = tmp_path_factory.mktemp("edge-reports")
    files = {"empty": base / "empty" / "project_history.json", "one": base / "one" / "project_history.json"}
    files["empty"].parent.mkdir()
    files["empty"].write_text(json.dumps({"entries": []}))
    files["one"].parent.mkdir()
    files["one"].write_text(json.dumps(ONE_EVENT))
    (base / "plans").mkdir()
    from opslib._paths import sample_dir

    paths = {
        "empty": str(files["empty"]),
        "one": str(files["one"]),
        "plans": str(base / "plans"),
        "runbook": str(sample_dir() / "runbooks" / "service-outage.md"),
        "tree": str(sample_dir() / "infrastructure-live"),
    }
    for data in sorted({d for d, _, _ in EDGE_RUNS}):
        chosen = [(name, params) for d, name, params in EDGE_RUNS if d == data]
        parameters = {name: {k: v.format(**paths) for k, v in params.items()} for name, params in chosen}
        results = reports.run_all([n for n, _ in chosen], parameters, out_dir=base / data, jobs=2)
        failed = [r for r in results if r.status != "ok"]
        assert not failed, [reports.error_of(r) for r in failed]
    return base


@pytest.mark.parametrize(("data", "name"), [(d, n) for d, n, _ in EDGE_RUNS])
def test_reports_on_empty_and_tiny_data_say_so_and_stay_readable(
    browser: Any, edge_run: Path, data: str, name: str, tmp_path: Path
) -> None:
    page = edge_run / data / f"{name}.html"
    check = inspect_page(browser, page.as_uri(), screenshot=tmp_path / f"{data}-{name}.png")
    assert check.problems() == [], f"{data}/{name}: {check.problems()}"
    assert check.layout_problems() == [], f"{data}/{name}: {check.layout_problems()}"
    if data != "one-event":
        # the section's own "No data for …" note, or the inputs' "given but empty — 0 rows read" one
        text = page.read_text()
        assert "No data for" in text or "given but empty" in text, f"{data}/{name}: no 'no data' note"


def test_the_layout_checks_catch_what_readers_tripped_over(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "raw.html"
    wide = "<td style='text-align:right'>" + "x" * 600 + "</td>"
    page.write_text(
        "<html><body><div style='overflow:hidden;width:600px'><table><tr>"
        "<td>0.269231</td><td>[&#39;a&#39;]</td><td>0 days 00:02:00</td><td>&lt;NA&gt;</td><td>True</td>"
        f"{wide}</tr></table></div>"
        "<p>The seed's /cost-estimate step</p></body></html>"
    )
    problems = " | ".join(inspect_page(browser, page.as_uri(), wait_ms=500).layout_problems())
    for raw in ("0.269231", "['a']", "0 days 00:02:00", "<NA>", "True"):
        assert f"raw value {raw!r}" in problems
    assert "is cut off" in problems and "seed" in problems


def test_a_broken_figure_is_caught(
    browser: Any, report_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = report_run
    page = (out / "overview.html").read_text()
    call = re.search(r"Plotly\.newPlot\(\s*\"", page)
    assert call, "no figure call in the report"
    broken = tmp_path / "broken.html"
    # one figure's drawing call broken: plotly.js throws and that figure draws no SVG
    broken.write_text(page[: call.start()] + "Plotly.newPlotMissing(" + page[call.start() + 15 :])
    check = inspect_page(browser, broken.as_uri(), wait_ms=2000)
    assert check.rendered < check.figures
    assert any("newPlotMissing" in e for e in check.errors)
    assert check.problems()


def test_a_page_that_fetches_from_the_network_is_caught(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "leaky.html"
    page.write_text(
        '<html><body><script src="https://cdn.example.invalid/x.js"></script><table></table></body></html>'
    )
    check = inspect_page(browser, page.as_uri(), wait_ms=500)
    assert check.external_requests == ["https://cdn.example.invalid/x.js"]

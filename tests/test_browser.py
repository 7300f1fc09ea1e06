"""Every HTML report opened in headless Chromium: no console errors, nothing fetched from the network,
every plotly figure rendered, tables present. Screenshots go to reports/screenshots/."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._browser import chromium_path, inspect_page, launch

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "reports" / "screenshots"
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


def test_every_report_renders_offline(browser: Any, report_run: tuple[Path, dict[str, Any]]) -> None:
    out, results = report_run
    assert results, "no reports ran"
    for name in sorted(results):
        check = inspect_page(browser, (out / f"{name}.html").as_uri(), screenshot=SCREENSHOTS / f"{name}.png")
        assert check.problems() == [], f"{name}: {check.problems()}"
        assert check.figures >= 1, f"{name}: no plotly figure in the report"
        assert check.tables >= 1, f"{name}: no table in the report"
    index = inspect_page(browser, (out / "index.html").as_uri(), screenshot=SCREENSHOTS / "index.png")
    assert index.problems() == [] and index.tables == 1


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

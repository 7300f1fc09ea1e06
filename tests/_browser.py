"""Headless Chromium for the browser tests: find it, launch it offline, and inspect a report page."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Chromium, started as the workplace's probe does: no background traffic, nothing to sign in to.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(playwright: Any) -> Any:
    exe = chromium_path()
    if exe is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); browser tests skipped")
    return playwright.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)


@dataclass
class PageCheck:
    """What a report page did in a real browser."""

    errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    figures: int = 0
    rendered: int = 0
    tables: int = 0

    def problems(self) -> list[str]:
        found = [f"console error: {e}" for e in self.errors]
        found += [f"request left the machine: {u}" for u in self.external_requests]
        if self.rendered < self.figures:
            found.append(f"only {self.rendered} of {self.figures} plotly figures rendered an SVG")
        return found


def inspect_page(
    browser: Any,
    url: str,
    *,
    allow_hosts: tuple[str, ...] = (),
    screenshot: Path | None = None,
    wait_ms: int = 8000,
) -> PageCheck:
    """Open ``url``, block and record any request that is not local, wait for figures, count things."""
    check = PageCheck()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda msg: check.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: check.errors.append(str(exc)))

    def _route(route: Any) -> None:
        target = route.request.url
        if target.startswith(LOCAL_SCHEMES) or any(target.startswith(h) for h in allow_hosts):
            route.continue_()
        else:
            check.external_requests.append(target)
            route.abort()

    page.route("**/*", _route)
    page.goto(url, wait_until="load")
    # plotly.js adds .js-plotly-plot only once it starts drawing: count the divs plotly.py wrote instead
    check.figures = page.locator("div.plotly-graph-div").count()
    rendered_js = (
        "[...document.querySelectorAll('div.plotly-graph-div')].filter(d => d.querySelector('svg.main-svg'))"
    )
    if check.figures:
        # a figure that never renders is reported by the counts below, not by a timeout here
        with contextlib.suppress(Exception):
            page.wait_for_function(f"n => {rendered_js}.length >= n", arg=check.figures, timeout=wait_ms)
    check.rendered = page.evaluate(f"{rendered_js}.length")
    check.tables = page.locator("table").count()
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return check

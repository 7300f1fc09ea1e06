"""Headless Chromium for the browser tests: find it, launch it offline, and inspect a report page."""

from __future__ import annotations

import contextlib
import re
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


#: a cell showing a raw Python/pandas value instead of a formatted one
RAW_REPR = re.compile(r"^\[.*\]$|\[['\"]|^(<NA>|NaN|NaT|None|True|False|nan)$|\b\d+ days \d\d:|\d\.\d{5,}")
SEED = re.compile(r"\bseed\b", re.IGNORECASE)

# Runs in the page: every table's place and every cell's text, every figure's titles, the page's text.
_LAYOUT_JS = r"""() => {
  const vw = document.documentElement.clientWidth;
  // a box that scrolls sideways counts only if it is the table's own: its scroll bar sits right under
  // the table, not at the end of a long output a reader never reaches
  const scroller = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') {
        const own = p.getBoundingClientRect().bottom - el.getBoundingClientRect().bottom < 60;
        return own ? p : null;
      }
    }
    return null;
  };
  const clipper = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'hidden' || o === 'clip') return p;
      if (o === 'auto' || o === 'scroll') return null;
    }
    return null;
  };
  const tables = [...document.querySelectorAll('table')].map((t, i) => {
    const box = scroller(t);
    const clip = clipper(t);
    const rect = t.getBoundingClientRect();
    const edge = clip ? clip.getBoundingClientRect().right : vw;
    const limit = box ? box.getBoundingClientRect().left + box.scrollWidth : edge;
    const rows = [...t.querySelectorAll('tr')].map(tr => {
      const cells = [...tr.children].map(c => {
        // where the text itself is drawn: right-aligned text in a wide cell can sit far off the cell's left
        const range = document.createRange();
        range.selectNodeContents(c);
        const r = range.getBoundingClientRect();
        return {text: c.innerText.trim(), left: r.left, right: r.right, width: r.width};
      });
      return {height: tr.getBoundingClientRect().height, cells};
    });
    const caption = (t.closest('.jp-OutputArea-output') || t.parentElement).innerText.slice(0, 60);
    const seen = Math.min(vw, box ? box.getBoundingClientRect().right : edge);
    return {i, right: rect.right, scrolls: !!box, limit, seen, rows, caption};
  });
  const figures = [...document.querySelectorAll('div.js-plotly-plot')].map(gd => {
    const layout = gd._fullLayout || {};
    const axes = Object.keys(layout).filter(k => /^[xy]axis\d*$/.test(k) && layout[k].visible !== false)
      .map(k => ({name: k, title: (layout[k].title && layout[k].title.text) || ''}));
    return {title: (layout.title && layout.title.text) || '', axes};
  });
  return {vw, tables, figures, text: document.body.innerText};
}"""


@dataclass
class PageCheck:
    """What a report page did in a real browser."""

    errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    figures: int = 0
    rendered: int = 0
    tables: int = 0
    layout: list[str] = field(default_factory=list)

    def layout_problems(self) -> list[str]:
        """What a reader would trip over: tables off the page, hidden rows, raw reprs, untitled charts."""
        return list(self.layout)

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
    check.layout = _layout_problems(page.evaluate(_LAYOUT_JS))
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return check


def _layout_problems(found: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for table in found["tables"]:
        where = f"table {table['i']} ({table['caption'].splitlines()[0] if table['caption'] else ''!r})"
        if table["right"] > found["vw"] + 1 and not table["scrolls"]:
            problems.append(f"{where} runs past the viewport: right edge at {table['right']:.0f} px")
        for number, row in enumerate(table["rows"]):
            texts = [c["text"] for c in row["cells"]]
            if row["height"] < 2 or not any(texts):
                problems.append(f"{where} row {number} shows no text")
            elif not any(c["text"] and c["left"] < table["seen"] - 4 for c in row["cells"]):
                problems.append(f"{where} row {number} looks empty: its text starts beyond the visible part")
            for cell in row["cells"]:
                if cell["text"] and (cell["right"] > table["limit"] + 1 or cell["width"] < 1):
                    problems.append(f"{where} row {number}: {cell['text'][:40]!r} is cut off")
                if RAW_REPR.search(cell["text"]):
                    problems.append(f"{where} row {number}: raw value {cell['text'][:60]!r}")
    for number, figure in enumerate(found["figures"]):
        if not figure["title"].strip():
            problems.append(f"figure {number} has no title")
        for axis in ("x", "y"):
            titles = [a["title"] for a in figure["axes"] if a["name"].startswith(axis)]
            if not any(t.strip() for t in titles):
                problems.append(f"figure {number} ({figure['title']!r}): no {axis} axis title")
        for axis in figure["axes"]:
            if "_" in axis["title"]:
                problems.append(f"figure {number} ({figure['title']!r}): axis title {axis['title']!r}")
    if SEED.search(found["text"]):
        problems.append("the page speaks of a seed")
    return problems

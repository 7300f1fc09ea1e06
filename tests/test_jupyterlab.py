"""A real JupyterLab: the notebooks are listed over its REST API, a kernel runs a notebook's cells, and
(with Chromium) the incident notebook's checklist widgets render in the JupyterLab UI."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from opslib._paths import notebooks_dir
from tests._browser import chromium_path, launch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("jupyterlab")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Lab:
    def __init__(self, port: int, token: str, root: Path) -> None:
        self.port, self.token, self.root = port, token, root
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.base}{path}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("lab")
    for notebook in notebooks_dir().glob("*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    home = tmp_path_factory.mktemp("jupyter-home")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "run"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    env.pop("OPSLIB_SUMMARY_PATH", None)
    port, token = _free_port(), uuid.uuid4().hex
    log = (home / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False",
            "--allow-root",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    server = Lab(port, token, root)
    try:
        # a loaded 2-core machine can take minutes to start the server; a dead process fails at once
        deadline = time.monotonic() + 300
        while True:
            try:
                server.get("/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start: {(home / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_rest_api_lists_the_notebooks(lab: Lab) -> None:
    listed = {item["name"] for item in lab.get("/api/contents")["content"]}
    assert {p.name for p in notebooks_dir().glob("*.ipynb")} <= listed
    model = lab.get("/api/contents/overview.ipynb")
    assert model["type"] == "notebook" and model["content"]["metadata"]["kernelspec"]["name"] == "python3"


async def _execute(lab: Lab, kernel_id: str, sources: list[str]) -> list[dict[str, Any]]:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels"
    conn = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {lab.token}"}))
    replies = []
    session = uuid.uuid4().hex
    for code in sources:
        msg_id = uuid.uuid4().hex
        await conn.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": "test",
                        "session": session,
                        "msg_type": "execute_request",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        while True:
            raw = await asyncio.wait_for(conn.read_message(), timeout=120)
            assert raw is not None, "kernel websocket closed"
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") == msg_id and message["channel"] == "shell":
                replies.append(message["content"])
                break
    conn.close()
    return replies


def test_kernel_runs_a_notebooks_cells(lab: Lab) -> None:
    kernel = lab.post("/api/kernels", {"name": "python3"})
    nb = nbformat.read(str(lab.root / "overview.ipynb"), as_version=4)
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    replies = asyncio.run(_execute(lab, kernel["id"], [*sources, "assert len(live.units) > 0"]))
    assert [r["status"] for r in replies] == ["ok"] * len(replies), [
        r for r in replies if r["status"] != "ok"
    ]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the JupyterLab screenshots go: pytest's temporary folders, never the checkout."""
    return tmp_path_factory.mktemp("jupyterlab-screenshots")


# a cell still running shows "[*]" as its prompt
_ALL_CELLS_RAN = """() => {
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')];
    return prompts.length > 0 && !prompts.some(p => p.textContent.includes('*'));
}"""


def _settled_outputs(page: Any, timeout_s: float = 120) -> int:
    """The number of output areas once the notebook has stopped changing.

    Counting while cells still run or widgets still draw gives a number that depends on the machine's
    load (once 9 instead of 10): wait for an idle kernel, no running cell, and the same count twice.
    """
    page.wait_for_selector(".jp-StatusBar-Widget:has-text('| Idle')", timeout=timeout_s * 1000)
    page.wait_for_function(_ALL_CELLS_RAN, timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    count = page.locator(".jp-OutputArea-output").count()
    while time.monotonic() < deadline:
        page.wait_for_timeout(750)
        again = page.locator(".jp-OutputArea-output").count()
        if again == count:
            return count
        count = again
    raise AssertionError(f"output areas still changing after {timeout_s:.0f} s (last count {count})")


def needs_browser(test: Any) -> Any:
    """Mark a test as a browser test that skips, with the reason, where Chromium or playwright is missing."""
    marks = [
        pytest.mark.browser,
        pytest.mark.skipif(
            importlib.util.find_spec("playwright") is None, reason="playwright is not installed"
        ),
        pytest.mark.skipif(
            chromium_path() is None, reason="no Chromium on this machine (apt-get install chromium)"
        ),
    ]
    for mark in marks:
        test = mark(test)
    return test


@contextlib.contextmanager
def _notebook_page(lab: Lab, name: str, screenshots: Path) -> Iterator[Any]:
    """A JupyterLab tab on ``name`` with every cell run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # a workspace of its own: JupyterLab would otherwise restore the tabs of an earlier test
        workspace = uuid.uuid4().hex[:8]
        page.goto(f"{lab.base}/lab/workspaces/{workspace}/tree/{name}?reset&token={lab.token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
        # "Run All" before the kernel is up runs nothing: wait for the status bar to say Idle
        page.wait_for_selector(".jp-StatusBar-Widget:has-text('| Idle')", timeout=60_000)
        page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
        page.click("li.lm-Menu-item:has-text('Run All Cells')")
        try:
            yield page
        finally:
            page.screenshot(path=str(screenshots / f"jupyterlab-{Path(name).stem}.png"))
            browser.close()


@needs_browser
def test_incident_checklist_widgets_render_in_jupyterlab(lab: Lab, screenshots: Path) -> None:
    with _notebook_page(lab, "incident_runbook.ipynb", screenshots) as page:
        # JupyterLab renders off-screen cells lazily: wait for the buttons to exist, not to be on screen
        page.wait_for_selector(".jupyter-widgets button:has-text('Done')", state="attached", timeout=120_000)
        buttons = page.locator(".jupyter-widgets button:has-text('Done')").count()
    assert buttons >= 3


@needs_browser
def test_control_row_redraws_in_place_in_jupyterlab(lab: Lab, screenshots: Path) -> None:
    with _notebook_page(lab, "overview.ipynb", screenshots) as page:
        page.wait_for_selector(".jupyter-widgets select", state="attached", timeout=120_000)
        page.wait_for_selector("text=Events per week (last 26 weeks)", state="attached", timeout=60_000)
        before = _settled_outputs(page)
        page.locator(".jupyter-widgets select").first.select_option("sre-oncall")
        page.wait_for_selector(
            "text=Events per week (last 26 weeks, sre-oncall)", state="attached", timeout=60_000
        )
        # redrawn in place: the same output areas, not new ones appended below
        assert _settled_outputs(page) == before

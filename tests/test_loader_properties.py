"""Property tests: every loader, given arbitrary bytes or an arbitrary JSON/HCL-shaped document, returns a
frame or raises an ``OpslibError``, never another exception, and never runs away (each example runs under
an alarm, so a hang fails the test instead of stalling the suite)."""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opslib.errors import OpslibError

PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# JSON values shaped like the documents the loaders read: their keys, odd types, deep nesting
_KEYS = st.sampled_from(
    [
        "entries",
        "timestamp",
        "agent",
        "action",
        "outcome",
        "status",
        "tags",
        "files",
        "projects",
        "breakdown",
        "resources",
        "monthlyCost",
        "format_version",
        "resource_changes",
        "change",
        "actions",
        "before",
        "after",
        "Name",
        "Started",
        "Ended",
        "Result",
        "Args",
        "type",
        "@message",
        "x",
    ]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["2026-01-01T00:00:00Z", "1e308", "create", "update", "succeeded", "delete"])
)
JSON_DOCS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_KEYS | st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=30,
)
HCL_TOKENS = st.lists(
    st.sampled_from(
        [
            "locals {",
            "}",
            "inputs = {",
            "a = ",
            "b = ",
            "1",
            '"s"',
            '"${local.a}"',
            "local.a",
            "pow(10, 400)",
            'regex("(a+)+$", "aaaab")',
            "[",
            "]",
            ",",
            "\n",
            "<<EOF\nx\nEOF\n",
            'include "root" {',
            "path = find_in_parent_folders()",
            'dependency "x" {',
            'config_path = "../x"',
            "terraform {",
            'source = "git::https://example.com/m.git?ref=v1"',
            "#",
            "=",
            "{",
            "(",
            ")",
            "try(",
            "merge(",
        ]
    ),
    max_size=25,
).map(" ".join)


@contextlib.contextmanager
def _bounded(seconds: int = 30) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise AssertionError(f"no answer within {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _frame_or_opslib_error(load: Callable[[Path], Any], path: Path) -> None:
    with _bounded():
        try:
            result = load(path)
        except OpslibError:
            return
    frame = getattr(result, "frame", result)
    assert isinstance(frame, pd.DataFrame) or hasattr(result, "units")


def _history(path: Path) -> Any:
    from opslib.history import load_history

    return load_history(path, cache=False)


def _runs(path: Path) -> Any:
    from opslib.runs import load_run_report

    return load_run_report(path)


def _costs(path: Path) -> Any:
    from opslib.costs import load_costs

    return load_costs(path)


def _plans(path: Path) -> Any:
    from opslib.plans import load_plans

    return load_plans(path)


def _runbook(path: Path) -> Any:
    from opslib.runbook import load_runbook

    return load_runbook(path)


def _catalog(path: Path) -> Any:
    from opslib.costs.catalog import load_catalog

    load_catalog(path)  # a catalogue object, or a ParseError/SchemaError naming the line
    return pd.DataFrame()


def _drift(path: Path) -> Any:
    from opslib import drift

    runs, _ = drift.load_store(path.parent)
    drift.history(path.parent)
    return runs


LOADERS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "history-json": (_history, "project_history.json"),
    "history-md": (_history, "PROJECT_HISTORY.md"),
    "run-report-json": (_runs, "report.json"),
    "run-report-csv": (_runs, "report.csv"),
    "costs": (_costs, "infracost.json"),
    "plans": (_plans, "tfplan.json"),
    "runbook": (_runbook, "runbook.md"),
    "catalog": (_catalog, "prices.csv"),
    "drift-store": (_drift, "runs.jsonl"),
}


@pytest.mark.parametrize("kind", sorted(LOADERS))
@PROPERTY
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes(kind: str, data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    load, name = LOADERS[kind]
    path = tmp_path_factory.mktemp(kind) / name
    path.write_bytes(data)
    _frame_or_opslib_error(load, path)


@pytest.mark.parametrize("kind", [k for k in sorted(LOADERS) if LOADERS[k][1].endswith(("json", "jsonl"))])
@PROPERTY
@given(doc=JSON_DOCS)
def test_arbitrary_json_documents(kind: str, doc: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    load, name = LOADERS[kind]
    path = tmp_path_factory.mktemp(kind) / name
    text = json.dumps(doc)
    path.write_text(text.replace("\n", " ") + "\n" if name.endswith("jsonl") else text)
    _frame_or_opslib_error(load, path)


@PROPERTY
@given(text=HCL_TOKENS)
def test_arbitrary_hcl_units(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from opslib.terragrunt import load_tree

    root = tmp_path_factory.mktemp("tree")
    (root / "a").mkdir()
    (root / "a" / "terragrunt.hcl").write_text(text)
    (root / "b").mkdir()
    (root / "b" / "terragrunt.hcl").write_text("inputs = { y = 1 }\n")
    with _bounded():
        tree = load_tree(root, cache=False)
    assert "b" in set(tree.units["unit"])  # whatever unit a is, unit b loads


@PROPERTY
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_as_hcl(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    from opslib.terragrunt import load_tree

    root = tmp_path_factory.mktemp("tree")
    (root / "a").mkdir()
    (root / "a" / "terragrunt.hcl").write_bytes(data)
    with _bounded():
        tree = load_tree(root, cache=False)
    assert isinstance(tree.errors, pd.DataFrame)

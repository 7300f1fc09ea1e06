"""Every subcommand, driven with the ordinary mistakes: missing paths, folders where files go, garbage
files, outputs that cannot be written. Each ends with exit code 1 or 2 and one line
``opslib: error: ...`` on stderr naming the problem, never a traceback. Lenient readers given a garbage
file (``WARNED``) keep going instead: their stderr names the file and what is wrong with it.
"""

from __future__ import annotations

import os
import stat
import traceback
from pathlib import Path

import pytest

from opslib.cli import SUBCOMMANDS, main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
TREE = SAMPLE / "infrastructure-live"
RUNBOOK = SAMPLE / "runbooks" / "service-outage.md"
HISTORY = SAMPLE / "project"
PLANS = SAMPLE / "plans"

LOG = ["--agent", "a", "--action", "deployment", "--description", "d", "--status", "completed"]
PM = ["--incident-id", "X", "--service", "api"]

# (argv with placeholders) - {missing}: no such path, {dir}: an empty folder, {garbage}: random bytes
# named like the expected file, {file}: a regular file where a folder is needed, {ro}: a read-only
# folder, plus the sample inputs.
CASES: list[list[str]] = [
    ["report", "no-such-report"],
    ["report", "all", "--project", "{missing}"],
    ["report", "all", "--project", "{garbage}"],
    ["init", "{missing}"],
    ["init", "{file}"],
    ["report", "overview", "--out", "{file}"],
    ["report", "overview", "-p", "weeks", "abc", "--out", "{dir}"],
    ["history", "show", "{missing}"],
    ["history", "show", "{dir}"],
    ["history", "query", "{dir}", "--since", "not a date"],
    ["history", "check", "{missing}"],
    ["history", "log", "{file}/sub", *LOG],
    ["history", "log", "{ro}", *LOG],
    ["history", "log", "{dir}", *LOG, "--timestamp", "never"],
    ["history", "log", "{garbage_history}", *LOG],
    ["tree", "units", "{missing}"],
    ["tree", "units", "{file}"],
    ["tree", "deps", "{missing}"],
    ["tree", "order", "{file}"],
    ["tree", "graph", "{missing}"],
    ["tree", "blast-radius", "x", "--root", "{missing}"],
    ["lint", "{missing}"],
    ["lint", "{file}"],
    ["lint", str(TREE), "-o", "{file}/x.sarif", "--format", "sarif"],
    ["lint", str(TREE), "-o", "{dir}"],
    ["drift", "collect", "{missing}", "--out", "{dir}"],
    ["drift", "collect", str(TREE), "--out", "{file}"],
    ["drift", "record", str(PLANS), "--store", "{dir}", "--at", "never"],
    ["drift", "record", str(PLANS), "--store", "{file}"],
    ["drift", "record", "{missing}", "--store", "{dir}"],
    ["drift", "show", "--store", "{garbage_store}"],
    ["drift", "show", "{missing}"],
    ["plan", "show", "{missing}"],
    ["plan", "show", "{garbage}"],
    ["plan", "summary", "{garbage}"],
    ["cost", "show", "{garbage}"],
    ["cost", "show", "{missing}"],
    ["cost", "check", "{garbage}"],
    ["cost", "diff", "{garbage}", "{garbage}"],
    ["cost", "estimate", str(PLANS), "--catalog", "{garbage}"],
    ["cost", "estimate", "{missing}"],
    ["failures", "rates", "{missing}"],
    ["failures", "dora", "{garbage_history}"],
    ["failures", "recoveries", "{missing}"],
    ["failures", "runs", "{garbage}"],
    ["incident", "steps", "{missing}"],
    ["incident", "steps", "{garbage}"],
    ["incident", "postmortem", str(RUNBOOK), *PM, "--out", "{file}"],
    ["incident", "postmortem", str(RUNBOOK), *PM, "--out", "{ro}"],
    ["incident", "postmortem", "{dir}", *PM],
    ["promote", "refs", "{missing}"],
    ["promote", "lag", "{file}"],
    ["promote", "plan", "{missing}"],
    ["promote", "check", "{file}"],
    ["review", "{missing}"],
    ["review", str(TREE), "--plans", "{missing}"],
    ["review", str(TREE), "--costs", "{garbage}"],
    ["fleet", "report", "{missing}"],
    ["fleet", "report", "{garbage}"],
    ["fleet", "report", "{dir}"],
    ["fleet", "report", "{file}", "--out", "{file}"],
]

# lenient readers: a garbage input is reported (a warning naming the file) and the rest goes on
WARNED = {
    ("plan", "show", "{garbage}"),
    ("plan", "summary", "{garbage}"),
    ("failures", "dora", "{garbage_history}"),
    ("failures", "runs", "{garbage}"),
}


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(bytes(range(256)) * 4)
    history = tmp_path / "history"
    history.mkdir()
    (history / "project_history.json").write_bytes(b'{"entries": [\x00\xff garbage')
    store = tmp_path / "store"
    store.mkdir()
    (store / "runs.jsonl").write_bytes(b"[1, 2]\n{not json\n")
    (store / "drift.jsonl").write_bytes(b"\xff\xfe\n")
    plain = tmp_path / "plain.txt"
    plain.write_text("a regular file\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return {
        "missing": str(tmp_path / "no" / "such"),
        "dir": str(empty),
        "garbage": str(garbage),
        "garbage_history": str(history),
        "garbage_store": str(store),
        "file": str(plain),
        "ro": str(ro),
    }


def test_every_subcommand_is_driven() -> None:
    driven = {case[0] for case in CASES}
    assert driven == set(SUBCOMMANDS)


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c)[:60] for c in CASES])
def test_ordinary_mistakes_end_in_one_error_line(
    argv: list[str],
    places: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    if os.geteuid() == 0 and "{ro}" in argv:
        pytest.skip("root writes into read-only folders")
    filled = [arg.format(**places) if "{" in arg else arg for arg in argv]
    try:
        code = main(filled)
    except BaseException:
        pytest.fail("raised:\n" + traceback.format_exc())
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if tuple(argv) in WARNED:
        name = Path(filled[-1]).name
        warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert any(name in message for message in warned), (err, warned)
        return
    errors = [line for line in err.splitlines() if line.startswith("opslib: error: ")]
    assert code in (1, 2), err
    assert len(errors) == 1, err
    assert len(errors[0]) > len("opslib: error: ") + 10

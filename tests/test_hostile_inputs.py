"""Hostile files: FIFOs, devices, huge or deeply nested documents, runaway numbers and regexes.

Every case ends in a frame with an error row or an ``OpslibError`` naming the file, never another
exception, never a hang (each blocking case runs under an alarm so a regression fails instead of
waiting forever), never memory out of proportion to the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from opslib._io import json_depth, loads_json, override_limits, read_bytes
from opslib.errors import OpslibError, ParseError
from opslib.history import load_history
from opslib.history.load import errors_of
from opslib.terragrunt import load_tree
from opslib.terragrunt.parse import BIG_HEREDOC, parse_text


@contextlib.contextmanager
def never_blocks(seconds: int = 10) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the body blocks; not a timing assertion."""

    def expired(signum: int, frame: object) -> None:
        raise AssertionError(f"blocked for {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


# ------------------------------------------------------------------------------------ bounded reading


def test_a_fifo_is_refused_at_once(fifo: Path) -> None:
    with never_blocks(), pytest.raises(ParseError, match="named pipe"):
        read_bytes(fifo, "history")


def test_a_device_is_refused_at_once() -> None:
    with never_blocks(), pytest.raises(ParseError, match="a device"):
        read_bytes("/dev/zero", "history")


def test_a_folder_and_a_missing_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="it is a folder"):
        read_bytes(tmp_path, "plan")
    with pytest.raises(ParseError, match="cannot read file: no such file") as info:
        read_bytes(tmp_path / "nope.json", "plan")
    assert info.value.path == str(tmp_path / "nope.json")


def test_a_file_over_its_limit_is_refused_with_the_setting_to_raise(tmp_path: Path) -> None:
    big = tmp_path / "big.hcl"
    big.write_bytes(b"# x\n" * 1000)
    with override_limits(hcl=1000), pytest.raises(ParseError, match="OPSLIB_MAX_HCL_MB"):
        read_bytes(big, "hcl")
    assert len(read_bytes(big, "hcl")) == 4000  # the default is far above


def test_limits_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "runbook.md"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setenv("OPSLIB_MAX_RUNBOOK_MB", "0.001")
    with pytest.raises(ParseError, match="above the 1,048 bytes limit"):
        read_bytes(big, "runbook")


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_history_plans_runs_costs_runbook_refuse_special_files(special: str, fifo: Path) -> None:
    from opslib.costs.infracost import read_infracost
    from opslib.plans import load_plans
    from opslib.runbook import load_runbook
    from opslib.runs import load_run_report

    path = fifo if special == "fifo" else Path(special)
    with never_blocks():
        with pytest.raises(OpslibError):
            load_history(path, cache=False) if path.is_file() else None
            from opslib.history.json_loader import read_json_history

            read_json_history(path)
        assert load_plans(path).attrs["errors"]
        assert load_run_report(path).attrs["errors"]
        with pytest.raises(OpslibError):
            read_infracost(path)
        with pytest.raises(OpslibError):
            load_runbook(path)


def test_a_fifo_in_a_tree_is_an_error_row_and_other_units_load(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "terragrunt.hcl").write_text('inputs = { x = file("data.hcl") }\n')
    os.mkfifo(tmp_path / "a" / "data.hcl")
    os.mkfifo(tmp_path / "a" / "common.hcl")
    (tmp_path / "b" / "terragrunt.hcl").write_text("inputs = { y = 1 }\n")
    legacy = tmp_path / "c"
    legacy.mkdir()
    os.mkfifo(legacy / "terraform.tfvars")
    with never_blocks():
        tree = load_tree(tmp_path, cache=False)
    assert sorted(tree.units["unit"]) == ["a", "b"]
    messages = tree.errors.set_index("path")["message"]
    assert "named pipe" in messages["a/common.hcl"]
    assert any("named pipe" in m for m in tree.errors["message"] if "file()" in m)


# ------------------------------------------------------------------------------------------ JSON depth


def _nested(depth: int, wrap: bool = True) -> bytes:
    body = b"[" * depth + b"]" * depth
    return b'{"entries":' + body + b"}" if wrap else body


def test_json_depth_ignores_brackets_in_strings_and_escapes() -> None:
    assert json_depth(b'["[[[[\\"[[[[", "a\\\\", [[1]]]') == 3
    assert json_depth(_nested(700)) == 701
    assert json_depth(b'{"a": "}}}}", "b": [[{"c": "\\\\\\""}]]}') == 4


@pytest.mark.parametrize("depth", [5_000, 10_000])
def test_deep_history_json_is_an_error_row_not_a_crash(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "project_history.json"
    path.write_bytes(_nested(depth))
    frame = load_history(path, cache=False)
    assert frame.empty
    assert "nests deeper than 512 levels" in errors_of(frame)["message"].iloc[0]
    with pytest.raises(ParseError, match="nests deeper"):
        load_history(path, strict=True, cache=False)


def test_loads_json_reads_huge_numbers_and_refuses_deep_documents() -> None:
    assert loads_json(b'{"a": ' + b"9" * 5000 + b"}", "x.json") == {"a": float("inf")}
    with pytest.raises(ParseError, match="nests deeper"):
        loads_json(_nested(600, wrap=False), "x.json")
    with pytest.raises(ParseError, match="invalid JSON") as info:
        loads_json(b'{\n "a": ]', "x.json")
    assert info.value.line == 2


@pytest.mark.parametrize("stamp", ["1e308", "9" * 5000, "-1e300"])
def test_out_of_range_timestamps_are_error_rows_and_keep_the_rest(tmp_path: Path, stamp: str) -> None:
    path = tmp_path / "project_history.json"
    good = {"timestamp": "2026-01-01T00:00:00Z", "agent": "b", "action": {"type": "deployment"}}
    text = json.dumps({"entries": [{"timestamp": 0, "agent": "a"}, good]}).replace("0,", stamp + ",", 1)
    path.write_text(text)
    frame = load_history(path, cache=False)
    assert list(frame["agent"]) == ["a", "b"]
    assert "unparseable timestamp" in errors_of(frame)["message"].iloc[0]


# ---------------------------------------------------------------------------------- Markdown encodings

_MD = (
    "# Project History\n\n## [2026-01-01 10:00:00] devops: Title\n\n**Action**: deployment\n\n"
    "### What Was Done\nstuff\n\n---\n"
)


def test_utf16_markdown_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "PROJECT_HISTORY.md"
    path.write_bytes(_MD.encode("utf-16"))
    frame = load_history(path, cache=False)
    assert list(frame["agent"]) == ["devops"]
    assert errors_of(frame).empty


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_MD.encode("utf-16-le"), "NUL byte"),
        (bytes(range(256)) * 8, "not UTF-8"),
        (_MD.encode() + b"\n\xff\xfe tail\n", "not UTF-8"),
    ],
)
def test_binary_or_bomless_utf16_markdown_is_never_a_silent_empty_load(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "PROJECT_HISTORY.md"
    path.write_bytes(data)
    errors = errors_of(load_history(path, cache=False))
    assert message in errors["message"].iloc[0]
    with pytest.raises(ParseError, match=message):
        load_history(path, strict=True, cache=False)


# ------------------------------------------------------------------------------------- run reports


def test_a_run_with_args_of_the_wrong_type_is_an_error_row(tmp_path: Path) -> None:
    from opslib.runs import load_run_report

    run = {"Name": "a", "Started": "2026-01-01T00:00:00Z", "Ended": "2026-01-01T00:01:00Z"}
    path = tmp_path / "report.json"
    path.write_text(json.dumps([{**run, "Result": "succeeded", "Args": True}, {**run, "Result": "failed"}]))
    runs = load_run_report(path)
    assert list(runs["result"]) == ["failed"]
    assert runs.attrs["errors"][0]["message"] == "Args must be a list of strings"


# ------------------------------------------------------------------------------ HCL evaluation bounds


def _one_unit(tmp_path: Path, body: str) -> tuple[dict[str, object], list[str]]:
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "a" / "terragrunt.hcl").write_text(body)
    (tmp_path / "b").mkdir(exist_ok=True)
    (tmp_path / "b" / "terragrunt.hcl").write_text("inputs = { y = 1 }\n")
    tree = load_tree(tmp_path, cache=False)
    units = tree.units.set_index("unit")
    assert units.loc["b", "inputs"] == {"y": 1}  # a bad unit never costs the others
    return units.loc["a", "inputs"], list(tree.errors["message"])


def test_pow_and_products_past_any_real_number_are_error_rows(tmp_path: Path) -> None:
    factor = "99999999999999999999"
    inputs, messages = _one_unit(
        tmp_path,
        "locals {\n  a = pow(10, 100000)\n  m = " + " * ".join([factor] * 20) + "\n  ok = pow(2, 10)\n}\n"
        "inputs = { a = local.a, m = local.m, ok = local.ok }\n",
    )
    assert inputs["ok"] == 1024
    assert any("result too large" in m for m in messages)
    assert any("number too large" in m for m in messages)


def test_regex_runs_in_linear_time_with_terraform_semantics(tmp_path: Path) -> None:
    # 28 characters took 27 s with a backtracking engine; RE2 answers at once
    with never_blocks():
        inputs, messages = _one_unit(
            tmp_path,
            "locals {\n"
            '  slow = regexall("(a+)+$", "' + "a" * 40 + 'b")\n'
            '  named = regex("(?P<env>[a-z]+)-(?P<n>[0-9]+)", "prod-12")\n'
            '  bad = regex("(a)\\\\1", "aa")\n'
            "}\ninputs = { slow = local.slow, named = local.named, bad = local.bad }\n",
        )
    assert inputs["slow"] == []
    assert inputs["named"] == {"env": "prod", "n": "12"}
    assert any("invalid regular expression" in m for m in messages)


def test_a_big_heredoc_parses_like_a_small_one_with_its_own_lines() -> None:
    body = "".join(f'  line {i} "q" ${{x}} # text\n' for i in range(BIG_HEREDOC // 20))
    text = f"locals {{\n  a = <<-EOF\n{body}  EOF\n  c = 1\n}}\ninputs = {{\n  d = 2\n}}\n"
    doc = parse_text(text)
    lines = text.count("\n")
    assert doc["__lines__"]["inputs"] == [lines - 2, lines]
    assert doc["locals"][0]["a"] == '"<<-EOF\n' + body + '  EOF"'
    assert doc["locals"][0]["__lines__"]["c"] == [lines - 4, lines - 4]


def test_a_syntax_error_after_a_big_heredoc_names_its_real_line() -> None:
    body = "x\n" * (BIG_HEREDOC // 2 + 10)
    text = f"locals {{\n  a = <<EOF\n{body}EOF\n  c = = 1\n}}\n"
    with pytest.raises(Exception) as info:
        parse_text(text)
    assert getattr(info.value, "line", None) == text.count("\n") - 1


def test_a_unit_that_includes_itself_stays_a_unit_with_an_error_row(tmp_path: Path) -> None:
    inputs, messages = _one_unit(
        tmp_path,
        'include "self" {\n  path = "${get_terragrunt_dir()}/terragrunt.hcl"\n}\ninputs = { x = 1 }\n',
    )
    assert inputs == {"x": 1}
    assert "the unit includes itself" in messages


@pytest.mark.parametrize("cache", [False, True])
def test_units_that_include_each_other_stay_units_with_the_ring_named(tmp_path: Path, cache: bool) -> None:
    (tmp_path / "root.hcl").write_text("locals {}\n", encoding="utf-8")
    ring = {"a": "b", "b": "c", "c": "a"}  # a includes b, b includes c, c includes a
    for unit, target in {**ring, "x": "y", "y": "x"}.items():
        (tmp_path / unit).mkdir()
        include = f'include "{target}" {{\n  path = "../{target}/terragrunt.hcl"\n}}\n'
        (tmp_path / unit / "terragrunt.hcl").write_text(f'{include}inputs = {{ name = "{unit}" }}\n', "utf-8")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "terragrunt.hcl").write_text(
        'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n', encoding="utf-8"
    )
    for _ in range(2 if cache else 1):  # with the cache: the second load is a warm one
        tree = load_tree(tmp_path, cache=cache)
        assert sorted(tree.units["unit"]) == ["a", "b", "c", "plain", "x", "y"]
        errors = {(row.path, row.line): row.message for row in tree.errors.itertuples()}
        assert errors[("a/terragrunt.hcl", 1)] == (
            "include cycle: a/terragrunt.hcl -> b/terragrunt.hcl -> c/terragrunt.hcl -> a/terragrunt.hcl"
            " (Terragrunt reads one level of include)"
        )
        assert "x/terragrunt.hcl -> y/terragrunt.hcl -> x/terragrunt.hcl" in errors[("x/terragrunt.hcl", 1)]
        assert len(errors) == 5

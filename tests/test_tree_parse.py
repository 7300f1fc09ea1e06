"""Parsing HCL for trees: line metadata, the heredoc workaround, error rows, the disk cache, parallelism."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

import hcl2
import pytest

from opslib._paths import sample_dir
from opslib.errors import ParseError
from opslib.terragrunt import load_tree
from opslib.terragrunt import parse as parse_mod
from opslib.terragrunt.parse import ParseCache, fix_heredoc_markers, parse_files, parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "tree"


def test_blocks_and_attributes_carry_their_lines() -> None:
    text = 'include "root" {\n  path = "x"\n}\n\ninputs = {\n  a = 1\n}\n'
    doc = parse_text(text)
    block = doc["include"][0]['"root"']
    assert block["__start_line__"] == 1
    assert block["__end_line__"] == 3
    assert block["__lines__"]["path"] == [2, 2]
    assert doc["__lines__"]["inputs"] == [5, 7]
    assert block["path"] == '"x"'


def test_same_shape_as_hcl2_loads_apart_from_metadata() -> None:
    text = (FIXTURES / "basic" / "root.hcl").read_text()
    ours = parse_text(text)

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in ("__lines__", "__start_line__", "__end_line__")
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    theirs = hcl2.loads(text, serialization_options=hcl2.SerializationOptions(with_comments=False))
    assert strip(ours) == theirs


def _all_hcl_files() -> list[Path]:
    roots = [FIXTURES, sample_dir() / "infrastructure-live"]
    return sorted(p for root in roots for p in root.rglob("*.hcl") if p.name != ".terraform.lock.hcl")


def test_fast_path_builds_exactly_what_python_hcl2_builds() -> None:
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False)
    compared = 0
    for path in _all_hcl_files():
        text = path.read_text()
        try:
            reference = parse_mod._serialize_body(hcl2.parses(text, discard_comments=True).body, options)
        except Exception:
            continue  # files python-hcl2 rejects are covered by the error-row tests
        fast = parse_mod._FastBuilder().build(parse_mod._fast_parser().parse(text + "\n"))
        assert parse_mod._serialize_body(fast.body, options) == reference, path
        compared += 1
    assert compared >= 40


def test_heredoc_closed_with_trailing_spaces_parses() -> None:
    path = FIXTURES / "heredoc_trailing_spaces" / "unit" / "terragrunt.hcl"
    text = path.read_text()
    assert "\nEOF   \n" in text  # the fixture really holds the case python-hcl2 rejects
    with pytest.raises(Exception):  # noqa: B017 - python-hcl2's own failure, whatever its type
        hcl2.loads(text)
    doc = parse_text(text)
    assert doc["generate"][0]['"provider"']["__end_line__"] == 8
    assert doc["locals"][0]["__start_line__"] == 10


def test_fix_heredoc_markers_keeps_line_count_and_other_lines() -> None:
    text = "a = <<EOF\nx   \nEOF  \nb = 1   \n"
    fixed = fix_heredoc_markers(text)
    assert fixed == "a = <<EOF\nx   \nEOF\nb = 1   \n"
    assert fix_heredoc_markers("no heredoc  \n") == "no heredoc  \n"


def test_unparseable_file_is_an_error_row_and_the_rest_loads() -> None:
    tree = load_tree(FIXTURES / "unparseable", cache=False)
    assert sorted(tree.units["unit"]) == ["also-good", "bad", "good"]
    errors = tree.errors[tree.errors["kind"] == "parse"]
    assert errors["path"].tolist() == ["bad/terragrunt.hcl"]
    assert errors["line"].tolist() == [4]
    assert errors["column"].tolist() == [11]
    status = dict(zip(tree.files["path"], tree.files["status"], strict=True))
    assert status["bad/terragrunt.hcl"] == "error"
    assert status["good/terragrunt.hcl"] == "ok"
    assert tree.units.set_index("unit").loc["bad", "errors"] == 1
    assert "bad/terragrunt.hcl" not in tree.documents


def test_strict_raises_parse_error_naming_file_and_line() -> None:
    with pytest.raises(ParseError) as info:
        load_tree(FIXTURES / "unparseable", cache=False, strict=True)
    assert info.value.path is not None and info.value.path.endswith("bad/terragrunt.hcl")
    assert info.value.line == 4
    assert "bad/terragrunt.hcl:4:11" in str(info.value)


def test_json_config_unit() -> None:
    tree = load_tree(FIXTURES / "json_config", cache=False)
    row = tree.units.set_index("unit").loc["unit"]
    assert row["path"] == "unit/terragrunt.hcl.json"
    assert row["module_ref"] == "v2.0.0"
    assert row["inputs"] == {"name": "json-unit", "count": 2}
    assert tree.dependencies["target"].tolist() == ["other"]


def _copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(FIXTURES / case, target)
    return target


def test_second_load_reparses_nothing_and_one_change_reparses_one(tmp_path: Path) -> None:
    root = _copy("basic", tmp_path)
    cache_dir = tmp_path / "cache"
    cold = load_tree(root, cache_dir=cache_dir)
    assert cold.stats["parsed"] == len(cold.files) and cold.stats["cached"] == 0
    warm = load_tree(root, cache_dir=cache_dir)
    assert warm.stats["parsed"] == 0
    assert warm.files["cached"].all()
    assert warm.documents == cold.documents
    unit = root / "prod" / "us-east-1" / "prod" / "vpc" / "terragrunt.hcl"
    unit.write_text(unit.read_text().replace("10.0.0.0/16", "10.9.0.0/16"))
    os.utime(unit, ns=(unit.stat().st_atime_ns, unit.stat().st_mtime_ns + 1_000_000))
    changed = load_tree(root, cache_dir=cache_dir)
    assert changed.stats["parsed"] == 1
    reparsed = changed.files[~changed.files["cached"]]["path"].tolist()
    assert reparsed == ["prod/us-east-1/prod/vpc/terragrunt.hcl"]
    assert changed.units.set_index("unit").loc["prod/us-east-1/prod/vpc", "inputs"]["cidr"] == "10.9.0.0/16"


def test_cache_ignores_a_corrupt_file(tmp_path: Path) -> None:
    root = _copy("basic", tmp_path)
    cache = ParseCache.open(root.resolve(), tmp_path / "cache")
    cache.file.parent.mkdir(parents=True, exist_ok=True)
    cache.file.write_bytes(b"{not json")
    tree = load_tree(root, cache_dir=tmp_path / "cache")
    assert tree.stats["cached"] == 0 and len(tree.units) == 3
    assert load_tree(root, cache_dir=tmp_path / "cache").stats["parsed"] == 0


def test_default_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPSLIB_CACHE_DIR", str(tmp_path))
    assert parse_mod.default_cache_dir() == tmp_path / "tree"


def test_parallel_parse_gives_the_sequential_result(monkeypatch: pytest.MonkeyPatch) -> None:
    root = (FIXTURES / "gruntwork_live").resolve()
    from opslib.terragrunt.discover import discover

    files = discover(root).files
    sequential = parse_files(root, files, jobs=1)
    monkeypatch.setattr(parse_mod, "PARALLEL_THRESHOLD", 2)
    parallel = parse_files(root, files, jobs=2)
    assert {k: v.document for k, v in parallel.items()} == {k: v.document for k, v in sequential.items()}
    assert len(parallel) == len(files) == 16


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_in_a_terminal_and_on_long_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    root = (FIXTURES / "gruntwork_live").resolve()
    from opslib.terragrunt.discover import discover

    files = discover(root).files
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    parse_files(root, files, jobs=1)  # a short load: no bar even in a terminal
    assert terminal.getvalue() == ""
    monkeypatch.setattr(parse_mod, "PROGRESS_THRESHOLD", 4)
    parse_files(root, files, jobs=1)
    assert "parsing HCL" in terminal.getvalue()
    quiet = io.StringIO()  # not a terminal (a notebook, a pipe, a test): no bar
    monkeypatch.setattr(sys, "stderr", quiet)
    parse_files(root, files, jobs=1)
    assert quiet.getvalue() == ""


def test_parse_text_uses_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("python-hcl2's slow transform was used")

    monkeypatch.setattr(hcl2, "parses", refuse)
    doc = parse_text((FIXTURES / "basic" / "root.hcl").read_text())
    assert doc["remote_state"][0]["__start_line__"] == 10


def test_duplicate_attribute_is_an_error_row(tmp_path: Path) -> None:
    unit = tmp_path / "unit"
    unit.mkdir()
    (unit / "terragrunt.hcl").write_text("inputs = {}\n\nlocals {\n  a = 1\n  a = 2\n}\n")
    tree = load_tree(tmp_path, cache=False)
    assert tree.errors[["path", "line", "kind"]].to_dict("records") == [
        {"path": "unit/terragrunt.hcl", "line": 5, "kind": "parse"}
    ]
    assert "defined twice" in tree.errors.loc[0, "message"]


def test_load_restores_the_garbage_collector_state() -> None:
    import gc

    assert gc.isenabled()
    load_tree(FIXTURES / "basic", cache=False)
    assert gc.isenabled()
    gc.disable()
    try:
        load_tree(FIXTURES / "basic", cache=False)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ParseError):
        load_tree(FIXTURES / "unparseable", cache=False, strict=True)
    assert gc.isenabled()

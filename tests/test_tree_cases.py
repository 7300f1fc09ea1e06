"""One fixture folder per function and per construct: ``fn_*`` and ``construct_*`` under fixtures/tree.

Each folder holds a small tree and ``expected.json``: the unit to look at, the expected value of its
``local.value`` (``{root}`` stands for the folder's resolved path) or ``"unknown": true``, optional
``load`` options for ``load_tree`` and an optional ``errors`` count (default 0). Add a folder, get a test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opslib.terragrunt import is_unknown, load_tree

FIXTURES = Path(__file__).parent / "fixtures" / "tree"
CASES = sorted([*FIXTURES.glob("fn_*"), *FIXTURES.glob("construct_*")])


def _placeholders(value: Any, root: Path) -> Any:
    if isinstance(value, str):
        return value.replace("{root}", str(root))
    if isinstance(value, list):
        return [_placeholders(v, root) for v in value]
    if isinstance(value, dict):
        return {k: _placeholders(v, root) for k, v in value.items()}
    return value


def test_there_is_a_case_per_function_and_construct() -> None:
    names = {case.name for case in CASES}
    for function in (
        "find_in_parent_folders",
        "read_terragrunt_config",
        "path_relative_to_include",
        "path_relative_from_include",
        "get_terragrunt_dir",
        "get_parent_terragrunt_dir",
        "get_original_terragrunt_dir",
        "get_repo_root",
        "get_path_from_repo_root",
        "get_path_to_repo_root",
        "get_env",
        "merge",
        "lookup",
        "try",
        "coalesce",
        "concat",
        "format",
        "join",
        "split",
        "replace",
        "lower",
        "upper",
        "trimspace",
        "basename",
        "dirname",
        "jsonencode",
        "yamldecode",
        "file",
        "run_cmd",
        "sops_decrypt_file",
    ):
        assert f"fn_{function}" in names
    assert len([n for n in names if n.startswith("construct_")]) >= 12


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = json.loads((case / "expected.json").read_text())
    options = dict(spec.get("load", {}))
    if "repo_root" in options:
        options["repo_root"] = case / options["repo_root"]
    monkeypatch.chdir(tmp_path)  # anything run_cmd would create would land here
    tree = load_tree(case, cache=False, **options)
    assert len(tree.errors) == spec.get("errors", 0), tree.errors.to_string()
    locals_ = tree.units.set_index("unit").loc[spec["unit"], "locals"]
    if spec.get("unknown"):
        assert is_unknown(locals_["value"]), locals_["value"]
    else:
        assert locals_["value"] == _placeholders(spec["expected"], case.resolve())
    assert list(tmp_path.iterdir()) == []

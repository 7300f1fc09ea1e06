"""Layouts that used to load as silently nothing: pre-0.19 tfvars config and a root with no unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from opslib.errors import ConfigError
from opslib.terragrunt import TerragruntTree, load_tree
from opslib.terragrunt.discover import LEGACY_MESSAGE, legacy_line
from opslib.terragrunt.tree import NO_UNITS_MESSAGE

FIXTURES = Path(__file__).parent / "fixtures" / "tree"


def load(case: str | Path, **kwargs: object) -> TerragruntTree:
    return load_tree(FIXTURES / case, cache=False, **kwargs)  # type: ignore[arg-type]


def test_legacy_tfvars_get_a_discover_row_each() -> None:
    tree = load("legacy_tfvars")
    legacy = tree.errors[tree.errors["message"] == LEGACY_MESSAGE]
    rows = sorted(zip(legacy["path"], legacy["line"].tolist(), legacy["kind"], strict=True))
    # app: the `terragrunt = {` line after a comment and a variable; db: the JSON key's line.
    # migrated has a terragrunt.hcl (terragrunt reads that), plain only nests a `terragrunt` key.
    assert rows == [
        ("dev/app/terraform.tfvars", 4, "discover"),
        ("dev/db/terraform.tfvars.json", 3, "discover"),
    ]


def test_legacy_tree_still_loads_its_real_unit() -> None:
    tree = load("legacy_tfvars")
    assert tree.units["unit"].tolist() == ["dev/migrated"]
    # a unit exists, so no "nothing found" row
    assert NO_UNITS_MESSAGE not in tree.errors["message"].tolist()


def test_legacy_tfvars_strict_raises_config_error_with_line() -> None:
    with pytest.raises(ConfigError) as info:
        load("legacy_tfvars", strict=True)
    assert info.value.reason == LEGACY_MESSAGE
    assert info.value.path is not None and info.value.path.endswith("dev/app/terraform.tfvars")
    assert info.value.line == 4


def test_only_legacy_units_also_reports_no_units(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "terraform.tfvars").write_text('terragrunt {\n  terraform { source = "x" }\n}\n')
    tree = load_tree(tmp_path, cache=False)
    assert tree.units.empty
    assert sorted(zip(tree.errors["path"], tree.errors["message"], strict=True)) == [
        (".", NO_UNITS_MESSAGE),
        ("app/terraform.tfvars", LEGACY_MESSAGE),
    ]


def test_no_units_root_gets_one_row_at_the_root() -> None:
    tree = load("no_units")
    assert tree.units.empty
    assert tree.errors[["path", "message", "kind"]].values.tolist() == [[".", NO_UNITS_MESSAGE, "discover"]]
    assert tree.errors["line"].isna().all()


def test_no_units_strict_raises() -> None:
    with pytest.raises(ConfigError, match=r"no terragrunt\.hcl"):
        load("no_units", strict=True)


def test_empty_root_is_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty-subfolder").mkdir()
    tree = load_tree(tmp_path, cache=False, strict=True)
    assert tree.units.empty
    assert tree.errors.empty


def test_stack_only_root_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "terragrunt.stack.hcl").write_text(
        'unit "vpc" {\n  source = "./units/vpc"\n  path = "vpc"\n}\n'
    )
    tree = load_tree(tmp_path, cache=False)
    assert NO_UNITS_MESSAGE not in tree.errors["message"].tolist()


def test_extra_named_stack_file_is_ignored_like_terragrunt(tmp_path: Path) -> None:
    # terragrunt only reads terragrunt.stack.hcl; `<name>.terragrunt.stack.hcl` is just another file
    (tmp_path / "prod.terragrunt.stack.hcl").write_text('unit "vpc" {\n  source = "./u"\n  path = "vpc"\n}\n')
    tree = load_tree(tmp_path, cache=False)
    assert tree.units.empty
    assert tree.files.set_index("path").loc["prod.terragrunt.stack.hcl", "role"] == "common"
    assert tree.errors["message"].tolist() == [NO_UNITS_MESSAGE]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("terragrunt = {\n}\n", 1),
        ('a = "{"\nterragrunt = {}\n', 2),  # a brace inside a string does not open a block
        ("# terragrunt = {\nb = 1\n", None),  # commented out
        ("outer = {\n  terragrunt = {}\n}\n", None),  # nested, not top-level
        ("outer = {\n}\n  terragrunt = {\n}\n", 3),  # indented but top-level
        ("terragrunt_version = 1\n", None),
    ],
)
def test_legacy_line_text_check(text: str, expected: int | None) -> None:
    assert legacy_line(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "terragrunt": {}\n}', 2),
        ('{"a": {"terragrunt": {}}}', None),  # nested only
        ("[1, 2]", None),
        ("{not json", None),
    ],
)
def test_legacy_line_json(text: str, expected: int | None) -> None:
    assert legacy_line(text, json_file=True) == expected

"""Discovery and the units / dependencies / files frames, on fixture trees and the sample tree."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from opslib._paths import sample_dir
from opslib.errors import ConfigError
from opslib.terragrunt import TerragruntTree, load_tree
from opslib.terragrunt.tree import DEPENDENCY_COLUMNS, ERROR_COLUMNS, FILE_COLUMNS, UNIT_COLUMNS
from opslib.terragrunt.units import classify_source, scope_from_path

FIXTURES = Path(__file__).parent / "fixtures" / "tree"
SAMPLE = sample_dir() / "infrastructure-live"


def load(case: str, **kwargs: object) -> TerragruntTree:
    return load_tree(FIXTURES / case, cache=False, **kwargs)  # type: ignore[arg-type]


def test_frames_have_the_documented_columns() -> None:
    tree = load("basic")
    assert list(tree.units.columns) == UNIT_COLUMNS
    assert list(tree.dependencies.columns) == DEPENDENCY_COLUMNS
    assert list(tree.files.columns) == FILE_COLUMNS
    assert list(tree.errors.columns) == ERROR_COLUMNS
    assert tree.root == (FIXTURES / "basic").resolve()


def test_basic_units_scope_sources_and_includes() -> None:
    units = load("basic").units.set_index("unit")
    assert list(units.index) == [
        "prod/us-east-1/prod/app",
        "prod/us-east-1/prod/db",
        "prod/us-east-1/prod/vpc",
    ]
    assert set(units["account"]) == {"prod"}
    assert set(units["region"]) == {"us-east-1"}
    assert set(units["environment"]) == {"production"}  # env.hcl wins over the folder name
    app = units.loc["prod/us-east-1/prod/app"]
    assert app["source_kind"] == "git" and app["module_ref"] == "v1.2.0" and app["pinned"]
    assert app["includes"] == [
        {"label": "root", "path": "root.hcl", "expose": False, "line": 1},
        {"label": "envcommon", "path": "_envcommon/app.hcl", "expose": True, "line": 5},
    ]
    db = units.loc["prod/us-east-1/prod/db"]
    assert db["module_ref"] == "main" and not db["pinned"]
    vpc = units.loc["prod/us-east-1/prod/vpc"]
    assert vpc["source_kind"] == "tfr" and vpc["module_ref"] == "5.8.1" and vpc["pinned"]
    assert vpc["lockfile"] and not app["lockfile"]
    assert vpc["inputs"]["cidr"] == "10.0.0.0/16"
    assert vpc["inputs"]["aws_account_id"] == "111111111111"  # merged from root.hcl's inputs


def test_basic_files_roles() -> None:
    roles = dict(zip(*[load("basic").files[c] for c in ("path", "role")], strict=True))
    assert roles == {
        "_envcommon/app.hcl": "common",
        "prod/account.hcl": "account",
        "prod/us-east-1/prod/app/terragrunt.hcl": "unit",
        "prod/us-east-1/prod/db/terragrunt.hcl": "unit",
        "prod/us-east-1/prod/env.hcl": "env",
        "prod/us-east-1/prod/vpc/terragrunt.hcl": "unit",
        "prod/us-east-1/region.hcl": "region",
        "root.hcl": "root",
        "tags.yml": "tags",
    }


def test_dependencies_from_own_and_included_blocks() -> None:
    deps = load("basic").dependencies
    rows = {(r.unit, r.name): r for r in deps.itertuples(index=False)}
    app_vpc = rows[("prod/us-east-1/prod/app", "vpc")]  # declared in _envcommon/app.hcl
    assert app_vpc.target == "prod/us-east-1/prod/vpc" and app_vpc.exists
    assert app_vpc.path == "_envcommon/app.hcl" and app_vpc.line == 6 and app_vpc.has_mock_outputs
    db_app = rows[("prod/us-east-1/prod/db", "app")]
    assert db_app.config_path == '"${get_terragrunt_dir()}/../app"' and db_app.exists
    assert rows[("prod/us-east-1/prod/db", "vpc")].config_path == '"../vpc"'


def test_missing_external_and_unknown_dependencies_are_marked() -> None:
    deps = load("missing_dependency").dependencies
    by_name = {(r.name, r.target): r for r in deps.itertuples(index=False)}
    assert by_name[("vpc", "vpc")].exists
    gone = by_name[("gone", "does-not-exist")]
    assert not gone.exists and not gone.external
    shared = next(r for r in deps.itertuples(index=False) if r.name == "shared")
    assert shared.external and not shared.exists and shared.target.endswith("/outside-the-tree/shared")
    computed = next(r for r in deps.itertuples(index=False) if r.name == "computed")
    assert (
        pd.isna(computed.resolved) and not computed.exists and computed.target == 'run_cmd("echo", "../vpc")'
    )
    assert "disabled" not in set(deps["name"])  # enabled = false
    paths = deps[deps["kind"] == "dependencies"]
    assert paths["target"].tolist() == ["vpc", "also-missing"]
    assert paths["exists"].tolist() == [True, False]
    assert (paths["name"] == "").all()


def test_top_level_terragrunt_hcl_included_by_units_is_a_root_not_a_unit() -> None:
    tree = load("gruntwork_live")
    assert "." not in set(tree.units["unit"])
    assert tree.files.set_index("path").loc["terragrunt.hcl", "role"] == "root"
    units = tree.units.set_index("unit")
    assert len(units) == 6
    qa = units.loc["non-prod/us-east-1/qa/mysql"]
    assert (qa["account"], qa["region"], qa["environment"]) == ("non-prod", "us-east-1", "qa")
    assert qa["includes"][0]["path"] == "terragrunt.hcl"
    assert qa["source"] == "git::git@github.com:acme/infrastructure-modules.git//mysql?ref=v0.8.0"
    assert qa["inputs"]["name"] == "mysql_qa"
    assert qa["inputs"]["aws_account_id"] == "222222222222"
    assert units.loc["prod/us-east-1/prod/mysql", "inputs"]["instance_class"] == "db.t3.medium"
    config = tree.unit_config("non-prod/us-east-1/stage/webserver-cluster")
    assert (
        config["remote_state"]["config"]["key"]
        == "non-prod/us-east-1/stage/webserver-cluster/terraform.tfstate"
    )
    assert config["remote_state"]["config"]["bucket"] == "example-state-non-prod-us-east-1"
    assert 'allowed_account_ids = ["222222222222"]' in config["generate"]["provider"]["contents"]
    assert tree.dependencies["exists"].all() and len(tree.dependencies) == 3


def test_stack_units_with_values_and_nested_stacks() -> None:
    tree = load("stack")
    stack_units = tree.units[tree.units["kind"] == "stack-unit"].set_index("unit")
    assert sorted(stack_units.index) == [
        "live/.terragrunt-stack/data/.terragrunt-stack/db",
        "live/.terragrunt-stack/queue",
        "live/.terragrunt-stack/services/app",
        "live/.terragrunt-stack/vpc",
    ]
    app = stack_units.loc["live/.terragrunt-stack/services/app"]
    assert app["path"] == "live/terragrunt.stack.hcl" and app["line"] == 13
    assert app["inputs"] == {"name": "app-dev"}
    assert app["module_ref"] == "v1.0.0"
    assert stack_units.loc["live/.terragrunt-stack/vpc", "inputs"] == {"cidr": "10.2.0.0/16"}
    assert stack_units.loc["live/.terragrunt-stack/data/.terragrunt-stack/db", "inputs"] == {
        "cidr": "10.3.0.0/16"
    }
    remote = stack_units.loc["live/.terragrunt-stack/queue"]
    assert remote["source_kind"] == "git" and remote["module_ref"] == "v0.4.1"
    dep = tree.dependencies.set_index("unit").loc["live/.terragrunt-stack/services/app"]
    assert dep["target"] == "live/.terragrunt-stack/vpc" and dep["exists"]


def test_skipped_folders_and_template_markers() -> None:
    tree = load("local_module")
    assert sorted(tree.units["unit"]) == ["live/app", "live/vpc"]
    assert tree.errors.empty  # the broken files under .boilerplate and {{ .Name }} were never read
    vpc = tree.units.set_index("unit").loc["live/vpc"]
    assert vpc["source_kind"] == "local" and vpc["pinned"]


def test_terragrunt_cache_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "local_module", root)
    cached = root / "live" / "app" / ".terragrunt-cache" / "x"
    cached.mkdir(parents=True)
    (cached / "terragrunt.hcl").write_text("not { hcl")
    (root / "live" / "app" / ".terraform").mkdir()
    (root / "live" / "app" / ".terraform" / "terragrunt.hcl").write_text("not { hcl")
    tree = load_tree(root, cache=False)
    assert sorted(tree.units["unit"]) == ["live/app", "live/vpc"] and tree.errors.empty


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loops_and_links_outside_the_root_are_survived(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "terragrunt.hcl").write_text("inputs = {}\n")
    root = tmp_path / "tree"
    (root / "a").mkdir(parents=True)
    (root / "a" / "terragrunt.hcl").write_text('dependency "b" {\n  config_path = "../b"\n}\n')
    (root / "b").mkdir()
    (root / "b" / "terragrunt.hcl").write_text("inputs = {}\n")
    os.symlink(root, root / "a" / "loop")  # a/loop -> the root: a loop
    os.symlink(root / "a", root / "b" / "again")  # a second path to a
    os.symlink(outside, root / "escape")  # leaves the root
    os.symlink(outside / "terragrunt.hcl", root / "b" / "outside.hcl")
    tree = load_tree(root, cache=False)
    assert sorted(tree.units["unit"]) == ["a", "b"]
    assert tree.dependencies["exists"].tolist() == [True]
    assert "b/outside.hcl" not in set(tree.files["path"])


def test_root_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_tree(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError):
        load_tree(tmp_path / "file")


def test_documents_and_source_text() -> None:
    tree = load("basic")
    doc = tree.documents["prod/us-east-1/prod/db/terragrunt.hcl"]
    assert doc["dependency"][1]['"app"']["__start_line__"] == 13
    assert 'dependency "app"' in tree.source_text("prod/us-east-1/prod/db/terragrunt.hcl")
    with pytest.raises(ConfigError):
        tree.unit_config("no/such/unit")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (None, ("none", None, False)),
        ("git::https://github.com/a/b.git//m?ref=v1.2.3", ("git", "v1.2.3", True)),
        ("git::git@github.com:a/b.git//m?ref=main", ("git", "main", False)),
        ("github.com/a/b//m?ref=3f2a9c1", ("git", "3f2a9c1", True)),
        ("git::https://github.com/a/b.git//m", ("git", None, False)),
        ("tfr:///terraform-aws-modules/vpc/aws?version=5.8.1", ("tfr", "5.8.1", True)),
        ("../../modules/vpc", ("local", None, True)),
        ("s3::https://s3-eu-west-1.amazonaws.com/bucket/vpc.zip", ("s3", None, False)),
        ("https://example.com/vpc.zip?ref=v1", ("http", "v1", True)),
    ],
)
def test_classify_source(source: str | None, expected: tuple[str, str | None, bool]) -> None:
    assert classify_source(source) == expected


def test_scope_from_path() -> None:
    assert scope_from_path("prod/us-east-1/prod/vpc") == ("prod", "us-east-1", "prod")
    assert scope_from_path("non-prod/eu-west-1/dev/app/api") == ("non-prod", "eu-west-1", "dev")
    assert scope_from_path("prod/_global/iam") == ("prod", None, "prod")
    assert scope_from_path("live/dev/vpc") == (None, None, "dev")
    assert scope_from_path("vpc") == (None, None, None)


def test_sample_tree_is_committed() -> None:
    # the sample tree is committed: a renamed or missing root.hcl fails instead of skipping tests
    assert (SAMPLE / "root.hcl").is_file()


@pytest.fixture(scope="module")
def sample_tree() -> TerragruntTree:
    return load_tree(SAMPLE, cache=False)


def test_sample_tree_every_unit_has_account_region_environment(sample_tree: TerragruntTree) -> None:
    tree = sample_tree
    assert len(tree.units) >= 59
    for column in ("account", "region", "environment"):
        missing = tree.units[tree.units[column].isna() | (tree.units[column] == "")]
        assert missing.empty, f"{column} missing for {missing['unit'].tolist()}"
    assert tree.errors.empty, tree.errors.to_string()


def test_sample_tree_literal_and_terragrunt_dir_dependencies_resolve(sample_tree: TerragruntTree) -> None:
    tree = sample_tree
    deps = tree.dependencies
    literal = deps["config_path"].map(
        lambda text: bool(re.fullmatch(r'"[^$"]*"', text)) or text.startswith('"${get_terragrunt_dir()}')
    )
    checked = deps[literal]
    assert len(checked) > 0
    unresolved = checked[~checked["exists"]]
    assert unresolved.empty, unresolved.to_string()
    assert set(checked["target"]) <= set(tree.units["unit"])


def test_sample_tree_stack_units_and_lock_files(sample_tree: TerragruntTree) -> None:
    tree = sample_tree
    kinds = tree.units["kind"].value_counts()
    assert kinds.get("stack-unit", 0) >= 1
    lock_dirs = {p.parent.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob(".terraform.lock.hcl")}
    units = tree.units.set_index("unit")
    for unit in units.index:
        assert bool(units.loc[unit, "lockfile"]) == (unit in lock_dirs), unit
    assert isinstance(tree.units, pd.DataFrame)


def test_loading_a_subtree_reads_the_repository_around_it() -> None:
    """A subtree reads root.hcl above it (the repository is readable); without the repository, the
    includes outside the loaded folder are error rows."""
    # the repository is named: a checkout has .git above the fixtures, an unpacked archive does not
    tree = load_tree(FIXTURES / "basic" / "prod", cache=False, repo_root=FIXTURES / "basic")
    assert sorted(tree.units["unit"]) == ["us-east-1/prod/app", "us-east-1/prod/db", "us-east-1/prod/vpc"]
    assert tree.errors.empty
    units = tree.units.set_index("unit")
    assert units.loc["us-east-1/prod/app", "includes"][0]["path"] == "../root.hcl"
    files = tree.files.set_index("path")
    assert files.loc["../root.hcl", "role"] == "root"
    assert "us-east-1/prod/app" in files.loc["../root.hcl", "units"]
    # the blast radius of the file above the loaded folder reaches every unit that includes it
    assert len(tree.blast_radius("../root.hcl")) == 3

    alone = load_tree(FIXTURES / "basic" / "prod", cache=False, repo_root=FIXTURES / "basic" / "prod")
    assert (alone.errors["kind"] == "eval").all() and len(alone.errors) == 4
    assert alone.errors["message"].str.contains(r"find_in_parent_folders\(root.hcl\): no such file").all()
    units = alone.units.set_index("unit")
    assert units.loc["us-east-1/prod/app", "errors"] == 2
    assert units.loc["us-east-1/prod/app", "includes"][0]["path"] == 'find_in_parent_folders("root.hcl")'
    assert set(units["account"]) == {"prod"}  # prod/account.hcl is the subtree's own root


def test_unparseable_and_missing_includes_count_for_the_unit(tmp_path: Path) -> None:
    (tmp_path / "root.hcl").write_text("inputs = {\n")
    (tmp_path / "u").mkdir()
    (tmp_path / "u" / "terragrunt.hcl").write_text(
        'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
        'include "x" {\n  path = "../missing.hcl"\n}\n'
    )
    tree = load_tree(tmp_path, cache=False)
    assert tree.errors[["path", "kind"]].to_dict("records") == [
        {"path": "root.hcl", "kind": "parse"},
        {"path": "u/terragrunt.hcl", "kind": "eval"},
    ]
    assert "included file not found: missing.hcl" in tree.errors.loc[1, "message"]
    assert tree.units.loc[0, "errors"] == 2
    assert tree.blast_radius("root.hcl")["unit"].tolist() == ["u"]

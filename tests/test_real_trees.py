"""load_tree and lint on real inputs nobody on the team wrote: terragrunt's own test fixtures and the
gruntwork example live/catalog repos, copied unchanged under ``tests/fixtures/real_trees/`` (see its
README for each folder's source).

Every folder must load leniently (problems are error rows with path and message), load or raise an
``OpslibError`` in strict mode, lint without leaking secrets, and give a usable graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from opslib.errors import OpslibError
from opslib.rules import lint
from opslib.secrets import scrub_text
from opslib.terragrunt import TerragruntTree, is_unknown, load_tree

REAL = Path(__file__).resolve().parent / "fixtures" / "real_trees"
FOLDERS = sorted(p.name for p in REAL.iterdir() if p.is_dir())

# folders without a unit: every config there is a stack whose sources cannot be found
NO_UNITS = {"stacks-errors-cycles", "stacks-errors-overlapping-paths", "stacks-errors-relative-path-outside"}


def _load(name: str, **kwargs: object) -> TerragruntTree:
    root = REAL / name
    # get_repo_root() would otherwise be this checkout's root: pin it to the copied repo folder
    return load_tree(root, repo_root=root, cache=False, **kwargs)  # type: ignore[arg-type]


def test_enough_real_folders() -> None:
    assert len(FOLDERS) >= 25
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for name in FOLDERS:
        assert f"`{name}/`" in readme, f"{name} has no source line in the README"
    size = sum(p.stat().st_size for p in REAL.rglob("*") if p.is_file())
    assert size < 300_000


@pytest.mark.parametrize("name", FOLDERS)
def test_lenient_load(name: str) -> None:
    tree = _load(name)
    errors = tree.errors
    assert list(errors.columns) == ["path", "line", "column", "message", "kind"]
    for row in errors.itertuples():
        assert isinstance(row.path, str) and row.path, row
        assert not row.path.startswith("/"), row  # relative to the root
        assert isinstance(row.message, str) and row.message.strip(), row
        assert row.kind in {"parse", "eval", "discover"}, row
        assert "Traceback" not in row.message
    if name in NO_UNITS:
        assert tree.units.empty
    else:
        assert len(tree.units) >= 1
        assert tree.units["unit"].is_unique
    assert set(tree.graph.nodes) == set(tree.units["unit"])


@pytest.mark.parametrize("name", FOLDERS)
def test_literal_dependencies_resolve(name: str) -> None:
    tree = _load(name)
    units = set(tree.units["unit"])
    for row in tree.dependencies.itertuples():
        assert row.unit in units
        literal = row.config_path.startswith('"') and "${" not in row.config_path
        if literal:
            assert isinstance(row.resolved, str) and row.resolved.startswith("/"), row
            assert bool(row.exists) == (row.target in units), row
        if row.exists:
            assert tree.graph.has_edge(row.unit, row.target)


@pytest.mark.parametrize("name", FOLDERS)
def test_lint_has_no_secrets(name: str) -> None:
    tree = _load(name)
    findings = lint(tree)
    assert isinstance(findings, pd.DataFrame)
    for message in findings["message"]:
        assert scrub_text(message) == message
        assert tree.masker.scrub(message) == message


@pytest.mark.parametrize("name", FOLDERS)
def test_strict_loads_or_raises_opslib_error(name: str) -> None:
    try:
        tree = _load(name, strict=True)
    except OpslibError as exc:
        assert str(exc)
        assert getattr(exc, "path", None) is not None
    else:
        assert len(tree.units) == len(_load(name).units)


@pytest.mark.parametrize("name", FOLDERS)
def test_graph_outputs(name: str) -> None:
    tree = _load(name)
    dot = tree.to_dot()
    assert dot.lstrip().startswith(("digraph", "strict digraph"))
    order = tree.run_order()
    flat = [unit for level in order for unit in level]
    assert sorted(flat) == sorted(tree.units["unit"])
    assert tree.to_mermaid()


# -- behaviour the fixes in this round pinned down --------------------------------------------------


def test_json_include_paths_with_quoted_arguments() -> None:
    """terragrunt.hcl.json: ``"${find_in_parent_folders(\\"x.hcl\\")}"`` reads as a call."""
    tree = _load("include-multiple")
    json_rows = tree.errors[tree.errors["path"] == "json/child/terragrunt.hcl.json"]
    messages = " ".join(json_rows["message"])
    assert "cannot read expression" not in messages
    # terragrunt_inputs.hcl is found; terragrunt_vpc_dep.hcl is not part of the copied fixture
    assert "find_in_parent_folders(terragrunt_vpc_dep.hcl)" in messages
    unit = tree.units.set_index("unit").loc["json/child"]
    assert unit["includes"][0]["path"] == "terragrunt_inputs.hcl"
    assert unit["inputs"]["old_attribute"] == "old val"  # merged from the included file


def test_exposed_include_dependency_blocks() -> None:
    """``include.vpc_dep.dependency.vpc.config_path`` reads the included block, no cycle."""
    tree = _load("include-multiple")
    rows = tree.errors[tree.errors["path"] == "expose/child/terragrunt.hcl"]
    assert rows.empty, rows["message"].tolist()
    dep = tree.dependencies.set_index("unit").loc["expose/child"]
    assert dep["target"] == "expose/vpc"
    assert dep["resolved"].endswith("/include-multiple/expose/vpc")


def test_dependency_without_config_path() -> None:
    tree = _load("hclvalidate-second")
    dep = tree.dependencies[(tree.dependencies["unit"] == "c") & (tree.dependencies["name"] == "iam")]
    assert len(dep) == 1
    assert dep["target"].isna().all()
    assert not dep["exists"].any()
    assert "dependency 'iam' has no config_path" in set(tree.errors["message"])
    d_to_c = tree.dependencies[tree.dependencies["unit"] == "d"]
    assert d_to_c["target"].tolist() == ["c"] and d_to_c["exists"].all()


def test_stack_sources_not_found_are_error_rows() -> None:
    tree = _load("stacks-errors-incorrect-source")
    assert tree.units["unit"].tolist() == ["live/.terragrunt-stack/api"]
    (message,) = tree.errors["message"]
    assert message == "unit 'api': source not found: ../../units/api (outside the tree root)"
    basic = _load("stacks-basic")
    assert basic.errors.empty  # units/chicken and units/chick exist
    expected = {"live/.terragrunt-stack/mother", "live/.terragrunt-stack/chicks/chick-2"}
    assert expected <= set(basic.units["unit"])


def test_self_generating_stack_stops_with_an_error_row() -> None:
    tree = _load("stacks-errors-cycles")
    assert tree.units.empty
    assert any("stacks nest deeper than" in m for m in tree.errors["message"])


def test_included_file_locals_are_evaluated() -> None:
    """live-example: root.hcl's locals read account.hcl / region.hcl / env.hcl found above the unit."""
    tree = _load("live-example")
    unit = tree.units.set_index("unit").loc["non-prod/us-west-2/qa/webserver-cluster"]
    assert unit["errors"] == 0
    assert unit["inputs"]["aws_region"] == "us-west-2"
    assert unit["inputs"]["name"] == "webserver-example-qa"
    assert unit["source"].endswith("asg-alb-service?ref=v0.8.0")
    # the older mysql unit includes a bare find_in_parent_folders(): there is no terragrunt.hcl above it
    mysql = tree.errors[tree.errors["path"] == "non-prod/us-west-2/qa/mysql/terragrunt.hcl"]
    assert mysql["message"].str.contains(r"find_in_parent_folders\(terragrunt.hcl\)").all()


def test_unparseable_real_files() -> None:
    tree = _load("hclfmt-errors")
    parse = tree.errors[tree.errors["kind"] == "parse"]
    assert sorted(parse["path"]) == ["invalid-character/terragrunt.hcl", "invalid-key/terragrunt.hcl"]
    assert parse["line"].tolist() == [2, 2]
    with pytest.raises(OpslibError, match=r"terragrunt.hcl:2"):
        _load("hclfmt-errors", strict=True)


def test_empty_config_path_is_not_a_self_dependency() -> None:
    tree = _load("regression-dependency-empty-config-path")
    assert "live/.terragrunt-stack/consumer" in set(tree.units["unit"])
    deps = tree.dependencies
    stack_dep = deps[deps["unit"] == "live/.terragrunt-stack/consumer"]
    assert len(stack_dep) == 1
    # no resolved path: the target is the expression as written, never the unit itself
    assert stack_dep["resolved"].isna().all() and not stack_dep["exists"].any()
    assert stack_dep["target"].tolist() == ['try(values.dependency_path.ecr-cache, "")']
    assert not any(tree.graph.has_edge(n, n) for n in tree.graph.nodes)
    assert "dependency 'ecr_cache' has an empty config_path" in set(tree.errors["message"])
    # `enabled = false` with an empty path: no row, no error
    disabled = _load("regression-disabled-dependency-empty-config-path")
    assert disabled.dependencies.empty and disabled.errors.empty


def test_blocks_terragrunt_refuses_twice() -> None:
    same = _load("codegen-same-name-error")
    assert same.errors[["path", "line", "message"]].values.tolist() == [
        ["terragrunt.hcl", 7, "generate 'backend' appears more than once in this file"]
    ]
    bare = _load("regression-include-error")
    assert bare.errors["message"].tolist() == ["include without a label appears more than once in this file"]
    unit = bare.units.iloc[0]
    assert unit["inputs"]["team_name"] == "Test Team" and unit["inputs"]["common_config"] == "Common Config"


def test_exposed_include_chains() -> None:
    tree = _load("regression-chained-deps-exposed-include")
    assert tree.errors.empty
    edges = set(tree.graph.edges)
    assert edges == {
        ("dependency", "ancestor-dependency"),
        ("dependent", "ancestor-dependency"),
        ("dependent", "dependency"),
    }
    assert tree.run_order() == [["ancestor-dependency"], ["dependency"], ["dependent"]]


def test_stack_paths_terragrunt_refuses() -> None:
    outside = _load("stacks-errors-relative-path-outside")
    assert outside.units.empty
    assert outside.errors["message"].tolist() == ["unit 'app1': path leaves the stack folder"]
    empty = _load("stacks-errors-unit-empty-path")
    assert empty.units["unit"].tolist() == ["live/.terragrunt-stack/app3"]
    messages = set(empty.errors["message"])
    for name in ("app1_empty_path", "app2_empty_path"):
        assert f"unit '{name}' has no usable path" in messages


# -- shapes no fixture above has: values of the wrong type, written as a tree here ----------------


def test_wrong_types_are_error_rows(tmp_path: Path) -> None:
    files = {
        "a/terragrunt.hcl": 'terraform { source = 123 }\ninputs = "str"\n',
        "b/terragrunt.hcl": 'locals = 5\ndependency "d" {\n  config_path = ["../a"]\n}\n',
        "c/terragrunt.hcl": 'dependencies {\n  paths = [1, null, "../a"]\n}\n',
        "s/terragrunt.stack.hcl": 'unit {\n  path = "x"\n}\nunit "u" {\n  source = "../a"\n  path = "u"\n}\n'
        'unit "v" {\n  source = "../a"\n  path = "u"\n}\n',
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    tree = load_tree(tmp_path, cache=False)
    rows = {(r.path, r.line, r.message) for r in tree.errors.itertuples()}
    assert rows == {
        ("a/terragrunt.hcl", 1, "terraform.source must be a string, not a number"),
        ("a/terragrunt.hcl", 2, "inputs must be an object, not a string"),
        ("b/terragrunt.hcl", 3, "dependency 'd' config_path must be a string, not a list"),
        ("c/terragrunt.hcl", 2, "each of dependencies.paths must be a string, not a number"),
        ("c/terragrunt.hcl", 2, "each of dependencies.paths must be a string, not null"),
        ("s/terragrunt.stack.hcl", 1, "unit block without a name"),
        (
            "s/terragrunt.stack.hcl",
            8,
            "unit 'v': another unit is generated into s/.terragrunt-stack/u already",
        ),
    }
    assert set(tree.units["unit"]) == {"a", "b", "c", "s/.terragrunt-stack/u"}
    deps = tree.dependencies
    assert deps["unit"].tolist() == ["b", "c"]
    assert deps["target"].isna().tolist() == [True, False]
    assert deps["target"].iloc[1] == "a" and deps["exists"].tolist() == [False, True]
    assert lint(tree) is not None


def test_lint_survives_a_failing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that breaks on an unforeseen shape reports itself; the other rules still run."""
    import dataclasses

    from opslib.rules._base import REGISTRY
    from opslib.rules.registry import all_rules

    all_rules()
    rule = REGISTRY["TG011"]

    def broken(ctx: object) -> Iterator[object]:
        yield from rule.check(ctx)  # type: ignore[arg-type]
        raise TypeError("unexpected value AKIAABCDEFGHIJKLMNOP")

    monkeypatch.setitem(REGISTRY, "TG011", dataclasses.replace(rule, check=broken))
    findings = lint(_load("live-example"))
    tg011 = findings[findings["rule_id"] == "TG011"]
    assert len(tg011) == 3  # two units without a lock file, then the failure
    failure = tg011[tg011["path"] == "."]["message"].item()
    assert failure.startswith("TG011 could not finish (TypeError: unexpected value AKIA")
    assert "AKIAABCDEFGHIJKLMNOP" not in failure
    assert set(findings["rule_id"]) > {"TG011"}


def test_rules_skip_non_string_list_items(tmp_path: Path) -> None:
    (tmp_path / "dep").mkdir()
    (tmp_path / "dep" / "terragrunt.hcl").write_text("", encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "terragrunt.hcl").write_text(
        'dependency "d" {\n  config_path = "../dep"\n  mock_outputs = { a = 1 }\n'
        '  mock_outputs_allowed_terraform_commands = [1, null, "apply"]\n}\n'
        'terraform {\n  source = "tfr:///terraform-aws-modules/vpc/aws?version=latest"\n}\n',
        encoding="utf-8",
    )
    findings = lint(load_tree(tmp_path, cache=False))
    messages = findings.set_index("rule_id")["message"]
    assert 'dependency "d" allows mock outputs for apply' in messages["TG004"]
    assert "version=latest is not a version" in messages["TG002"]
    assert not (findings["path"] == ".").any()


def test_unforeseen_failure_in_one_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    """An internal error while building one unit: an error row (lenient), a ConfigError (strict)."""
    import opslib.terragrunt.tree as tree_module

    real = tree_module.build_unit

    def flaky(ev: object, unit: str, *args: object, **kwargs: object) -> object:
        if unit == "non-prod/us-west-2/qa/mysql":
            raise TypeError("surprise")
        return real(ev, unit, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tree_module, "build_unit", flaky)
    tree = _load("live-example")
    assert tree.units["unit"].tolist() == ["non-prod/us-west-2/qa/webserver-cluster"]
    rows = tree.errors[tree.errors["message"].str.startswith("cannot evaluate this file")]
    assert rows[["path", "message"]].values.tolist() == [
        ["non-prod/us-west-2/qa/mysql/terragrunt.hcl", "cannot evaluate this file (TypeError: surprise)"]
    ]
    with pytest.raises(OpslibError, match=r"mysql/terragrunt.hcl: cannot evaluate this file"):
        _load("live-example", strict=True)


def test_nothing_is_run_or_read_from_the_environment() -> None:
    """run_cmd, sops_decrypt_file and get_env stay unknown / fallback: loading never executes anything."""
    tree = _load("locals-run-multiple")
    unit = tree.units.iloc[0]
    assert len(unit["locals"]) == 9 and len(unit["inputs"]) == 4
    for value in [*unit["locals"].values(), *unit["inputs"].values()]:
        assert is_unknown(value) and "run_cmd() is never run" in repr(value)
    sops = _load("sops-decrypt").units.iloc[0]
    assert is_unknown(sops["locals"]["data"])
    hooks = _load("hooks-interpolations").unit_config(".")
    assert hooks["terraform"]["before_hook"]["before_hook_1"]["execute"] == ["echo", "HelloWorld"]


def test_catalog_ref_from_values_is_not_judged() -> None:
    """``?ref=${values.version}`` in a catalog unit: the version comes from the stack, TG002 stays quiet."""
    findings = lint(_load("catalog-example"))
    assert "TG002" not in set(findings["rule_id"])
    tg004 = findings[findings["rule_id"] == "TG004"]
    assert tg004[["unit", "line"]].values.tolist() == [["units/ec2-asg-stateful-service", 17]]


def test_stack_values_features_and_generated_dependencies() -> None:
    found = _load("stacks-find-in-parent-folders").units.set_index("unit")
    # the stack's locals read mock.hcl via find_in_parent_folders; values reach the unit's inputs
    assert found.loc["live/stack/.terragrunt-stack/foo", "inputs"] == {"mock": "mock"}
    assert is_unknown(found.loc["units/foo", "inputs"]["mock"])  # no stack: values unknown
    flags = _load("feature-flags-run-all").units.iloc[0]["inputs"]
    assert flags == {"string_feature_flag": "test", "int_feature_flag": 666, "bool_feature_flag": False}
    stack = _load("stacks-dependencies")
    deps = stack.dependencies.set_index("unit")
    generated = deps.loc["live/.terragrunt-stack/app-with-dependency"]
    assert generated["target"] == "live/.terragrunt-stack/app1" and bool(generated["exists"])
    assert stack.run_order() == [
        [
            "live/.terragrunt-stack/app1",
            "live/.terragrunt-stack/app2",
            "live/.terragrunt-stack/app3",
            "units/app-with-dependency",
        ],
        ["live/.terragrunt-stack/app-with-dependency"],
    ]

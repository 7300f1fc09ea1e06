"""load_tree and lint on real-world-shaped trees: hand-written cases under ``tests/fixtures/real_trees/``
that reproduce the constructs found in public Terragrunt repositories and terragrunt's own test fixtures
(see that folder's README for the construct each folder holds).

Every folder must load leniently (problems are error rows with path and message), load or raise an
``OpslibError`` in strict mode, lint without leaking secrets, and give a usable graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from opslib.errors import OpslibError
from opslib.rules import lint
from opslib.terragrunt import TerragruntTree, is_unknown, load_tree

REAL = Path(__file__).resolve().parent / "fixtures" / "real_trees"
FOLDERS = sorted(p.name for p in REAL.iterdir() if p.is_dir())

# folders without a unit: their only config is a stack that cannot generate anything
NO_UNITS = {"stacks-errors-cycles", "stacks-errors-relative-path-outside"}


def _load(name: str, **kwargs: object) -> TerragruntTree:
    root = REAL / name
    # get_repo_root() would otherwise be this checkout's root: pin it to the fixture folder
    return load_tree(root, repo_root=root, cache=False, **kwargs)  # type: ignore[arg-type]


# A literal written to a secret-named attribute, or an AWS key id: found in the files themselves.
_SECRET_LITERAL = re.compile(
    r'^\s*"?\w*(password|passwd|secret|token|api_key|access_key|private_key)"?\s*[=:]\s*"([^"$]+)"',
    re.IGNORECASE | re.MULTILINE,
)
_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
# a secret may show its first three characters; no run this long of the rest may appear anywhere
_RUN = 10


def _written_secrets(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".hcl", ".yml", ".yaml", ".json", ".tfvars"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(m.group(2) for m in _SECRET_LITERAL.finditer(text))
            found.update(_KEY_ID.findall(text))
    return {s for s in found if len(s) > _RUN}


def _inputs(tree: TerragruntTree, unit: str) -> dict[str, Any]:
    """The evaluated inputs of one unit row."""
    value = tree.units.set_index("unit").loc[unit, "inputs"]
    assert isinstance(value, dict), value
    return value


def test_enough_real_folders() -> None:
    assert len(FOLDERS) >= 30
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for name in FOLDERS:
        assert f"`{name}/`" in readme, f"{name} has no line in the README"
    size = sum(p.stat().st_size for p in REAL.rglob("*") if p.is_file())
    assert size < 150_000


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
    # catalog units (what stacks generate units from) are templates, never run: not in the graph
    runnable = tree.units[tree.units["kind"] != "catalog"]
    assert set(tree.graph.nodes) == set(runnable["unit"])


@pytest.mark.parametrize("name", FOLDERS)
def test_literal_dependencies_resolve(name: str) -> None:
    tree = _load(name)
    units = set(tree.units["unit"])
    for row in tree.dependencies.itertuples():
        assert row.unit in units
        config_path = str(row.config_path)
        literal = config_path.startswith('"') and "${" not in config_path
        if literal:
            assert isinstance(row.resolved, str) and row.resolved.startswith("/"), row
            assert bool(row.exists) == (row.target in units), row
        if row.exists:
            assert tree.graph.has_edge(row.unit, row.target)


@pytest.mark.parametrize("name", FOLDERS)
def test_lint_has_no_secrets(name: str) -> None:
    # judged by the secrets written in the folder's files, not by opslib's own masker
    tree = _load(name)
    findings = lint(tree)
    assert isinstance(findings, pd.DataFrame)
    text = findings.to_json(default_handler=str)
    for secret in _written_secrets(REAL / name):
        runs = {secret[i : i + _RUN] for i in range(3, len(secret) - _RUN + 1)}
        assert not [run for run in runs if run in text], (secret, findings["message"].tolist())


def test_secret_scanner_finds_the_planted_ones() -> None:
    found = {name: _written_secrets(REAL / name) for name in FOLDERS}
    assert found["codegen-s3-assume-role"] == {"plain-text-password-in-a-repo", "AKIAZZZZZZZZZZZZZZZZ"}


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
    assert sorted(flat) == sorted(tree.units.loc[tree.units["kind"] != "catalog", "unit"])
    assert tree.to_mermaid()


# -- behaviour the loader and rule fixes pinned down ------------------------------------------------


def test_json_include_paths_with_quoted_arguments() -> None:
    """terragrunt.hcl.json: ``"${find_in_parent_folders(\\"x.hcl\\")}"`` reads as a call."""
    tree = _load("include-multiple")
    json_rows = tree.errors[tree.errors["path"] == "json/child/terragrunt.hcl.json"]
    messages = " ".join(json_rows["message"])
    assert "cannot read expression" not in messages
    # common-inputs.hcl is found; absent-dep.hcl is missing on purpose
    assert "find_in_parent_folders(absent-dep.hcl)" in messages
    unit = tree.units.set_index("unit").loc["json/child"]
    assert unit["includes"][0]["path"] == "common-inputs.hcl"
    assert unit["inputs"] == {"legacy_name": "from common", "shared": "yes", "from_json": True}


def test_exposed_include_dependency_blocks() -> None:
    """``include.netdep.dependency.uplink.config_path`` reads the included block, no cycle."""
    tree = _load("include-multiple")
    rows = tree.errors[tree.errors["path"] == "expose/child/terragrunt.hcl"]
    assert rows.empty, rows["message"].tolist()
    dep = tree.dependencies.set_index("unit").loc["expose/child"]
    assert dep["target"] == "expose/network"
    assert dep["resolved"].endswith("/include-multiple/expose/network")
    assert tree.run_order() == [["expose/network", "json/child", "no-merge/child"], ["expose/child"]]


def test_deep_include_merges_nested_values() -> None:
    unit = _load("include-deep").units.set_index("unit").loc["nested/deeper/child"]
    assert unit["includes"][0]["path"] == "base.hcl"
    assert unit["inputs"] == {
        "tags": {"project": "atlas", "layer": "child"},
        "sizes": ["s", "m"],
        "project": "atlas",
    }


def test_read_terragrunt_config_parts_and_fallback() -> None:
    tree = _load("read-terragrunt-config")
    assert tree.errors.empty
    unit = tree.units.set_index("unit").loc["metrics"]
    assert unit["source"] == "git::https://example.com/infra/modules.git//metrics?ref=v0.9.1"
    assert unit["inputs"] == {
        "team": "observability",
        "retention_days": 14,
        "state_bucket": "obs-state-bucket",
        "extra": "none",
    }
    names = _load("config-files-non-default-names")
    assert _inputs(names, "app")["limit"] == 12 and _inputs(names, "app")["stage"] == "beta"
    assert _inputs(names, "backend") == {"tier": "gold"}  # a terragrunt.hcl.json unit


def test_dependency_without_config_path() -> None:
    tree = _load("dependency-missing-config-path")
    deps = tree.dependencies
    dep = deps[(deps["unit"] == "network") & (deps["name"] == "dns")]
    assert len(dep) == 1
    assert dep["target"].isna().all()
    assert not dep["exists"].any()
    assert "dependency 'dns' has no config_path" in set(tree.errors["message"])
    front = deps[deps["unit"] == "frontend"]
    assert front["target"].tolist() == ["network"] and front["exists"].all()
    ghost = deps[deps["unit"] == "orphan"]
    assert ghost["target"].tolist() == ["not-created-yet"] and not ghost["exists"].any()


def test_mock_outputs_and_nested_units() -> None:
    tree = _load("dependency-mock-outputs")
    assert tree.errors.empty
    assert sorted(tree.graph.edges) == [
        ("app", "vpc"),
        ("env/web", "env/net"),
        ("env/web/sg", "env/net"),
        ("env/web/sg", "env/web"),
        ("worker", "vpc"),
    ]
    assert tree.run_order() == [["env/net", "vpc"], ["app", "env/web", "worker"], ["env/web/sg"]]
    app = _inputs(tree, "app")
    assert is_unknown(app["first"]) and is_unknown(app["subnet_ids"])  # outputs are never fetched


def test_stack_sources_not_found_are_error_rows() -> None:
    tree = _load("stacks-errors-incorrect-source")
    assert tree.units["unit"].tolist() == ["live/.terragrunt-stack/web", "live/.terragrunt-stack/worker"]
    assert tree.errors[["line", "message"]].values.tolist() == [
        [1, "unit 'web': source not found: ../../../modules/web (outside the repository)"],
        [6, "unit 'worker': source not found: units/worker"],
    ]
    basic = _load("stacks-basic")
    assert basic.errors.empty  # every source exists (catalog/queue has no terragrunt.hcl, only main.tf)
    units = basic.units.set_index("unit")
    expected = {
        "live/.terragrunt-stack/ledger",
        "live/.terragrunt-stack/queue",
        "live/.terragrunt-stack/workers/.terragrunt-stack/primary",
        "live/.terragrunt-stack/workers/.terragrunt-stack/standby",
    }
    assert expected <= set(units.index)
    # the stack's locals reach the generated unit through values
    assert units.loc["live/.terragrunt-stack/ledger", "inputs"] == {
        "owner": "payments-team",
        "replica_count": 2,
    }
    assert is_unknown(_inputs(basic, "catalog/ledger")["owner"])  # read outside a stack


def test_self_generating_stack_stops_with_an_error_row() -> None:
    tree = _load("stacks-errors-cycles")
    assert tree.units.empty
    assert any("stacks nest deeper than" in m for m in tree.errors["message"])


def test_stack_paths_terragrunt_refuses() -> None:
    outside = _load("stacks-errors-relative-path-outside")
    assert outside.units.empty
    assert outside.errors["message"].tolist() == ["unit 'escape': path leaves the stack folder"]
    empty = _load("stacks-errors-unit-empty-path")
    assert empty.units["unit"].tolist() == ["live/.terragrunt-stack/fine"]
    messages = set(empty.errors["message"])
    for name in ("blank", "spaces"):
        assert f"unit '{name}' has no usable path" in messages
    overlap = _load("stacks-errors-overlapping-paths")
    assert overlap.units["unit"].tolist() == ["live/.terragrunt-stack/app"]
    assert overlap.errors[["line", "message"]].values.tolist() == [
        [6, "unit 'green': another unit is generated into live/.terragrunt-stack/app already"]
    ]


def test_stack_value_the_stack_never_sets() -> None:
    tree = _load("stacks-errors-unknown-value")
    assert set(tree.units["unit"]) == {"live/.terragrunt-stack/svc", "units/svc"}
    rows = tree.errors[["path", "message"]].drop_duplicates().values.tolist()
    assert rows == [["units/svc/terragrunt.hcl", "no key 'size' in the object"]]
    generated = tree.units.set_index("unit").loc["live/.terragrunt-stack/svc"]
    assert generated["errors"] == 1


def test_only_the_default_stack_file_is_read() -> None:
    tree = _load("stacks-multiple-files")
    assert tree.errors.empty
    assert tree.units["unit"].tolist() == ["live/.terragrunt-stack/frontend", "templates/site"]
    front = tree.units.set_index("unit").loc["live/.terragrunt-stack/frontend"]
    assert front["inputs"] == {"color": "blue"}


def test_included_file_locals_are_evaluated() -> None:
    """live-classic-layout: root.hcl's locals read account.hcl / region.hcl / env.hcl above the unit."""
    tree = _load("live-classic-layout")
    units = tree.units.set_index("unit")
    unit = units.loc["staging/eu-central-1/qa/web-fleet"]
    assert unit["errors"] == 0
    assert unit["inputs"]["aws_region"] == "eu-central-1"
    assert unit["inputs"]["account_id"] == "210987654321"
    assert unit["inputs"]["name"] == "web-fleet-qa"
    assert unit["inputs"]["max_size"] == 4  # the unit's own inputs win over _envcommon
    assert unit["source"] == "git::https://example.com/acme/tf-modules.git//compute/web-fleet?ref=v1.4.2"
    # the older postgres unit uses a bare find_in_parent_folders(): there is no terragrunt.hcl above it
    postgres = tree.errors[tree.errors["path"] == "staging/eu-central-1/qa/postgres/terragrunt.hcl"]
    assert len(postgres) == 1
    assert postgres["message"].str.contains(r"find_in_parent_folders\(terragrunt.hcl\)").all()
    assert _inputs(tree, "staging/eu-central-1/qa/postgres")["identifier"] == "pg-qa"
    assert "stack.tm.hcl" not in " ".join(tree.errors["path"])  # terramate files are not read


def test_unparseable_files() -> None:
    tree = _load("unparseable-files")
    parse = tree.errors[tree.errors["kind"] == "parse"]
    assert sorted(parse["path"]) == ["bad-char/terragrunt.hcl", "bad-key/terragrunt.hcl"]
    assert parse["line"].tolist() == [2, 2]
    assert tree.units.set_index("unit").loc["fine", "inputs"] == {"name": "parses"}
    with pytest.raises(OpslibError, match=r"terragrunt.hcl:2"):
        _load("unparseable-files", strict=True)
    # `{{ }}` templates under .boilerplate/ are not units and not parse errors
    scaffold = _load("scaffold-templates")
    assert scaffold.units["unit"].tolist() == ["."] and scaffold.errors.empty


def test_empty_config_path_is_not_a_self_dependency() -> None:
    tree = _load("dependency-empty-config-path")
    assert "live/.terragrunt-stack/client" in set(tree.units["unit"])
    deps = tree.dependencies
    stack_dep = deps[deps["unit"] == "live/.terragrunt-stack/client"]
    assert len(stack_dep) == 1
    # no resolved path: the target is the expression as written, never the unit itself
    assert stack_dep["resolved"].isna().all() and not stack_dep["exists"].any()
    assert stack_dep["target"].tolist() == ['try(values.upstream.registry, "")']
    assert not any(tree.graph.has_edge(n, n) for n in tree.graph.nodes)
    assert "dependency 'registry' has an empty config_path" in set(tree.errors["message"])
    # `enabled = false` with an empty path: no row, no error
    disabled = _load("dependency-disabled-empty-path")
    assert disabled.dependencies.empty and disabled.errors.empty
    assert disabled.units.set_index("unit").loc["svc-a", "inputs"] == {"cost_center": "cc-4410"}


def test_blocks_terragrunt_refuses_twice() -> None:
    same = _load("codegen-same-name-error")
    assert sorted(same.errors[["path", "line", "message"]].values.tolist()) == [
        ["terragrunt.hcl", 7, "generate 'backend' appears more than once in this file"],
        ["terragrunt.hcl", 16, "dependency 'shared' appears more than once in this file"],
    ]
    assert len(same.dependencies) == 1  # one row per dependency name
    bare = _load("duplicate-bare-include")
    assert bare.errors[["line", "message"]].values.tolist() == [
        [5, "include without a label appears more than once in this file"]
    ]
    unit = bare.units.iloc[0]
    assert unit["inputs"] == {"team": "Search Squad", "common": "Shared Defaults"}


def test_exposed_include_chains() -> None:
    tree = _load("chained-deps-exposed-include")
    assert tree.errors.empty
    assert set(tree.graph.edges) == {("middle", "base"), ("top", "base"), ("top", "middle")}
    assert tree.run_order() == [["base"], ["middle"], ["top"]]


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

    from opslib.rules._base import REGISTRY, Finding, LintContext
    from opslib.rules.registry import all_rules

    all_rules()
    rule = REGISTRY["TG011"]

    def broken(ctx: LintContext) -> Iterator[Finding]:
        yield from rule.check(ctx)
        raise TypeError("unexpected value AKIAABCDEFGHIJKLMNOP")

    monkeypatch.setitem(REGISTRY, "TG011", dataclasses.replace(rule, check=broken))
    findings = lint(_load("live-classic-layout"))
    tg011 = findings[findings["rule_id"] == "TG011"]
    assert len(tg011) == 3  # two units without a lock file, then the failure
    failure = tg011[tg011["path"] == "."]["message"].item()
    assert failure.startswith("TG011 could not finish (TypeError: unexpected value ****#")
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
        if unit == "staging/eu-central-1/qa/postgres":
            raise TypeError("surprise")
        return real(ev, unit, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tree_module, "build_unit", flaky)
    tree = _load("live-classic-layout")
    assert tree.units["unit"].tolist() == ["staging/eu-central-1/qa/web-fleet"]
    rows = tree.errors[tree.errors["message"].str.startswith("cannot evaluate this file")]
    assert rows[["path", "message"]].values.tolist() == [
        ["staging/eu-central-1/qa/postgres/terragrunt.hcl", "cannot evaluate this file (TypeError: surprise)"]
    ]
    with pytest.raises(OpslibError, match=r"postgres/terragrunt.hcl: cannot evaluate this file"):
        _load("live-classic-layout", strict=True)


def test_nothing_is_run_or_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_cmd, sops_decrypt_file and get_env stay unknown / fallback: loading never executes anything."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("HOOK_GREETING_WORD", "from-the-environment")
    tree = _load("locals-run-cmd")
    unit = tree.units.iloc[0]
    assert len(unit["locals"]) == 5 and len(unit["inputs"]) == 3
    for value in [*unit["locals"].values(), *unit["inputs"].values()]:
        assert is_unknown(value) and "run_cmd() is never run" in repr(value)
    sops = _load("sops-decrypt").units.iloc[0]
    assert is_unknown(sops["locals"]["secrets"]) and is_unknown(sops["inputs"]["api_token"])
    hooks = _load("hooks")
    assert hooks.errors.empty
    before = hooks.unit_config(".")["terraform"]["before_hook"]
    assert before["greet"]["execute"] == ["echo", "Howdy"]
    conditional = hooks.unit_config("conditional")["terraform"]
    assert conditional["before_hook"]["only_in_ci"]["if"] is False
    assert conditional["after_hook"]["never"]["if"] is False


def test_catalog_ref_from_values_is_not_judged() -> None:
    """``?ref=${values.version}`` in a catalog unit: the version comes from the stack, TG002 stays quiet."""
    tree = _load("live-stacks-layout")
    findings = lint(tree)
    assert "TG002" not in set(findings["rule_id"])
    tg004 = findings[findings["rule_id"] == "TG004"]
    assert tg004[["unit", "line"]].values.tolist() == [["catalog/units/service", 12]]
    deps = tree.dependencies.set_index("unit")
    generated = "live/prod/us-east-2/shop/.terragrunt-stack/shop/.terragrunt-stack/"
    assert deps.loc[generated + "service", "target"] == generated + "database"
    assert bool(deps.loc[generated + "service", "exists"])


def test_hardcoded_secrets_are_flagged_masked() -> None:
    findings = lint(_load("codegen-s3-assume-role"))
    tg008 = findings[findings["rule_id"] == "TG008"]
    assert tg008["line"].tolist() == [24, 25]
    text = " ".join(findings["message"])
    assert "plain-text-password" not in text and "AKIAZZZZZZZZZZZZZZZZ" not in text


def test_stack_values_features_and_generated_dependencies() -> None:
    found = _load("stacks-find-in-parent-folders")
    # the stack's locals read shared.hcl via find_in_parent_folders; values reach the unit's inputs
    assert _inputs(found, "live/stack/.terragrunt-stack/bucket") == {"region": "eu-north-1"}
    assert is_unknown(_inputs(found, "units/bucket")["region"])  # no stack: values unknown
    flags = _load("feature-flags").units.set_index("unit")
    assert flags.loc["app", "inputs"] == {"color": "teal", "pods": 7, "canary": False}
    assert flags.loc["empty", "inputs"] == {"unset": None}
    stack = _load("stacks-dependencies")
    deps = stack.dependencies.set_index("unit")
    generated = deps.loc["live/.terragrunt-stack/api"]
    assert generated["target"] == "live/.terragrunt-stack/db" and bool(generated["exists"])
    api = _inputs(stack, "live/.terragrunt-stack/api")
    assert api["listen_port"] == 8443
    assert stack.run_order() == [
        ["live/.terragrunt-stack/cache", "live/.terragrunt-stack/db"],
        ["live/.terragrunt-stack/api"],
    ]


def test_retry_exclude_and_generate_blocks_are_kept() -> None:
    retry = _load("errors-retry-blocks")
    assert retry.errors.empty
    errors = retry.unit_config("flaky")["errors"]
    assert errors["retry"]["network_blips"]["max_attempts"] == 4
    assert errors["ignore"]["known_warning"]["signals"] == {"notify_team": False}
    exclude = _load("exclude-blocks")
    assert exclude.errors.empty
    assert exclude.unit_config("conditional")["exclude"] == {"if": True, "actions": ["all_except_output"]}
    assert set(exclude.graph.edges) == {("json-app", "dep-unit"), ("with-dep", "dep-unit")}
    generate = _load("codegen-generate-attr").unit_config(".")["generate"]
    assert generate["versions"]["contents"] == 'terraform {\n  required_version = ">= 1.6"\n}\n'


def test_no_merge_include_is_not_merged() -> None:
    """terragrunt: an include with ``merge_strategy = "no_merge"`` adds nothing to the child's config."""
    unit = _load("include-multiple").units.set_index("unit").loc["no-merge/child"]
    assert unit["inputs"] == {"shared": "overridden"}

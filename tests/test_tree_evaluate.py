"""The safe evaluator: each construct and each function, on small fixture trees."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from _files import write_files

from opslib.secrets import is_masked, mask
from opslib.terragrunt import Unknown, is_unknown, load_tree
from opslib.terragrunt.expr import ExprSyntaxError, compile_text

FIXTURES = Path(__file__).parent / "fixtures" / "tree"
FUNCTIONS_ROOT = (FIXTURES / "functions").resolve()
UNIT_DIR = FUNCTIONS_ROOT / "team" / "svc" / "unit"


@pytest.fixture(scope="module")
def functions_locals() -> dict[str, Any]:
    tree = load_tree(FIXTURES / "functions", cache=False, repo_root=FIXTURES / "functions")
    assert tree.errors.empty
    locals_: dict[str, Any] = tree.units.set_index("unit").loc["team/svc/unit", "locals"]
    return locals_


EXPECTED_FUNCTIONS: dict[str, Any] = {
    "fipf_named": f"{FUNCTIONS_ROOT}/root.hcl",
    "fipf_folder": f"{FUNCTIONS_ROOT}/common",
    "fipf_subpath": f"{FUNCTIONS_ROOT}/common/vars.hcl",
    "fipf_fallback": "fallback",
    "read_name": "vars",
    "read_orig": str(UNIT_DIR),  # get_original_terragrunt_dir() inside a read file: the unit
    "read_own": f"{FUNCTIONS_ROOT}/common",  # get_terragrunt_dir() inside a read file: its folder
    "read_default": "default",
    "rel_to": "team/svc/unit",
    "rel_to_label": "team/svc/unit",
    "rel_from": "../../..",
    "tg_dir": str(UNIT_DIR),
    "parent_dir": str(FUNCTIONS_ROOT),
    "parent_label": str(FUNCTIONS_ROOT),
    "orig_dir": str(UNIT_DIR),
    "repo_root": str(FUNCTIONS_ROOT),
    "from_repo": "team/svc/unit",
    "to_repo": "../../..",
    "env_fallback": "fallback",
    "merged": {"a": 1, "b": 2},
    "looked": "default",
    "looked_hit": "x",
    "tried": "tried",
    "tried_first": "first",
    "coalesced": "first",
    "concatenated": ["a", "b", "c"],
    "formatted": "x-007",
    "joined": "a,b",
    "splitted": ["a", "b"],
    "replaced": "a_b_c",
    "replaced_re": "1.2.3",
    "lowered": "abc",
    "uppered": "ABC",
    "trimmed": "padded",
    "base": "c.txt",
    "dir": "/a/b",
    "json": '{"a":[true,null],"b":1}',
    "yaml": {"key": "value", "list": [1, 2]},
    "text": "hello from file\n",
    "from_include": "from-root",
    "tfvars": {"name": "x", "size": 3},
    "rendered": "hello ops\n- a\n- b\n",
    "has_file": True,
    "no_file": False,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FUNCTIONS))
def test_function(functions_locals: dict[str, Any], name: str) -> None:
    assert functions_locals[name] == EXPECTED_FUNCTIONS[name]


def test_get_env_without_fallback_is_unknown_unless_a_mapping_is_given() -> None:
    tree = load_tree(FIXTURES / "functions", cache=False)
    assert is_unknown(tree.units.loc[0, "locals"]["env_unset"])
    given = load_tree(
        FIXTURES / "functions",
        cache=False,
        env={"OPSLIB_TEST_UNSET": "from-mapping", "OPSLIB_TEST_VAR": "set"},
    )
    locals_ = given.units.loc[0, "locals"]
    assert locals_["env_unset"] == "from-mapping"
    assert locals_["env_fallback"] == "set"


def test_process_environment_is_not_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSLIB_TEST_VAR", "from-process")
    assert load_tree(FIXTURES / "functions", cache=False).units.loc[0, "locals"]["env_fallback"] == "fallback"
    import os

    tree = load_tree(FIXTURES / "functions", cache=False, env=os.environ)
    assert tree.units.loc[0, "locals"]["env_fallback"] == "from-process"


def test_included_file_sees_the_child_directory() -> None:
    tree = load_tree(FIXTURES / "functions", cache=False)
    inputs = tree.units.loc[0, "inputs"]
    assert inputs["root_rel"] == "team/svc/unit"
    assert inputs["root_from"] == "../../.."
    assert inputs["root_dir"] == str(FUNCTIONS_ROOT)
    assert inputs["tg_dir"] == str(UNIT_DIR)


@pytest.fixture(scope="module")
def constructs() -> Any:
    return load_tree(FIXTURES / "constructs", cache=False)


EXPECTED_CONSTRUCTS: dict[str, Any] = {
    "tmpl": "pre-x-3-post",
    "cond": "big",
    "list_for": [2, 6],
    "map_for": {"A": 2, "B": 3},
    "group_for": {"a": ["ab", "ac"], "b": ["bd"]},
    "from_include": "root-shared",
    "deep": "deep",
    "splat": [1, 2],
    "arith": 7,
    "logic": True,
    "eq": True,
    "neg": -3,
    "directive": "many",
    "loop_tmpl": "[a][b]",
    "escaped": "${not_interpolated}",
    "heredoc": "hello x\n",
    "indented": "one\n  two\n",
    "index": "b",
    "obj_key": {"x": 1, "quoted key": 2},
    "legacy_index": 2,
    "multiline": ["a", "b"],
    "stripped": "abc\n",
    "strip_loop": "item x\nitem y\n",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_CONSTRUCTS))
def test_construct(constructs: Any, name: str) -> None:
    assert constructs.units.loc[0, "locals"][name] == EXPECTED_CONSTRUCTS[name]


def test_reference_cycle_and_bad_call_are_unknown_with_error_rows(constructs: Any) -> None:
    locals_ = constructs.units.loc[0, "locals"]
    assert is_unknown(locals_["cycle_a"]) and is_unknown(locals_["cycle_b"])
    assert is_unknown(locals_["unknown_ref"])
    assert is_unknown(locals_["bad_call"])
    messages = constructs.errors["message"].tolist()
    assert any("reference cycle" in m for m in messages)
    assert any("lookup" in m for m in messages)
    assert set(constructs.errors["kind"]) == {"eval"}
    assert constructs.errors["line"].notna().all()


def test_unit_config_renders_labelled_nested_blocks(constructs: Any) -> None:
    config = constructs.unit_config("unit")
    assert config["terraform"]["extra_arguments"]["retry"] == {
        "commands": ["plan", "apply"],
        "arguments": ["-lock-timeout=5m"],
    }


def test_child_inputs_override_included_inputs(constructs: Any) -> None:
    assert constructs.units.loc[0, "inputs"] == {
        "from_root": "yes",
        "overridden": "unit",
        "tmpl": "pre-x-3-post",
    }


def test_unsafe_functions_are_never_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tree = load_tree(FIXTURES / "unsafe", cache=False)
    assert not (tmp_path / "OPSLIB_MUST_NOT_EXIST").exists()
    assert not (FIXTURES / "unsafe" / "unit" / "OPSLIB_MUST_NOT_EXIST").exists()
    locals_ = tree.units.loc[0, "locals"]
    for name in ("touched", "secrets", "account_id", "derived", "outside", "escape", "maybe"):
        assert is_unknown(locals_[name]), name
    assert "run_cmd" in locals_["touched"].reason
    assert locals_["safe"] == "plain"
    inputs = tree.units.loc[0, "inputs"]
    assert is_unknown(inputs["db_password"]) and is_unknown(inputs["role_arn"])
    assert inputs["name"] == "plain"
    assert tree.errors.empty


def test_read_terragrunt_config_cycle_is_safe() -> None:
    tree = load_tree(FIXTURES / "read_cycle", cache=False)
    inputs = tree.units.loc[0, "inputs"]
    assert inputs["name"] == "a"
    assert is_unknown(inputs["loop"])
    assert tree.errors["kind"].tolist() == ["eval"]
    assert "cycle" in tree.errors.loc[0, "message"]


def test_dependency_outputs_unknown_or_mocks_when_asked() -> None:
    plain = load_tree(FIXTURES / "basic", cache=False).units.set_index("unit")
    assert is_unknown(plain.loc["prod/us-east-1/prod/app", "inputs"]["vpc_id"])
    mocked = load_tree(FIXTURES / "basic", cache=False, mock_outputs=True).units.set_index("unit")
    assert mocked.loc["prod/us-east-1/prod/app", "inputs"]["vpc_id"] == "vpc-mock"
    # no mock_outputs on db's "vpc" dependency: still unknown
    assert is_unknown(mocked.loc["prod/us-east-1/prod/db", "inputs"]["vpc_id"])


def test_secrets_masked_in_locals_and_inputs_and_copies() -> None:
    tree = load_tree(FIXTURES / "secrets", cache=False)
    row = tree.units.loc[0]
    assert row["locals"]["db_password"] == mask("hunter2-very-secret")
    assert is_masked(row["locals"]["api_token"])
    assert row["locals"]["note"] == f"password is {mask('hunter2-very-secret')}"
    assert row["locals"]["secret_arn"].startswith("arn:aws:secretsmanager")
    assert row["locals"]["region"] == "us-east-1"
    assert is_masked(row["inputs"]["master_password"])
    assert re.fullmatch(r"postgres://admin:\*{4}#\w{6}@db:5432/app", row["inputs"]["connection"])
    assert is_masked(row["inputs"]["token"])
    assert is_masked(row["inputs"]["aws_key"])
    assert "hunter2-very-secret" in tree.masker
    assert tree.masker.scrub("log: hunter2-very-secret") == f"log: {mask('hunter2-very-secret')}"
    assert "hunter2" not in repr(tree.unit_config("unit"))


def test_unit_config_is_merged_and_evaluated() -> None:
    tree = load_tree(FIXTURES / "basic", cache=False)
    config = tree.unit_config("prod/us-east-1/prod/app")
    assert config["terraform"]["source"] == "git::https://github.com/acme/modules.git//app?ref=v1.2.0"
    assert config["remote_state"]["config"]["key"] == "prod/us-east-1/prod/app/terraform.tfstate"
    assert config["remote_state"]["config"]["bucket"] == "tfstate-prod-us-east-1"
    assert config["inputs"]["name"] == "app-production"
    assert config["inputs"]["tags"] == {"ManagedBy": "terragrunt", "Repository": "acme/infrastructure-live"}
    assert set(config["dependency"]) == {"vpc"}
    assert config["include"]["envcommon"]["path"] == "_envcommon/app.hcl"


@pytest.mark.parametrize("text", ['"unterminated', "${a +}", "[1, 2", "{a = }", "f(1,", "a ? b"])
def test_bad_expressions_raise_syntax_errors(text: str) -> None:
    with pytest.raises(ExprSyntaxError):
        compile_text(text)


def test_strip_markers_in_quoted_templates() -> None:
    # python-hcl2 rejects "${~" in quoted strings, so this is checked at the expression level
    assert compile_text('"a  ${~ "b" ~}  c"') == ("tmpl", ("a", ("i", ("tmpl", ("b",))), "c"))


def test_unknown_is_explicit() -> None:
    value = Unknown("run_cmd() is never run")
    assert is_unknown(value) and not is_unknown("x")
    assert "run_cmd" in repr(value)


# -- shaped after terragrunt's own test/fixtures/read-config cases ---------------------------------

READ_CONFIG = (FIXTURES / "read_config").resolve()


def test_read_terragrunt_config_exposes_every_block() -> None:
    tree = load_tree(READ_CONFIG, cache=False)
    inputs = tree.units.set_index("unit").loc["full", "inputs"]
    assert inputs["localstg"] == {"the_answer": 42}
    assert inputs["inputs"] == {"doc": "Emmett Brown"}
    assert inputs["prevent_destroy"] is True
    assert inputs["dependencies"] == {"paths": ["../orig/dep"]}
    assert inputs["remote_state"] == {"backend": "local", "config": {"path": "foo.tfstate"}}
    assert inputs["generate"]["provider"]["path"] == "provider.tf"
    terraform = inputs["terraformtg"]
    assert terraform["source"] == "./delorean"
    assert terraform["before_hook"]["before_hook_1"]["execute"] == ["touch", "before.out"]
    assert terraform["extra_arguments"]["var-files"]["env_vars"] == {"TF_VAR_custom_var": "set"}
    assert not (READ_CONFIG / "full" / "before.out").exists()  # hooks are data, never run


def test_original_terragrunt_dir_through_a_read() -> None:
    tree = load_tree(READ_CONFIG, cache=False)
    inputs = tree.units.set_index("unit").loc["orig/dep", "inputs"]
    assert inputs == {
        "terragrunt_dir": f"{READ_CONFIG}/orig/dep",
        "original_terragrunt_dir": f"{READ_CONFIG}/orig/dep",
        "bar_terragrunt_dir": f"{READ_CONFIG}/orig/foo",
        "bar_original_terragrunt_dir": f"{READ_CONFIG}/orig/dep",
    }


def test_dependency_outputs_read_through_another_config() -> None:
    unknown = load_tree(READ_CONFIG, cache=False)
    assert is_unknown(unknown.unit_config("with_dep")["inputs"])
    mocked = load_tree(READ_CONFIG, cache=False, mock_outputs=True)
    assert mocked.units.set_index("unit").loc["with_dep", "inputs"] == {"a": 1}
    deps = mocked.dependencies.set_index("unit")
    assert deps.loc["with_dep/dep", "target"] == "full" and deps.loc["with_dep/dep", "exists"]
    assert set(mocked.graph.edges) == {("with_dep/dep", "full")}


def test_deep_merge_strategy_merges_nested_inputs() -> None:
    tree = load_tree(FIXTURES / "deep_merge", cache=False)
    assert tree.units.loc[0, "inputs"] == {
        "tags": {"Owner": "platform", "Team": "payments"},
        "zones": ["a", "b"],
        "name": "root",
    }
    assert tree.unit_config("unit")["inputs"] == tree.units.loc[0, "inputs"]


# -- Terraform's expression semantics, error rows and their lines (hand-made trees) ---------------


def _write(root: Path, files: dict[str, str]) -> Path:
    return write_files(root, files)


def _locals_of(tmp_path: Path, body: str, **load: Any) -> tuple[dict[str, Any], Any]:
    """The locals of one unit ``app`` whose locals block is ``body``, and the tree."""
    tree = load_tree(_write(tmp_path, {"app/terragrunt.hcl": f"locals {{\n{body}}}\n"}), cache=False, **load)
    locals_: dict[str, Any] = tree.units.set_index("unit").loc["app", "locals"]
    return locals_, tree


def _errors(tree: Any) -> list[list[Any]]:
    return tree.errors[["path", "line", "message"]].values.tolist()


def test_operators_and_conditionals_follow_terraform(tmp_path: Path) -> None:
    # each value as `terraform console` (v1.11) prints it
    locals_, tree = _locals_of(
        tmp_path,
        """  and_false    = true && false
  or_true      = false || true
  greater_same = 2 > 2
  at_least     = 2 >= 2
  less         = 1 < 2
  at_most      = 2 <= 2
  cond_false   = false ? "yes" : "no"
  rem_negative = -5 % 3
  rem_divisor  = 5 % -3
  rem_zero     = 5 % 0
  rem_float    = 5.5 % 2
""",
    )
    assert locals_ == {
        "and_false": False,
        "or_true": True,
        "greater_same": False,
        "at_least": True,
        "less": True,
        "at_most": True,
        "cond_false": "no",
        "rem_negative": -2,
        "rem_divisor": 2,
        "rem_zero": 5,
        "rem_float": 1.5,
    }
    assert tree.errors.empty


def test_splat_follows_terraform(tmp_path: Path) -> None:
    # a value that is not a list is a one-element list; null is an empty one; the steps after [*]
    # (attributes and indexes) apply to each element
    locals_, tree = _locals_of(
        tmp_path,
        """  single  = { id = 7 }
  nothing = null
  one     = local.single[*].id
  none    = local.nothing[*].id
  indexed = [{ a = [1, 2] }, { a = [3, 4] }][*].a[1]
  keyed   = [{ m = { k = "x" } }, { m = { k = "y" } }][*].m["k"]
""",
    )
    assert (locals_["one"], locals_["none"]) == ([7], [])
    assert (locals_["indexed"], locals_["keyed"]) == ([2, 4], ["x", "y"])
    assert tree.errors.empty


def test_for_expressions_nest_and_filter(tmp_path: Path) -> None:
    locals_, tree = _locals_of(
        tmp_path,
        """  nested   = [for xs in [[1, 2], [3]] : [for x in xs : x * 2]]
  filtered = { for k, v in { a = 1, b = 2, c = 3 } : k => v if v > 1 }
""",
    )
    assert locals_["nested"] == [[2, 4], [6]]
    assert locals_["filtered"] == {"b": 2, "c": 3}
    assert tree.errors.empty


def test_try_and_can(tmp_path: Path) -> None:
    locals_, tree = _locals_of(
        tmp_path,
        """  can_missing = can(local.missing)
  can_value   = can("x")
  can_unknown = can(get_env("OPSLIB_TEST_UNSET"))
  try_second  = try(local.missing, "second")
  try_none    = try(local.missing, local.absent)
  can_two     = [
    can("a", "b"),
  ]
""",
    )
    assert locals_["can_missing"] is False
    assert locals_["can_value"] is True
    assert is_unknown(locals_["can_unknown"])  # whether it would fail is not known yet
    assert locals_["try_second"] == "second"
    assert is_unknown(locals_["try_none"]) and is_unknown(locals_["can_two"])
    # terraform: "no expression succeeded"; 'Function "can" expects only 1 argument(s)'
    assert _errors(tree) == [
        ["app/terragrunt.hcl", 6, "try(): no argument could be evaluated"],
        ["app/terragrunt.hcl", 8, "can() takes exactly one argument, not 2"],  # the call's line
    ]


def test_unknown_values_say_what_they_wait_for(tmp_path: Path) -> None:
    _write(tmp_path, {"vpc/terragrunt.hcl": "inputs = {}\n"})
    tree = load_tree(
        _write(
            tmp_path,
            {
                "app/terragrunt.hcl": """dependency "vpc" {
  config_path = "../vpc"
}
locals {
  from_stack = values.name
  dep_inputs = dependency.vpc.inputs.name
  encoded    = jsonencode({ a = get_env("OPSLIB_TEST_UNSET") })
  looked_up  = lookup({ a = 1, b = get_env("OPSLIB_TEST_UNSET") }, "a")
}
""",
            },
        ),
        cache=False,
    )
    assert tree.errors.empty
    row = tree.units.set_index("unit").loc["app"]
    locals_ = row["locals"]
    assert locals_["from_stack"].reason == "values (set by a stack)"
    assert locals_["dep_inputs"].reason == "dependency.vpc.inputs"
    # jsonencode would hide the unknown inside its text; lookup only needs the key it reads
    assert locals_["encoded"].reason == "jsonencode() of an unknown value"
    assert locals_["looked_up"] == 1
    reason = "get_env(OPSLIB_TEST_UNSET): the environment variable is not set"
    assert [(u["function"], u["reason"], u["line"]) for u in row["unresolved"]] == [
        ("get_env", reason, 7),
        ("get_env", reason, 8),
    ]


def test_error_rows_name_what_failed_on_its_line(tmp_path: Path) -> None:
    _, tree = _locals_of(
        tmp_path,
        """  fine     = 1
  of_text  = "abc".x
  no_dep   = dependency.nope.outputs.id
  no_sum   = "a" + 1
  listed   = [
    "missing here",
    local.missing,
  ]
  biggest  = [
    1,
    max(),
  ]
  template = <<EOT
hello ${1 +}
EOT
""",
    )
    rows = _errors(tree)
    assert rows[:5] == [
        ["app/terragrunt.hcl", 3, "cannot read 'x' of a str"],
        ["app/terragrunt.hcl", 4, "no dependency block named 'nope'"],
        ["app/terragrunt.hcl", 5, "'a' is not a number"],  # the attribute's line (no needle)
        ["app/terragrunt.hcl", 8, "no local named 'missing' in app/terragrunt.hcl"],  # not line 7
        # a Python error inside a function is named after the function, on the call's line
        ["app/terragrunt.hcl", 12, rows[4][2]],
    ]
    assert rows[4][2].startswith("max(): ")
    assert rows[5][:2] == ["app/terragrunt.hcl", 14] and rows[5][2].startswith("cannot read expression: ")
    assert len(rows) == 6


def test_an_expression_too_deep_to_evaluate_is_an_error_row(tmp_path: Path) -> None:
    # a chain of locals too long to follow, and documents nested too deep to decode: no traceback
    chain = "".join(f"  l{i} = local.l{i + 1} + 1\n" for i in range(400)) + "  l400 = 0\n"
    nested = "[" * 100_000 + "1" + "]" * 100_000
    body = f'  json = jsondecode("{nested}")\n  yaml = yamldecode("{nested[99_000:-99_000]}")\n{chain}'
    locals_, tree = _locals_of(tmp_path, body)
    assert is_unknown(locals_["json"]) and is_unknown(locals_["yaml"]) and is_unknown(locals_["l0"])
    assert set(tree.errors["message"]) == {"expression nests too deeply"}
    assert tree.errors["line"].tolist()[:2] == [2, 3]


def test_include_errors_name_the_include_on_the_right_line(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "a/terragrunt.hcl": 'include "root" {\n  path = 42\n}\n',
            "b/terragrunt.hcl": "include {\n  path = 42\n}\n",
            "c/terragrunt.hcl": 'include "root" {\n  expose = true\n  path   = "a" + 1\n}\n',
            "d/terragrunt.hcl": (
                'include {\n  path   = get_env("OPSLIB_TEST_UNSET")\n  expose = true\n}\n'
                "locals {\n  shared = include.locals.shared\n}\n"
            ),
        },
    )
    tree = load_tree(root, cache=False)
    assert tree.errors[["path", "line", "message", "kind"]].values.tolist() == [
        ["a/terragrunt.hcl", 1, "include 'root': cannot resolve its path (path is not a string)", "eval"],
        ["b/terragrunt.hcl", 1, "include: cannot resolve its path (path is not a string)", "eval"],
        ["c/terragrunt.hcl", 3, "'a' is not a number", "eval"],
        [
            "d/terragrunt.hcl",
            2,
            "include: the path depends on the unset environment variable OPSLIB_TEST_UNSET; "
            "what it reads is not known",
            "warning",
        ],
    ]
    # the bare include's locals wait for the variable: unknown, no error
    assert is_unknown(tree.units.set_index("unit").loc["d", "locals"]["shared"])


def test_read_terragrunt_config_of_a_missing_attribute_names_the_file(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "common.hcl": "locals {\n  x = 1\n}\n",
            "app/terragrunt.hcl": 'locals {\n  v = read_terragrunt_config("../common.hcl").inputs\n}\n',
        },
    )
    assert _errors(load_tree(root, cache=False)) == [["app/terragrunt.hcl", 2, "common.hcl has no 'inputs'"]]


READ_DIRS = 'locals {\n  d = read_terragrunt_config("../common/dirs.hcl").locals.orig\n}\n'


def test_a_read_file_asking_for_the_original_dir_is_read_per_unit(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "common/dirs.hcl": "locals {\n  orig = get_original_terragrunt_dir()\n}\n",
            "a/terragrunt.hcl": READ_DIRS,
            "b/terragrunt.hcl": READ_DIRS,
        },
    )
    units = load_tree(root, cache=False).units.set_index("unit")
    assert units.loc["a", "locals"]["d"] == str(root / "a")
    assert units.loc["b", "locals"]["d"] == str(root / "b")


def test_dependency_expansion_over_a_map(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "east/terragrunt.hcl": "inputs = {}\n",
            "west/terragrunt.hcl": "inputs = {}\n",
            "app/terragrunt.hcl": """dependency "region" {
  expansion {
    for_each = { east = "e", west = "w" }
  }
  config_path = "../${each.key}"
}
dependency "bad" {
  expansion {
    for_each = "east"
  }
  config_path = "../east"
}
locals {
  west = dependency.region["west"].config_path
}
""",
        },
    )
    tree = load_tree(root, cache=False)
    assert tree.units.set_index("unit").loc["app", "locals"]["west"] == "../west"
    assert sorted(tree.graph.successors("app")) == ["east", "west"]
    assert _errors(tree) == [
        ["app/terragrunt.hcl", 7, "dependency 'bad': expansion.for_each must be a map or a set"]
    ]


def test_a_catalog_unit_read_alone_keeps_the_line_of_what_it_cannot_resolve(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "catalog/units/app/terragrunt.hcl": (
                'locals {\n  env = read_terragrunt_config(find_in_parent_folders("env.hcl"))\n}\n'
                "inputs = {\n  name = local.env.locals.name\n}\n"
            ),
            "live/env.hcl": 'locals {\n  name = "dev"\n}\n',
            "live/terragrunt.stack.hcl": (
                'unit "app" {\n  source = "../catalog/units/app"\n  path = "app"\n}\n'
            ),
        },
    )
    tree = load_tree(root, cache=False, repo_root=root)
    assert tree.errors.empty
    units = tree.units.set_index("unit")
    assert units.loc["live/.terragrunt-stack/app", "inputs"] == {"name": "dev"}
    assert [(u["path"], u["line"]) for u in units.loc["catalog/units/app", "unresolved"]] == [
        ("catalog/units/app/terragrunt.hcl", 2)
    ]


def test_a_unit_at_the_root_is_a_dependency_target(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "terragrunt.hcl": "inputs = {}\n",
            "child/terragrunt.hcl": 'dependency "up" {\n  config_path = ".."\n}\n',
        },
    )
    tree = load_tree(root, cache=False)
    assert tree.dependencies[["unit", "target", "exists"]].values.tolist() == [["child", ".", True]]
    assert list(tree.graph.edges) == [("child", ".")]


def test_a_read_outside_the_repository_names_the_file_as_written(tmp_path: Path) -> None:
    outside = _write(tmp_path, {"outside.hcl": "locals {\n  x = 1\n}\n"}) / "outside.hcl"
    repo = _write(
        tmp_path / "repo",
        {"live/app/terragrunt.hcl": f'locals {{\n  o = read_terragrunt_config("{outside}")\n}}\n'},
    )
    tree = load_tree(repo / "live", cache=False, repo_root=repo)
    value = tree.units.loc[0, "locals"]["o"]
    assert value.reason == f"read_terragrunt_config({outside}): not a parsed file of the repository"


def test_get_repo_root_finds_each_repository_inside_the_loaded_folder(tmp_path: Path) -> None:
    # a folder of clones loaded as a whole: no .git above it, one in each clone (a worktree's .git file
    # in one, a folder in the other); terragrunt asks git in the unit's own folder
    unit = "locals {\n  root = get_repo_root()\n  here = get_path_from_repo_root()\n}\n"
    root = _write(
        tmp_path / "workspace",
        {
            "infra/.git": "gitdir: /elsewhere/.git/worktrees/infra\n",
            "infra/app/terragrunt.hcl": unit,
            "platform/.git/HEAD": "ref: refs/heads/main\n",
            "platform/net/vpc/terragrunt.hcl": unit,
            "loose/terragrunt.hcl": unit,
        },
    )
    tree = load_tree(root, cache=False)
    assert tree.errors.empty
    units = tree.units.set_index("unit")
    assert units.loc["infra/app", "locals"] == {"root": str(root / "infra"), "here": "app"}
    assert units.loc["platform/net/vpc", "locals"] == {"root": str(root / "platform"), "here": "net/vpc"}
    assert all(is_unknown(v) for v in units.loc["loose", "locals"].values())  # in no repository

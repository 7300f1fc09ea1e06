"""The safe evaluator: each construct and each function, on small fixture trees."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

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

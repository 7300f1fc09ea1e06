"""The dependency graph: cycles, run order, dependents, blast radius, DOT and Mermaid; and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _files import write_files

from opslib.cli import main
from opslib.terragrunt import TerragruntTree, load_tree

FIXTURES = Path(__file__).parent / "fixtures" / "tree"


@pytest.fixture(scope="module")
def basic() -> TerragruntTree:
    return load_tree(FIXTURES / "basic", cache=False)


@pytest.fixture(scope="module")
def cycle() -> TerragruntTree:
    return load_tree(FIXTURES / "cycle", cache=False)


def test_graph_edges_point_at_dependencies(basic: TerragruntTree) -> None:
    assert sorted(basic.graph.edges) == [
        ("prod/us-east-1/prod/app", "prod/us-east-1/prod/vpc"),
        ("prod/us-east-1/prod/db", "prod/us-east-1/prod/app"),
        ("prod/us-east-1/prod/db", "prod/us-east-1/prod/vpc"),
    ]
    assert basic.graph.nodes["prod/us-east-1/prod/db"]["account"] == "prod"
    assert basic.cycles() == []


def test_run_order_waves_and_destroy(basic: TerragruntTree) -> None:
    assert basic.run_order() == [
        ["prod/us-east-1/prod/vpc"],
        ["prod/us-east-1/prod/app"],
        ["prod/us-east-1/prod/db"],
    ]
    assert basic.run_order(destroy=True) == list(reversed(basic.run_order()))


def test_dependents(basic: TerragruntTree) -> None:
    assert basic.dependents("prod/us-east-1/prod/vpc") == [
        "prod/us-east-1/prod/app",
        "prod/us-east-1/prod/db",
    ]
    assert basic.dependents("prod/us-east-1/prod/app", transitive=False) == ["prod/us-east-1/prod/db"]
    assert basic.dependents("nope") == []


def test_cycle_is_reported_not_fatal(cycle: TerragruntTree) -> None:
    assert cycle.cycles() == [["a", "b", "c"]]
    waves = cycle.run_order()
    assert [u for wave in waves for u in wave].count("a") == 1
    assert waves == [["a", "b", "c", "e"], ["d"]]
    assert cycle.errors.empty


def test_blast_radius_from_units_and_files(basic: TerragruntTree) -> None:
    radius = basic.blast_radius(["prod/us-east-1/prod/vpc"])
    assert radius.to_dict("records") == [
        {"unit": "prod/us-east-1/prod/vpc", "distance": 0, "reason": "changed"},
        {"unit": "prod/us-east-1/prod/app", "distance": 1, "reason": "depends on prod/us-east-1/prod/vpc"},
        {"unit": "prod/us-east-1/prod/db", "distance": 1, "reason": "depends on prod/us-east-1/prod/vpc"},
    ]
    everything = basic.blast_radius("root.hcl")
    assert sorted(everything["unit"]) == sorted(basic.units["unit"])
    assert set(everything["distance"]) == {0}
    assert set(basic.blast_radius("prod/account.hcl")["unit"]) == set(basic.units["unit"])
    common = basic.blast_radius("_envcommon/app.hcl")
    assert common.to_dict("records")[0] == {
        "unit": "prod/us-east-1/prod/app",
        "distance": 0,
        "reason": "reads _envcommon/app.hcl",
    }
    assert common["unit"].tolist() == ["prod/us-east-1/prod/app", "prod/us-east-1/prod/db"]
    in_unit = basic.blast_radius(str(basic.root / "prod/us-east-1/prod/db/terragrunt.hcl"))
    assert in_unit["unit"].tolist() == ["prod/us-east-1/prod/db"]
    assert basic.blast_radius(["does/not/exist.hcl"]).empty


def test_blast_radius_of_a_local_module() -> None:
    tree = load_tree(FIXTURES / "local_module", cache=False)
    radius = tree.blast_radius(["modules/vpc/main.tf"])
    assert radius.to_dict("records") == [
        {"unit": "live/vpc", "distance": 0, "reason": "sources modules/vpc/main.tf"},
        {"unit": "live/app", "distance": 1, "reason": "depends on live/vpc"},
    ]


def test_dot_matches_terragrunt_dag_graph(basic: TerragruntTree) -> None:
    assert basic.to_dot() == (
        "digraph {\n"
        '\t"prod/us-east-1/prod/app" ;\n'
        '\t"prod/us-east-1/prod/app" -> "prod/us-east-1/prod/vpc";\n'
        '\t"prod/us-east-1/prod/db" ;\n'
        '\t"prod/us-east-1/prod/db" -> "prod/us-east-1/prod/app";\n'
        '\t"prod/us-east-1/prod/db" -> "prod/us-east-1/prod/vpc";\n'
        '\t"prod/us-east-1/prod/vpc" ;\n'
        "}\n"
    )


def test_mermaid(basic: TerragruntTree) -> None:
    text = basic.to_mermaid()
    assert text.startswith("graph TD\n")
    assert '    u0["prod/us-east-1/prod/app"]' in text
    assert "    u0 --> u2" in text and "    u1 --> u0" in text


def _write(root: Path, files: dict[str, str]) -> Path:
    return write_files(root, files)


def test_graph_nodes_carry_kind_and_scope() -> None:
    tree = load_tree(FIXTURES / "basic", cache=False)  # its own load: the graph is built in this test
    assert tree.graph.nodes["prod/us-east-1/prod/vpc"] == {
        "kind": "unit",
        "account": "prod",
        "region": "us-east-1",
        "environment": "production",
    }


def test_a_unit_that_depends_on_itself_is_a_cycle(tmp_path: Path) -> None:
    # terragrunt refuses it ("dependency cycle between modules: app -> app"); it is never dropped silently
    root = _write(
        tmp_path,
        {
            "app/terragrunt.hcl": 'dependency "me" {\n  config_path = "../app"\n}\n'
            'dependency "vpc" {\n  config_path = "../vpc"\n}\n',
            "vpc/terragrunt.hcl": "inputs = {}\n",
        },
    )
    tree = load_tree(root, cache=False)
    assert sorted(tree.graph.edges) == [("app", "app"), ("app", "vpc")]
    assert tree.graph.edges["app", "vpc"] == {"name": "vpc", "kind": "dependency"}
    assert tree.cycles() == [["app"]]
    assert tree.run_order() == [["vpc"], ["app"]]
    assert tree.dependents("app") == []


def test_file_inside_a_unit_folder_changes_that_unit(basic: TerragruntTree) -> None:
    # the unit's own folder wins over "reads": its terragrunt.hcl is a change of the unit, like any file there
    for rel in ("prod/us-east-1/prod/db/terragrunt.hcl", "prod/us-east-1/prod/db/extra.tf"):
        assert basic.blast_radius(rel).to_dict("records") == [
            {"unit": "prod/us-east-1/prod/db", "distance": 0, "reason": f"changed {rel}"}
        ]
    folder = basic.blast_radius(str(basic.root / "prod/us-east-1/prod/app"))
    assert folder.to_dict("records") == [
        {"unit": "prod/us-east-1/prod/app", "distance": 0, "reason": "changed prod/us-east-1/prod/app"},
        {"unit": "prod/us-east-1/prod/db", "distance": 1, "reason": "depends on prod/us-east-1/prod/app"},
    ]


def test_a_module_source_only_catches_files_inside_it() -> None:
    tree = load_tree(FIXTURES / "local_module", cache=False)
    assert tree.blast_radius(["live/app/terragrunt.hcl"]).to_dict("records") == [
        {"unit": "live/app", "distance": 0, "reason": "changed live/app/terragrunt.hcl"}
    ]
    assert tree.blast_radius(["other/main.tf"]).empty
    # "../../modules//vpc": terragrunt copies the whole package before "//", so a sibling module counts
    assert tree.blast_radius(["modules/vpc-old/main.tf"]).to_dict("records")[0] == {
        "unit": "live/vpc",
        "distance": 0,
        "reason": "sources modules/vpc-old/main.tf",
    }


def test_blast_radius_warns_about_paths_waiting_for_an_unset_variable(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "a/terragrunt.hcl": 'include "shared" {\n  path = "${get_env("SHARED_DIR")}/common.hcl"\n}\n',
            "b/terragrunt.hcl": "inputs = {}\n",
            "common.hcl": "inputs = {}\n",
        },
    )
    tree = load_tree(root, cache=False)
    assert tree.blast_radius("common.hcl").to_dict("records") == [
        {
            "unit": "a",
            "distance": 0,
            "reason": "warning: paths of this unit depend on the unset environment variable(s) SHARED_DIR; "
            "it may read the changed file",
        }
    ]
    # a unit named by its id is no changed file: nothing else may read it
    assert tree.blast_radius(["b"])["unit"].tolist() == ["b"]


def test_dot_and_mermaid_escape_quotes_in_unit_ids(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            'team "a"/terragrunt.hcl': 'dependency "base" {\n  config_path = "../plain"\n}\n',
            "plain/terragrunt.hcl": "inputs = {}\n",
        },
    )
    tree = load_tree(root, cache=False)
    # DOT escapes a quote with a backslash; Mermaid labels take the entity code #quot;
    assert tree.to_dot() == ('digraph {\n\t"plain" ;\n\t"team \\"a\\"" ;\n\t"team \\"a\\"" -> "plain";\n}\n')
    assert tree.to_mermaid() == 'graph TD\n    u0["plain"]\n    u1["team #quot;a#quot;"]\n    u1 --> u0\n'


# -- CLI -------------------------------------------------------------------------------------------


def test_cli_units_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["tree", "units", "--no-cache", "--format", "json", str(FIXTURES / "basic")])
    assert rc == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["unit"] for r in rows] == [
        "prod/us-east-1/prod/app",
        "prod/us-east-1/prod/db",
        "prod/us-east-1/prod/vpc",
    ]
    assert rows[0]["includes"][1]["label"] == "envcommon"
    assert rows[0]["inputs"]["vpc_id"].startswith("<unknown")


def test_cli_units_table_and_two_roots(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["tree", "units", "--no-cache", str(FIXTURES / "basic"), str(FIXTURES / "cycle")])
    assert rc == 0
    out = capsys.readouterr().out
    assert "root" in out.splitlines()[0] and "prod/us-east-1/prod/app" in out and " a " in out


def test_cli_deps_csv_and_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["tree", "deps", "--no-cache", "--format", "csv", str(FIXTURES / "unparseable")])
    assert rc == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("unit,target,name,kind,config_path")
    assert "also-good,bad,bad,dependency" in captured.out
    assert "bad/terragrunt.hcl:4: Unexpected token" in captured.err


def test_cli_order_and_destroy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tree", "order", "--no-cache", "--format", "csv", str(FIXTURES / "basic")]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "0,prod/us-east-1/prod/vpc"
    assert main(["tree", "order", "--destroy", "--no-cache", "--format", "csv", str(FIXTURES / "cycle")]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1] == "0,d"
    assert "dependency cycle: a -> b -> c" in captured.err


def test_cli_graph_formats(capsys: pytest.CaptureFixture[str], basic: TerragruntTree) -> None:
    assert main(["tree", "graph", "--no-cache", str(FIXTURES / "basic")]) == 0
    assert capsys.readouterr().out == basic.to_dot()
    assert main(["tree", "graph", "--no-cache", "--format", "mermaid", str(FIXTURES / "basic")]) == 0
    assert capsys.readouterr().out == basic.to_mermaid()
    assert main(["tree", "graph", "--no-cache", "--format", "json", str(FIXTURES / "cycle")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cycles"] == [["a", "b", "c"]] and {"unit": "d", "dependency": "a"} in data["edges"]


def test_cli_blast_radius(capsys: pytest.CaptureFixture[str]) -> None:
    root = FIXTURES / "basic"
    rc = main(
        [
            "tree",
            "blast-radius",
            "--no-cache",
            "--root",
            str(root),
            "--format",
            "json",
            str(root / "_envcommon" / "app.hcl"),
        ]
    )
    assert rc == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["unit"], r["distance"]) for r in rows] == [
        ("prod/us-east-1/prod/app", 0),
        ("prod/us-east-1/prod/db", 1),
    ]


def test_cli_missing_root_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["tree", "units", str(tmp_path / "nope")]) == 2

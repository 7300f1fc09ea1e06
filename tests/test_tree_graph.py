"""The dependency graph: cycles, run order, dependents, blast radius, DOT and Mermaid; and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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

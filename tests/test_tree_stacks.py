"""Stacks and catalogs: catalog units anywhere in the repository, stack-unit dependencies, blast radius
from a catalog file; the evaluator constructs of real stacks; silent gaps that now speak."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _files import write_files

from opslib.terragrunt import TerragruntTree, is_unknown, load_tree

FIXTURES = Path(__file__).parent / "fixtures" / "tree"
REPO = FIXTURES / "catalog_repo"
DEV = "dev/.terragrunt-stack/"
PROD = "prod/.terragrunt-stack/"


@pytest.fixture(scope="module")
def live() -> TerragruntTree:
    # the live folder is loaded; the catalog beside it is read from the repository root
    return load_tree(REPO / "live", cache=False, repo_root=REPO)


def _write(root: Path, files: dict[str, str]) -> Path:
    return write_files(root, files)


def test_stack_units_take_the_catalog_units_configuration(live: TerragruntTree) -> None:
    assert live.errors.empty
    units = live.units.set_index("unit")
    assert sorted(units.index) == [
        DEV + "cluster",
        DEV + "network",
        DEV + "service",
        PROD + "cluster",
        PROD + "network",
        PROD + "service",
        "shared/alerts",
    ]
    network = units.loc[PROD + "network"]
    assert network["kind"] == "stack-unit" and network["path"] == "prod/terragrunt.stack.hcl"
    assert network["source"] == "git::https://git.example.org/platform/modules.git//network?ref=v3.1.0"
    assert network["module_ref"] == "v3.1.0" and network["pinned"]
    # values of each environment's stack reach the same catalog unit
    assert network["inputs"] == {"cidr_block": "10.20.0.0/16", "environment": "prod"}
    assert units.loc[DEV + "network", "inputs"] == {"cidr_block": "10.10.0.0/16", "environment": "dev"}
    assert units.loc[DEV + "cluster", "inputs"]["cluster_name"] == "cluster-dev"
    # file() in a stack unit reads what terragrunt copies into the generated folder
    assert units.loc[DEV + "service", "inputs"]["replicas"] == 3


def test_dependencies_between_stack_units_and_on_a_stack_folder(live: TerragruntTree) -> None:
    deps = live.dependencies
    assert deps["exists"].all()
    edges = sorted(zip(deps["unit"], deps["target"], strict=True))
    assert (DEV + "cluster", DEV + "network") in edges  # config_path from the stack's values
    assert (DEV + "service", DEV + "cluster") in edges  # a relative path between generated folders
    # a dependency on the prod stack folder is one on every unit that stack generates
    alerts = sorted(deps.loc[deps["unit"] == "shared/alerts", "target"])
    assert alerts == [PROD + "cluster", PROD + "network", PROD + "service"]
    mocks = deps.set_index("unit").loc[DEV + "cluster"]
    assert bool(mocks["has_mock_outputs"])
    assert live.run_order() == [
        [DEV + "network", PROD + "network"],
        [DEV + "cluster", PROD + "cluster"],
        [DEV + "service", PROD + "service"],
        ["shared/alerts"],
    ]


def test_blast_radius_from_a_catalog_file_is_transitive_with_distances(live: TerragruntTree) -> None:
    radius = live.blast_radius("../catalog/units/network/terragrunt.hcl")
    distances = dict(zip(radius["unit"], radius["distance"], strict=True))
    assert distances == {
        DEV + "network": 0,
        PROD + "network": 0,
        DEV + "cluster": 1,
        PROD + "cluster": 1,
        "shared/alerts": 1,
        DEV + "service": 2,  # service <- cluster <- network: two hops
        PROD + "service": 2,
    }
    reasons = dict(zip(radius["unit"], radius["reason"], strict=True))
    assert reasons[DEV + "service"] == f"depends on {DEV}cluster"
    # a unit id works as well, and the chain still reaches the far end
    chain = live.blast_radius(DEV + "network")
    assert dict(zip(chain["unit"], chain["distance"], strict=True)) == {
        DEV + "network": 0,
        DEV + "cluster": 1,
        DEV + "service": 2,
    }
    # a file only the service's catalog unit reads
    settings = live.blast_radius(str(REPO / "catalog/units/service/settings.json"))
    assert sorted(settings.loc[settings["distance"] == 0, "unit"]) == [DEV + "service", PROD + "service"]
    assert settings.set_index("unit").loc["shared/alerts", "distance"] == 1


def test_files_list_catalog_files_with_the_units_they_feed(live: TerragruntTree) -> None:
    files = live.files.set_index("path")
    row = files.loc["../catalog/units/cluster/terragrunt.hcl"]
    assert row["role"] == "catalog" and row["status"] == "ok"
    assert row["units"] == [DEV + "cluster", PROD + "cluster"]
    assert files.loc["prod/terragrunt.stack.hcl", "units"] == [
        PROD + "cluster",
        PROD + "network",
        PROD + "service",
    ]


def test_catalog_inside_the_loaded_folder_is_a_template(tmp_path: Path) -> None:
    """Loading the whole repository: catalog units are rows of kind catalog, out of the graph, and
    what only a stack sets is unresolved, not an error."""
    root = tmp_path / "repo"
    shutil.copytree(REPO, root)
    tree = load_tree(root, cache=False, repo_root=root)
    assert tree.errors.empty
    units = tree.units.set_index("unit")
    assert units.loc["catalog/units/network", "kind"] == "catalog"
    assert "catalog/units/network" not in tree.graph
    assert is_unknown(units.loc["catalog/units/network", "inputs"]["cidr_block"])
    assert len(tree.units[tree.units["kind"] == "stack-unit"]) == 6


def test_git_source_of_the_same_repository_is_read_locally(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO, root)
    _write(root, {".git/config": '[remote "origin"]\n\turl = git@git.example.org:platform/live.git\n'})
    stack = root / "live/dev/terragrunt.stack.hcl"
    text = stack.read_text().replace(
        '"../../catalog/units/cluster"',
        '"git::https://git.example.org/platform/live.git//catalog/units/cluster?ref=v5.0.0"',
    )
    stack.write_text(text)
    tree = load_tree(root / "live", cache=False)
    assert tree.errors.empty
    cluster = tree.units.set_index("unit").loc[DEV + "cluster"]
    assert cluster["inputs"]["cluster_name"] == "cluster-dev"
    assert "../catalog/units/cluster/terragrunt.hcl" in set(tree.files["path"])


def test_expansion_enabled_and_autoinclude(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "units/app/terragrunt.hcl": "inputs = {\n  role = values.role\n}\n",
            "units/reader/terragrunt.hcl": ("inputs = {\n  upstream = dependency.source.outputs.name\n}\n"),
            "live/terragrunt.stack.hcl": """
locals {
  owner = "team-blue"
}

unit "replica" {
  expansion {
    for_each = toset(["east", "west"])
  }
  source = "../units/app"
  path   = "replica/${each.key}"
  values = { role = "replica-${each.key}" }
}

unit "shard" {
  expansion {
    count = 2
  }
  source = "../units/app"
  path   = "shard-${count.index}"
  values = { role = "shard" }
}

unit "retired" {
  enabled = false
  source  = "../units/app"
  path    = "retired"
  values  = { role = "old" }
}

unit "reader" {
  source = "../units/reader"
  path   = "reader"
  autoinclude {
    dependency "source" {
      config_path = unit.shard[0].path
      mock_outputs = {
        name = local.owner
      }
    }
  }
}
""",
            "consumer/terragrunt.hcl": """
dependency "replica" {
  expansion {
    for_each = toset(["east", "west"])
  }
  config_path = "../live/.terragrunt-stack/replica/${each.key}"
}

inputs = {
  east = dependency.replica["east"].config_path
}
""",
        },
    )
    tree = load_tree(root, cache=False, repo_root=root, mock_outputs=True)
    units = tree.units.set_index("unit")
    generated = sorted(u for u in units.index if u.startswith("live/"))
    assert generated == [
        "live/.terragrunt-stack/reader",
        "live/.terragrunt-stack/replica/east",
        "live/.terragrunt-stack/replica/west",
        "live/.terragrunt-stack/shard-0",
        "live/.terragrunt-stack/shard-1",
    ]
    assert units.loc["live/.terragrunt-stack/replica/west", "inputs"] == {"role": "replica-west"}
    deps = tree.dependencies.set_index("name")
    assert deps.loc["replica[east]", "target"] == "live/.terragrunt-stack/replica/east"
    assert deps.loc["replica[west]", "exists"]
    # the autoinclude's dependency, with its mock outputs from the stack's locals
    assert units.loc["live/.terragrunt-stack/reader", "inputs"] == {"upstream": "team-blue"}
    assert deps.loc["source", "target"] == "live/.terragrunt-stack/shard-0"
    assert tree.errors.empty, tree.errors


def test_read_terragrunt_config_of_a_stack_file_and_its_values(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "units/app/terragrunt.hcl": """
locals {
  stack  = read_terragrunt_config("${get_repo_root()}/live/terragrunt.stack.hcl")
  values = read_terragrunt_config("terragrunt.values.hcl")
}
inputs = {
  team    = local.stack.local.team
  name    = local.stack.unit.app.name
  version = local.stack.unit.app.values.version
  tier    = local.values.tier
}
""",
            "live/terragrunt.stack.hcl": """
locals {
  team = "data"
}
unit "app" {
  source = "${get_repo_root()}/units/app"
  path   = "app"
  values = { version = "2.1.0", tier = "gold" }
}
""",
        },
    )
    tree = load_tree(root, cache=False, repo_root=root)
    assert tree.errors.empty, tree.errors
    app = tree.units.set_index("unit").loc["live/.terragrunt-stack/app"]
    assert app["inputs"] == {"team": "data", "name": "app", "version": "2.1.0", "tier": "gold"}


def test_heredoc_argument_and_json_root(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "root.hcl.json": '{"locals": {"zone": "z1"}, "inputs": {"zone": "${local.zone}"}}',
            "svc/terragrunt.hcl": """
include "root" {
  path   = find_in_parent_folders("root.hcl.json")
  expose = true
}
locals {
  spec = yamldecode(<<EOT
size: 4
name: api
EOT
  )
}
inputs = {
  size = local.spec.size
  from = include.root.locals.zone
}
""",
        },
    )
    tree = load_tree(root, cache=False, repo_root=root)
    assert tree.errors.empty, tree.errors
    assert tree.units.set_index("unit").loc["svc", "inputs"] == {"zone": "z1", "size": 4, "from": "z1"}
    assert tree.files.set_index("path").loc["root.hcl.json", "role"] == "root"


def test_silent_gaps_now_speak(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "common.hcl": "locals {\n  x = 1\n}\n",
            "a/terragrunt.hcl": """
include "common" {
  path = "${get_env("SHARED_CONFIG_DIR")}/common.hcl"
}
inputs = {
  who = run_cmd("whoami")
}
""",
            "b/terragrunt.hcl": """
locals {
  missing = find_in_parent_folders("wrong-dir-name")
}
inputs = {
  first  = "ok"
  second = "ok"
  third  = lookup({ a = 1 }, "b")
}
""",
        },
    )
    tree = load_tree(root, cache=False, repo_root=root)
    errors = tree.errors
    warning = errors[errors["kind"] == "warning"]
    assert warning["path"].tolist() == ["a/terragrunt.hcl"]
    assert "SHARED_CONFIG_DIR" in warning["message"].iloc[0] and warning["line"].iloc[0] == 3
    rows = errors[errors["kind"] == "eval"].set_index("line")
    assert "find_in_parent_folders(wrong-dir-name)" in rows.loc[3, "message"]
    assert "lookup" in rows.loc[8, "message"]  # the failing line, not line 5 where `inputs` starts
    units = tree.units.set_index("unit")
    assert units.loc["a", "errors"] == 0 and units.loc["b", "errors"] == 2
    unresolved = units.loc["a", "unresolved"]
    assert {u["function"] for u in unresolved} == {"get_env", "run_cmd"}
    assert all(u["line"] for u in unresolved)
    # the blast radius of a file the unknown path may name says so instead of returning nothing
    radius = tree.blast_radius("common.hcl")
    assert radius["unit"].tolist() == ["a"]
    assert radius["reason"].iloc[0].startswith("warning:") and "SHARED_CONFIG_DIR" in radius["reason"].iloc[0]


def test_errors_count_only_for_units_that_met_them(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "root.hcl": (
                'locals {\n  extra = read_terragrunt_config("${get_terragrunt_dir()}/extra.hcl")\n}\n'
            ),
            "one/terragrunt.hcl": 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n',
            "one/extra.hcl": "locals {\n  y = 2\n}\n",
            "two/terragrunt.hcl": 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n',
        },
    )
    tree = load_tree(root, cache=False, repo_root=root)
    units = tree.units.set_index("unit")
    assert units.loc["one", "errors"] == 0
    assert units.loc["two", "errors"] == 1
    assert tree.errors[["path", "line"]].values.tolist() == [["root.hcl", 2]]

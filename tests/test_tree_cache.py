"""The unit cache: a warm load evaluates nothing, one changed file only the units reading it; anything
that could change what units read evaluates everything again; secrets never reach the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from opslib.terragrunt import TerragruntTree, load_tree

FIXTURES = Path(__file__).parent / "fixtures" / "tree"

ROOT = """
locals {
  region = read_terragrunt_config(find_in_parent_folders("region.hcl")).locals.name
}
inputs = {
  region = local.region
}
"""
UNIT = """
include "root" {{
  path = find_in_parent_folders("root.hcl")
}}
dependency "net" {{
  config_path  = "../{dep}"
  mock_outputs = {{ id = "n" }}
}}
locals {{
  db_password = "{secret}"
}}
inputs = {{
  name  = "{name}"
  token = get_env("DEPLOY_TAG", "none")
}}
"""


def _tree(root: Path) -> Path:
    files = {
        "root.hcl": ROOT,
        "eu/region.hcl": 'locals {\n  name = "eu-west-1"\n}\n',
        "eu/svc/net/terragrunt.hcl": 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n',
        "eu/svc/app/terragrunt.hcl": UNIT.format(dep="net", secret="hunter2-hunter2", name="app"),
        "eu/svc/web/terragrunt.hcl": UNIT.format(dep="app", secret="swordfish-99", name="web"),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _frames(tree: TerragruntTree) -> list[pd.DataFrame]:
    return [tree.units, tree.dependencies, tree.errors, tree.files.drop(columns=["cached"])]


def _same(a: TerragruntTree, b: TerragruntTree) -> None:
    for left, right in zip(_frames(a), _frames(b), strict=True):
        pd.testing.assert_frame_equal(
            left.sort_values(list(left.columns[:2])).reset_index(drop=True).astype(str),
            right.sort_values(list(right.columns[:2])).reset_index(drop=True).astype(str),
        )


def test_warm_load_evaluates_nothing_and_gives_the_same_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path / "live")
    cache = tmp_path / "cache"
    cold = load_tree(root, cache_dir=cache)
    assert cold.stats["evaluated"] == 3 and cold.stats["reused"] == 0
    warm = load_tree(root, cache_dir=cache)
    assert warm.stats["evaluated"] == 0 and warm.stats["reused"] == 3
    _same(cold, warm)
    assert warm.run_order() == [["eu/svc/net"], ["eu/svc/app"], ["eu/svc/web"]]
    # nothing secret is stored: rows are masked, the masker learns the secrets again when asked
    stored = b"".join(p.read_bytes() for p in cache.glob("*.units.pickle"))
    assert b"hunter2-hunter2" not in stored and b"swordfish-99" not in stored
    assert "swordfish-99" in warm.masker
    assert warm.unit_config("eu/svc/app")["inputs"]["name"] == "app"


def test_one_changed_file_evaluates_only_the_units_reading_it(tmp_path: Path) -> None:
    root = _tree(tmp_path / "live")
    cache = tmp_path / "cache"
    load_tree(root, cache_dir=cache)
    unit = root / "eu/svc/web/terragrunt.hcl"
    unit.write_text(unit.read_text().replace('name  = "web"', 'name  = "web-2"'))
    changed = load_tree(root, cache_dir=cache)
    assert changed.stats["evaluated"] == 1 and changed.stats["reused"] == 2
    assert changed.units.set_index("unit").loc["eu/svc/web", "inputs"]["name"] == "web-2"
    _same(changed, load_tree(root, cache=False))
    # a file every unit reads through its include
    region = root / "eu/region.hcl"
    region.write_text('locals {\n  name = "eu-central-1"\n}\n')
    again = load_tree(root, cache_dir=cache)
    assert again.stats["evaluated"] == 3
    assert set(again.units["inputs"].map(lambda i: i["region"])) == {"eu-central-1"}


def test_what_may_change_lookups_evaluates_everything(tmp_path: Path) -> None:
    root = _tree(tmp_path / "live")
    cache = tmp_path / "cache"
    load_tree(root, cache_dir=cache, env={"DEPLOY_TAG": "a"})
    # an environment variable a unit asked for
    other = load_tree(root, cache_dir=cache, env={"DEPLOY_TAG": "b"})
    assert other.stats["evaluated"] == 3
    assert other.units.set_index("unit").loc["eu/svc/app", "inputs"]["token"] == "b"
    assert load_tree(root, cache_dir=cache, env={"DEPLOY_TAG": "b"}).stats["evaluated"] == 0
    # a new file a lookup may now find first
    (root / "eu/svc/region.hcl").write_text('locals {\n  name = "us-east-2"\n}\n')
    nearer = load_tree(root, cache_dir=cache, env={"DEPLOY_TAG": "b"})
    assert nearer.stats["evaluated"] == 3
    assert nearer.units.set_index("unit").loc["eu/svc/web", "inputs"]["region"] == "us-east-2"


def test_stacks_and_catalog_files_outside_the_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog_repo", repo)
    cache = tmp_path / "cache"
    cold = load_tree(repo / "live", cache_dir=cache, repo_root=repo)
    warm = load_tree(repo / "live", cache_dir=cache, repo_root=repo)
    assert warm.stats["evaluated"] == 0
    _same(cold, warm)
    assert warm.blast_radius("../catalog/units/network/terragrunt.hcl")["unit"].tolist() == (
        cold.blast_radius("../catalog/units/network/terragrunt.hcl")["unit"].tolist()
    )
    # a catalog file outside the loaded folder changes: its stack units see it
    catalog = repo / "catalog/units/network/terragrunt.hcl"
    catalog.write_text(
        catalog.read_text().replace("environment = values.env", "environment = upper(values.env)")
    )
    changed = load_tree(repo / "live", cache_dir=cache, repo_root=repo)
    assert changed.stats["evaluated"] > 0
    units = changed.units.set_index("unit")
    assert units.loc["prod/.terragrunt-stack/network", "inputs"]["environment"] == "PROD"

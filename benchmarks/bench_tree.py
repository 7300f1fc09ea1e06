"""Benchmark ``load_tree`` on a generated 4,000-unit Terragrunt tree shaped like real ones.

Units include a root (``read_terragrunt_config`` of account/region/env files, a provider ``generate``)
and an exposed ``_envcommon`` include, read env.hcl themselves, declare 1-3 ``dependency`` blocks with
mock outputs and a ``generate`` block of their own.

Times, in one run and on the same files: sequential ``hcl2.loads`` (the baseline), opslib cold (empty
cache), opslib warm (nothing changed: no unit evaluated again) and a reload after one unit file changed
(that unit alone evaluated again), and prints each as a ratio of the baseline. Targets (2 cores):
cold <= 0.7, warm <= 0.05, one file changed <= 0.1.

Usage: python benchmarks/bench_tree.py [--units N] [--jobs J] [--keep DIR] [--no-check]
Exit code 1 when a target is missed (unless --no-check).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"cold": 0.7, "warm": 0.05, "one file changed": 0.1}
ACCOUNTS = [
    ("prod", "111111111111"),
    ("staging", "222222222222"),
    ("dev", "333333333333"),
    ("sandbox", "444444444444"),
    ("shared", "555555555555"),
]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
COMPONENTS = [
    "vpc",
    "kms",
    "eks",
    "rds",
    "elasticache",
    "alb",
    "ecs-cluster",
    "sqs",
    "sns",
    "s3",
    "lambda",
    "waf",
    "route53",
    "iam",
    "cloudwatch",
    "efs",
    "opensearch",
    "msk",
    "ecr",
    "acm",
]

ROOT_HCL = """\
locals {
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  account_name = local.account_vars.locals.account_name
  aws_region   = local.region_vars.locals.aws_region
  tags = {
    Owner       = local.account_vars.locals.owner
    Environment = local.env_vars.locals.environment
  }
}

remote_state {
  backend = "s3"
  config = {
    bucket         = "tfstate-${local.account_name}-${local.aws_region}"
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = local.aws_region
    encrypt        = true
    dynamodb_table = "terraform-locks"
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region = "${local.aws_region}"
  default_tags {
    tags = ${jsonencode(local.tags)}
  }
}
EOF
}

inputs = merge(local.account_vars.locals, local.region_vars.locals, local.env_vars.locals, {
  tags = local.tags
})
"""

ENVCOMMON = """\
locals {
  base_source_url = "git::https://github.com/acme/terraform-aws-modules.git//modules/{component}"
  env             = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals.environment
}

inputs = {
  name        = "{component}-${local.env}"
  enable_logs = local.env == "prod" ? true : false
}
"""

UNIT = """\
# {unit}: generated for the benchmark.
include "root" {{
  path = find_in_parent_folders("root.hcl")
}}

include "envcommon" {{
  path   = "${{dirname(find_in_parent_folders("root.hcl"))}}/_envcommon/{component}.hcl"
  expose = true
}}

locals {{
  env_vars    = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  environment = local.env_vars.locals.environment
  name        = "{component}-{index}-${{local.environment}}"
  sizes       = {{ small = 1, medium = 2, large = 4 }}
}}

terraform {{
  source = "${{include.envcommon.locals.base_source_url}}?ref=v1.{minor}.0"
}}

generate "versions" {{
  path      = "versions_override.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.{minor}"
    }}
  }}
}}
EOF
}}
{dependencies}
inputs = {{
  name           = local.name
  instance_count = local.sizes["{size}"]
  subnet_ids     = [for i in range(3) : "subnet-${{i}}"]
  labels         = {{ for k in ["team", "service"] : k => upper(k) }}
  team           = "team-{team}"
  cost_center    = "CC-{cost}"
  {inputs}
}}
"""

DEPENDENCY = """
dependency "{name}" {{
  config_path = "{path}"

  mock_outputs = {{
    id  = "mock-{name}"
    arn = "arn:aws:mock:::{name}"
  }}
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}}
"""


def generate(root: Path, units: int, seed: int = 7) -> list[Path]:
    """Write a realistic tree of ``units`` units; returns every HCL file written."""
    rng = random.Random(seed)
    files: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        files.append(path)

    write(root / "root.hcl", ROOT_HCL)
    for component in COMPONENTS:
        write(root / "_envcommon" / f"{component}.hcl", ENVCOMMON.replace("{component}", component))
    envs_per_region = max(1, -(-units // (len(ACCOUNTS) * len(REGIONS) * len(COMPONENTS))))
    count = 0
    for account, account_id in ACCOUNTS:
        write(
            root / account / "account.hcl",
            f'locals {{\n  account_name   = "{account}"\n  aws_account_id = "{account_id}"\n'
            f'  owner          = "{account}-team@example.com"\n}}\n',
        )
        for region in REGIONS:
            write(root / account / region / "region.hcl", f'locals {{\n  aws_region = "{region}"\n}}\n')
            for e in range(envs_per_region):
                env = f"{account}-{e}"
                write(root / account / region / env / "env.hcl", f'locals {{\n  environment = "{env}"\n}}\n')
                for i, component in enumerate(COMPONENTS):
                    if count >= units:
                        return files
                    unit_dir = root / account / region / env / component
                    deps = "".join(
                        DEPENDENCY.format(name=dep, path=f"../{dep}")
                        for dep in rng.sample(COMPONENTS[:i], min(i, rng.randint(1, 3)))
                    )
                    extra = "\n  ".join(
                        f'setting_{k:02d} = "{rng.getrandbits(40):010x}"' for k in range(rng.randint(4, 16))
                    )
                    write(
                        unit_dir / "terragrunt.hcl",
                        UNIT.format(
                            unit=unit_dir.relative_to(root).as_posix(),
                            component=component,
                            index=count,
                            minor=rng.randint(0, 9),
                            dependencies=deps,
                            size=rng.choice(["small", "medium", "large"]),
                            team=rng.randint(1, 20),
                            cost=rng.randint(1000, 9999),
                            inputs=extra,
                        ),
                    )
                    count += 1
    return files


def baseline(files: list[Path]) -> float:
    import hcl2

    started = time.perf_counter()
    for path in files:
        hcl2.loads(path.read_text())
    return time.perf_counter() - started


def timed(root: Path, cache_dir: Path, jobs: int | None) -> tuple[float, object]:
    from opslib.terragrunt import load_tree

    started = time.perf_counter()
    tree = load_tree(root, cache_dir=cache_dir, jobs=jobs)
    return time.perf_counter() - started, tree


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=4000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="write the tree here and keep it")
    parser.add_argument("--no-check", action="store_true", help="report only; exit 0 on a missed target")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="opslib-bench-tree-"))
    root = args.keep if args.keep is not None else work / "live"
    cache_dir = work / "cache"
    try:
        files = generate(root, args.units)
        sizes = [p.stat().st_size for p in files if p.name == "terragrunt.hcl"]
        print(
            f"tree: {len(sizes)} units, {len(files)} HCL files, unit size {min(sizes)}-{max(sizes)} bytes "
            f"(mean {sum(sizes) // len(sizes)}), {os.cpu_count()} cores"
        )
        base = baseline(files)
        print(f"baseline  sequential hcl2.loads      {base:8.2f} s")
        cold, tree = timed(root, cache_dir, args.jobs)
        units = len(tree.units)  # type: ignore[attr-defined]
        warm, _ = timed(root, cache_dir, args.jobs)
        changed_file = root / "prod" / "us-east-1" / "prod-0" / "vpc" / "terragrunt.hcl"
        changed_file.write_text(changed_file.read_text() + "\n# changed\n")
        one, reloaded = timed(root, cache_dir, args.jobs)
        reparsed = reloaded.stats["parsed"]  # type: ignore[attr-defined]
        results = {"cold": cold, "warm": warm, "one file changed": one}
        failed = False
        for name, seconds in results.items():
            ratio = seconds / base
            ok = ratio <= TARGETS[name]
            failed |= not ok
            print(
                f"opslib    {name:<25}{seconds:8.2f} s   ratio {ratio:5.3f}  "
                f"(target <= {TARGETS[name]})  {'ok' if ok else 'MISSED'}"
            )
        evaluated = reloaded.stats["evaluated"]  # type: ignore[attr-defined]
        print(
            f"units loaded: {units}; after the change: "
            f"files re-parsed {reparsed}, units evaluated {evaluated}"
        )
        return 1 if failed and not args.no_check else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

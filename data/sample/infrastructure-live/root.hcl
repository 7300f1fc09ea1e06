# Root Terragrunt configuration for acme-corp/infrastructure-live.
# Every unit includes this file with `include "root" { path = find_in_parent_folders("root.hcl") }`.
# It configures S3 remote state with DynamoDB locking, generates the AWS provider (default_tags) and
# the version constraints, and merges tags from tags.yml files over the account defaults.

locals {
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  env_vars     = try(read_terragrunt_config(find_in_parent_folders("env.hcl")), { locals = {} })

  account_name   = local.account_vars.locals.account_name
  aws_account_id = local.account_vars.locals.aws_account_id
  aws_region     = local.region_vars.locals.aws_region
  environment    = try(local.env_vars.locals.environment, local.account_vars.locals.environment)

  default_tags = {
    Owner       = local.account_vars.locals.owner
    Team        = local.account_vars.locals.team
    CostCenter  = local.account_vars.locals.cost_center
    Environment = local.environment
    Project     = local.region_vars.locals.project
  }

  # The nearest tags.yml above the unit (repository root, or an environment folder that replaces it),
  # then the unit's own tags.yml when it has one: later maps win.
  override_tags = yamldecode(file(find_in_parent_folders("tags.yml")))
  unit_tags     = try(yamldecode(file("${get_terragrunt_dir()}/tags.yml")), {})
  tags          = merge(local.default_tags, local.override_tags, local.unit_tags)
}

remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket         = "tfstate-${local.account_name}-${local.aws_region}"
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = local.aws_region
    encrypt        = true
    dynamodb_table = "terraform-locks"
    s3_bucket_tags = local.tags
  }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region              = "${local.aws_region}"
  allowed_account_ids = ["${local.aws_account_id}"]

  default_tags {
    tags = ${jsonencode(local.tags)}
  }
}
EOF
}

generate "versions" {
  path      = "versions.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}
EOF
}

terraform {
  extra_arguments "lock_timeout" {
    commands  = get_terraform_commands_that_need_locking()
    arguments = ["-lock-timeout=20m"]
  }
}

inputs = merge(
  local.account_vars.locals,
  local.region_vars.locals,
  local.env_vars.locals,
  {
    tags = local.tags
  },
)

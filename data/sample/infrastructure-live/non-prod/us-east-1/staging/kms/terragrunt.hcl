# non-prod/us-east-1/staging/kms: customer-managed KMS key for this environment's data at rest.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/kms?ref=v1.8.0"
}

inputs = {
  alias                   = "alias/staging-us-east-1-platform"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}

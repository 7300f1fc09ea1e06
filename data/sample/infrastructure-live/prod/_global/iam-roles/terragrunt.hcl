# prod/_global/iam-roles: IAM roles assumed by people and CI.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/iam-roles?ref=v1.7.2"
}

inputs = {
  roles                = ["deploy", "readonly", "break-glass"]
  max_session_duration = 3600
  trusted_account_ids  = ["345678901234"]
}

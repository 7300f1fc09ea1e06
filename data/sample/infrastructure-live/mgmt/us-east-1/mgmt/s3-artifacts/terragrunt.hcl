# mgmt/us-east-1/mgmt/s3-artifacts: S3 bucket for CI build artifacts.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "tfr:///terraform-aws-modules/s3-bucket/aws?version=4.1.2"
}

inputs = {
  bucket     = "acme-mgmt-us-east-1-artifacts"
  versioning = {
    enabled = true
  }
  block_public_acls   = true
  block_public_policy = true
}

# non-prod/us-east-1/dev/eks: EKS control plane.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path   = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/eks.hcl"
  expose = true
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/eks?ref=v1.9.0-rc1"
}

dependency "vpc" {
  config_path = "../vpc"

  mock_outputs = {
    vpc_id           = "vpc-00000000000000000"
    private_subnets  = ["subnet-00000001", "subnet-00000002"]
    public_subnets   = ["subnet-00000101", "subnet-00000102"]
    database_subnets = ["subnet-00000201", "subnet-00000202"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "kms" {
  config_path = "../kms"

  mock_outputs = {
    key_arn = "arn:aws:kms:us-east-1:000000000000:key/mock"
    key_id  = "mock-key-id"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  cluster_name           = "dev-us-east-1-eks"
  cluster_version        = "1.30"
  vpc_id                 = dependency.vpc.outputs.vpc_id
  subnet_ids             = dependency.vpc.outputs.private_subnets
  kms_key_arn            = dependency.kms.outputs.key_arn
  endpoint_public_access = false
}

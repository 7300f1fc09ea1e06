# non-prod/us-east-1/dev/vpc: VPC with private, public and database subnets and NAT gateways.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path   = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/vpc.hcl"
  expose = true
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/vpc?ref=v1.9.0-rc1"
}

inputs = {
  name                   = "dev-us-east-1"
  cidr                   = local.env_vars.locals.vpc_cidr
  single_nat_gateway     = true
  one_nat_gateway_per_az = false
  enable_flow_log        = false
}

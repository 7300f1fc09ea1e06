# Common configuration for the vpc component, included by every environment's vpc unit.
locals {
  env_vars    = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars = read_terragrunt_config(find_in_parent_folders("region.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/vpc"
  cidr            = local.env_vars.locals.vpc_cidr
}

inputs = {
  azs                  = local.region_vars.locals.availability_zones
  enable_dns_hostnames = true
  enable_dns_support   = true
  enable_nat_gateway   = true
  private_subnets      = [for i in range(3) : cidrsubnet(local.cidr, 4, i)]
  public_subnets       = [for i in range(3) : cidrsubnet(local.cidr, 8, 200 + i)]
  database_subnets     = [for i in range(3) : cidrsubnet(local.cidr, 8, 210 + i)]
}

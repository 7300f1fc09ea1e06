# prod/us-east-1/prod/elasticache: Redis replication group (sessions and rate limits).

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/elasticache-redis?ref=v1.7.2"
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

inputs = {
  replication_group_id       = "prod-us-east-1-redis"
  node_type                  = "cache.r6g.large"
  num_cache_clusters         = 3
  engine_version             = "7.1"
  vpc_id                     = dependency.vpc.outputs.vpc_id
  subnet_ids                 = dependency.vpc.outputs.private_subnets
  auth_token                 = get_env("REDIS_AUTH_TOKEN")
  transit_encryption_enabled = true
}

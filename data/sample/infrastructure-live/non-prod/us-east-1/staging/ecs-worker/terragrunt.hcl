# non-prod/us-east-1/staging/ecs-worker: ECS Fargate service: worker (consumes the jobs queue).

include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path   = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/ecs-service.hcl"
  expose = true
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "${include.envcommon.locals.base_source_url}?ref=v1.8.0"
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

dependency "cluster" {
  config_path = "../ecs-cluster"

  mock_outputs = {
    cluster_arn = "arn:aws:ecs:us-east-1:000000000000:cluster/mock"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "rds" {
  config_path = "../rds"

  mock_outputs = {
    cluster_endpoint  = "mock.cluster.local"
    global_cluster_id = "mock-global"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "sqs" {
  config_path = "../sqs"
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  service_name      = "worker"
  image             = "210987654321.dkr.ecr.us-east-1.amazonaws.com/acme/worker:2026.11.4"
  cpu               = 512
  memory            = 1024
  desired_count     = 2
  cluster_arn       = dependency.cluster.outputs.cluster_arn
  subnet_ids        = dependency.vpc.outputs.private_subnets
  database_endpoint = dependency.rds.outputs.cluster_endpoint
  queue_url         = dependency.sqs.outputs.queue_urls["jobs"]
}

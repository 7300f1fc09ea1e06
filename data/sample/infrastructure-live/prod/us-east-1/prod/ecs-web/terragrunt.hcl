# prod/us-east-1/prod/ecs-web: ECS Fargate service: web.

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
  source = "${include.envcommon.locals.base_source_url}?ref=v1.7.2"
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

dependency "alb" {
  config_path = "../alb"

  mock_outputs = {
    lb_arn             = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/mock/0"
    https_listener_arn = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/mock"
    lb_dns_name        = "mock-alb.us-east-1.elb.amazonaws.com"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  service_name      = "web"
  image             = "210987654321.dkr.ecr.us-east-1.amazonaws.com/acme/web:2026.11.3"
  cpu               = 1024
  memory            = 2048
  desired_count     = 4
  cluster_arn       = dependency.cluster.outputs.cluster_arn
  subnet_ids        = dependency.vpc.outputs.private_subnets
  listener_arn      = dependency.alb.outputs.https_listener_arn
  health_check_path = "/healthz"
}

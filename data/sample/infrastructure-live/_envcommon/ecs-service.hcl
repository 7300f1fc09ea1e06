# Common configuration for ECS Fargate services (api, web, worker).
locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/ecs-service"
}

inputs = {
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_execute_command             = local.env_vars.locals.environment != "prod"
  log_retention_days                 = local.account_vars.locals.log_retention_days
  deployment_circuit_breaker         = { enable = true, rollback = true }
}

# non-prod/us-east-1/dev/cloudwatch-alarms: CloudWatch alarms for the application services.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/cloudwatch-alarms?ref=v1.8.0"
}

dependency "sns" {
  config_path = "../sns"

  mock_outputs = {
    topic_arns = {
      alerts = "arn:aws:sns:us-east-1:000000000000:mock-alerts"
    }
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

# Alarms reference the services by name: create them after the services exist.
dependencies {
  paths = ["../ecs-api", "../ecs-web", "../ecs-worker"]
}

inputs = {
  alarm_topic_arn              = dependency.sns.outputs.topic_arns["alerts"]
  services                     = ["api", "web", "worker"]
  p99_latency_threshold_ms     = 1000
  error_rate_threshold_percent = 5
}

# prod/us-east-1/prod/waf: WAFv2 web ACL in front of the public load balancer.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/wafv2?ref=v1.7.2"
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
  name                = "prod-us-east-1-web-acl"
  scope               = "REGIONAL"
  resource_arn        = dependency.alb.outputs.lb_arn
  managed_rule_groups = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]
}

# prod/_global/route53: Route 53 hosted zone.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/route53-zone?ref=v1.7.2"
}

dependency "alb" {
  config_path = "${get_terragrunt_dir()}/../../us-east-1/prod/alb"

  mock_outputs = {
    lb_arn             = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/mock/0"
    https_listener_arn = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/mock"
    lb_dns_name        = "mock-alb.us-east-1.elb.amazonaws.com"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  zone_name    = "acme.example"
  comment      = "Managed by Terragrunt (prod)"
  alias_target = dependency.alb.outputs.lb_dns_name
}

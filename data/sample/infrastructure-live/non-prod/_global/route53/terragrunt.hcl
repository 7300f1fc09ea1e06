# non-prod/_global/route53: Route 53 hosted zone.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/route53-zone?ref=v1.8.0"
}

inputs = {
  zone_name = "nonprod.acme.example"
  comment   = "Managed by Terragrunt (non-prod)"
}

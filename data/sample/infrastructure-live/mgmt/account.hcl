# Account-wide settings for the mgmt AWS account.
locals {
  account_name        = "mgmt"
  aws_account_id      = "345678901234"
  environment         = "mgmt"
  owner               = "cloud-infra@acme.example"
  team                = "cloud-infra"
  cost_center         = "CC-1000"
  deletion_protection = true
  log_retention_days  = 90
}

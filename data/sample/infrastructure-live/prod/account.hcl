# Account-wide settings for the prod AWS account.
locals {
  account_name        = "prod"
  aws_account_id      = "123456789012"
  environment         = "prod"
  owner               = "platform-team@acme.example"
  team                = "platform"
  cost_center         = "CC-1100"
  deletion_protection = true
  log_retention_days  = 365
}

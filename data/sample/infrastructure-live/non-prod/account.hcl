# Account-wide settings for the non-prod AWS account.
locals {
  account_name        = "non-prod"
  aws_account_id      = "210987654321"
  environment         = "non-prod"
  owner               = "platform-team@acme.example"
  team                = "platform"
  cost_center         = "CC-1200"
  deletion_protection = false
  log_retention_days  = 30
}

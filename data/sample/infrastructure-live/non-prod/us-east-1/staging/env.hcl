# Environment settings for non-prod/us-east-1/staging.
locals {
  environment        = "staging"
  vpc_cidr           = "10.20.0.0/16"
  size_tier          = "medium"
  default_task_count = 2
}

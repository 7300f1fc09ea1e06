# Environment settings for non-prod/us-east-1/dev.
locals {
  environment        = "dev"
  vpc_cidr           = "10.10.0.0/16"
  size_tier          = "small"
  default_task_count = 1
}

# Environment settings for prod/us-east-1/prod.
locals {
  environment        = "prod"
  vpc_cidr           = "10.100.0.0/16"
  size_tier          = "large"
  default_task_count = 4
}

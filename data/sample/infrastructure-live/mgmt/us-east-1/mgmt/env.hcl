# Environment settings for mgmt/us-east-1/mgmt.
locals {
  environment        = "mgmt"
  vpc_cidr           = "10.0.0.0/16"
  size_tier          = "small"
  default_task_count = 1
}

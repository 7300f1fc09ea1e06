# Region settings for us-east-1.
locals {
  aws_region         = "us-east-1"
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
  project            = "acme-platform"
}

# mgmt/us-east-1/mgmt/sandbox: sandbox bastion for experiments (short-lived).

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/ec2-instance?ref=v1.7.2"
}

# Sandbox state lives in its own bucket so it can be wiped without touching mgmt state.
remote_state {
  backend = "s3"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    bucket         = "acme-sandbox-tfstate"
    key            = "${path_relative_to_include()}/terraform.tfstate"
    region         = "us-east-1"
    encrypt        = false
    dynamodb_table = "terraform-locks"
  }
}

dependency "vpc" {
  config_path = "../vpc"

  mock_outputs = {
    vpc_id           = "vpc-00000000000000000"
    private_subnets  = ["subnet-00000001", "subnet-00000002"]
    public_subnets   = ["subnet-00000101", "subnet-00000102"]
    database_subnets = ["subnet-00000201", "subnet-00000202"]
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name          = "sandbox-bastion"
  instance_type = "t3.medium"
  subnet_id     = dependency.vpc.outputs.private_subnets[0]
  ttl_hours     = 72
}

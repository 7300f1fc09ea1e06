# prod/us-east-1/prod/sqs: SQS queues (jobs, emails) with dead-letter queues.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/sqs?ref=v1.7.2"
}

dependency "kms" {
  config_path = "../kms"

  mock_outputs = {
    key_arn = "arn:aws:kms:us-east-1:000000000000:key/mock"
    key_id  = "mock-key-id"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  queues = {
    jobs = {
      visibility_timeout_seconds = 120
      max_receive_count          = 5
    }
    emails = {
      visibility_timeout_seconds = 60
      max_receive_count          = 3
    }
  }
  kms_master_key_id = dependency.kms.outputs.key_id
}

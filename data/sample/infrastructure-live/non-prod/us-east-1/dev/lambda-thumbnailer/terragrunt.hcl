# non-prod/us-east-1/dev/lambda-thumbnailer: Lambda that renders thumbnails for uploaded images.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/lambda?ref=main"
}

dependency "uploads" {
  config_path = "../s3-uploads"

  mock_outputs = {
    s3_bucket_arn = "arn:aws:s3:::mock-bucket"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  function_name     = "dev-us-east-1-thumbnailer"
  runtime           = "python3.12"
  memory_size       = 1024
  timeout           = 30
  source_bucket_arn = dependency.uploads.outputs.s3_bucket_arn
}

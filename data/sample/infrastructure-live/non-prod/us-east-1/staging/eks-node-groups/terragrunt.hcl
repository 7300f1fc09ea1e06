# non-prod/us-east-1/staging/eks-node-groups: managed node groups for the EKS cluster.

include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))
  region_vars  = read_terragrunt_config(find_in_parent_folders("region.hcl"))
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))
}

terraform {
  source = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/eks-node-groups?ref=v1.8.0"
}

dependency "eks" {
  config_path = "../eks"

  mock_outputs = {
    cluster_name     = "mock-cluster"
    cluster_endpoint = "https://mock.eks.amazonaws.com"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
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
  cluster_name = dependency.eks.outputs.cluster_name
  subnet_ids   = dependency.vpc.outputs.private_subnets
  node_groups  = {
    general = {
      instance_types = ["m6i.large"]
      min_size       = 2
      desired_size   = 3
      max_size       = 6
      capacity_type  = "ON_DEMAND"
    }
  }
}

# Common configuration for EKS clusters.
locals {
  env_vars = read_terragrunt_config(find_in_parent_folders("env.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/eks"
}

inputs = {
  enable_irsa                 = true
  cluster_enabled_log_types   = ["api", "audit", "authenticator"]
  cluster_addons              = ["coredns", "kube-proxy", "vpc-cni", "aws-ebs-csi-driver"]
  authentication_mode         = "API_AND_CONFIG_MAP"
  endpoint_private_access     = true
  cloudwatch_log_group_prefix = "/aws/eks/${local.env_vars.locals.environment}"
}

# Common configuration for Aurora PostgreSQL clusters.
locals {
  account_vars = read_terragrunt_config(find_in_parent_folders("account.hcl"))

  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/aurora-postgresql"
}

inputs = {
  engine                       = "aurora-postgresql"
  storage_encrypted            = true
  deletion_protection          = local.account_vars.locals.deletion_protection
  preferred_backup_window      = "03:00-04:00"
  preferred_maintenance_window = "sun:04:30-sun:05:30"
  performance_insights_enabled = true
  iam_database_authentication_enabled = true
}

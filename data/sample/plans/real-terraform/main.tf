# A small configuration of built-in terraform_data resources: planning it needs no provider download.
# make.sh applies it, changes things the way drift and everyday edits do, and records the plan.

variable "db_password" {
  type      = string
  sensitive = true
  default   = "canary-Sample-Pa55word"
}

variable "instance_class" {
  type    = string
  default = "db.t3.medium"
}

variable "app_version" {
  type    = string
  default = "v1.4.0"
}

variable "legacy_enabled" {
  type    = bool
  default = true
}

# Stands in for a database: the password is sensitive in `input`, and terraform_data copies `input`
# into `output` without the mark, which is exactly the unmarked copy opslib must also mask.
resource "terraform_data" "database" {
  input = {
    engine         = "postgres"
    instance_class = var.instance_class
    password       = var.db_password
    tags           = { Name = "orders-db", Team = "payments" }
  }
}

# Replaced whenever the app version changes.
resource "terraform_data" "app" {
  input            = "orders-api"
  triggers_replace = [var.app_version]
}

# Deleted when legacy_enabled is turned off.
resource "terraform_data" "legacy_queue" {
  count = var.legacy_enabled ? 1 : 0
  input = "orders-legacy"
}

output "database_id" {
  value = terraform_data.database.id
}

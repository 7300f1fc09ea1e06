# Preview stack for the dev environment: one ECS service with its queue, plus the shared
# observability stack. `terragrunt stack generate` writes the units under .terragrunt-stack/.

locals {
  environment = "dev"
  catalog     = "git::https://github.com/acme-corp/terragrunt-catalog.git"
}

unit "service" {
  source = "git::https://github.com/acme-corp/terragrunt-catalog.git//units/ecs-service?ref=v0.4.1"
  path   = "service"

  values = {
    service_name  = "preview-api"
    cpu           = 256
    memory        = 512
    desired_count = 1
    vpc_path      = "../../../vpc"
    cluster_path  = "../../../ecs-cluster"
  }
}

unit "queue" {
  source = "git::https://github.com/acme-corp/terragrunt-catalog.git//units/sqs?ref=v0.4.1"
  path   = "queue"

  values = {
    name                       = "preview-jobs"
    visibility_timeout_seconds = 60
  }
}

stack "observability" {
  source = "git::https://github.com/acme-corp/terragrunt-catalog.git//stacks/observability?ref=v0.4.1"
  path   = "observability"

  values = {
    environment     = local.environment
    alarm_topic     = "preview-alerts"
    retention_days  = 14
  }
}

# Common configuration for public application load balancers.
locals {
  base_source_url = "git::https://github.com/acme-corp/terraform-aws-modules.git//modules/alb"
}

inputs = {
  internal                   = false
  idle_timeout               = 60
  drop_invalid_header_fields = true
  ssl_policy                 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  access_logs_enabled        = true
}

# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.62.0"
  constraints = ">= 5.46.0, ~> 5.60"
  hashes = [
    "h1:v3RtR5lZNVYcN8aN2ybQNVtuS8FlD70SAIWDTmr5tj0=",
    "zh:92adf308cf96b8a20c4963fbf7137c172d8543468d08137513106f942cc385e4",
    "zh:f2091647faa9cfb7a02a0ec11ceb8ef18e140221cf7907f7564e93259c1b1c65",
    "zh:9e30c5d62920b447489e637e3e38941a6ce0855e24e14af39b9ce4b218bc9043",
    "zh:5c885eac83ee6ccbcde0912106f7946f0694ff8f7ea8b07ae2c99331bd26c5ff",
  ]
}

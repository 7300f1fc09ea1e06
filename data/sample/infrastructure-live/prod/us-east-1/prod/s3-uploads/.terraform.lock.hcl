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

provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.2"
  constraints = ">= 3.1.0"
  hashes = [
    "h1:L7SYUm33H9JX9jmhgjrM59biCutXnOISEN27y8z3dmM=",
    "zh:5307e7787cd11d0a5fb4317ceefa3822a8ae3f67a981e33b6c7361f0243de4c4",
    "zh:d887d9f4cd49ae1cb6bd11fec2a5e31266cff1dd8714e35d880a49e7cd62df3f",
    "zh:52a267af9cb8d21edf0d0ef3be7f6987654562ae1deeca16b1273bf2b02f76c4",
    "zh:5cefe0d4b5bcb079dc4e32dd73d65f4dbae9666798d4cea274c6fc6753194ad1",
  ]
}

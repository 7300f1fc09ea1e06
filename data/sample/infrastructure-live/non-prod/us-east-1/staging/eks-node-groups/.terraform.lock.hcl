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

provider "registry.terraform.io/hashicorp/tls" {
  version     = "4.0.5"
  constraints = ">= 3.0.0"
  hashes = [
    "h1:1Ej/iARiLapaHtlsBIU74gw1UuN27aZ1lVC+GrHwPA0=",
    "zh:477eed9abf048637678705e5e231084d2688c13c60a327840138ff3b546e2c15",
    "zh:f580ac487eab60e01c1fcc0413e265108d2d84bebc2d4ccdb828d781fcaa221a",
    "zh:d35d5264db0a84e40f0039e97108e0786fb9855177cd7b7542d36d2d8f4d3901",
    "zh:b230eb08df1ca5e820da41acf8e6ddc1c9687c26a2e57a2345b304b8e98332a7",
  ]
}

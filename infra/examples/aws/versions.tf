terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }

  # Keep state somewhere durable and private: it holds the generated salt. For example:
  # backend "s3" {
  #   bucket = "my-terraform-state"
  #   key    = "confluence-proxy/terraform.tfstate"
  #   region = "us-east-1"
  # }
}

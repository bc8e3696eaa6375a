terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.40, < 8.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }

  # Keep state somewhere durable and private: it holds the generated salt. For example:
  # backend "gcs" {
  #   bucket = "my-terraform-state"
  #   prefix = "confluence-proxy"
  # }
}

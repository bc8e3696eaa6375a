# Minimal root module: one Confluence Cloud proxy on AWS Lambda behind an IAM-authenticated
# function URL. Copy this directory, fill terraform.tfvars (see terraform.tfvars.example),
# then follow infra/README.md.

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      managed-by = "terraform"
      component  = "confluence-proxy"
    }
  }
}

module "confluence_proxy" {
  source = "../../modules/aws"

  environment_name        = var.environment_name
  deployment_package_path = coalesce(var.deployment_package_path, "${path.root}/../../../dist/lambda-arm64.zip")
  secrets_store           = var.secrets_store

  caller_gcp_service_account_ids = var.caller_gcp_service_account_ids
  caller_aws_arns                = var.caller_aws_arns

  custom_rules_path = var.custom_rules_path

  create_alerts       = var.create_alerts
  alert_sns_topic_arn = var.alert_sns_topic_arn
}

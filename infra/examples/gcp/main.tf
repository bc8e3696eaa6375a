# Minimal root module: one Confluence Cloud proxy on Cloud Functions gen2, invocable only by
# the analytics tenant's service account (and named testers). Copy this directory, fill
# terraform.tfvars (see terraform.tfvars.example), then follow infra/README.md.

provider "google" {
  project = var.project_id
  region  = var.region
}

module "confluence_proxy" {
  source = "../../modules/gcp"

  project_id       = var.project_id
  region           = var.region
  environment_name = var.environment_name
  source_zip_path  = coalesce(var.source_zip_path, "${path.root}/../../../dist/gcp-source.zip")

  caller_service_account_emails     = var.caller_service_account_emails
  gcp_principals_authorized_to_test = var.gcp_principals_authorized_to_test

  custom_rules_path = var.custom_rules_path

  create_alerts               = var.create_alerts
  alert_notification_channels = var.alert_notification_channels
}

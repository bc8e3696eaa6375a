variable "project_id" {
  description = "GCP project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the function (reference default us-central1)."
  type        = string
  default     = "us-central1"
}

variable "environment_name" {
  description = "Environment id (reference default `psoxy`): names the function `<env>-confluence-cloud` and the secrets `<env>_CONFLUENCE_CLOUD_*`."
  type        = string
  default     = "psoxy"
}

variable "source_zip_path" {
  description = "Path of the function source zip from `make package`. Null uses dist/gcp-source.zip of this repository."
  type        = string
  default     = null
}

variable "caller_service_account_emails" {
  description = "Service-account emails of the analytics tenant (from the analytics service's connection page)."
  type        = list(string)
  default     = []
}

variable "gcp_principals_authorized_to_test" {
  description = "IAM members allowed to call the proxy for tests, e.g. `user:you@example.com`."
  type        = list(string)
  default     = []
}

variable "custom_rules_path" {
  description = "Optional custom rules YAML replacing the bundled Confluence rules."
  type        = string
  default     = null
}

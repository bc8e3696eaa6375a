variable "aws_region" {
  description = "AWS region to deploy into, e.g. us-east-1."
  type        = string
}

variable "environment_name" {
  description = "Environment id (reference default `psoxy`): names the function `<env>-confluence-cloud`, the role `<env>Caller` and the parameters `<ENV>_CONFLUENCE_CLOUD_*`."
  type        = string
  default     = "psoxy"
}

variable "deployment_package_path" {
  description = "Path of the Lambda zip from `make package`. Null uses dist/lambda-arm64.zip of this repository."
  type        = string
  default     = null
}

variable "secrets_store" {
  description = "aws_ssm_parameter_store (default) or aws_secrets_manager."
  type        = string
  default     = "aws_ssm_parameter_store"
}

variable "caller_gcp_service_account_ids" {
  description = "21-digit unique ids of the analytics tenant's Google service accounts (from the analytics service's connection page)."
  type        = list(string)
  default     = []
}

variable "caller_aws_arns" {
  description = "AWS principals allowed to assume the caller role, e.g. your own role ARN to run `proxy call` tests."
  type        = list(string)
  default     = []
}

variable "custom_rules_path" {
  description = "Optional custom rules YAML replacing the bundled Confluence rules."
  type        = string
  default     = null
}

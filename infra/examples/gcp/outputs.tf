output "endpoint_url" {
  description = "Base URL of the proxy (trailing '/')."
  value       = module.confluence_proxy.endpoint_url
}

output "function_name" {
  description = "Name of the Cloud Function."
  value       = module.confluence_proxy.function_name
}

output "service_account_email" {
  description = "Runtime service account of the function."
  value       = module.confluence_proxy.service_account_email
}

output "instance_config_prefix" {
  description = "Prefix of the proxy's secrets (PATH_TO_INSTANCE_CONFIG)."
  value       = module.confluence_proxy.instance_config_prefix
}

output "setup_command" {
  description = "Loads the Atlassian OAuth client id, secret and refresh token into Secret Manager."
  value       = module.confluence_proxy.setup_command
}

output "test_commands" {
  description = "Health check and example calls against the deployed proxy."
  value       = module.confluence_proxy.test_commands
}

output "worklytics_connection" {
  description = "Values for the analytics service's GCP connection."
  value       = module.confluence_proxy.worklytics_connection
}

output "next_steps" {
  description = "What to do after `terraform apply`."
  value       = module.confluence_proxy.next_steps
}

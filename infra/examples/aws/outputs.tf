output "endpoint_url" {
  description = "Base URL of the proxy (trailing '/')."
  value       = module.confluence_proxy.endpoint_url
}

output "caller_role_arn" {
  description = "Role the analytics service assumes to call the proxy."
  value       = module.confluence_proxy.caller_role_arn
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.confluence_proxy.function_name
}

output "instance_config_prefix" {
  description = "Prefix of the proxy's parameters (PATH_TO_INSTANCE_CONFIG)."
  value       = module.confluence_proxy.instance_config_prefix
}

output "setup_command" {
  description = "Loads the Atlassian OAuth client id, secret and refresh token into the store."
  value       = module.confluence_proxy.setup_command
}

output "test_commands" {
  description = "Health check and example calls against the deployed proxy."
  value       = module.confluence_proxy.test_commands
}

output "worklytics_connection" {
  description = "Values for the analytics service's AWS connection."
  value       = module.confluence_proxy.worklytics_connection
}

output "next_steps" {
  description = "What to do after `terraform apply`."
  value       = module.confluence_proxy.next_steps
}

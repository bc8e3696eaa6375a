# What the operator needs next: where the proxy is, who may call it, where its secrets go, and
# the exact commands to load them and to test the deployment.

locals {
  endpoint_url = var.use_api_gateway_v2 ? "${trimsuffix(aws_apigatewayv2_stage.live[0].invoke_url, "/")}/${local.function_name}/" : aws_lambda_function_url.proxy[0].function_url
  # `{proxy+}` needs at least one path segment behind the function name on API Gateway.
  health_check_url = var.use_api_gateway_v2 ? "${local.endpoint_url}health" : local.endpoint_url
  caller_flag      = "--aws-role-arn ${aws_iam_role.caller.arn}"

  setup_command = "proxy setup confluence --store ${local.store_flag} --prefix ${local.instance_prefix} --region ${local.region}"
  test_commands = [
    "proxy call --url ${local.health_check_url} --health-check ${local.caller_flag}",
    "proxy call --url ${local.endpoint_url} --all ${local.caller_flag}",
  ]
}

output "endpoint_url" {
  description = "Base URL of the proxy (with a trailing '/'); append Confluence API paths, e.g. `ex/confluence/<cloudId>/wiki/api/v2/spaces`."
  value       = local.endpoint_url
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.proxy.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.proxy.arn
}

output "caller_role_arn" {
  description = "Role the analytics service assumes (web identity from its Google service account) to call the proxy."
  value       = aws_iam_role.caller.arn
}

output "execution_role_arn" {
  description = "Execution role of the function."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.proxy.name
}

output "instance_config_prefix" {
  description = "PATH_TO_INSTANCE_CONFIG: prefix of CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN, RULES and the OAUTH_REFRESH_TOKEN_lock parameter."
  value       = local.instance_prefix
}

output "secret_names" {
  description = "Names of the values the proxy reads, in the chosen store (lock and rules always in SSM)."
  value = merge(local.instance_secret_names, {
    PSOXY_SALT           = local.salt_name
    PSOXY_ENCRYPTION_KEY = local.encryption_key_name
    LOCK                 = local.lock_parameter_name
    RULES                = local.rules_parameter_name
  })
}

output "setup_command" {
  description = "Loads CLIENT_ID, CLIENT_SECRET and REFRESH_TOKEN into the store (OAuth consent flow of the `proxy` tool)."
  value       = local.setup_command
}

output "test_commands" {
  description = "Health check, then a crawl of every Confluence endpoint with a privacy check, signed with SigV4 as the caller role (your identity must be in caller_aws_arns)."
  value       = local.test_commands
}

output "worklytics_connection" {
  description = "Values to enter in the analytics service's AWS proxy connection."
  value = {
    "AWS Psoxy Role ARN" = aws_iam_role.caller.arn
    "AWS Psoxy Region"   = local.region
    "Psoxy Base URL"     = local.endpoint_url
  }
}

output "next_steps" {
  description = "The steps after `terraform apply`, as text."
  value       = <<-EOT
    1. Load the Atlassian OAuth client and refresh token:
         ${local.setup_command}
    2. Test the deployment:
         ${join("\n         ", local.test_commands)}
    3. In the analytics service, connect with role ${aws_iam_role.caller.arn}, region ${local.region}, base URL ${local.endpoint_url}
       and the Confluence cloud id that step 1 printed (`proxy call --all` prints it too)
  EOT
}

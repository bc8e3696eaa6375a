# The function, its log group and its exposure (function URL with AWS_IAM by default).

resource "aws_cloudwatch_log_group" "proxy" {
  #checkov:skip=CKV_AWS_158:Log data is always encrypted at rest by CloudWatch Logs; a customer-managed key is opt-in through var.kms_key_arn. The proxy never logs tokens, salts or bodies.
  #checkov:skip=CKV_AWS_338:Short retention is deliberate data minimisation (reference default 7 days): logs only help troubleshooting. Operators with audit needs raise var.log_retention_days.
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "proxy" {
  #checkov:skip=CKV_AWS_116:A dead-letter queue only receives failed asynchronous invocations; this function is only invoked synchronously (function URL or API Gateway), where the caller gets the error.
  #checkov:skip=CKV_AWS_117:The function reaches only api.atlassian.com, auth.atlassian.com and AWS APIs over HTTPS; a VPC would add NAT cost without isolating anything. Access is gated by IAM on the caller side.
  #checkov:skip=CKV_AWS_272:The zip is built from this repository by `make package` and pinned by source_code_hash; AWS Signer is not part of that build. Teams with a signing pipeline can add a code_signing_config.
  #checkov:skip=CKV_AWS_173:The environment holds only non-secret settings (secrets live in SSM / Secrets Manager); Lambda encrypts it at rest with an AWS-managed key, and a customer-managed key is opt-in through var.kms_key_arn.
  #checkov:skip=CKV_AWS_50:X-Ray would export per-request traces (upstream Confluence URLs) to another service for no functional gain; CloudWatch logs cover troubleshooting.
  function_name = local.function_name
  description   = "Pseudonymizing proxy for Confluence Cloud (${var.connector_id})"
  role          = aws_iam_role.execution.arn

  runtime       = "python3.12"
  architectures = ["arm64"]
  handler       = "proxy.platforms.aws_lambda.handler"

  filename         = var.deployment_package_path
  source_code_hash = filebase64sha256(var.deployment_package_path)

  memory_size                    = var.memory_size_mb
  timeout                        = local.lambda_timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = var.kms_key_arn
  publish                        = local.use_alias

  environment {
    variables = local.environment_variables
  }

  tags = var.tags

  depends_on = [
    # The log group must exist first, or Lambda creates one without retention.
    aws_cloudwatch_log_group.proxy,
    aws_iam_role_policy.execution,
  ]
}

resource "aws_lambda_function_url" "proxy" {
  count = var.use_api_gateway_v2 ? 0 : 1

  function_name      = aws_lambda_function.proxy.function_name
  qualifier          = local.use_alias ? aws_lambda_alias.live[0].name : null
  authorization_type = "AWS_IAM"
  invoke_mode        = "BUFFERED"
}

# --- Provisioned concurrency (var.provisioned_concurrent_executions > 0) ----------------------
# Warm instances need a published version; the alias follows each newly published version.

resource "aws_lambda_alias" "live" {
  count = local.use_alias ? 1 : 0

  name             = local.alias_name
  description      = "The version the proxy's URL serves, with provisioned concurrency."
  function_name    = aws_lambda_function.proxy.function_name
  function_version = aws_lambda_function.proxy.version
}

resource "aws_lambda_provisioned_concurrency_config" "live" {
  count = local.use_alias ? 1 : 0

  function_name                     = aws_lambda_function.proxy.function_name
  qualifier                         = aws_lambda_alias.live[0].name
  provisioned_concurrent_executions = var.provisioned_concurrent_executions

  lifecycle {
    precondition {
      condition     = var.reserved_concurrent_executions == null || var.provisioned_concurrent_executions <= coalesce(var.reserved_concurrent_executions, 0)
      error_message = "provisioned_concurrent_executions cannot exceed reserved_concurrent_executions."
    }
  }
}

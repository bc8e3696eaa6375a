# Optional API Gateway v2 HTTP API in front of the function (use_api_gateway_v2 = true), as
# the reference builds it: IAM auth on every route, payload format 1.0 (2.0 would URL-decode
# the path), routes `/<function>/{proxy+}`, a `live` stage with access logs. The integration
# waits as long as the function may run (at most the HTTP API's hard 30 s quota).

locals {
  api_methods = ["GET", "HEAD", "POST"]
}

resource "aws_apigatewayv2_api" "proxy" {
  count = var.use_api_gateway_v2 ? 1 : 0

  name          = "${local.function_name}-api"
  description   = "IAM-authenticated entry point of the Confluence proxy ${local.function_name}"
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_cloudwatch_log_group" "api_access" {
  #checkov:skip=CKV_AWS_158:Log data is always encrypted at rest by CloudWatch Logs; a customer-managed key is opt-in through var.kms_key_arn. Access logs hold no tokens or bodies.
  #checkov:skip=CKV_AWS_338:Short retention is deliberate data minimisation (reference default 7 days). Operators with audit needs raise var.log_retention_days.
  count = var.use_api_gateway_v2 ? 1 : 0

  name              = "/aws/apigateway/${local.function_name}-api"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "live" {
  count = var.use_api_gateway_v2 ? 1 : 0

  api_id      = aws_apigatewayv2_api.proxy[0].id
  name        = "live"
  auto_deploy = true
  tags        = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access[0].arn
    # The route key, not the raw path: paths carry Confluence ids the proxy must not log.
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      callerArn          = "$context.identity.userArn"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
    })
  }
}

resource "aws_apigatewayv2_integration" "proxy" {
  count = var.use_api_gateway_v2 ? 1 : 0

  api_id                 = aws_apigatewayv2_api.proxy[0].id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = local.invoke_uri
  payload_format_version = "1.0"
  timeout_milliseconds   = local.lambda_timeout_seconds * 1000
}

resource "aws_apigatewayv2_route" "proxy" {
  for_each = var.use_api_gateway_v2 ? toset(local.api_methods) : toset([])

  api_id             = aws_apigatewayv2_api.proxy[0].id
  route_key          = "${each.key} /${local.function_name}/{proxy+}"
  authorization_type = "AWS_IAM"
  target             = "integrations/${aws_apigatewayv2_integration.proxy[0].id}"
}

resource "aws_lambda_permission" "api_gateway" {
  count = var.use_api_gateway_v2 ? 1 : 0

  statement_id  = "AllowInvokeFromApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.proxy.function_name
  qualifier     = local.use_alias ? aws_lambda_alias.live[0].name : null
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.proxy[0].execution_arn}/*/*/${local.function_name}/*"
}

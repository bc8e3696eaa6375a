# The role the analytics service (and the operator's tests) assume to call the proxy. It may
# invoke this one function, only through its URL (or its API Gateway routes), and only from the
# allowed IP blocks: a direct Invoke with a hand-written event (and a forged source IP in it) is
# denied, and so are the role's session credentials used from anywhere else.

locals {
  ip_conditions = length(var.allowed_data_access_ip_blocks) == 0 ? [] : [var.allowed_data_access_ip_blocks]
}

data "aws_iam_policy_document" "caller_trust" {
  dynamic "statement" {
    for_each = length(var.caller_gcp_service_account_ids) == 0 ? [] : [1]
    content {
      sid     = "AnalyticsServiceAccountsViaGoogleFederation"
      actions = ["sts:AssumeRoleWithWebIdentity"]

      principals {
        type        = "Federated"
        identifiers = ["accounts.google.com"]
      }

      # AWS matches this key against the token's `azp` (the service account's unique id).
      condition {
        test     = "StringEquals"
        variable = "accounts.google.com:aud"
        values   = var.caller_gcp_service_account_ids
      }

      dynamic "condition" {
        for_each = local.ip_conditions
        content {
          test     = "IpAddress"
          variable = "aws:SourceIp"
          values   = condition.value
        }
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.caller_aws_arns) == 0 ? [] : [1]
    content {
      sid     = "NamedAwsPrincipals"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "AWS"
        identifiers = var.caller_aws_arns
      }

      dynamic "condition" {
        for_each = local.ip_conditions
        content {
          test     = "IpAddress"
          variable = "aws:SourceIp"
          values   = condition.value
        }
      }
    }
  }
}

resource "aws_iam_role" "caller" {
  name                 = local.caller_role_name
  description          = "Assumed by the analytics service to call the Confluence proxy ${local.function_name}"
  assume_role_policy   = data.aws_iam_policy_document.caller_trust.json
  permissions_boundary = var.iam_permissions_boundary_arn
  max_session_duration = 3600
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = length(var.caller_gcp_service_account_ids) + length(var.caller_aws_arns) > 0
      error_message = "Set caller_gcp_service_account_ids and/or caller_aws_arns: nobody could call the proxy otherwise."
    }
  }
}

data "aws_iam_policy_document" "caller_access" {
  # AWS's function-URL authorization checks two actions since October 2025 (psoxy 0.5.18):
  # InvokeFunctionUrl for the URL, InvokeFunction for the invocation it makes. The condition
  # keys keep each to the URL: lambda:InvokedViaFunctionUrl is true only for invocations that
  # came through the function URL, so the role cannot call Invoke itself.
  dynamic "statement" {
    for_each = var.use_api_gateway_v2 ? [] : [1]
    content {
      sid       = "InvokeProxyFunctionUrl"
      actions   = ["lambda:InvokeFunctionUrl"]
      resources = [local.invoke_target_arn]

      condition {
        test     = "StringEquals"
        variable = "lambda:FunctionUrlAuthType"
        values   = ["AWS_IAM"]
      }

      dynamic "condition" {
        for_each = local.ip_conditions
        content {
          test     = "IpAddress"
          variable = "aws:SourceIp"
          values   = condition.value
        }
      }
    }
  }

  dynamic "statement" {
    for_each = var.use_api_gateway_v2 ? [] : [1]
    content {
      sid       = "InvokeProxyOnlyThroughItsUrl"
      actions   = ["lambda:InvokeFunction"]
      resources = [local.invoke_target_arn]

      condition {
        test     = "Bool"
        variable = "lambda:InvokedViaFunctionUrl"
        values   = ["true"]
      }

      dynamic "condition" {
        for_each = local.ip_conditions
        content {
          test     = "IpAddress"
          variable = "aws:SourceIp"
          values   = condition.value
        }
      }
    }
  }

  dynamic "statement" {
    for_each = var.use_api_gateway_v2 ? [1] : []
    content {
      sid     = "InvokeProxyRoutes"
      actions = ["execute-api:Invoke"]
      resources = [
        for method in local.api_methods : "${aws_apigatewayv2_api.proxy[0].execution_arn}/*/${method}/${local.function_name}/*"
      ]

      dynamic "condition" {
        for_each = local.ip_conditions
        content {
          test     = "IpAddress"
          variable = "aws:SourceIp"
          values   = condition.value
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "caller" {
  name   = "${local.function_name}_CallerAccess"
  role   = aws_iam_role.caller.id
  policy = data.aws_iam_policy_document.caller_access.json
}

# The function's execution role: logs to its own group, reads its own parameters, writes only
# the values it rotates (tokens, lock), reads the shared salt and key. Nothing else.

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    sid     = "LambdaAssumesExecutionRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${local.function_name}_Exec"
  description          = "Execution role of the Confluence proxy ${local.function_name}"
  assume_role_policy   = data.aws_iam_policy_document.lambda_trust.json
  permissions_boundary = var.iam_permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.proxy.arn}:*"]
  }

  # Reads cover the whole instance namespace: the proxy looks up any config property there
  # (env -> instance -> shared), and a missing parameter must read as "not found", not "denied".
  statement {
    sid       = "ReadInstanceParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"]
    resources = [local.instance_parameters_arn_pattern]
  }

  # Writes: only what the proxy rotates (REFRESH_TOKEN, ACCESS_TOKEN) and the refresh lock.
  statement {
    sid       = "WriteRotatedTokensAndLock"
    actions   = ["ssm:PutParameter"]
    resources = local.writable_parameter_arns
  }

  statement {
    sid       = "ReleaseRefreshLock"
    actions   = ["ssm:DeleteParameter"]
    resources = [local.lock_parameter_arn]
  }

  dynamic "statement" {
    for_each = local.use_secrets_manager ? [] : [1]
    content {
      sid       = "ReadSharedParameters"
      actions   = ["ssm:GetParameter", "ssm:GetParameters"]
      resources = local.shared_parameter_arns
    }
  }

  dynamic "statement" {
    for_each = local.use_secrets_manager ? [1] : []
    content {
      sid       = "ReadInstanceSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [local.instance_secrets_arn_pattern]
    }
  }

  dynamic "statement" {
    for_each = local.use_secrets_manager ? [1] : []
    content {
      sid       = "WriteRotatedTokenSecrets"
      actions   = ["secretsmanager:PutSecretValue"]
      resources = local.writable_secret_arns
    }
  }

  dynamic "statement" {
    for_each = local.use_secrets_manager ? [1] : []
    content {
      sid       = "ReadSharedSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.shared_secret_arns
    }
  }

  # The customer key only through the store (SecureString / secret values) and, for decrypting
  # the function's environment, through Lambda: never directly.
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "UseCustomerKey"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["${local.store_service}.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "DecryptEnvironmentWithCustomerKey"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["lambda.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "${local.function_name}_resourceAccess"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

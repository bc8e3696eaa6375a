# REFRESH_TOKEN_GRANTED_AT: when the operator consented (ISO-8601 UTC), written by
# `proxy setup confluence` next to the refresh token. The proxy only reads it (its instance
# namespace is readable) to warn before Atlassian's 365-day limit on the token family; absent
# or `fill me`, the expiry is reported as unknown. Created here so it carries the same key,
# tags and lifecycle as the other OAuth values, and is removed with them.

resource "aws_ssm_parameter" "token_granted_at" {
  #checkov:skip=CKV_AWS_337:SecureString is always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/ssm key, as the reference does).
  count = local.use_secrets_manager ? 0 : 1

  name        = "${local.instance_prefix}REFRESH_TOKEN_GRANTED_AT"
  description = "Confluence proxy ${local.function_name}: when the OAuth consent was granted (ISO-8601 UTC). Written by `proxy setup confluence`; the health check warns 30 days before the token family's 365-day expiry."
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = "fill me"
  tags        = var.tags

  lifecycle {
    # Written by `proxy setup confluence` at every consent: never reset.
    ignore_changes = [value]
  }
}

resource "aws_secretsmanager_secret" "token_granted_at" {
  #checkov:skip=CKV_AWS_149:Secrets are always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/secretsmanager key).
  #checkov:skip=CKV2_AWS_57:Not a credential: it records when the operator consented, and only `proxy setup confluence` changes it, at the next consent.
  count = local.use_secrets_manager ? 1 : 0

  name        = "${local.instance_prefix}REFRESH_TOKEN_GRANTED_AT"
  description = "Confluence proxy ${local.function_name}: when the OAuth consent was granted (ISO-8601 UTC). Written by `proxy setup confluence`."
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

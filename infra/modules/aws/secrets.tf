# The values the proxy reads: OAuth client and tokens under the instance prefix, the salt and
# encryption key under the shared root, optional custom rules. Externally managed values start
# as the reference placeholder `fill me` (read as "unset") and Terraform never overwrites them.

resource "random_password" "salt" {
  count   = var.create_shared_secrets ? 1 : 0
  length  = 20
  special = true
}

resource "random_password" "encryption_key" {
  count   = var.create_shared_secrets ? 1 : 0
  length  = 32
  special = true
}

locals {
  salt_value           = var.create_shared_secrets ? coalesce(var.pseudonym_salt, random_password.salt[0].result) : null
  encryption_key_value = var.create_shared_secrets ? random_password.encryption_key[0].result : null
}

# --- SSM Parameter Store (default store) ---------------------------------------------------

resource "aws_ssm_parameter" "instance_secret" {
  #checkov:skip=CKV_AWS_337:SecureString is always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/ssm key, as the reference does).
  for_each = { for key, name in local.instance_secret_names : key => name if !local.use_secrets_manager }

  name        = each.value
  description = "Confluence proxy ${local.function_name}: ${each.key}. Filled by `proxy setup confluence`; tokens are rotated by the proxy."
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = "fill me"
  tags        = var.tags

  lifecycle {
    # Written by the operator and by the proxy itself (rotated refresh tokens): never reset.
    ignore_changes = [value]
  }
}

resource "aws_ssm_parameter" "salt" {
  #checkov:skip=CKV_AWS_337:SecureString is always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/ssm key, as the reference does).
  count = var.create_shared_secrets && !local.use_secrets_manager ? 1 : 0

  name        = local.salt_name
  description = "Pseudonymization salt shared by every proxy of this deployment. Never change it: every pseudonym depends on it."
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = local.salt_value
  tags        = var.tags

  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_ssm_parameter" "encryption_key" {
  #checkov:skip=CKV_AWS_337:SecureString is always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/ssm key, as the reference does).
  count = var.create_shared_secrets && !local.use_secrets_manager ? 1 : 0

  name        = local.encryption_key_name
  description = "Key for reversible pseudonyms (p~ tokens) shared by every proxy of this deployment. Rotating it invalidates issued tokens."
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = local.encryption_key_value
  tags        = var.tags

  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_ssm_parameter" "rules" {
  #checkov:skip=CKV2_AWS_34:Rules are not secret (the health check prints them); the reference stores them as a plain String, which the proxy reads unchanged.
  count = var.custom_rules_path == null ? 0 : 1

  name        = local.rules_parameter_name
  description = "Custom rules of ${local.function_name} (plain YAML, or base64gzip when larger than 8 KB)."
  type        = "String"
  tier        = length(local.rules_parameter_value) < 4096 ? "Standard" : "Advanced"
  value       = local.rules_parameter_value
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = length(local.rules_parameter_value) <= 8192
      error_message = "The custom rules are larger than 8 KB even after base64gzip, the SSM Advanced-tier limit."
    }
  }
}

# --- AWS Secrets Manager (secrets_store = "aws_secrets_manager") ---------------------------
# Externally managed secrets get no version: `proxy setup` adds the first one, and an absent
# version reads as "unset". The salt and key get their generated value once.

resource "aws_secretsmanager_secret" "instance_secret" {
  #checkov:skip=CKV_AWS_149:Secrets are always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/secretsmanager key).
  #checkov:skip=CKV2_AWS_57:No rotation Lambda applies: the OAuth client is issued by Atlassian's console, and the proxy itself rotates REFRESH_TOKEN/ACCESS_TOKEN on every Atlassian refresh.
  for_each = { for key, name in local.instance_secret_names : key => name if local.use_secrets_manager }

  name        = each.value
  description = "Confluence proxy ${local.function_name}: ${each.key}. Filled by `proxy setup confluence`; tokens are rotated by the proxy."
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

resource "aws_secretsmanager_secret" "salt" {
  #checkov:skip=CKV_AWS_149:Secrets are always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/secretsmanager key).
  #checkov:skip=CKV2_AWS_57:The salt must never rotate: a new salt changes every pseudonym and breaks joins with data already collected.
  count = var.create_shared_secrets && local.use_secrets_manager ? 1 : 0

  name        = local.salt_name
  description = "Pseudonymization salt shared by every proxy of this deployment. Never change it: every pseudonym depends on it."
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "salt" {
  count = var.create_shared_secrets && local.use_secrets_manager ? 1 : 0

  secret_id     = aws_secretsmanager_secret.salt[0].id
  secret_string = local.salt_value

  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_secretsmanager_secret" "encryption_key" {
  #checkov:skip=CKV_AWS_149:Secrets are always encrypted with KMS; a customer-managed key is opt-in through var.kms_key_arn (null uses the AWS-managed aws/secretsmanager key).
  #checkov:skip=CKV2_AWS_57:Automatic rotation would invalidate every reversible p~ token already handed out; rotate it deliberately (infra/README.md).
  count = var.create_shared_secrets && local.use_secrets_manager ? 1 : 0

  name        = local.encryption_key_name
  description = "Key for reversible pseudonyms (p~ tokens) shared by every proxy of this deployment. Rotating it invalidates issued tokens."
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "encryption_key" {
  count = var.create_shared_secrets && local.use_secrets_manager ? 1 : 0

  secret_id     = aws_secretsmanager_secret.encryption_key[0].id
  secret_string = local.encryption_key_value

  lifecycle {
    ignore_changes = [secret_string]
  }
}

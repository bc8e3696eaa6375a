# Names and the function's environment, derived once. The derivations copy the reference
# (`env-id`, `aws-host`, `aws-proxy-lambda`) so an existing deployment's names carry over.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  # The Lambda-level id allows only '-' (reference `env-id`); the host-level id keeps '_'.
  lambda_environment_id = replace(var.environment_name, "_", "-")
  function_name         = "${local.lambda_environment_id}-${var.connector_id}"
  caller_role_name      = coalesce(var.caller_role_name, "${var.environment_name}Caller")

  # Reference `aws-host`: <root><UPPER(env)>_<UPPER(connector, '-' -> '_')>_ (it keeps '-' in env).
  derived_instance_prefix = "${var.aws_ssm_param_root_path}${upper(var.environment_name)}_${upper(replace(var.connector_id, "-", "_"))}_"
  instance_prefix         = coalesce(var.instance_config_prefix, local.derived_instance_prefix)
  shared_prefix           = var.aws_ssm_param_root_path

  use_secrets_manager = var.secrets_store == "aws_secrets_manager"

  # Values the operator (or `proxy setup`) provides; ACCESS_TOKEN and REFRESH_TOKEN are also
  # rewritten by the proxy when Atlassian rotates them.
  instance_secret_names = {
    for name in ["CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "ACCESS_TOKEN"] : name => "${local.instance_prefix}${name}"
  }
  writable_secret_names = [local.instance_secret_names["REFRESH_TOKEN"], local.instance_secret_names["ACCESS_TOKEN"]]
  lock_parameter_name   = "${local.instance_prefix}OAUTH_REFRESH_TOKEN_lock"
  rules_parameter_name  = "${local.instance_prefix}RULES"
  salt_name             = "${local.shared_prefix}PSOXY_SALT"
  encryption_key_name   = "${local.shared_prefix}PSOXY_ENCRYPTION_KEY"

  # IAM resource ARNs. SSM wants `parameter/NAME`, or `parameterNAME` when NAME starts with '/'.
  account_id       = data.aws_caller_identity.current.account_id
  region           = data.aws_region.current.name
  partition        = data.aws_partition.current.partition
  ssm_arn_base     = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter"
  ssm_separator    = startswith(local.instance_prefix, "/") ? "" : "/"
  shared_separator = startswith(local.shared_prefix, "/") ? "" : "/"
  secret_arn_base  = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:"

  instance_parameters_arn_pattern = "${local.ssm_arn_base}${local.ssm_separator}${local.instance_prefix}*"
  writable_parameter_arns = [
    for name in concat(local.writable_secret_names, [local.lock_parameter_name]) : "${local.ssm_arn_base}${local.ssm_separator}${name}"
  ]
  lock_parameter_arn = "${local.ssm_arn_base}${local.ssm_separator}${local.lock_parameter_name}"
  shared_parameter_arns = [
    for name in [local.salt_name, local.encryption_key_name] : "${local.ssm_arn_base}${local.shared_separator}${name}"
  ]
  # Secrets Manager appends '-' and 6 random characters to every secret ARN.
  instance_secrets_arn_pattern = "${local.secret_arn_base}${local.instance_prefix}*"
  writable_secret_arns         = [for name in local.writable_secret_names : "${local.secret_arn_base}${name}-??????"]
  shared_secret_arns           = [for name in [local.salt_name, local.encryption_key_name] : "${local.secret_arn_base}${name}-??????"]

  # Custom rules (reference `aws-ssm-rules`): plain YAML when it fits, else base64gzip.
  custom_rules_yaml = var.custom_rules_path == null ? null : file(var.custom_rules_path)
  rules_parameter_value = local.custom_rules_yaml == null ? null : (
    length(local.custom_rules_yaml) <= 8192 ? local.custom_rules_yaml : base64gzip(local.custom_rules_yaml)
  )

  optional_environment = {
    PATH_TO_SHARED_CONFIG         = local.shared_prefix == "" ? null : local.shared_prefix
    EMAIL_DOMAIN_HANDLING         = var.email_domain_handling
    ALLOWED_DATA_ACCESS_IP_BLOCKS = length(var.allowed_data_access_ip_blocks) == 0 ? null : join(",", var.allowed_data_access_ip_blocks)
    CUSTOM_RULES_SHA              = var.custom_rules_path == null ? null : filesha1(var.custom_rules_path)
  }
  # The names and values the reference sets for Confluence Cloud (connector spec + host module).
  base_environment = {
    SOURCE                          = "confluence"
    TARGET_HOST                     = "api.atlassian.com"
    SOURCE_AUTH_STRATEGY_IDENTIFIER = "oauth2_refresh_token"
    GRANT_TYPE                      = "refresh_token"
    REFRESH_ENDPOINT                = "https://auth.atlassian.com/oauth/token"
    USE_SHARED_TOKEN                = "true"
    SECRETS_STORE                   = upper(var.secrets_store)
    PATH_TO_INSTANCE_CONFIG         = local.instance_prefix
    REQUEST_TIMEOUT_SECONDS         = tostring(local.request_timeout_seconds)
    EMAIL_CANONICALIZATION          = var.email_canonicalization
    IS_DEVELOPMENT_MODE             = tostring(var.is_development_mode)
  }
  environment_variables = merge(
    local.base_environment,
    { for key, value in local.optional_environment : key => value if value != null },
  )

  store_flag = local.use_secrets_manager ? "secrets-manager" : "ssm"

  # --- Time budgets (proxy.deadline): the proxy's deadline lies a margin before the platform's
  # limit, so a slow request ends in its own 504 and it still releases the lock and saves a
  # rotated token. API Gateway HTTP APIs give up after 30 s (a hard quota): behind one, the
  # function times out at 30 s and the proxy's budget is 25 s.
  request_timeout_margin_seconds  = 5 # = proxy.deadline.PLATFORM_MARGIN_SECONDS
  api_gateway_max_timeout_seconds = 30
  lambda_timeout_seconds          = var.use_api_gateway_v2 ? min(var.timeout_seconds, local.api_gateway_max_timeout_seconds) : var.timeout_seconds
  request_timeout_seconds         = local.lambda_timeout_seconds - local.request_timeout_margin_seconds

  # Provisioned concurrency needs a published version behind an alias; the URL, the API
  # Gateway integration and the caller's permission then all name that alias.
  use_alias         = var.provisioned_concurrent_executions > 0
  alias_name        = "live"
  invoke_target_arn = local.use_alias ? aws_lambda_alias.live[0].arn : aws_lambda_function.proxy.arn
  invoke_uri        = local.use_alias ? aws_lambda_alias.live[0].invoke_arn : aws_lambda_function.proxy.invoke_arn

  # KMS is used only through the services that hold our encrypted values (kms:ViaService).
  store_service = local.use_secrets_manager ? "secretsmanager" : "ssm"
}

# Names and the function's environment, derived once. The derivations copy the reference
# (`gcp-host`, `gcp-proxy-api`) so an existing deployment's names carry over.

locals {
  environment_id_prefix = var.environment_name == "" ? "" : "${var.environment_name}-"
  function_name         = "${local.environment_id_prefix}${var.connector_id}"

  # Reference: `<env->fn-<connector>`, padded with `psoxy-` when the prefix is under 6
  # characters, cut to 30 and trimmed of '-'.
  service_account_prefix_raw = "${local.environment_id_prefix}fn-"
  service_account_prefix     = length(local.service_account_prefix_raw) < 6 ? "psoxy-${local.service_account_prefix_raw}" : local.service_account_prefix_raw
  service_account_id         = trim(substr("${local.service_account_prefix}${var.connector_id}", 0, 30), "-")

  # Reference: `config_parameter_prefix`, else `<env>_`, else `psoxy_` (not upper-cased).
  shared_prefix   = var.config_parameter_prefix != null ? var.config_parameter_prefix : (var.environment_name == "" ? "psoxy_" : "${var.environment_name}_")
  instance_prefix = "${local.shared_prefix}${upper(replace(var.connector_id, "-", "_"))}_"

  # CLIENT_ID and CLIENT_SECRET are only read; REFRESH_TOKEN and ACCESS_TOKEN are rewritten by
  # the proxy; OAUTH_REFRESH_TOKEN never holds a value: its `locked` label is the refresh lock.
  read_only_secret_names = ["CLIENT_ID", "CLIENT_SECRET"]
  writable_secret_names  = ["REFRESH_TOKEN", "ACCESS_TOKEN", "OAUTH_REFRESH_TOKEN"]
  instance_secret_ids = {
    for name in concat(local.read_only_secret_names, local.writable_secret_names) : name => "${local.instance_prefix}${name}"
  }
  salt_secret_id           = "${local.shared_prefix}PSOXY_SALT"
  encryption_key_secret_id = "${local.shared_prefix}PSOXY_ENCRYPTION_KEY"
  shared_secret_ids = {
    PSOXY_SALT           = local.salt_secret_id
    PSOXY_ENCRYPTION_KEY = local.encryption_key_secret_id
  }

  # A custom role id allows only letters, digits, '_' and '.' (at most 64 characters).
  secret_version_manager_role_id = "${substr(replace(local.function_name, "-", "_"), 0, 40)}_secretVersionManager"

  optional_environment = {
    EMAIL_DOMAIN_HANDLING         = var.email_domain_handling
    ALLOWED_DATA_ACCESS_IP_BLOCKS = length(var.allowed_data_access_ip_blocks) == 0 ? null : join(",", var.allowed_data_access_ip_blocks)
    RULES                         = var.custom_rules_path == null ? null : base64gzip(file(var.custom_rules_path))
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
    SECRETS_STORE                   = "GCP_SECRET_MANAGER"
    GOOGLE_CLOUD_PROJECT            = var.project_id
    PATH_TO_INSTANCE_CONFIG         = local.instance_prefix
    PATH_TO_SHARED_CONFIG           = local.shared_prefix
    REQUEST_TIMEOUT_SECONDS         = tostring(var.timeout_seconds)
    EMAIL_CANONICALIZATION          = var.email_canonicalization
    IS_DEVELOPMENT_MODE             = tostring(var.is_development_mode)
  }
  environment_variables = merge(
    local.base_environment,
    { for key, value in local.optional_environment : key => value if value != null },
  )

  invoker_members = concat(
    [for email in var.caller_service_account_emails : "serviceAccount:${email}"],
    var.gcp_principals_authorized_to_test,
  )

  required_apis = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "iam.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
}

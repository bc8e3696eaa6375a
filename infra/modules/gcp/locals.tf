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
    REQUEST_TIMEOUT_SECONDS         = tostring(local.request_timeout_seconds)
    EMAIL_CANONICALIZATION          = var.email_canonicalization
    IS_DEVELOPMENT_MODE             = tostring(var.is_development_mode)
    # functions-framework serves with one gunicorn worker of THREADS threads (default
    # 4 x CPUs): exactly the requests Cloud Run admits at once, so none waits for a thread.
    THREADS = tostring(var.instance_concurrency)
    # Cloud Run does not tell the function its memory; the response-size policy needs it.
    FUNCTION_MEMORY_MB = tostring(var.memory_mb)
  }
  environment_variables = merge(
    local.base_environment,
    { for key, value in local.optional_environment : key => value if value != null },
  )

  invoker_members = concat(
    [for email in var.caller_service_account_emails : "serviceAccount:${email}"],
    var.gcp_principals_authorized_to_test,
  )

  required_apis = concat([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "iam.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ], var.log_retention_days == null ? [] : ["logging.googleapis.com"])

  # --- Time budget (proxy.deadline): Cloud Run answers 504 at its timeout while the instance
  # keeps working, and does not tell the function how long it has; the proxy's deadline is
  # set a margin before the timeout, so the proxy answers first and still wraps up.
  request_timeout_margin_seconds = 5 # = proxy.deadline.PLATFORM_MARGIN_SECONDS
  request_timeout_seconds        = var.timeout_seconds - local.request_timeout_margin_seconds

  # --- CPU from memory, within Cloud Run's rules: more than 4 GiB needs 2 CPUs, more than
  # 8 GiB 4, more than 16 GiB 6, more than 24 GiB 8 (and 4+ CPUs need at least 2-4 GiB, which
  # these tiers satisfy). Never below 1 CPU: Cloud Run refuses concurrency above 1 with less.
  cpu_for_memory = [
    { max_memory_mb = 4096, cpu = "1" },
    { max_memory_mb = 8192, cpu = "2" },
    { max_memory_mb = 16384, cpu = "4" },
    { max_memory_mb = 24576, cpu = "6" },
    { max_memory_mb = 32768, cpu = "8" },
  ]
  available_cpu = [for tier in local.cpu_for_memory : tier.cpu if var.memory_mb <= tier.max_memory_mb][0]

  # The function's log entries (Cloud Functions gen2 logs as its Cloud Run revision).
  function_log_filter = "((resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${local.function_name}\") OR (resource.type = \"cloud_function\" AND resource.labels.function_name = \"${local.function_name}\"))"
}

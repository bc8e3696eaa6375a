# Inputs of one Confluence Cloud proxy on AWS. Names follow the reference (Worklytics psoxy
# `aws-host`) wherever an existing deployment's names must carry over.

variable "environment_name" {
  description = "Environment id, as in the reference (default `psoxy`). Prefixes the Lambda name (`<env>-<connector_id>`), the caller role (`<env>Caller`) and the instance parameter prefix (`<ROOT><UPPER(env)>_<CONNECTOR>_`). Keep the reference deployment's value when migrating."
  type        = string
  default     = "psoxy"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,23}$", var.environment_name)) && !can(regex("(?i)^(aws|ssm)", var.environment_name))
    error_message = "environment_name: 1-24 characters (so `<env>-<connector>_Exec` fits IAM's 64) of letters, digits, '-' or '_', starting with a letter, and not starting with 'aws' or 'ssm' (reserved by SSM)."
  }
}

variable "connector_id" {
  description = "Connector id (reference: `confluence-cloud`). Part of the function name and of the instance parameter prefix."
  type        = string
  default     = "confluence-cloud"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.connector_id))
    error_message = "connector_id: 3-32 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "deployment_package_path" {
  description = "Path of the Lambda zip built by `make package` (`dist/lambda-arm64.zip`). Its base64 SHA-256 is the function's `source_code_hash`, so a rebuilt zip redeploys the code."
  type        = string

  validation {
    condition     = endswith(var.deployment_package_path, ".zip")
    error_message = "deployment_package_path must point at the .zip built by `make package`."
  }
}

variable "aws_ssm_param_root_path" {
  description = "Root path of the shared parameters (`<root>PSOXY_SALT`, `<root>PSOXY_ENCRYPTION_KEY`), also prepended to the instance prefix; reference default \"\". If it contains '/', it must start with '/'. Sets PATH_TO_SHARED_CONFIG when non-empty."
  type        = string
  default     = ""

  validation {
    condition     = var.aws_ssm_param_root_path == "" || (can(regex("^[A-Za-z0-9_./-]+$", var.aws_ssm_param_root_path)) && (!strcontains(var.aws_ssm_param_root_path, "/") || startswith(var.aws_ssm_param_root_path, "/")))
    error_message = "aws_ssm_param_root_path: letters, digits, '_', '.', '-', '/'; a path containing '/' must start with '/' (SSM needs fully qualified hierarchical names)."
  }
}

variable "instance_config_prefix" {
  description = "Override of the instance prefix (PATH_TO_INSTANCE_CONFIG), e.g. `PSOXY_CONFLUENCE_CLOUD_`. Leave null to derive it exactly as the reference does; set it only to adopt parameters of a deployment whose names were customised."
  type        = string
  default     = null

  validation {
    condition     = var.instance_config_prefix == null || can(regex("^(/[A-Za-z0-9_./-]+|[A-Za-z0-9_.-]+)$", var.instance_config_prefix))
    error_message = "instance_config_prefix: letters, digits, '_', '.', '-', '/'; a prefix containing '/' must start with '/'."
  }
}

variable "secrets_store" {
  description = "Where the OAuth client, tokens, salt and encryption key live: `aws_ssm_parameter_store` (reference default) or `aws_secrets_manager`. The lock parameter and custom RULES always live in SSM, as in the reference."
  type        = string
  default     = "aws_ssm_parameter_store"

  validation {
    condition     = contains(["aws_ssm_parameter_store", "aws_secrets_manager"], var.secrets_store)
    error_message = "secrets_store must be aws_ssm_parameter_store or aws_secrets_manager."
  }
}

variable "kms_key_arn" {
  description = "Optional customer-managed KMS key ARN encrypting the SecureString parameters / secrets, the Lambda environment and the log groups. Null uses the AWS-managed keys. The key policy must allow `logs.<region>.amazonaws.com` (see infra/README.md)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "create_shared_secrets" {
  description = "Create the deployment-wide PSOXY_SALT and PSOXY_ENCRYPTION_KEY under the shared root. Set false when another connector's deployment (or an existing reference deployment not imported into this state) already owns them: the function then reads the existing ones by name."
  type        = bool
  default     = true
}

variable "pseudonym_salt" {
  description = "Salt to store in PSOXY_SALT when this module creates it. Null generates a random one (as the reference does). Written once: later changes are ignored, because a new salt changes every pseudonym."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.pseudonym_salt == null || try(length(var.pseudonym_salt) >= 16, false)
    error_message = "pseudonym_salt must be at least 16 characters."
  }
}

variable "caller_gcp_service_account_ids" {
  description = "Numeric unique ids (21 digits) of the Google service accounts (the analytics tenant) allowed to assume the caller role through web identity federation on accounts.google.com."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.caller_gcp_service_account_ids : can(regex("^[0-9]{21}$", id))])
    error_message = "caller_gcp_service_account_ids: each entry is a 21-digit service-account unique id (not an email)."
  }
}

variable "caller_aws_arns" {
  description = "AWS principal ARNs (roles, users, accounts) allowed to assume the caller role with sts:AssumeRole, e.g. the operator who runs `proxy call` tests."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.caller_aws_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:", arn))])
    error_message = "caller_aws_arns: each entry must be an IAM/STS principal ARN (no wildcards, no '*')."
  }
}

variable "caller_role_name" {
  description = "Name of the caller role. Null gives the reference name `<environment_name>Caller`; set a distinct name when two connectors share one environment."
  type        = string
  default     = null

  validation {
    condition     = var.caller_role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.caller_role_name))
    error_message = "caller_role_name must be a valid IAM role name (1-64 of letters, digits, +=,.@_-)."
  }
}

variable "allowed_data_access_ip_blocks" {
  description = "Optional CIDRs allowed to call the proxy. Enforced twice: as an aws:SourceIp condition in the caller role's trust policy and by the proxy itself (ALLOWED_DATA_ACCESS_IP_BLOCKS)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for block in var.allowed_data_access_ip_blocks : can(cidrhost(block, 0))])
    error_message = "allowed_data_access_ip_blocks: each entry must be a CIDR block, e.g. 203.0.113.7/32."
  }
}

variable "use_api_gateway_v2" {
  description = "Expose the function through an API Gateway v2 HTTP API with IAM auth (payload 1.0, routes `/<function>/{proxy+}`) instead of a Lambda function URL. The gateway caps requests at 30 seconds, so the function's timeout becomes at most 30 s and the proxy's own budget 25 s."
  type        = bool
  default     = false
}

# --- Platform fit: time budget, memory, concurrency ------------------------------------------

variable "timeout_seconds" {
  description = "Lambda timeout in seconds (reference default 180; at most 30 behind API Gateway). The proxy's own deadline (REQUEST_TIMEOUT_SECONDS) is 5 s less, so a slow request ends in the proxy's 504 with the refresh lock released, never in Lambda's timeout."
  type        = number
  default     = 180

  validation {
    condition     = var.timeout_seconds >= 10 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be between 10 and 900."
  }
}

variable "memory_size_mb" {
  description = "Lambda memory in MB (CPU scales with it). Also bounds the largest upstream response a request may read: (memory - 128 MB) / 8, e.g. 48 MiB at 512 MB (docs/configuration.md)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size_mb >= 256 && var.memory_size_mb <= 10240
    error_message = "memory_size_mb must be between 256 and 10240."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency: at most this many requests run at once, which keeps the crawl within Atlassian's per-app rate limits (points-based quotas for OAuth 2.0 apps since March 2026) and the function from starving others. Default 10. Set null in accounts whose Lambda concurrency quota is below 110 (AWS keeps 100 unreserved)."
  type        = number
  default     = 10

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 1, false)
    error_message = "reserved_concurrent_executions must be null or at least 1."
  }
}

variable "provisioned_concurrent_executions" {
  description = "Instances kept initialized (no cold start), billed while idle. 0 (default) uses none. Above 0 the function publishes a version behind the alias `live`, which the URL (or API Gateway) then serves; switching it on or off replaces the function URL, so the endpoint changes. At most reserved_concurrent_executions."
  type        = number
  default     = 0

  validation {
    condition     = var.provisioned_concurrent_executions >= 0 && floor(var.provisioned_concurrent_executions) == var.provisioned_concurrent_executions
    error_message = "provisioned_concurrent_executions must be a whole number, 0 or more."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group (reference default 7)."
  type        = number
  default     = 7

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "email_canonicalization" {
  description = "EMAIL_CANONICALIZATION: STRICT (reference default) or IGNORE_DOTS. Changing it changes email pseudonyms."
  type        = string
  default     = "STRICT"

  validation {
    condition     = contains(["STRICT", "IGNORE_DOTS"], var.email_canonicalization)
    error_message = "email_canonicalization must be STRICT or IGNORE_DOTS."
  }
}

variable "email_domain_handling" {
  description = "Optional EMAIL_DOMAIN_HANDLING: PRESERVE (the proxy's default when unset), ENCRYPT, TOKENIZE or REDACT."
  type        = string
  default     = null

  validation {
    condition     = var.email_domain_handling == null || contains(["PRESERVE", "ENCRYPT", "TOKENIZE", "REDACT"], coalesce(var.email_domain_handling, "PRESERVE"))
    error_message = "email_domain_handling must be PRESERVE, ENCRYPT, TOKENIZE or REDACT."
  }
}

variable "is_development_mode" {
  description = "IS_DEVELOPMENT_MODE: verbose diagnostics (debug logs, request URLs and exception messages in the logs). Never true in production."
  type        = bool
  default     = false
}

variable "custom_rules_path" {
  description = "Optional path of a custom rules YAML replacing the bundled Confluence rules. Stored in the SSM parameter `<instance prefix>RULES` (plain when it fits in 8 KB, else base64gzip); its SHA-1 goes to CUSTOM_RULES_SHA so a change redeploys the function."
  type        = string
  default     = null
}

variable "iam_permissions_boundary_arn" {
  description = "Optional permissions boundary policy ARN set on the execution and caller roles (for organisations that require one)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource that supports them."
  type        = map(string)
  default     = {}
}

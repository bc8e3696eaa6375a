# Inputs of one Confluence Cloud proxy on GCP (Cloud Functions gen2). Names follow the
# reference (Worklytics psoxy `gcp-host`) wherever an existing deployment's names must carry over.

variable "project_id" {
  description = "GCP project that hosts the function and its secrets."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a GCP project id (6-30 lower-case letters, digits or '-')."
  }
}

variable "region" {
  description = "Region of the function and of the source bucket (reference default us-central1)."
  type        = string
  default     = "us-central1"
}

variable "environment_name" {
  description = "Environment id, as in the reference (default `psoxy`; may be empty). The function is `<env>-<connector_id>` and the secret prefix `<env>_` (or `psoxy_` when empty). Keep the reference deployment's value when migrating."
  type        = string
  default     = "psoxy"

  validation {
    condition     = var.environment_name == "" || can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.environment_name))
    error_message = "environment_name: empty, or 2-20 lower-case letters, digits or '-', starting with a letter (it becomes part of function and service-account names)."
  }
}

variable "connector_id" {
  description = "Connector id (reference: `confluence-cloud`). Part of the function name and of the instance secret prefix."
  type        = string
  default     = "confluence-cloud"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.connector_id))
    error_message = "connector_id: 3-32 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "config_parameter_prefix" {
  description = "Override of the secret prefix (reference `config_parameter_prefix`). Null derives it as the reference does: `<environment_name>_`, or `psoxy_` when the environment name is empty. Not upper-cased."
  type        = string
  default     = null

  validation {
    condition     = var.config_parameter_prefix == null || can(regex("^[A-Za-z0-9_-]{1,100}$", var.config_parameter_prefix))
    error_message = "config_parameter_prefix: letters, digits, '_' or '-' (Secret Manager secret id characters)."
  }
}

variable "source_zip_path" {
  description = "Path of the function source zip built by `make package` (`dist/gcp-source.zip`, with main.py at its root). Uploaded under a content-hashed object name, so a rebuilt zip redeploys the function."
  type        = string

  validation {
    condition     = endswith(var.source_zip_path, ".zip")
    error_message = "source_zip_path must point at the .zip built by `make package`."
  }
}

variable "caller_service_account_emails" {
  description = "Service accounts of the analytics tenant allowed to invoke the proxy (roles/run.invoker on its Cloud Run service), e.g. `tenant-123@worklytics.iam.gserviceaccount.com`."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.caller_service_account_emails : can(regex("^[a-z0-9-]+@[a-z0-9.-]+\\.gserviceaccount\\.com$", email))])
    error_message = "caller_service_account_emails: each entry is a service-account email (…@….gserviceaccount.com); allUsers / allAuthenticatedUsers are not accepted."
  }
}

variable "gcp_principals_authorized_to_test" {
  description = "Extra IAM members allowed to invoke the proxy for testing, e.g. `user:alice@example.com` or `serviceAccount:tester@my-project.iam.gserviceaccount.com`. Never public members."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.gcp_principals_authorized_to_test : can(regex("^(user|serviceAccount|group):[^@\\s]+@[^@\\s]+$", member))])
    error_message = "gcp_principals_authorized_to_test: each entry is `user:`, `serviceAccount:` or `group:` followed by an email; allUsers / allAuthenticatedUsers / domain: are rejected."
  }
}

variable "secret_replica_locations" {
  description = "Locations of the user-managed replicas of every secret (reference default us-central1 and us-west1)."
  type        = list(string)
  default     = ["us-central1", "us-west1"]

  validation {
    condition     = length(var.secret_replica_locations) > 0
    error_message = "secret_replica_locations needs at least one location."
  }
}

variable "create_shared_secrets" {
  description = "Create the deployment-wide `<prefix>PSOXY_SALT` and `<prefix>PSOXY_ENCRYPTION_KEY` secrets. Set false when another connector's deployment (or a reference deployment not imported into this state) already owns them: the function then binds their latest versions by name."
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

variable "allowed_data_access_ip_blocks" {
  description = "Optional CIDRs allowed to call the proxy, enforced by the proxy itself (ALLOWED_DATA_ACCESS_IP_BLOCKS); Cloud Run IAM cannot condition on the source IP."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for block in var.allowed_data_access_ip_blocks : can(cidrhost(block, 0))])
    error_message = "allowed_data_access_ip_blocks: each entry must be a CIDR block, e.g. 203.0.113.7/32."
  }
}

# --- Platform fit: time budget, memory, CPU, concurrency, instances, logs --------------------

variable "timeout_seconds" {
  description = "Function timeout in seconds (reference default 180). The proxy's own deadline (REQUEST_TIMEOUT_SECONDS) is 5 s less, so a slow request ends in the proxy's 504 with the refresh lock released, never in Cloud Run's."
  type        = number
  default     = 180

  validation {
    condition     = var.timeout_seconds >= 10 && var.timeout_seconds <= 3600
    error_message = "timeout_seconds must be between 10 and 3600."
  }
}

variable "memory_mb" {
  description = "Memory of each instance in MiB (Cloud Run gen2: 512 to 32768). The CPU follows from it by Cloud Run's rules: 1 up to 4 GiB, 2 up to 8 GiB, 4 up to 16 GiB, 6 up to 24 GiB, 8 above. Also bounds the largest upstream response a request may read: (memory - 128) / (8 x instance_concurrency) MiB."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_mb >= 512 && var.memory_mb <= 32768 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MiB between 512 (Cloud Run's second-generation minimum) and 32768 (32 GiB, its maximum)."
  }
}

variable "max_instances" {
  description = "Maximum number of instances (reference default 20); caps cost and the request rate against Atlassian."
  type        = number
  default     = 20

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 1000
    error_message = "max_instances must be between 1 and 1000."
  }
}

variable "instance_concurrency" {
  description = "Concurrent requests per instance (reference default 5); also THREADS, the functions-framework threads serving them. Each request gets a share of the memory for its response (see memory_mb)."
  type        = number
  default     = 5

  validation {
    condition     = var.instance_concurrency >= 1 && var.instance_concurrency <= 80
    error_message = "instance_concurrency must be between 1 and 80."
  }
}

variable "min_instances" {
  description = "Instances kept warm (no cold start), billed while idle. Default 0. At most max_instances."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0 && var.min_instances <= 1000 && floor(var.min_instances) == var.min_instances
    error_message = "min_instances must be a whole number between 0 and 1000."
  }
}

variable "log_retention_days" {
  description = "Days to keep the function's logs, in a log bucket of their own (excluded from the project's `_Default` bucket). Null (default) leaves them in `_Default` (30 days unless changed). Deployers then need roles/logging.configWriter."
  type        = number
  default     = null

  validation {
    condition     = var.log_retention_days == null || try(var.log_retention_days >= 1 && var.log_retention_days <= 3650, false)
    error_message = "log_retention_days must be null or between 1 and 3650."
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
  description = "Optional path of a custom rules YAML replacing the bundled Confluence rules. Passed base64gzip-encoded in the RULES environment variable (as the reference does on GCP), with its SHA-1 in CUSTOM_RULES_SHA; a change deploys a new revision."
  type        = string
  default     = null
}

variable "build_service_account_email" {
  description = "Optional service account Cloud Build uses to build the function (needs roles/cloudbuild.builds.builder, logging.logWriter, artifactregistry.writer, and read access to the source bucket). Null uses the project's default build service account."
  type        = string
  default     = null
}

variable "enable_apis" {
  description = "Enable the Google APIs the function needs (Cloud Functions, Cloud Run, Cloud Build, Artifact Registry, Secret Manager, Storage, IAM). Disable when APIs are managed elsewhere. Never disabled on destroy."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to every resource that supports them."
  type        = map(string)
  default     = {}
}

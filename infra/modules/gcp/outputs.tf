# What the operator needs next: where the proxy is, which identity runs it, where its secrets
# go, and the exact commands to load them and to test the deployment.

locals {
  endpoint_url  = "${trimsuffix(google_cloudfunctions2_function.proxy.service_config[0].uri, "/")}/"
  setup_command = "proxy setup confluence --store gcp --prefix ${local.instance_prefix} --project ${var.project_id}"
  test_commands = [
    "proxy call --url ${local.endpoint_url} --health-check --gcp-id-token",
    "proxy call --url ${local.endpoint_url} --all --gcp-id-token",
  ]
}

output "endpoint_url" {
  description = "Base URL of the proxy (with a trailing '/'); append Confluence API paths, e.g. `ex/confluence/<cloudId>/wiki/api/v2/spaces`."
  value       = local.endpoint_url
}

output "function_name" {
  description = "Name of the Cloud Function (and of its Cloud Run service)."
  value       = google_cloudfunctions2_function.proxy.name
}

output "service_account_email" {
  description = "Runtime service account of the function."
  value       = google_service_account.function.email
}

output "instance_config_prefix" {
  description = "PATH_TO_INSTANCE_CONFIG: prefix of the CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN and OAUTH_REFRESH_TOKEN (lock) secrets."
  value       = local.instance_prefix
}

output "secret_ids" {
  description = "Secret Manager secret ids the proxy reads."
  value = merge(local.instance_secret_ids, {
    PSOXY_SALT           = local.salt_secret_id
    PSOXY_ENCRYPTION_KEY = local.encryption_key_secret_id
  })
}

output "setup_command" {
  description = "Loads CLIENT_ID, CLIENT_SECRET and REFRESH_TOKEN into Secret Manager (OAuth consent flow of the `proxy` tool)."
  value       = local.setup_command
}

output "test_commands" {
  description = "Health check, then a crawl of every Confluence endpoint with a privacy check, with a Google ID token (your identity must be in gcp_principals_authorized_to_test)."
  value       = local.test_commands
}

output "worklytics_connection" {
  description = "Values to enter in the analytics service's GCP proxy connection."
  value = {
    "Psoxy Base URL" = local.endpoint_url
  }
}

output "next_steps" {
  description = "The steps after `terraform apply`, as text."
  value       = <<-EOT
    1. Load the Atlassian OAuth client and refresh token:
         ${local.setup_command}
    2. Test the deployment:
         ${join("\n         ", local.test_commands)}
    3. In the analytics service, connect with base URL ${local.endpoint_url}
       and the Confluence cloud id that step 1 printed (`proxy call --all` prints it too)
  EOT
}

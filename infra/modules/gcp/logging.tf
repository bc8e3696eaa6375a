# Optional retention of the function's logs (var.log_retention_days). Cloud Functions logs go
# to the project's `_Default` bucket (30 days, shared by every workload). With a retention set,
# the function's entries go to a bucket of their own with that retention instead, and the
# `_Default` sink excludes them, so nothing of the proxy is kept longer than asked.

resource "google_logging_project_bucket_config" "function" {
  count = var.log_retention_days == null ? 0 : 1

  project        = var.project_id
  location       = "global"
  bucket_id      = "${local.function_name}-logs"
  retention_days = var.log_retention_days
  description    = "Logs of the Confluence proxy ${local.function_name}, kept ${var.log_retention_days} days."

  depends_on = [google_project_service.required]
}

resource "google_logging_project_sink" "function" {
  count = var.log_retention_days == null ? 0 : 1

  project     = var.project_id
  name        = "${local.function_name}-logs"
  description = "Routes the Confluence proxy's log entries to its own bucket."
  destination = "logging.googleapis.com/${google_logging_project_bucket_config.function[0].id}"
  filter      = local.function_log_filter
  # A log bucket in the same project needs no grant to the sink's writer identity.
  unique_writer_identity = true
}

resource "google_logging_project_exclusion" "function_from_default" {
  count = var.log_retention_days == null ? 0 : 1

  project     = var.project_id
  name        = "${local.function_name}-own-bucket"
  description = "The Confluence proxy's entries are kept in its own bucket (${local.function_name}-logs) only."
  filter      = local.function_log_filter
}

# Alerts on the proxy's JSON log records (docs/operations.md: what each means, what to do).
# Log-based metrics count the stable `event` names Cloud Logging reads from the function's
# output (jsonPayload.event); alert policies fire on them, on the 5xx rate of the request
# records, and on requests the platform itself aborted. One switch (`create_alerts`, on by
# default) and optional notification channels.

variable "create_alerts" {
  description = "Create the log-based metrics and alert policies of docs/operations.md (refresh_invalid_grant, token_rotation_unsaved, token_family_expiring, unexpected_error, the 5xx rate, platform-aborted requests). On by default; false creates none."
  type        = bool
  default     = true
}

variable "alert_notification_channels" {
  description = "Optional Cloud Monitoring notification channels (`projects/<project>/notificationChannels/<id>`, e.g. e-mail or chat) notified when an alert policy fires. Empty: incidents only show in the Cloud Monitoring console."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for channel in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[0-9]+$", channel))])
    error_message = "alert_notification_channels: each entry is projects/<project>/notificationChannels/<numeric id>."
  }
}

locals {
  # local.function_log_filter (locals.tf): the function's own log entries.
  # Events that need a person as soon as they happen once; `period` is the alignment window.
  alert_events = var.create_alerts ? {
    refresh_invalid_grant = {
      period = "300s"
      doc    = "Atlassian answered invalid_grant: the refresh-token family is dead and no data flows. Re-run `proxy setup confluence --store gcp` (docs/operations.md#refresh_invalid_grant)."
    }
    token_rotation_unsaved = {
      period = "300s"
      doc    = "A rotated refresh token could not be written to Secret Manager; one instance holds the only copy. Fix the function's access to its REFRESH_TOKEN secret now (docs/operations.md#token_rotation_unsaved)."
    }
    token_family_expiring = {
      period = "3600s"
      doc    = "The refresh-token family reaches Atlassian's 365-day limit within 30 days, or has not been refreshed for 60 days. Plan a new `proxy setup confluence` (docs/operations.md#token_family_expiring)."
    }
    unexpected_error = {
      period = "300s"
      doc    = "The proxy hit a bug (its stack is in the log entry). Report it with the entry (docs/operations.md#unexpected_error)."
    }
  } : {}

  request_metrics = var.create_alerts ? {
    requests          = "${local.function_log_filter} AND jsonPayload.event=\"request\""
    requests_5xx      = "${local.function_log_filter} AND jsonPayload.event=\"request\" AND jsonPayload.status>=500"
    platform_aborted  = "${local.function_log_filter} AND log_id(\"run.googleapis.com/requests\") AND severity>=ERROR AND textPayload:*"
  } : {}

  # The 5xx policy: more than this share of requests for 10 minutes.
  alert_5xx_ratio = 0.1
}

resource "google_project_service" "monitoring" {
  for_each = var.enable_apis && var.create_alerts ? toset(["logging.googleapis.com", "monitoring.googleapis.com"]) : toset([])

  project = var.project_id
  service = each.key
  # Other workloads in the project may use these APIs too.
  disable_on_destroy = false
}

resource "google_logging_metric" "event" {
  for_each = local.alert_events

  project     = var.project_id
  name        = "${local.function_name}/${each.key}"
  description = "Log entries of ${local.function_name} with event ${each.key} (docs/operations.md)."
  filter      = "${local.function_log_filter} AND jsonPayload.event=\"${each.key}\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.monitoring]
}

resource "google_monitoring_alert_policy" "event" {
  for_each = local.alert_events

  project               = var.project_id
  display_name          = "${local.function_name}: ${each.key}"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "${each.key} logged"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.event[each.key].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = each.value.period
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    content   = each.value.doc
    mime_type = "text/markdown"
  }
}

resource "google_logging_metric" "requests" {
  for_each = local.request_metrics

  project     = var.project_id
  name        = "${local.function_name}/${each.key}"
  description = "Request records of ${local.function_name}: ${each.key} (docs/operations.md)."
  filter      = each.value

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.monitoring]
}

resource "google_monitoring_alert_policy" "server_error_rate" {
  count = var.create_alerts ? 1 : 0

  project               = var.project_id
  display_name          = "${local.function_name}: 5xx rate"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "more than ${local.alert_5xx_ratio * 100}% of requests answered 5xx"
    condition_threshold {
      filter             = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.requests["requests_5xx"].name}\""
      denominator_filter = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.requests["requests"].name}\""
      comparison         = "COMPARISON_GT"
      threshold_value    = local.alert_5xx_ratio
      duration           = "600s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }

      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    content   = "More than ${local.alert_5xx_ratio * 100}% of requests answered 5xx for 10 minutes; X-Psoxy-Error (the request records' error_code) says why (docs/operations.md#5xx-rate)."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "platform_aborted" {
  count = var.create_alerts ? 1 : 0

  project               = var.project_id
  display_name          = "${local.function_name}: requests aborted by the platform"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels
  user_labels           = var.labels

  conditions {
    display_name = "Cloud Run aborted a request (timeout, no free instance, crash)"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.requests["platform_aborted"].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    content   = "Cloud Run ended requests before the proxy answered (function timeout, max instances reached, out of memory or a crash): the Lambda errors/throttles of GCP (docs/operations.md#platform-aborted-requests)."
    mime_type = "text/markdown"
  }
}

output "alert_policy_names" {
  description = "Resource names of the alert policies this module created (empty when create_alerts is false); docs/operations.md explains each."
  value = concat(
    [for policy in google_monitoring_alert_policy.event : policy.name],
    [for policy in google_monitoring_alert_policy.server_error_rate : policy.name],
    [for policy in google_monitoring_alert_policy.platform_aborted : policy.name],
  )
}

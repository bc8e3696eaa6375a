# Alerts (docs/operations.md): on by default; give notification channels to be notified.

variable "create_alerts" {
  description = "Create the log-based metrics and alert policies of docs/operations.md (on by default)."
  type        = bool
  default     = true
}

variable "alert_notification_channels" {
  description = "Optional Cloud Monitoring notification channel names (projects/<p>/notificationChannels/<id>)."
  type        = list(string)
  default     = []
}

output "alert_policy_names" {
  description = "The Cloud Monitoring alert policies created for this proxy (docs/operations.md explains each)."
  value       = module.confluence_proxy.alert_policy_names
}

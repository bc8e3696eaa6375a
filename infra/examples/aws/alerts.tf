# Alerts (docs/operations.md): on by default; give an SNS topic to be notified.

variable "create_alerts" {
  description = "Create the CloudWatch metric filters and alarms of docs/operations.md (on by default)."
  type        = bool
  default     = true
}

variable "alert_sns_topic_arn" {
  description = "Optional SNS topic ARN notified when an alarm fires or clears. Null: console only."
  type        = string
  default     = null
}

output "alarm_names" {
  description = "The CloudWatch alarms created for this proxy (docs/operations.md explains each)."
  value       = module.confluence_proxy.alarm_names
}

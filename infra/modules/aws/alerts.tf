# Alerts on the proxy's JSON log records (docs/operations.md: what each means, what to do).
# Metric filters count the stable `event` names in the function's log group; alarms fire on
# them, on the 5xx rate of the request records, and on the platform's own Lambda errors and
# throttles. One switch (`create_alerts`, on by default) and an optional SNS topic to notify.

variable "create_alerts" {
  description = "Create the CloudWatch metric filters and alarms of docs/operations.md (refresh_invalid_grant, token_rotation_unsaved, token_family_expiring, unexpected_error, the 5xx rate, Lambda errors and throttles). On by default; false creates none."
  type        = bool
  default     = true
}

variable "alert_sns_topic_arn" {
  description = "Optional SNS topic ARN notified when an alarm fires and when it clears (e.g. a topic with an e-mail or chat subscription). Null: the alarms only show in the CloudWatch console."
  type        = string
  default     = null

  validation {
    condition     = var.alert_sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", var.alert_sns_topic_arn))
    error_message = "alert_sns_topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)."
  }
}

locals {
  alert_namespace = "ConfluencePsoxy/${local.function_name}"
  alert_actions   = var.alert_sns_topic_arn == null ? [] : [var.alert_sns_topic_arn]

  # Events that need a person as soon as they happen once. `period` is the alarm's window in
  # seconds: token_family_expiring is logged at most once a day per instance, weeks ahead.
  alert_events = var.create_alerts ? {
    refresh_invalid_grant = {
      period      = 300
      description = "Atlassian answered invalid_grant: the refresh-token family is dead and no data flows. Re-run `proxy setup confluence` (docs/operations.md#refresh_invalid_grant)."
    }
    token_rotation_unsaved = {
      period      = 300
      description = "A rotated refresh token could not be written to the secret store; one instance holds the only copy. Fix the store's write access now (docs/operations.md#token_rotation_unsaved)."
    }
    token_family_expiring = {
      period      = 3600
      description = "The refresh-token family reaches Atlassian's 365-day limit within 30 days, or has not been refreshed for 60 days. Plan a new `proxy setup confluence` (docs/operations.md#token_family_expiring)."
    }
    unexpected_error = {
      period      = 300
      description = "The proxy hit a bug (its stack is in the log record). Report it with the record (docs/operations.md#unexpected_error)."
    }
  } : {}

  # The request records, counted twice: all of them, and those answered with a 5xx.
  request_metrics = var.create_alerts ? {
    requests     = "{ $.event = \"request\" }"
    requests_5xx = "{ $.event = \"request\" && $.status >= 500 }"
  } : {}

  # The 5xx alarm: more than this share of requests, over two 5-minute periods in a row, with
  # at least `alert_5xx_min_requests` requests in a period (a single failed call is not a rate).
  alert_5xx_percent      = 10
  alert_5xx_min_requests = 5

  lambda_alarms = var.create_alerts ? {
    errors = {
      metric      = "Errors"
      description = "Lambda counted failed invocations (timeouts, out of memory, crashes: the handler itself answers every error). Check the function's logs and REPORT lines (docs/operations.md#lambda-errors)."
    }
    throttles = {
      metric      = "Throttles"
      description = "Lambda refused invocations for lack of concurrency; callers got 429. Raise reserved concurrency or the account limit (docs/operations.md#lambda-throttles)."
    }
  } : {}
}

resource "aws_cloudwatch_log_metric_filter" "event" {
  for_each = local.alert_events

  name           = "${local.function_name}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.proxy.name
  pattern        = "{ $.event = \"${each.key}\" }"

  metric_transformation {
    name          = each.key
    namespace     = local.alert_namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "event" {
  for_each = local.alert_events

  alarm_name          = "${local.function_name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = local.alert_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.event[each.key].metric_transformation[0].name
  statistic           = "Sum"
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alert_actions
  ok_actions          = local.alert_actions
  tags                = var.tags
}

resource "aws_cloudwatch_log_metric_filter" "requests" {
  for_each = local.request_metrics

  name           = "${local.function_name}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.proxy.name
  pattern        = each.value

  metric_transformation {
    name          = each.key
    namespace     = local.alert_namespace
    value         = "1"
    default_value = "0"
    unit          = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "server_error_rate" {
  count = var.create_alerts ? 1 : 0

  alarm_name          = "${local.function_name}-5xx-rate"
  alarm_description   = "More than ${local.alert_5xx_percent}% of requests answered 5xx for 10 minutes (X-Psoxy-Error says why; docs/operations.md#5xx-rate)."
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.alert_5xx_percent
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alert_actions
  ok_actions          = local.alert_actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    expression  = "IF(requests >= ${local.alert_5xx_min_requests}, 100 * errors / requests, 0)"
    label       = "5xx share of requests (%)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = local.alert_namespace
      metric_name = aws_cloudwatch_log_metric_filter.requests["requests_5xx"].metric_transformation[0].name
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = local.alert_namespace
      metric_name = aws_cloudwatch_log_metric_filter.requests["requests"].metric_transformation[0].name
      period      = 300
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "lambda" {
  for_each = local.lambda_alarms

  alarm_name          = "${local.function_name}-lambda-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = aws_lambda_function.proxy.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alert_actions
  ok_actions          = local.alert_actions
  tags                = var.tags
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms this module created (empty when create_alerts is false); docs/operations.md explains each."
  value = concat(
    [for alarm in aws_cloudwatch_metric_alarm.event : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.server_error_rate : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.lambda : alarm.alarm_name],
  )
}

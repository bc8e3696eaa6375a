"""Static checks of the alerts and the token-lifecycle secret in the Terraform modules (parsed
with python-hcl2): each alert keys on an event the proxy really logs, each sits behind the one
`create_alerts` switch (on by default), and notifications are optional."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from infra.test_terraform import AWS_MODULE, GCP_MODULE, REPO, locals_of, named, typed

from proxy.log_events import LogEvent

RUNBOOK = REPO / "docs" / "operations.md"
ALERTED = {"refresh_invalid_grant", "token_rotation_unsaved", "token_family_expiring"}


Body = dict[str, Any]


def resources(directory: Path, type_name: str) -> dict[str, Body]:
    return typed(directory, "resource", type_name)


def alerted_events(directory: Path) -> dict[str, Body]:
    """The `alert_events` map: `${var.create_alerts ? {...} : {}}` as parsed."""
    text = locals_of(directory)["alert_events"]
    assert text.startswith("${var.create_alerts ? {") and text.endswith(": {}}"), text
    return {name: {} for name in re.findall(r"(\w+)\s*=\s*\{", text)}


def test_one_switch_on_by_default_and_optional_targets() -> None:
    aws, gcp = named(AWS_MODULE, "variable"), named(GCP_MODULE, "variable")
    for variables in (aws, gcp):
        assert variables["create_alerts"]["default"] is True
        assert variables["create_alerts"]["type"] == "bool"
    assert aws["alert_sns_topic_arn"]["default"] is None
    assert gcp["alert_notification_channels"]["default"] == []


def test_every_alerted_event_is_one_the_proxy_logs_and_the_runbook_explains() -> None:
    runbook = RUNBOOK.read_text("utf-8")
    for module in (AWS_MODULE, GCP_MODULE):
        events = set(alerted_events(module))
        assert events >= ALERTED, module
        assert events <= {e.value for e in LogEvent}, events - {e.value for e in LogEvent}
        for name in events:
            assert f"### `{name}`" in runbook, name


def test_aws_metric_filters_count_the_event_field_and_alarms_notify_the_optional_topic() -> None:
    filters = resources(AWS_MODULE, "aws_cloudwatch_log_metric_filter")
    event_filter = filters["event"]
    assert event_filter["for_each"] == "${local.alert_events}"
    assert event_filter["pattern"] == '{ $.event = "${each.key}" }'
    assert event_filter["log_group_name"] == "${aws_cloudwatch_log_group.proxy.name}"
    requests = locals_of(AWS_MODULE)["request_metrics"]
    assert '$.event = \\"request\\" && $.status >= 500' in requests
    assert filters["requests"]["for_each"] == "${local.request_metrics}"

    alarms = resources(AWS_MODULE, "aws_cloudwatch_metric_alarm")
    assert set(alarms) == {"event", "server_error_rate", "lambda"}
    assert locals_of(AWS_MODULE)["alert_actions"] == (
        "${var.alert_sns_topic_arn == null ? [] : [var.alert_sns_topic_arn]}"
    )
    for name, alarm in alarms.items():
        assert alarm["alarm_actions"] == "${local.alert_actions}", name
        assert alarm["ok_actions"] == "${local.alert_actions}", name
        assert alarm["treat_missing_data"] == "notBreaching", name
        switch = alarm.get("for_each") or alarm.get("count")
        assert "create_alerts" in switch or switch in (
            "${local.alert_events}",
            "${local.lambda_alarms}",
        ), name
    assert alarms["event"]["threshold"] == 1
    rate = alarms["server_error_rate"]
    (expression,) = [q["expression"] for q in rate["metric_query"] if "expression" in q]
    assert "100 * errors / requests" in expression
    lambda_metrics = locals_of(AWS_MODULE)["lambda_alarms"]
    assert "Errors" in lambda_metrics and "Throttles" in lambda_metrics
    assert alarms["lambda"]["namespace"] == "AWS/Lambda"
    assert alarms["lambda"]["dimensions"] == {
        "FunctionName": "${aws_lambda_function.proxy.function_name}"
    }


def test_gcp_log_based_metrics_and_policies_follow_the_function_and_the_channels() -> None:
    metrics = resources(GCP_MODULE, "google_logging_metric")
    assert metrics["event"]["for_each"] == "${local.alert_events}"
    assert metrics["event"]["filter"] == (
        '${local.function_log_filter} AND jsonPayload.event="${each.key}"'
    )
    # one parenthesized term: Cloud Logging's OR binds tighter than AND
    assert locals_of(GCP_MODULE)["function_log_filter"] == (
        '((resource.type = "cloud_run_revision" AND '
        'resource.labels.service_name = "${local.function_name}") OR '
        '(resource.type = "cloud_function" AND '
        'resource.labels.function_name = "${local.function_name}"))'
    )
    assert metrics["requests"]["for_each"] == "${local.request_metrics}"
    assert "jsonPayload.status>=500" in locals_of(GCP_MODULE)["request_metrics"]

    policies = resources(GCP_MODULE, "google_monitoring_alert_policy")
    assert set(policies) == {"event", "server_error_rate", "platform_aborted"}
    for name, policy in policies.items():
        assert policy["notification_channels"] == "${var.alert_notification_channels}", name
        (condition,) = policy["conditions"]
        (threshold,) = condition["condition_threshold"]
        assert "logging.googleapis.com/user/" in threshold["filter"], name
        assert policy["documentation"][0]["content"], name
    (rate,) = policies["server_error_rate"]["conditions"][0]["condition_threshold"]
    assert "requests_5xx" in rate["filter"] and '["requests"]' in rate["denominator_filter"]


def test_the_consent_time_secret_exists_and_the_gcp_function_may_only_read_it() -> None:
    parameter = resources(AWS_MODULE, "aws_ssm_parameter")["token_granted_at"]
    assert parameter["name"] == "${local.instance_prefix}REFRESH_TOKEN_GRANTED_AT"
    assert (parameter["value"], parameter["type"]) == ("fill me", "SecureString")
    assert parameter["lifecycle"] == [{"ignore_changes": ["value"]}]
    secret = resources(AWS_MODULE, "aws_secretsmanager_secret")["token_granted_at"]
    assert secret["name"] == "${local.instance_prefix}REFRESH_TOKEN_GRANTED_AT"

    gcp_secret = resources(GCP_MODULE, "google_secret_manager_secret")["token_granted_at"]
    assert gcp_secret["secret_id"] == "${local.instance_prefix}REFRESH_TOKEN_GRANTED_AT"
    member = resources(GCP_MODULE, "google_secret_manager_secret_iam_member")
    reader = member["token_granted_at_reader"]
    assert reader["role"] == "roles/secretmanager.secretAccessor"
    assert reader["secret_id"] == "${google_secret_manager_secret.token_granted_at.secret_id}"

"""Terraform as the platforms really behave: time budgets that nest below the platforms' limits,
GCP threads and CPU within Cloud Run's rules, a caller that can only use the function URL,
least-privilege grants, and the capacity variables. Parsed with python-hcl2 (test_terraform's
helpers); Cloud Run's CPU/memory rules are restated here from its documentation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from infra.test_terraform import (
    AWS_MODULE,
    GCP_MODULE,
    TF_DIRS,
    Body,
    all_typed,
    as_list,
    locals_of,
    named,
    policy_documents,
    statements,
    typed,
)

from proxy.deadline import PLATFORM_MARGIN_SECONDS, WRAP_UP_SECONDS

GIB = 1024
# https://cloud.google.com/run/docs/configuring/services/memory-limits and .../cpu
MIN_CPUS_ABOVE_MEMORY = ((4 * GIB, 2), (8 * GIB, 4), (16 * GIB, 6), (24 * GIB, 8))
MIN_MEMORY_FOR_CPUS = {4: 2 * GIB, 6: 4 * GIB, 8: 4 * GIB}
CLOUD_RUN_MEMORY_MIB = (512, 32 * GIB)  # second-generation execution environment


def _variable(module: Any, name: str) -> Body:
    variables: dict[str, Body] = named(module, "variable")
    return variables[name]


def _only(kind: str, module: Any, type_name: str) -> Body:
    (body,) = typed(module, kind, type_name).values()
    return body


# --- time budgets ----------------------------------------------------------------------------


@pytest.mark.parametrize("module", [AWS_MODULE, GCP_MODULE], ids=["aws", "gcp"])
def test_the_proxy_deadline_lies_the_proxy_s_margin_before_the_function_timeout(
    module: Any,
) -> None:
    locals_ = locals_of(module)
    assert locals_["request_timeout_margin_seconds"] == PLATFORM_MARGIN_SECONDS
    assert PLATFORM_MARGIN_SECONDS > WRAP_UP_SECONDS  # time left to answer after the wrap-up
    assert locals_["base_environment"]["REQUEST_TIMEOUT_SECONDS"] == (
        "${tostring(local.request_timeout_seconds)}"
    )
    timeout = "local.lambda_timeout_seconds" if module == AWS_MODULE else "var.timeout_seconds"
    assert locals_["request_timeout_seconds"] == (
        f"${{{timeout} - local.request_timeout_margin_seconds}}"
    )
    # The smallest timeout the variables accept still leaves the proxy a budget.
    (validation,) = _variable(module, "timeout_seconds")["validation"]
    minimum = int(re.search(r"var.timeout_seconds >= (\d+)", validation["condition"]).group(1))  # type: ignore[union-attr]
    assert minimum - PLATFORM_MARGIN_SECONDS >= 5


def test_behind_api_gateway_the_function_times_out_with_the_gateway_and_the_proxy_at_25_s() -> None:
    locals_ = locals_of(AWS_MODULE)
    assert locals_["api_gateway_max_timeout_seconds"] == 30  # HTTP API integrations: a hard quota
    assert locals_["lambda_timeout_seconds"] == (
        "${var.use_api_gateway_v2 ? min(var.timeout_seconds, "
        "local.api_gateway_max_timeout_seconds) : var.timeout_seconds}"
    )
    assert 30 - PLATFORM_MARGIN_SECONDS <= 25
    function = _only("resource", AWS_MODULE, "aws_lambda_function")
    assert function["timeout"] == "${local.lambda_timeout_seconds}"
    integration = _only("resource", AWS_MODULE, "aws_apigatewayv2_integration")
    assert integration["timeout_milliseconds"] == "${local.lambda_timeout_seconds * 1000}"


# --- GCP: threads, CPU and memory ------------------------------------------------------------


def test_gcp_threads_equal_the_instance_concurrency_and_memory_is_passed_on() -> None:
    environment = locals_of(GCP_MODULE)["base_environment"]
    assert environment["THREADS"] == "${tostring(var.instance_concurrency)}"
    assert environment["FUNCTION_MEMORY_MB"] == "${tostring(var.memory_mb)}"
    (service,) = _only("resource", GCP_MODULE, "google_cloudfunctions2_function")["service_config"]
    assert service["max_instance_request_concurrency"] == "${var.instance_concurrency}"
    assert service["available_memory"] == "${var.memory_mb}Mi"
    assert service["available_cpu"] == "${local.available_cpu}"


def _cpu_for(memory_mib: int) -> int:
    """`local.available_cpu`, evaluated as Terraform does: the first tier the memory fits."""
    tiers = locals_of(GCP_MODULE)["cpu_for_memory"]
    return int(next(t["cpu"] for t in tiers if memory_mib <= t["max_memory_mb"]))


def test_gcp_cpu_follows_memory_within_cloud_run_s_rules() -> None:
    assert locals_of(GCP_MODULE)["available_cpu"] == (
        "${[for tier in local.cpu_for_memory : tier.cpu if var.memory_mb <= tier.max_memory_mb][0]}"
    )
    (validation,) = _variable(GCP_MODULE, "memory_mb")["validation"]
    assert "var.memory_mb >= 512 && var.memory_mb <= 32768" in validation["condition"]
    low, high = CLOUD_RUN_MEMORY_MIB
    for memory in range(low, high + 1, 128):
        cpu = _cpu_for(memory)
        assert cpu >= 1, memory  # concurrency above 1 needs a whole CPU
        for above, needed in MIN_CPUS_ABOVE_MEMORY:
            if memory > above:
                assert cpu >= needed, f"{memory} MiB needs {needed} CPUs, gets {cpu}"
        assert memory >= MIN_MEMORY_FOR_CPUS.get(cpu, 0), f"{cpu} CPUs need more than {memory}"


def test_gcp_min_instances_and_log_retention_are_variables() -> None:
    (service,) = _only("resource", GCP_MODULE, "google_cloudfunctions2_function")["service_config"]
    assert service["min_instance_count"] == "${var.min_instances}"
    assert _variable(GCP_MODULE, "min_instances")["default"] == 0
    assert _variable(GCP_MODULE, "log_retention_days")["default"] is None
    bucket = _only("resource", GCP_MODULE, "google_logging_project_bucket_config")
    assert bucket["retention_days"] == "${var.log_retention_days}"
    sink = _only("resource", GCP_MODULE, "google_logging_project_sink")
    exclusion = _only("resource", GCP_MODULE, "google_logging_project_exclusion")
    for body in (bucket, sink, exclusion):
        assert body["count"] == "${var.log_retention_days == null ? 0 : 1}"
    assert sink["filter"] == exclusion["filter"] == "${local.function_log_filter}"
    log_filter = locals_of(GCP_MODULE)["function_log_filter"]
    assert 'resource.labels.service_name = "${local.function_name}"' in log_filter


# --- AWS: the caller uses the function URL only ----------------------------------------------


def test_no_policy_lets_anyone_invoke_the_function_except_through_its_url() -> None:
    found = 0
    for _, document, body in policy_documents():
        for statement in statements(body):
            if "lambda:InvokeFunction" not in as_list(statement.get("actions", [])):
                continue
            found += 1
            assert statement["actions"] == ["lambda:InvokeFunction"], document
            assert {
                "test": "Bool",
                "variable": "lambda:InvokedViaFunctionUrl",
                "values": ["true"],
            } in statement["condition"], document
    assert found == 1


def test_every_caller_statement_is_bound_to_the_allowed_ip_blocks() -> None:
    document = typed(AWS_MODULE, "data", "aws_iam_policy_document")["caller_access"]
    for statement in statements(document):
        (dynamic,) = statement["dynamic"]
        condition = dynamic["condition"]
        assert condition["for_each"] == "${local.ip_conditions}", statement["sid"]
        assert condition["content"] == [
            {"test": "IpAddress", "variable": "aws:SourceIp", "values": "${condition.value}"}
        ]
    url = {s["sid"]: s for s in statements(document)}["InvokeProxyFunctionUrl"]
    assert url["condition"] == [
        {"test": "StringEquals", "variable": "lambda:FunctionUrlAuthType", "values": ["AWS_IAM"]}
    ]


# --- least privilege -------------------------------------------------------------------------


def test_gcp_custom_role_holds_only_what_the_stores_and_locks_call() -> None:
    role = _only("resource", GCP_MODULE, "google_project_iam_custom_role")
    assert sorted(role["permissions"]) == [
        "secretmanager.secrets.get",  # labels: latest-version, lock
        "secretmanager.secrets.update",  # the same labels (IAM cannot narrow it to labels)
        "secretmanager.versions.access",
        "secretmanager.versions.add",
        "secretmanager.versions.destroy",
        "secretmanager.versions.list",
    ]


def test_aws_grants_no_unused_secrets_manager_action() -> None:
    granted = {
        action
        for _, _, body in policy_documents()
        for statement in statements(body)
        for action in as_list(statement.get("actions", []))
    }
    assert "secretsmanager:GetSecretValue" in granted
    assert not granted & {"secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"}


def test_the_customer_key_is_usable_only_through_the_store_and_lambda() -> None:
    document = typed(AWS_MODULE, "data", "aws_iam_policy_document")["execution"]
    kms = [s for s in statements(document) if any(a.startswith("kms:") for a in s["actions"])]
    assert {s["sid"] for s in kms} == {"UseCustomerKey", "DecryptEnvironmentWithCustomerKey"}
    services = {}
    for statement in kms:
        (condition,) = statement["condition"]
        assert (condition["test"], condition["variable"]) == ("StringEquals", "kms:ViaService")
        services[statement["sid"]] = condition["values"]
    assert services == {
        "UseCustomerKey": ["${local.store_service}.${local.region}.amazonaws.com"],
        "DecryptEnvironmentWithCustomerKey": ["lambda.${local.region}.amazonaws.com"],
    }
    assert locals_of(AWS_MODULE)["store_service"] == (
        '${local.use_secrets_manager ? "secretsmanager" : "ssm"}'
    )


# --- AWS capacity variables ------------------------------------------------------------------


def test_reserved_concurrency_is_set_by_default_and_provisioned_concurrency_is_opt_in() -> None:
    assert _variable(AWS_MODULE, "reserved_concurrent_executions")["default"] == 10
    assert _variable(AWS_MODULE, "provisioned_concurrent_executions")["default"] == 0
    function = _only("resource", AWS_MODULE, "aws_lambda_function")
    assert function["reserved_concurrent_executions"] == "${var.reserved_concurrent_executions}"
    assert function["publish"] == "${local.use_alias}"
    assert locals_of(AWS_MODULE)["use_alias"] == "${var.provisioned_concurrent_executions > 0}"
    alias = _only("resource", AWS_MODULE, "aws_lambda_alias")
    assert alias["function_version"] == "${aws_lambda_function.proxy.version}"
    config = _only("resource", AWS_MODULE, "aws_lambda_provisioned_concurrency_config")
    assert config["qualifier"] == "${aws_lambda_alias.live[0].name}"
    assert config["provisioned_concurrent_executions"] == "${var.provisioned_concurrent_executions}"
    for body in (alias, config):
        assert body["count"] == "${local.use_alias ? 1 : 0}"
    qualified = "${local.use_alias ? aws_lambda_alias.live[0].name : null}"
    assert _only("resource", AWS_MODULE, "aws_lambda_function_url")["qualifier"] == qualified
    assert _only("resource", AWS_MODULE, "aws_lambda_permission")["qualifier"] == qualified
    integration = _only("resource", AWS_MODULE, "aws_apigatewayv2_integration")
    assert integration["integration_uri"] == "${local.invoke_uri}"


def test_the_reserved_concurrency_checkov_skip_is_gone() -> None:
    for directory in TF_DIRS:
        for path in directory.glob("*.tf"):
            assert "CKV_AWS_115" not in path.read_text(encoding="utf-8"), path
    assert list(all_typed("resource", "aws_lambda_function"))

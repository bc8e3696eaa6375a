"""Static checks of the Terraform under infra/, parsed with python-hcl2 (terraform is not
installed here). Each test pins one property the security review or the rest of the project
relies on: who may call the proxy, what the function may touch, and the names it runs with.

Locals are expanded textually (``local.x`` -> its expression) so a policy resource can be traced
back to the instance prefix it is built from.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
AWS_MODULE = INFRA / "modules" / "aws"
GCP_MODULE = INFRA / "modules" / "gcp"
EXAMPLES = (INFRA / "examples" / "aws", INFRA / "examples" / "gcp")
TF_FILES = sorted(INFRA.rglob("*.tf"))
TF_DIRS = sorted({path.parent for path in TF_FILES})

_HCL_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)
_LOCAL_REF = re.compile(r"\blocal\.([A-Za-z_][A-Za-z0-9_]*)")
_SECRET_SERVICES = ("ssm:", "secretsmanager:", "kms:")
_PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")

Body = dict[str, Any]


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO))


@cache
def parse(path: Path) -> Body:
    with path.open(encoding="utf-8") as handle:
        parsed: Body = hcl2.load(handle, serialization_options=_HCL_OPTIONS)
    return parsed


def top_level(directory: Path, kind: str) -> list[Body]:
    """Every top-level block of one kind (`resource`, `variable`, ...) in a directory."""
    return [block for path in sorted(directory.glob("*.tf")) for block in parse(path).get(kind, [])]


def named(directory: Path, kind: str) -> dict[str, Body]:
    """`variable`, `output`, `module`: name -> body."""
    return {name: body for block in top_level(directory, kind) for name, body in block.items()}


def typed(directory: Path, kind: str, type_name: str) -> dict[str, Body]:
    """`resource` / `data` blocks of one type: name -> body."""
    return {
        name: body
        for block in top_level(directory, kind)
        for name, body in block.get(type_name, {}).items()
    }


def all_typed(kind: str, type_pattern: str) -> Iterator[tuple[Path, str, str, Body]]:
    for directory in TF_DIRS:
        for block in top_level(directory, kind):
            for type_name, instances in block.items():
                if re.fullmatch(type_pattern, type_name):
                    for name, body in instances.items():
                        yield directory, type_name, name, body


def locals_of(directory: Path) -> Body:
    return {key: value for block in top_level(directory, "locals") for key, value in block.items()}


def expand(expression: Any, locals_: Body, keep: frozenset[str] = frozenset()) -> str:
    """The expression as text with every `local.x` (except `keep`) replaced by its definition."""

    def substitute(text: str, depth: int) -> str:
        assert depth < 25, f"local expansion too deep: {text[:200]}"

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in keep or name not in locals_:
                return match.group(0)
            return "(" + substitute(_text(locals_[name]), depth + 1) + ")"

        return _LOCAL_REF.sub(one, text)

    return substitute(_text(expression), 0)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def statements(policy_document: Body) -> list[Body]:
    """Static and `dynamic "statement"` statements of an aws_iam_policy_document."""
    found = list(policy_document.get("statement", []))
    for dynamic in policy_document.get("dynamic", []):
        found.extend(dynamic.get("statement", {}).get("content", []))
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_documents() -> Iterator[tuple[Path, str, Body]]:
    for directory, _, name, body in all_typed("data", "aws_iam_policy_document"):
        yield directory, name, body


# --- every file, every variable -----------------------------------------------------------


@pytest.mark.parametrize("path", TF_FILES, ids=_rel)
def test_every_tf_file_parses(path: Path) -> None:
    assert parse(path), f"{_rel(path)} is empty"


def test_infra_holds_both_modules_and_both_examples() -> None:
    assert {AWS_MODULE, GCP_MODULE, *EXAMPLES} <= set(TF_DIRS)


@pytest.mark.parametrize("directory", TF_DIRS, ids=_rel)
def test_every_variable_is_typed_documented_and_used(directory: Path) -> None:
    variables = named(directory, "variable")
    elsewhere = json.dumps(
        [top_level(directory, kind) for kind in ("resource", "data", "locals", "output", "module")]
        + [top_level(directory, "provider")]
    )
    for name, body in variables.items():
        assert len(body.get("description", "")) >= 15, f"{name}: no real description"
        assert "type" in body, f"{name}: no type"
        assert re.search(rf"\bvar\.{name}\b", elsewhere), f"{_rel(directory)}: var.{name} unused"


@pytest.mark.parametrize("directory", TF_DIRS, ids=_rel)
def test_every_output_is_documented(directory: Path) -> None:
    for name, body in named(directory, "output").items():
        assert len(body.get("description", "")) >= 15, f"{name}: no real description"


@pytest.mark.parametrize("example", EXAMPLES, ids=_rel)
def test_examples_pass_known_inputs_and_every_required_one(example: Path) -> None:
    (call,) = named(example, "module").values()
    module_dir = (example / call["source"]).resolve()
    inputs = named(module_dir, "variable")
    passed = set(call) - {"source", "providers", "depends_on", "count", "for_each"}
    assert passed <= set(inputs), f"unknown module inputs {passed - set(inputs)}"
    required = {name for name, body in inputs.items() if "default" not in body}
    assert required <= passed, f"required inputs not passed: {required - passed}"


@pytest.mark.parametrize("example", EXAMPLES, ids=_rel)
def test_tfvars_example_sets_only_declared_variables(example: Path) -> None:
    tfvars = parse(example / "terraform.tfvars.example")
    declared = named(example, "variable")
    assert set(tfvars) <= set(declared)
    required = {name for name, body in declared.items() if "default" not in body}
    assert required <= set(tfvars), f"tfvars example misses {required - set(tfvars)}"


def test_every_checkov_skip_carries_a_reason() -> None:
    skip = re.compile(r"#\s*checkov:skip=([^:\s]+)(?::(.*))?")
    for path in TF_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := skip.search(line):
                check, reason = match.group(1), (match.group(2) or "").strip()
                assert re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+", check), f"{_rel(path)}: {check}"
                assert len(reason) >= 60, f"{_rel(path)} {check}: reason too thin: {reason!r}"


# --- AWS -----------------------------------------------------------------------------------


def test_lambda_runs_the_package_handler_on_python312_arm64() -> None:
    (function,) = typed(AWS_MODULE, "resource", "aws_lambda_function").values()
    assert function["handler"] == "proxy.platforms.aws_lambda.handler"
    assert function["runtime"] == "python3.12"
    assert function["architectures"] == ["arm64"]
    assert function["filename"] == "${var.deployment_package_path}"
    assert function["source_code_hash"] == "${filebase64sha256(var.deployment_package_path)}"
    assert function["environment"] == [{"variables": "${local.environment_variables}"}]


def test_function_urls_and_api_routes_require_aws_iam() -> None:
    urls = list(all_typed("resource", "aws_lambda_function_url"))
    routes = list(all_typed("resource", "aws_apigatewayv2_route"))
    assert urls and routes
    for _, _, name, body in urls + routes:
        assert body["authorization_type"] == "AWS_IAM", name
    (permission,) = typed(AWS_MODULE, "resource", "aws_lambda_permission").values()
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["source_arn"].startswith("${aws_apigatewayv2_api.proxy[0].execution_arn}/")


def test_no_iam_statement_grants_wildcard_resources_for_secrets_or_keys() -> None:
    checked = 0
    for directory, document, body in policy_documents():
        locals_ = locals_of(directory)
        for statement in statements(body):
            actions = as_list(statement.get("actions", []))
            assert "not_actions" not in statement and "not_resources" not in statement
            if not any(str(action).startswith(_SECRET_SERVICES) for action in actions):
                continue
            checked += 1
            where = f"{document}/{statement.get('sid')}"
            assert all("*" not in str(action) for action in actions), where
            resources = as_list(statement["resources"])
            assert resources and "*" not in resources, where
            for resource in resources:
                text = expand(resource, locals_, keep=frozenset({"instance_prefix"}))
                # The only wildcard allowed is "every name under the instance prefix".
                stray = text.replace("${local.instance_prefix}*", "")
                assert "*" not in stray, f"{where}: wildcard outside the instance prefix: {text}"
    assert checked >= 6


def _execution_statements() -> dict[str, Body]:
    document = typed(AWS_MODULE, "data", "aws_iam_policy_document")["execution"]
    return {statement["sid"]: statement for statement in statements(document)}


def test_store_permissions_are_scoped_to_the_instance_prefix_and_shared_names() -> None:
    locals_ = locals_of(AWS_MODULE)
    keep = frozenset({"instance_prefix", "shared_prefix"})
    store_statements = [
        s
        for s in _execution_statements().values()
        if any(a.startswith(("ssm:", "secretsmanager:")) for a in s["actions"])
    ]
    assert len(store_statements) == 7
    for statement in store_statements:
        writes = [a for a in statement["actions"] if not re.match(r"\w+:(Get|Describe|List)", a)]
        for resource in as_list(statement["resources"]):
            text = expand(resource, locals_, keep)
            assert ":ssm:" in text or ":secretsmanager:" in text, text
            if "local.instance_prefix" in text:
                assert "local.shared_prefix" not in text
            else:  # shared values: read-only, exact names
                assert not writes, f"{statement['sid']} writes outside the instance prefix"
                assert "local.shared_prefix" in text and "*" not in text
                assert "PSOXY_SALT" in text and "PSOXY_ENCRYPTION_KEY" in text
        if writes:
            written = expand(statement["resources"], locals_, keep)
            assert "REFRESH_TOKEN" in written, statement["sid"]


def test_only_rotated_tokens_and_the_lock_are_writable() -> None:
    by_sid = _execution_statements()
    locals_ = locals_of(AWS_MODULE)
    assert by_sid["WriteRotatedTokensAndLock"]["actions"] == ["ssm:PutParameter"]
    assert by_sid["ReleaseRefreshLock"] == {
        "sid": "ReleaseRefreshLock",
        "actions": ["ssm:DeleteParameter"],
        "resources": ["${local.lock_parameter_arn}"],
    }
    assert locals_["lock_parameter_name"] == "${local.instance_prefix}OAUTH_REFRESH_TOKEN_lock"
    assert locals_["writable_secret_names"] == [
        '${local.instance_secret_names["REFRESH_TOKEN"]}',
        '${local.instance_secret_names["ACCESS_TOKEN"]}',
    ]
    assert by_sid["UseCustomerKey"]["resources"] == ["${var.kms_key_arn}"]


def test_instance_prefix_is_derived_as_the_reference_derives_it() -> None:
    locals_ = locals_of(AWS_MODULE)
    assert locals_["derived_instance_prefix"] == (
        "${var.aws_ssm_param_root_path}${upper(var.environment_name)}_"
        '${upper(replace(var.connector_id, "-", "_"))}_'
    )
    assert locals_["instance_prefix"] == (
        "${coalesce(var.instance_config_prefix, local.derived_instance_prefix)}"
    )
    assert locals_["function_name"] == "${local.lambda_environment_id}-${var.connector_id}"
    assert locals_["salt_name"] == "${local.shared_prefix}PSOXY_SALT"
    assert locals_["encryption_key_name"] == "${local.shared_prefix}PSOXY_ENCRYPTION_KEY"


def test_caller_role_may_invoke_only_this_function() -> None:
    documents = typed(AWS_MODULE, "data", "aws_iam_policy_document")
    access = {s["sid"]: s for s in statements(documents["caller_access"])}
    assert access["InvokeProxyFunctionUrl"]["actions"] == ["lambda:InvokeFunctionUrl"]
    assert access["InvokeProxyOnlyThroughItsUrl"]["actions"] == ["lambda:InvokeFunction"]
    for sid in ("InvokeProxyFunctionUrl", "InvokeProxyOnlyThroughItsUrl"):
        assert access[sid]["resources"] == ["${local.invoke_target_arn}"]
    assert locals_of(AWS_MODULE)["invoke_target_arn"] == (
        "${local.use_alias ? aws_lambda_alias.live[0].arn : aws_lambda_function.proxy.arn}"
    )
    assert access["InvokeProxyRoutes"]["actions"] == ["execute-api:Invoke"]
    assert "/${local.function_name}/*" in access["InvokeProxyRoutes"]["resources"]

    trust = {s["sid"]: s for s in statements(documents["caller_trust"])}
    google = trust["AnalyticsServiceAccountsViaGoogleFederation"]
    assert google["actions"] == ["sts:AssumeRoleWithWebIdentity"]
    assert google["principals"] == [{"type": "Federated", "identifiers": ["accounts.google.com"]}]
    assert google["condition"] == [
        {
            "test": "StringEquals",
            "variable": "accounts.google.com:aud",
            "values": "${var.caller_gcp_service_account_ids}",
        }
    ]
    aws = trust["NamedAwsPrincipals"]
    assert aws["principals"] == [{"type": "AWS", "identifiers": "${var.caller_aws_arns}"}]


def test_iam_policies_come_only_from_policy_documents() -> None:
    assert not list(all_typed("resource", "aws_iam_(policy|role_policy_attachment|user.*)"))
    for _, _, name, body in all_typed("resource", "aws_iam_role_policy|aws_iam_role"):
        policy = body.get("policy", body.get("assume_role_policy"))
        assert re.fullmatch(r"\$\{data\.aws_iam_policy_document\.\w+\.json\}", policy), name


def test_externally_managed_values_are_never_overwritten() -> None:
    parameters = typed(AWS_MODULE, "resource", "aws_ssm_parameter")
    assert parameters["instance_secret"]["value"] == "fill me"
    assert parameters["instance_secret"]["type"] == "SecureString"
    for name in ("instance_secret", "salt", "encryption_key"):
        assert parameters[name]["lifecycle"] == [{"ignore_changes": ["value"]}], name
    versions = typed(AWS_MODULE, "resource", "aws_secretsmanager_secret_version")
    assert set(versions) == {"salt", "encryption_key"}  # OAuth secrets start without a version
    for name, body in versions.items():
        assert body["lifecycle"] == [{"ignore_changes": ["secret_string"]}], name


def test_function_environment_uses_the_reference_names() -> None:
    common = {
        "SOURCE": "confluence",
        "TARGET_HOST": "api.atlassian.com",
        "SOURCE_AUTH_STRATEGY_IDENTIFIER": "oauth2_refresh_token",
        "GRANT_TYPE": "refresh_token",
        "REFRESH_ENDPOINT": "https://auth.atlassian.com/oauth/token",
        "USE_SHARED_TOKEN": "true",
        "PATH_TO_INSTANCE_CONFIG": "${local.instance_prefix}",
        "REQUEST_TIMEOUT_SECONDS": "${tostring(local.request_timeout_seconds)}",
        "EMAIL_CANONICALIZATION": "${var.email_canonicalization}",
        "IS_DEVELOPMENT_MODE": "${tostring(var.is_development_mode)}",
    }
    assert locals_of(AWS_MODULE)["base_environment"] == {
        **common,
        "SECRETS_STORE": "${upper(var.secrets_store)}",
    }
    assert locals_of(GCP_MODULE)["base_environment"] == {
        **common,
        "SECRETS_STORE": "GCP_SECRET_MANAGER",
        "GOOGLE_CLOUD_PROJECT": "${var.project_id}",
        "PATH_TO_SHARED_CONFIG": "${local.shared_prefix}",
        "THREADS": "${tostring(var.instance_concurrency)}",
        "FUNCTION_MEMORY_MB": "${tostring(var.memory_mb)}",
    }
    for module, optional in (
        (AWS_MODULE, {"PATH_TO_SHARED_CONFIG", "CUSTOM_RULES_SHA"}),
        (GCP_MODULE, {"RULES", "CUSTOM_RULES_SHA"}),
    ):
        assert set(locals_of(module)["optional_environment"]) == optional | {
            "EMAIL_DOMAIN_HANDLING",
            "ALLOWED_DATA_ACCESS_IP_BLOCKS",
        }


def test_outputs_give_the_setup_and_test_commands_of_the_proxy_tool() -> None:
    aws, gcp = locals_of(AWS_MODULE), locals_of(GCP_MODULE)
    assert aws["setup_command"] == (
        "proxy setup confluence --store ${local.store_flag} "
        "--prefix ${local.instance_prefix} --region ${local.region}"
    )
    assert aws["store_flag"] == '${local.use_secrets_manager ? "secrets-manager" : "ssm"}'
    assert aws["caller_flag"] == "--aws-role-arn ${aws_iam_role.caller.arn}"
    assert aws["test_commands"] == [
        "proxy call --url ${local.health_check_url} --health-check ${local.caller_flag}",
        "proxy call --url ${local.endpoint_url} --all ${local.caller_flag}",
    ]
    assert gcp["setup_command"] == (
        "proxy setup confluence --store gcp --prefix ${local.instance_prefix} "
        "--project ${var.project_id}"
    )
    assert gcp["test_commands"] == [
        "proxy call --url ${local.endpoint_url} --health-check --gcp-id-token",
        "proxy call --url ${local.endpoint_url} --all --gcp-id-token",
    ]
    for module in (AWS_MODULE, GCP_MODULE):
        outputs = named(module, "output")
        assert outputs["setup_command"]["value"] == "${local.setup_command}"
        assert outputs["test_commands"]["value"] == "${local.test_commands}"
    for example in EXAMPLES:
        outputs = named(example, "output")
        assert {"endpoint_url", "setup_command", "test_commands", "next_steps"} <= set(outputs)
    for module in (
        AWS_MODULE,
        GCP_MODULE,
    ):  # README step 5: the cloud id goes to the analytics side
        assert (
            "the Confluence cloud id that step 1 printed"
            in named(module, "output")["next_steps"]["value"]
        )


# --- GCP -----------------------------------------------------------------------------------


def test_gcp_function_runs_the_package_entry_point_from_a_hashed_object() -> None:
    (function,) = typed(GCP_MODULE, "resource", "google_cloudfunctions2_function").values()
    (build,) = function["build_config"]
    assert build["runtime"] == "python312"
    assert build["entry_point"] == "route"
    (source,) = build["source"]
    assert source["storage_source"] == [
        {
            "bucket": "${google_storage_bucket.source.name}",
            "object": "${google_storage_bucket_object.source.name}",
        }
    ]
    (obj,) = typed(GCP_MODULE, "resource", "google_storage_bucket_object").values()
    assert "${filesha256(var.source_zip_path)}" in obj["name"]
    assert obj["source"] == "${var.source_zip_path}"
    (service,) = function["service_config"]
    assert service["service_account_email"] == "${google_service_account.function.email}"
    assert service["environment_variables"] == "${local.environment_variables}"
    assert "secret_environment_variables" not in service  # secrets are read through the API


def _hcl_regexes(condition: str) -> list[re.Pattern[str]]:
    """The regex(...) patterns inside a validation condition, HCL escapes undone."""
    literals = re.findall(r'regex\("((?:[^"\\]|\\.)*)"', condition)
    return [re.compile(json.loads(f'"{literal}"')) for literal in literals]


def _accepts(module: Path, variable: str, value: str) -> bool:
    """Apply a variable's validation regexes: the first must match, a second must not."""
    (validation,) = named(module, "variable")[variable]["validation"]
    required, *forbidden = _hcl_regexes(validation["condition"])
    return bool(required.search(value)) and not any(p.search(value) for p in forbidden)


@pytest.mark.parametrize(
    ("module", "variable", "good", "bad"),
    [
        (
            AWS_MODULE,
            "environment_name",
            ["psoxy", "psoxy-dev", "Psoxy_Dev"],
            ["awsProxy", "SSM", "1psoxy", "psoxy dev", "p" * 25],
        ),
        (GCP_MODULE, "environment_name", ["psoxy", "dev-1"], ["Psoxy", "psoxy_dev", "-x", "x-"]),
        (
            AWS_MODULE,
            "caller_gcp_service_account_ids",
            ["123456789012345678901"],
            ["tenant@p.iam.gserviceaccount.com", "*", "12345"],
        ),
        (
            AWS_MODULE,
            "caller_aws_arns",
            ["arn:aws:iam::123456789012:role/Admin", "arn:aws:sts::123456789012:assumed-role/a/b"],
            ["*", "arn:aws:iam::*:root", "123456789012"],
        ),
    ],
)
def test_name_validations_accept_reference_names_and_reject_unsafe_ones(
    module: Path, variable: str, good: list[str], bad: list[str]
) -> None:
    for value in good:
        assert _accepts(module, variable, value), f"{variable} rejects {value!r}"
    for value in bad:
        assert not _accepts(module, variable, value), f"{variable} accepts {value!r}"


def test_gcp_function_has_no_public_invoker() -> None:
    iam = list(all_typed("resource", r"google_.*_iam_(binding|member|policy)"))
    assert iam
    for _, type_name, name, body in iam:
        members = _text(body.get("members", body.get("member", body.get("policy_data", ""))))
        assert not any(public in members for public in _PUBLIC_MEMBERS), f"{type_name}.{name}"
        assert not type_name.startswith(("google_cloudfunctions2_function_iam", "google_project"))
    (binding,) = typed(GCP_MODULE, "resource", "google_cloud_run_service_iam_binding").values()
    assert binding["role"] == "roles/run.invoker"
    assert binding["members"] == "${local.invoker_members}"
    members = expand("${local.invoker_members}", locals_of(GCP_MODULE))
    assert not any(public in members for public in _PUBLIC_MEMBERS), members
    assert set(re.findall(r"var\.(\w+)", members)) == {
        "caller_service_account_emails",
        "gcp_principals_authorized_to_test",
    }
    variables = named(GCP_MODULE, "variable")
    for variable, good in (
        ("caller_service_account_emails", "tenant-1@worklytics-x.iam.gserviceaccount.com"),
        ("gcp_principals_authorized_to_test", "user:alice@example.com"),
    ):
        (validation,) = variables[variable]["validation"]
        (pattern,) = _hcl_regexes(validation["condition"])
        assert pattern.search(good), variable
        for bad in ("allUsers", "allAuthenticatedUsers", "domain:example.com", "*"):
            assert not pattern.search(bad), f"{variable} accepts {bad}"


def test_gcp_secret_access_is_least_privilege() -> None:
    locals_ = locals_of(GCP_MODULE)
    assert locals_["read_only_secret_names"] == ["CLIENT_ID", "CLIENT_SECRET"]
    assert locals_["writable_secret_names"] == [
        "REFRESH_TOKEN",
        "ACCESS_TOKEN",
        "OAUTH_REFRESH_TOKEN",
    ]
    members = typed(GCP_MODULE, "resource", "google_secret_manager_secret_iam_member")
    assert members["read_only"]["role"] == "roles/secretmanager.secretAccessor"
    assert members["shared"]["role"] == "roles/secretmanager.secretAccessor"
    assert members["writable"]["for_each"] == "${toset(local.writable_secret_names)}"
    assert members["writable"]["role"] == (
        "${google_project_iam_custom_role.secret_version_manager.name}"
    )
    (role,) = typed(GCP_MODULE, "resource", "google_project_iam_custom_role").values()
    assert all(p.startswith("secretmanager.") for p in role["permissions"])
    assert not {p for p in role["permissions"] if p.endswith((".delete", ".setIamPolicy"))}
    # Externally managed secrets are created empty: only the salt and key get a version.
    versions = typed(GCP_MODULE, "resource", "google_secret_manager_secret_version")
    assert set(versions) == {"salt", "encryption_key"}
    for body in versions.values():
        assert body["lifecycle"] == [{"ignore_changes": ["secret_data"]}]
        assert body["deletion_policy"] == "DISABLE"


def test_gcp_source_bucket_is_private() -> None:
    (bucket,) = typed(GCP_MODULE, "resource", "google_storage_bucket").values()
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"


# --- the names the package defines ----------------------------------------------------------


def test_lambda_handler_names_a_callable_of_the_package() -> None:
    (function,) = typed(AWS_MODULE, "resource", "aws_lambda_function").values()
    module_name, attribute = function["handler"].rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), attribute)
    assert list(inspect.signature(handler).parameters) == ["event", "context"]


def test_gcp_entry_point_is_defined_by_the_main_py_of_the_source_zip() -> None:
    (function,) = typed(GCP_MODULE, "resource", "google_cloudfunctions2_function").values()
    (build,) = function["build_config"]
    spec = importlib.util.spec_from_file_location("gcp_source_main", REPO / "main.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    route = getattr(module, build["entry_point"])
    assert len(inspect.signature(route).parameters) == 1  # the Flask request

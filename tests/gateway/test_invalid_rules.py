"""A bad JSONPath anywhere in the rules is a rules error at load, with the endpoint and the place
named: `RULES_INVALID` for a data request and a warning in the health check, never `UNKNOWN`."""

from __future__ import annotations

import orjson
import pytest

from proxy.config import Settings
from proxy.errors import RulesError
from proxy.gateway import Gateway
from proxy.http import Headers, HttpRequest
from proxy.platforms.composition import build_gateway
from proxy.rules import load_rules
from proxy.sanitize import PseudonymKeys, Sanitizer
from proxy.secret_value import Secret
from support.gateway_rig import ENV_STORE_ENVIRONMENT

ENDPOINT = "rules.endpoints[0] (/x)"
BAD = "$.a["
CASES = {
    "jsonPaths": (
        f"transforms: [!<redact> {{jsonPaths: ['$.ok', '{BAD}']}}]",
        f"{ENDPOINT}.transforms[0] (redact).jsonPaths[1]",
    ),
    "applyOnlyWhen": (
        f"transforms: [!<redact> {{jsonPaths: ['$.a'], applyOnlyWhen: '{BAD}'}}]",
        f"{ENDPOINT}.transforms[0] (redact).applyOnlyWhen",
    ),
    "jsonPathToProcessWhenEscaped": (
        "transforms: [!<textDigest> {jsonPaths: ['$.a'], isJsonEscaped: true, "
        f"jsonPathToProcessWhenEscaped: '{BAD}'}}]",
        f"{ENDPOINT}.transforms[0] (textDigest).jsonPathToProcessWhenEscaped",
    ),
    "augment jsonPaths": (
        f"augments: [!<textDigest> {{jsonPaths: ['{BAD}']}}]",
        f"{ENDPOINT}.augments[0] (textDigest).jsonPaths[0]",
    ),
    "augment innerJsonPath": (
        f"augments: [!<textDigest> {{jsonPaths: ['$.a'], innerJsonPath: '{BAD}'}}]",
        f"{ENDPOINT}.augments[0] (textDigest).innerJsonPath",
    ),
}
REASON = f"invalid JSONPath \"{BAD}\" at position 3: unbalanced '[' (missing ']')"


def rules_yaml(endpoint_part: str) -> str:
    return f"endpoints:\n  - pathTemplate: /x\n    {endpoint_part}\n"


@pytest.mark.parametrize("place", CASES)
def test_a_bad_jsonpath_is_a_rules_error_naming_endpoint_and_place(place: str) -> None:
    endpoint_part, where = CASES[place]
    rules = load_rules(rules_yaml(endpoint_part))
    with pytest.raises(RulesError) as error:
        Sanitizer.build(rules, PseudonymKeys(salt=Secret("salt")))
    assert error.value.message == f"{where}: {REASON}"
    assert error.value.code == "RULES_INVALID"


def gateway_with_rules(rules: str) -> Gateway:
    return build_gateway(Settings.from_env({**ENV_STORE_ENVIRONMENT, "RULES": rules}))


def test_a_bad_escaped_json_path_is_rules_invalid_for_requests_and_in_the_health_check() -> None:
    endpoint_part, where = CASES["jsonPathToProcessWhenEscaped"]
    gateway = gateway_with_rules(rules_yaml(endpoint_part))

    response = gateway.handle(HttpRequest("GET", "/x"))
    assert (response.status, response.headers.get("X-Psoxy-Error")) == (500, "RULES_INVALID")
    assert response.body == f"{where}: {REASON}".encode()

    health_check = Headers([("X-Psoxy-Health-Check", "")])
    health = gateway.handle(HttpRequest("GET", "/", headers=health_check))
    report = orjson.loads(health.body)
    assert health.status == 412
    assert report["warningMessages"] == [f"RULES_INVALID: {where}: {REASON}"]

"""The exception tree carries what the HTTP response needs; secrets never print themselves."""

from __future__ import annotations

import pytest

from proxy import errors
from proxy.secret_value import Secret


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.BlockedByRules, 403, "BLOCKED_BY_RULES"),
        (errors.HttpsRequired, 400, "HTTPS_REQUIRED"),
        (errors.UnauthorizedIpAddress, 403, "UNAUTHORIZED_IP_ADDRESS"),
        (errors.InvalidPseudonymToken, 409, "TOKENIZED_REQUEST_PARAMETER_INVALID"),
        (errors.UpstreamConnectError, 503, "CONNECTION_TO_SOURCE"),
        (errors.UpstreamTimeout, 504, "SOURCE_API_READ_TIMEOUT"),
        (errors.RulesYamlError, 500, "RULES_INVALID_YAML"),
        (errors.SourceAuthBusy, 503, "SOURCE_AUTH_LOCK_CONTENTION"),
        (errors.RefreshTokenRevoked, 500, "SOURCE_AUTH_INVALID_GRANT"),
    ],
)
def test_each_error_knows_its_status_and_code(
    error: type[errors.ProxyError], status: int, code: str
) -> None:
    instance = error("details")
    assert (instance.status, instance.code, instance.message) == (status, code, "details")
    assert isinstance(instance, errors.ProxyError)


def test_error_without_message_uses_its_code() -> None:
    assert str(errors.BlockedByRules()) == "BLOCKED_BY_RULES"


def test_secret_hides_its_value_everywhere_but_reveal() -> None:
    salt = Secret("s3cr3t-salt")
    assert "s3cr3t" not in repr(salt)
    assert "s3cr3t" not in str(salt)
    assert "s3cr3t" not in f"{salt} {salt!r} {[salt]}"
    assert salt.reveal() == "s3cr3t-salt"
    assert salt == Secret("s3cr3t-salt")
    assert salt != Secret("other")
    assert not Secret("")

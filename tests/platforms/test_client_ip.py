"""The client IP per platform: GCP trusts what Google's front end appended, locally nothing."""

from __future__ import annotations

import flask
import pytest

from proxy.config import Settings
from proxy.platforms._client_ip import ForwardedFor
from proxy.platforms._gcp import to_http_request

GCP = {"K_SERVICE": "psoxy-confluence"}


@pytest.mark.parametrize(
    ("environment", "trusted"),
    [
        ({}, 0),
        ({"TRUSTED_PROXY_HOPS": "1"}, 1),
        (GCP, 1),
        ({**GCP, "TRUSTED_PROXY_HOPS": "2"}, 3),
        ({"AWS_LAMBDA_FUNCTION_NAME": "psoxy-confluence"}, 0),
    ],
)
def test_trusted_entries_per_platform(environment: dict[str, str], trusted: int) -> None:
    assert ForwardedFor.for_settings(Settings.from_env(environment)) == ForwardedFor(trusted)


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "expected"),
    [
        # Direct to the function URL: Google's front end appends the caller it saw.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "10.1.2.3, 203.0.113.7", "203.0.113.7"),  # the caller wrote 10.1.2.3
        (1, "10.1.2.3,10.9.9.9, 203.0.113.7", "203.0.113.7"),
        (1, None, None),
        (1, "", None),
        # One more proxy in front (TRUSTED_PROXY_HOPS=1): it appends the caller, GFE the proxy.
        (2, "10.1.2.3, 203.0.113.7, 35.191.0.1", "203.0.113.7"),
        (2, "203.0.113.7, 35.191.0.1", "203.0.113.7"),
        (2, "35.191.0.1", None),
        (2, " , 35.191.0.1", None),
        # Locally: the header is never read.
        (0, "10.1.2.3", "127.0.0.1"),
        (0, None, "127.0.0.1"),
    ],
)
def test_the_client_is_the_last_entry_a_trusted_proxy_appended(
    trusted: int, forwarded_for: str | None, expected: str | None
) -> None:
    assert ForwardedFor(trusted).client_ip(forwarded_for, peer="127.0.0.1") == expected


def test_the_gcp_adapter_reads_the_entry_googles_front_end_appended() -> None:
    app = flask.Flask(__name__)
    headers = {"X-Forwarded-For": "10.1.2.3, 203.0.113.7"}
    environ = {"REMOTE_ADDR": "169.254.1.1"}
    with app.test_request_context("/", headers=headers, environ_base=environ):
        assert to_http_request(flask.request, ForwardedFor(1)).client_ip == "203.0.113.7"
        assert to_http_request(flask.request, ForwardedFor(0)).client_ip == "169.254.1.1"

"""Over real HTTP: a `p~` token the caller sends back is decrypted into data, never structure.

Tokens are made with the deployment's salt and key (those `running_proxy` stores), from
plaintexts a hostile upstream could have planted; the simulator records what reached it.
"""

from __future__ import annotations

import httpx
import pytest

from proxy.sanitize.pseudonyms import Pseudonymizer
from proxy.secret_value import Secret
from proxy.simulator.server import RecordedRequest
from support.decrypted_values import UNSAFE_EVERYWHERE, UNSAFE_IN_A_SEGMENT, query_encodings
from support.local_proxy import Site

DEPLOYMENT = Pseudonymizer(Secret("salt"), Secret("secret"))
ACCOUNT_ID = "557058:f3a2b1c0-1234-4abc-9def-0123456789ab"


def token(plaintext: str) -> str:
    return DEPLOYMENT.tokenize(plaintext)


def forwarded(site: Site, target: str) -> tuple[httpx.Response, list[RecordedRequest]]:
    """The proxy's answer to GET `target` ({cloud} filled in), and what reached Confluence."""
    simulator, credentials, proxy = site
    simulator.server.clear_requests()
    response = httpx.get(proxy.base_url + target.replace("{cloud}", credentials.cloud_id))
    confluence = [r for r in simulator.server.requests() if r.path.startswith("/ex/")]
    return response, confluence


@pytest.mark.parametrize("plaintext", UNSAFE_IN_A_SEGMENT)
def test_a_token_that_would_change_the_path_is_blocked(site: Site, plaintext: str) -> None:
    for target in (
        f"/ex/confluence/{token(plaintext)}/wiki/api/v2/tasks",
        f"/ex/confluence/{{cloud}}/wiki/api/v2/pages/{token(plaintext)}/versions",
        f"/ex/confluence/{{cloud}}/wiki/api/v2/pages/.{token(plaintext)}/versions",
    ):
        response, confluence = forwarded(site, target)
        assert (response.status_code, response.headers["x-psoxy-error"]) == (
            403,
            "BLOCKED_BY_RULES",
        ), (plaintext, target)
        assert response.content == b""
        assert confluence == []


def test_an_account_id_becomes_a_path_segment(
    site: Site,
) -> None:
    response, confluence = forwarded(
        site, f"/ex/confluence/{{cloud}}/wiki/api/v2/pages/{token(ACCOUNT_ID)}/versions"
    )
    assert response.status_code == 200
    _, credentials, _ = site
    assert [(r.path, r.query) for r in confluence] == [
        (f"/ex/confluence/{credentials.cloud_id}/wiki/api/v2/pages/{ACCOUNT_ID}/versions", "")
    ]


@pytest.mark.parametrize(("plaintext", "encoded"), query_encodings(ACCOUNT_ID))
def test_a_value_reversed_into_the_query_is_percent_encoded(
    site: Site,
    plaintext: str,
    encoded: str,
) -> None:
    query = f"cql=creator%3D%22{token(plaintext)}%22&limit=10"
    response, confluence = forwarded(
        site, f"/ex/confluence/{{cloud}}/wiki/rest/api/content/search?{query}"
    )
    assert response.status_code == 200
    assert [r.query for r in confluence] == [f"cql=creator%3D%22{encoded}%22&limit=10"]


@pytest.mark.parametrize("plaintext", UNSAFE_EVERYWHERE)
def test_a_token_unsafe_in_any_query_is_blocked(site: Site, plaintext: str) -> None:
    query = f"cql=creator%3D%22{token(plaintext)}%22"
    response, confluence = forwarded(
        site, f"/ex/confluence/{{cloud}}/wiki/rest/api/content/search?{query}"
    )
    assert (response.status_code, response.headers["x-psoxy-error"]) == (403, "BLOCKED_BY_RULES")
    assert confluence == []

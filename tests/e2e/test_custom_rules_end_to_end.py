"""End to end over real HTTP: `proxy serve` (gunicorn) with a deployment's own `RULES`, in front
of a loopback upstream that records every header line it receives; tokens come from the
simulator's token endpoint.

The rules list `Authorization`, `Cookie` and `Host` for forwarding and address users by
`/{accountId}`; the caller sends its own credentials and the `p~` tokens the proxy handed out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httpx
import orjson
import pytest

from proxy.simulator.app import AtlassianSimulator
from support.custom_rules import ACCOUNT_RULES, ATLASSIAN_ID, LEGACY_ID, MEMBERS, PROPERTY
from support.local_proxy import running_proxy, running_simulator
from support.recording_upstream import ReceivedRequest, RecordingUpstream, recording_upstream


def answer(request: ReceivedRequest) -> tuple[int, bytes]:
    if urlsplit(request.target).path.endswith("/membersByGroupId"):
        members = [{"accountId": ATLASSIAN_ID}, {"accountId": LEGACY_ID}]
        return 200, orjson.dumps({"results": members, "size": 2})
    return 200, orjson.dumps({"results": [{"key": "theme"}], "size": 1})


@dataclass
class Site:
    simulator: AtlassianSimulator
    upstream: RecordingUpstream
    client: httpx.Client

    def last_received(self) -> ReceivedRequest:
        return self.upstream.received()[-1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with (
        running_simulator() as (simulator, credentials),
        recording_upstream(answer) as upstream,
        running_proxy(
            credentials,
            tmp_path_factory.mktemp("custom-rules"),
            {"TARGET_HOST": upstream.base_url, "RULES": ACCOUNT_RULES.read_text()},
        ) as proxy,
        httpx.Client(base_url=proxy.base_url, timeout=30) as client,
    ):
        yield Site(simulator, upstream, client)


def test_upstream_gets_the_proxys_token_and_never_the_callers_credentials_or_host(
    site: Site,
) -> None:
    response = site.client.get(
        PROPERTY.format(account=LEGACY_ID),
        headers={
            "Authorization": "Bearer the-callers-own-token",
            "Cookie": "cloud.session.token=the-callers-session",
            "Host": "psoxy.example.com",
            "If-None-Match": '"v7"',
            "X-Unlisted": "not for upstream",
        },
    )

    assert response.status_code == 200, response.text
    received = site.last_received()
    (authorization,) = received.values("authorization")
    scheme, _, token = authorization.partition(" ")
    assert scheme == "Bearer" and site.simulator.oauth.access_token_valid(token)
    assert received.values("host") == [urlsplit(site.upstream.base_url).netloc]
    assert received.values("cookie") == []
    assert received.values("if-none-match") == ['"v7"']
    assert received.values("x-unlisted") == []


def test_tokens_the_proxy_handed_out_work_in_account_id_paths(site: Site) -> None:
    listing = site.client.get(MEMBERS, params={"limit": "50"})
    assert listing.status_code == 200, listing.text
    atlassian_token, legacy_token = (m["accountId"] for m in listing.json()["results"])
    assert atlassian_token.startswith("p~") and legacy_token.startswith("p~")

    for token, account in [(atlassian_token, ATLASSIAN_ID), (legacy_token, LEGACY_ID)]:
        response = site.client.get(PROPERTY.format(account=token))
        assert response.status_code == 200, response.text
        path = urlsplit(site.last_received().target).path
        assert unquote(path) == PROPERTY.format(account=account)

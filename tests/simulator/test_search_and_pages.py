"""The simulator searches and pages like Confluence: CQL echoed into `next`, v2 `Link` headers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from proxy.simulator.confluence import (
    EXAMPLE_CALLS,
    EXAMPLE_CLOUD_ID,
    ExampleCall,
    example_response,
)
from proxy.simulator.demo import start_simulator
from proxy.simulator.people import ALICE, BOB, CAROL, DAVE, PAGES

SITE = f"/ex/confluence/{EXAMPLE_CLOUD_ID}/wiki"
SEARCH = f"{SITE}/rest/api/content/search"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    simulator, credentials = start_simulator()
    try:
        token = httpx.post(
            f"{credentials.base_url}/oauth/token",
            json={
                "grant_type": "refresh_token",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
                "refresh_token": credentials.refresh_token,
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=credentials.base_url, headers=headers) as client:
            yield client
    finally:
        simulator.stop()


def search_all(http: httpx.Client, query: str) -> tuple[list[str], list[str]]:
    """Ids of every page of a search, following `_links.next`; and the `next` links seen."""
    ids: list[str] = []
    links: list[str] = []
    url = f"{SEARCH}?{query}"
    while True:
        response = http.get(url)
        assert response.status_code == 200, response.text
        document = response.json()
        ids += [item["id"] for item in document["results"]]
        link = document["_links"].get("next")
        if link is None:
            return ids, links
        links.append(link)
        url = f"{SITE}{link}"


@pytest.mark.parametrize("call", EXAMPLE_CALLS, ids=[call.file for call in EXAMPLE_CALLS])
def test_example_calls_still_return_their_example_bodies(
    http: httpx.Client, call: ExampleCall
) -> None:
    response = http.get(call.url(EXAMPLE_CLOUD_ID))
    assert response.status_code == 200
    assert response.content == example_response(call.file)
    assert "link" not in response.headers


def test_the_example_search_in_other_encodings_is_still_the_example(http: httpx.Client) -> None:
    query = (
        "cql=lastmodified%3E%3D2025-08-01%20AND%20lastmodified%3C%3D2025-09-29%20AND%20"
        "space%3D%22~608a9b555426330072f9867d%22&limit=10"
    )
    assert http.get(f"{SEARCH}?{query}").content == example_response("content_search.json")


def test_a_search_echoes_its_cql_into_next_as_confluence_encodes_it(http: httpx.Client) -> None:
    query = f"cql=creator%3D%22{ALICE.account_id}%22&limit=3&expand=history%2Cversion"
    document = http.get(f"{SEARCH}?{query}").json()
    assert [item["id"] for item in document["results"]] == ["300001", "300002", "300003"]
    assert (document["start"], document["limit"], document["size"]) == (0, 3, 3)
    assert document["_links"]["next"] == (
        "/rest/api/content/search?next=true&cursor=_f_Mw%3D%3D&expand=history%2Cversion"
        f"&limit=3&start=3&cql=creator%3D%22{ALICE.account_id}%22"
    )
    assert "prev" not in document["_links"]
    creator = document["results"][0]["history"]["createdBy"]
    assert (creator["accountId"], creator["email"]) == (ALICE.account_id, ALICE.email)


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        (f'creator="{ALICE.account_id}"', [p.id for p in PAGES if p.creator is ALICE]),
        (f"creator={BOB.account_id}", [p.id for p in PAGES if p.creator is BOB]),
        (
            f'creator in ("{CAROL.account_id}", "{DAVE.account_id}")',
            [p.id for p in PAGES if p.creator in (CAROL, DAVE)],
        ),
        (f"contributor={BOB.account_id}", [p.id for p in PAGES if BOB in p.contributors]),
        (f'watcher = "{DAVE.account_id}"', [p.id for p in PAGES if DAVE in p.watchers]),
        (f'space="{BOB.space_key}"', [p.id for p in PAGES if p.space_key == BOB.space_key]),
        ("space=~dave", [p.id for p in PAGES if p.space_key == "~dave"]),
        (
            "creator=currentUser() AND type=blogpost",
            [p.id for p in PAGES if p.creator is ALICE and p.type == "blogpost"],
        ),
        (
            f"creator not in ({ALICE.account_id}) AND lastmodified>=2025-08-12",
            [p.id for p in PAGES if p.creator is not ALICE and p.last_modified.day >= 12],
        ),
    ],
)
def test_a_search_pages_through_the_small_site(
    http: httpx.Client, cql: str, expected: list[str]
) -> None:
    assert expected  # the dataset makes every case non-empty
    ids, links = search_all(http, f"cql={cql}&limit=2")
    assert ids == expected
    assert len(links) == (len(expected) - 1) // 2
    for link in links:
        (echoed,) = parse_qs(urlsplit(link).query)["cql"]
        assert echoed == cql
        assert " " not in link and '"' not in link and "~" not in link


def test_a_cql_outside_the_subset_is_a_400(http: httpx.Client) -> None:
    response = http.get(f"{SEARCH}?cql=creator%3D%3D1")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Could not parse cql")
    assert http.get(f"{SEARCH}?limit=1").status_code == 400


def test_v2_lists_page_with_a_link_header_and_links_next(http: httpx.Client) -> None:
    original = json.loads(example_response("spaces.json"))["results"]
    url = f"{SITE}/api/v2/spaces?limit=1"
    seen = []
    for number in range(len(original)):
        response = http.get(url)
        assert response.status_code == 200
        document = response.json()
        seen += document["results"]
        if number == len(original) - 1:
            assert "link" not in response.headers
            assert "next" not in document["_links"]
            break
        link = document["_links"]["next"]
        assert link.startswith("/wiki/api/v2/spaces?limit=1&cursor=")
        assert response.headers["link"] == (
            f'<{link}>; rel="next", <https://company-team.atlassian.net/wiki>; rel="base"'
        )
        url = f"{SITE.removesuffix('/wiki')}{link}"
    assert seen == original


def test_v2_rejects_a_cursor_it_did_not_make(http: httpx.Client) -> None:
    assert http.get(f"{SITE}/api/v2/tasks?cursor=not-a-cursor").status_code == 400

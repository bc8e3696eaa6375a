"""Over real HTTP (caller → proxy under functions-framework → simulator): the `p~` tokens a caller
holds cannot be turned into raw ids (issue 11, item 1: the decryption oracle), and a search is
paged to its end by following the rewritten `next` links (items 1, 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from proxy.sanitize.pseudonyms import Pseudonymizer
from proxy.secret_value import Secret
from proxy.simulator.demo import SimulatorCredentials
from proxy.simulator.people import ALICE, BOB, PAGES, PEOPLE
from support.local_proxy import LocalProxy, running_proxy, running_simulator

TOKEN = re.compile(r"p~[A-Za-z0-9_-]{43,}")
# The secrets `running_proxy` configures: the caller's tokens are made as the proxy makes them.
PSEUDONYMIZER = Pseudonymizer(Secret("salt"), Secret("secret"))


def raw_forms() -> list[bytes]:
    """Every way a person of the simulator's site could be written in a response."""
    forms: set[str] = set()
    for person in PEOPLE:
        forms |= {person.account_id, person.email, person.space_key}
        forms.add(person.account_id.replace(":", "%3A"))
        forms.add(person.account_id.replace(":", "").replace("-", ""))
        forms.add(person.email.replace("@", "%40"))
    return [form.encode() for form in forms]


Site = tuple[SimulatorCredentials, str, LocalProxy]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("links")
    with (
        running_simulator() as (_, credentials),
        running_proxy(credentials, workdir) as proxy,
    ):
        yield credentials, f"{proxy.base_url}/ex/confluence/{credentials.cloud_id}/wiki", proxy


def get(url: str) -> httpx.Response:
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200, response.text
    for form in raw_forms():
        assert form not in response.content, f"{form!r} in the response to {url}"
    return response


def follow_next(url: str, prefix: str, field: str) -> tuple[list[str], list[str]]:
    """`field` of every result of every page, following `_links.next` (relative to `prefix`)
    through the proxy; and the links seen."""
    values: list[str] = []
    links: list[str] = []
    while True:
        document = get(url).json()
        values += [item[field] for item in document["results"]]
        link = document["_links"].get("next")
        if link is None:
            return values, links
        links.append(link)
        url = prefix + link


def search_to_the_end(base: str, query: str) -> tuple[list[str], list[str]]:
    """Content ids of every page of a content search, and its `next` links."""
    return follow_next(f"{base}/rest/api/content/search?{query}", base, "id")


def personal_key(base: str) -> str:
    spaces = get(f"{base}/api/v2/spaces?limit=100").json()["results"]
    (key,) = [space["key"] for space in spaces if space["key"].startswith("~")]
    assert key.startswith("~p~")
    return str(key)


@pytest.mark.parametrize("clause", ['creator="{token}"', 'space="~{token}"'])
def test_a_personal_space_token_is_no_decryption_oracle(site: Site, clause: str) -> None:
    _, base, _ = site
    token = personal_key(base)[1:]
    query = "cql=" + quote(clause.format(token=token), safe="~") + "&limit=2"
    response = get(f"{base}/rest/api/content/search?{query}")  # asserts no raw form anywhere
    link = response.json()["_links"]["next"]
    assert TOKEN.findall(link) == [token]  # the same token comes back, not the id


def test_a_search_by_creator_is_paged_to_its_end_through_rewritten_links(
    site: Site,
) -> None:
    _, base, _ = site
    token = personal_key(base)[1:]  # Alice's
    ids, links = search_to_the_end(base, f"cql=creator%3D%22{token}%22&limit=2")
    assert ids == [page.id for page in PAGES if page.creator is ALICE]
    assert len(links) == 3
    assert all(TOKEN.findall(link) == [token] for link in links)


@pytest.mark.parametrize("quoted", [False, True], ids=["bare", "quoted"])
def test_a_search_by_a_colon_id_is_paged_with_well_formed_links(site: Site, quoted: bool) -> None:
    _, base, _ = site
    token = PSEUDONYMIZER.tokenize_person(BOB.account_id)  # as an earlier link gave it
    value = f"%22{token}%22" if quoted else token
    ids, links = search_to_the_end(base, f"cql=contributor%3D{value}&limit=2")
    assert ids == [page.id for page in PAGES if BOB in page.contributors]
    assert len(links) == (len(ids) - 1) // 2 > 1
    for link in links:
        assert re.fullmatch(r"(?:[A-Za-z0-9._~*&=/?+-]|%[0-9A-F]{2})*", link), link
        (echoed,) = TOKEN.findall(link)
        assert PSEUDONYMIZER.decrypt(echoed) == BOB.account_id


def test_a_v2_list_is_paged_through_the_proxy(site: Site) -> None:
    _, base, _ = site
    keys, _ = follow_next(f"{base}/api/v2/spaces?limit=1", base.removesuffix("/wiki"), "key")
    assert keys[1:] == ["SD", "XFLOW"]
    assert keys[0].startswith("~p~")


def test_the_proxy_log_holds_no_raw_id(site: Site) -> None:
    _, base, proxy = site
    token = PSEUDONYMIZER.tokenize_person(BOB.account_id)
    search_to_the_end(base, f"cql=watcher%3D%22{token}%22&limit=1")
    log = proxy.log().encode()
    assert b"content/search -> 200" in log
    for form in raw_forms():
        assert form not in log

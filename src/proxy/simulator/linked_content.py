"""The second page of the simulator's content search, linked to the other example responses.

The example search page (`content_search.json`) holds a page, comments and a folder, and a
`_links.next`. It answers the example search and any plain date-window search
(``lastmodified>=<day>``, what the analytics side and `proxy call --all` ask); following its
link (``next=true`` or a ``cursor``) answers `content_search_page2.json`: a blog post, an
attachment, a custom content item and a footer comment whose ids are those of the versions
examples (`blogpost_versions.json`, ...), a second user in the current account-id form
(``557058:<uuid>``), and no further `next`. With both pages, `proxy call --all` finds an id for
every versions endpoint of the rules, as it would on a site. Every other search is evaluated
over the small site of `proxy.simulator.search`.

    install_next_pages(routes, serve)   # called by `install_confluence`
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from proxy.simulator.routes import Handler, RouteTable, SimRequest, SimResponse
from proxy.simulator.search import EXAMPLE_CQL

__all__ = [
    "FIRST_PAGE_FILE",
    "NEXT_PAGE_FILE",
    "answers_the_example",
    "install_next_pages",
    "is_next_page",
]

FIRST_PAGE_FILE = "content_search.json"
NEXT_PAGE_FILE = "content_search_page2.json"
_SEARCH = r"/ex/confluence/(?P<cloud_id>[^/]+)/wiki/rest/api/content/search"
_DATE_WINDOW = re.compile(r'\s*lastmodified\s*>=\s*"?\d{4}-\d{2}-\d{2}"?\s*', re.IGNORECASE)


def is_next_page(query: str) -> bool:
    """Whether a content-search query follows a `next` link (Confluence adds these)."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    return params.get("next") == "true" or bool(params.get("cursor"))


def answers_the_example(query: str) -> bool:
    """Whether a search is the example's own or a plain date window (both get the example)."""
    cql = dict(parse_qsl(query, keep_blank_values=True)).get("cql", "")
    return cql == EXAMPLE_CQL or _DATE_WINDOW.fullmatch(cql) is not None


def install_next_pages(routes: RouteTable, serve: Callable[[str], Handler]) -> None:
    """Put the content search in front: the example pages for the example searches."""
    searched, following = serve(FIRST_PAGE_FILE), serve(NEXT_PAGE_FILE)
    example_query = urlencode({"cql": EXAMPLE_CQL})

    def search(request: SimRequest) -> SimResponse:
        if not answers_the_example(request.query):
            return SimResponse(*searched(request))
        if is_next_page(request.query):
            return SimResponse(*following(request))
        return SimResponse(*searched(dataclasses.replace(request, query=example_query)))

    routes.add("GET", _SEARCH, search, first=True)

"""The second page of the simulator's content search, linked to the other example responses.

The example search page (`content_search.json`) holds a page, comments and a folder, and a
`_links.next`. Following that link (a request with ``next=true`` or a ``cursor``) answers
`content_search_page2.json`: a blog post, an attachment, a custom content item and a footer
comment whose ids are those of the versions examples (`blogpost_versions.json`, ...), a second
user in the current account-id form (``557058:<uuid>``), and no further `next`. With both pages,
`proxy call --all` finds an id for every versions endpoint of the rules, as it would on a site.

    install_next_pages(routes, serve)   # called by `install_confluence`
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

from proxy.simulator.routes import Handler, RouteTable, SimRequest, SimResponse

__all__ = ["FIRST_PAGE_FILE", "NEXT_PAGE_FILE", "install_next_pages", "is_next_page"]

FIRST_PAGE_FILE = "content_search.json"
NEXT_PAGE_FILE = "content_search_page2.json"
_SEARCH = r"/ex/confluence/(?P<cloud_id>[^/]+)/wiki/rest/api/content/search"


def is_next_page(query: str) -> bool:
    """Whether a content-search query follows a `next` link (Confluence adds these)."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    return params.get("next") == "true" or bool(params.get("cursor"))


def install_next_pages(routes: RouteTable, serve: Callable[[str], Handler]) -> None:
    """Put the content search in front: the first page, or the next one when asked for."""
    first, following = serve(FIRST_PAGE_FILE), serve(NEXT_PAGE_FILE)

    def search(request: SimRequest) -> SimResponse:
        handler = following if is_next_page(request.query) else first
        return SimResponse(*handler(request))

    routes.add("GET", _SEARCH, search, first=True)

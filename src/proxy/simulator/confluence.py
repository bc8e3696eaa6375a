"""Confluence Cloud endpoints of the simulator, serving the example responses.

Each route answers like Atlassian's gateway: a bearer token issued by the simulator's token
endpoint is required (401 otherwise), an unknown cloud id is a 404, and the body is the example
response for that endpoint (`src/proxy/simulator/responses/`, the originals the examples are
sanitized from), searched or paged as Confluence would (`pagination.listing_response`).

    install_confluence(simulator.routes, simulator.oauth, cloud_id=EXAMPLE_CLOUD_ID)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from proxy.simulator.linked_content import install_next_pages
from proxy.simulator.oauth import OAuthAuthority
from proxy.simulator.pagination import listing_response
from proxy.simulator.routes import RouteTable, SimRequest, SimResponse

__all__ = [
    "CONFLUENCE_ROUTES",
    "EXAMPLE_CALLS",
    "EXAMPLE_CLOUD_ID",
    "ExampleCall",
    "example_response",
    "install_confluence",
]

#: The site id of `accessible_resources.json`, so the demo's cloud id is the one it lists.
EXAMPLE_CLOUD_ID = "adcae078-765b-45bf-a38b-7cda232b9a94"

_SEGMENT = r"[^/]+"
_SITE = rf"/ex/confluence/(?P<cloud_id>{_SEGMENT})/wiki"
_VERSIONS = {
    "attachments": "attachment_versions.json",
    "blogposts": "blogpost_versions.json",
    "custom-content": "custom_content_versions.json",
    "footer-comments": "comment_versions.json",
    "inline-comments": "comment_versions.json",
    "pages": "page_versions.json",
}

#: (path regex, example file) for every endpoint the simulator serves.
CONFLUENCE_ROUTES: tuple[tuple[str, str], ...] = (
    (rf"{_SITE}/rest/api/group", "groups.json"),
    (rf"{_SITE}/rest/api/group/{_SEGMENT}/membersByGroupId", "group_members.json"),
    (rf"{_SITE}/rest/api/content/search", "content_search.json"),
    (rf"{_SITE}/api/v2/spaces", "spaces.json"),
    (rf"{_SITE}/api/v2/tasks", "tasks.json"),
    *((rf"{_SITE}/api/v2/{kind}/{_SEGMENT}/versions", file) for kind, file in _VERSIONS.items()),
)


@dataclass(frozen=True)
class ExampleCall:
    """One example request of the Confluence connector and the response file answering it."""

    url_template: str  # path?query with `{cloud_id}`
    file: str

    def url(self, cloud_id: str) -> str:
        return self.url_template.replace("{cloud_id}", cloud_id)


_C = "/ex/confluence/{cloud_id}/wiki"
_SEARCH_CQL = (
    "cql=lastmodified%3E%3D2025-08-01+AND+lastmodified%3C%3D2025-09-29+AND+space%3D%22"
    "~608a9b555426330072f9867d%22&limit=10"
)

#: The calls the analytics service makes, one per example response (also `proxy call --all`).
EXAMPLE_CALLS: tuple[ExampleCall, ...] = (
    ExampleCall("/oauth/token/accessible-resources", "accessible_resources.json"),
    ExampleCall(f"{_C}/rest/api/group?limit=100", "groups.json"),
    ExampleCall(
        f"{_C}/rest/api/group/35e417ad-bcb1-45fe-9be0-959239a84327/membersByGroupId?limit=100",
        "group_members.json",
    ),
    ExampleCall(f"{_C}/api/v2/tasks?limit=100", "tasks.json"),
    ExampleCall(f"{_C}/api/v2/spaces?limit=100", "spaces.json"),
    ExampleCall(f"{_C}/rest/api/content/search?{_SEARCH_CQL}", "content_search.json"),
    ExampleCall(f"{_C}/api/v2/attachments/att66076/versions?limit=10", "attachment_versions.json"),
    ExampleCall(f"{_C}/api/v2/blogposts/1234/versions?limit=10", "blogpost_versions.json"),
    ExampleCall(
        f"{_C}/api/v2/custom-content/1234/versions?limit=10", "custom_content_versions.json"
    ),
    ExampleCall(f"{_C}/api/v2/footer-comments/1234/versions?limit=10", "comment_versions.json"),
    ExampleCall(f"{_C}/api/v2/pages/1234/versions?limit=10", "page_versions.json"),
)


def example_response(file: str) -> bytes:
    """The original (unsanitized) example body bundled with the simulator."""
    return (resources.files("proxy.simulator") / "responses" / file).read_bytes()


def install_confluence(routes: RouteTable, oauth: OAuthAuthority, *, cloud_id: str) -> None:
    """Add accessible-resources and the Confluence endpoints to the route table."""

    def serve(file: str, *, site_scoped: bool = True) -> Callable[[SimRequest], SimResponse]:
        body = example_response(file)

        def handler(request: SimRequest) -> SimResponse:
            denied = oauth.check_bearer(request)
            if denied is not None:
                return denied
            if site_scoped and request.params.get("cloud_id") != cloud_id:
                return SimResponse.json(404, {"code": 404, "message": "Site not found"})
            return listing_response(file, request, body)

        return handler

    resources_handler = serve("accessible_resources.json", site_scoped=False)
    routes.add("GET", r"/oauth/token/accessible-resources", resources_handler)
    for regex, file in CONFLUENCE_ROUTES:
        routes.add("GET", regex, serve(file))
    install_next_pages(routes, serve)  # the search's `next` leads to a second page

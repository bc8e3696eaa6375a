"""`proxy call --all`: crawl a proxy the way the analytics side does, on any site.

Nothing is hard-coded but the endpoints: the cloud id comes from accessible-resources (or
`--cloud-id`), the content search asks for what changed in the last 30 days, the versions calls
use ids found in the search results, the members call a group found by the groups call. Lists
follow their `next` link (body `_links.next`, else a `Link: <…>; rel="next"` header) up to
`pages` pages. Every identifier reused in a later call is one the proxy returned (content and
group ids, `p~` tokens inside `next` links); a call whose URL would carry a raw-looking account
id or email is not sent but reported. Every response is scanned by `privacy_check`.

    options = CrawlOptions(cloud_id=None, pages=2, since=date(2025, 8, 1))
    result = Crawl(caller, options, on_call=show_call, on_note=print).run()
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from proxy.tooling.calls import CallOutcome, PlannedCall, ProxyCaller
from proxy.tooling.privacy_check import Finding, scan_json, scan_text

__all__ = [
    "ENDPOINTS",
    "SITE",
    "Crawl",
    "CrawlCall",
    "CrawlOptions",
    "CrawlResult",
    "content_search_query",
]

#: The site part of every Confluence path, as the rules write it.
SITE = "/ex/confluence/{cloudId}/wiki"
ACCESSIBLE_RESOURCES = "/oauth/token/accessible-resources"
SPACES = f"{SITE}/api/{{version}}/spaces"
CONTENT_SEARCH = f"{SITE}/rest/api/content/search"
GROUPS = f"{SITE}/rest/api/group"
MEMBERS = f"{SITE}/rest/api/group/{{groupId}}/membersByGroupId"
TASKS = f"{SITE}/api/{{version}}/tasks"


@dataclass(frozen=True)
class _VersionsKind:
    endpoint: str
    segment: str  # in the v2 path
    noun: str  # for "no … in the content search results"


_VERSIONS = (
    _VersionsKind(f"{SITE}/api/{{version}}/pages/{{pageId}}/versions", "pages", "page"),
    _VersionsKind(
        f"{SITE}/api/{{version}}/blogposts/{{blogpostId}}/versions", "blogposts", "blog post"
    ),
    _VersionsKind(
        f"{SITE}/api/{{version}}/attachments/{{attachmentId}}/versions",
        "attachments",
        "attachment",
    ),
    _VersionsKind(
        f"{SITE}/api/{{version}}/footer-comments/{{commentId}}/versions",
        "footer-comments",
        "footer comment",
    ),
    _VersionsKind(
        f"{SITE}/api/{{version}}/inline-comments/{{commentId}}/versions",
        "inline-comments",
        "inline comment",
    ),
    _VersionsKind(
        f"{SITE}/api/{{version}}/custom-content/{{customContentId}}/versions",
        "custom-content",
        "custom content",
    ),
)

#: Every endpoint the crawl calls, in crawl order (the bundled rules' path templates).
ENDPOINTS: tuple[str, ...] = (
    ACCESSIBLE_RESOURCES,
    SPACES,
    CONTENT_SEARCH,
    *(kind.endpoint for kind in _VERSIONS),
    GROUPS,
    MEMBERS,
    TASKS,
)
_SEARCH_EXPAND = "body.atlas_doc_format,ancestors,version,history,history.previousVersion"
_LINK_NEXT = re.compile(r'<([^>]*)>\s*;[^,]*\brel="?next"?', re.IGNORECASE)


def content_search_query(since: date, limit: int = 30) -> str:
    """The analytics side's search: what changed since `since`, with history and versions."""
    return urlencode(
        {
            "cql": f"lastmodified>={since.isoformat()}",
            "limit": str(limit),
            "expand": _SEARCH_EXPAND,
            "includeArchivedSpaces": "true",
        }
    )


@dataclass(frozen=True)
class CrawlOptions:
    cloud_id: str | None
    pages: int
    """Pages per list at most (the first one included)."""
    since: date
    """The content search asks for content modified on or after this day."""


@dataclass(frozen=True)
class CrawlCall:
    """One call made, with what the crawl learned from it."""

    endpoint: str
    outcome: CallOutcome
    items: int | None
    next_target: str | None
    findings: tuple[Finding, ...]


@dataclass
class CrawlResult:
    calls: list[CrawlCall] = field(default_factory=list)
    not_reached: dict[str, str] = field(default_factory=dict)
    """Endpoint -> why it was not called (no data on the site, an earlier call failed)."""
    refused: list[tuple[str, Finding]] = field(default_factory=list)
    """Calls not sent because their URL would carry a raw identifier: (endpoint, finding)."""
    notes: list[str] = field(default_factory=list)
    stopped: str | None = None
    """Why the crawl could not go past accessible-resources (no usable cloud id)."""

    @property
    def findings(self) -> list[tuple[CrawlCall, Finding]]:
        return [(call, finding) for call in self.calls for finding in call.findings]

    @property
    def ok(self) -> bool:
        calls_ok = all(call.outcome.ok for call in self.calls)
        return calls_ok and not self.findings and not self.refused and self.stopped is None


class Crawl:
    """Runs the crawl through `caller`; `on_call` sees each call as it completes."""

    def __init__(
        self,
        caller: ProxyCaller,
        options: CrawlOptions,
        on_call: Callable[[CrawlCall], None] = lambda call: None,
        on_note: Callable[[str], None] = lambda note: None,
    ) -> None:
        if options.pages < 1:
            raise ValueError("pages must be at least 1")
        self._caller = caller
        self._options = options
        self._on_call = on_call
        self._on_note = on_note
        self._result = CrawlResult()
        self._fetched: set[str] = set()

    def run(self) -> CrawlResult:
        sites = self._list(ACCESSIBLE_RESOURCES, ACCESSIBLE_RESOURCES)
        cloud_id = self._cloud_id(sites)
        if cloud_id is None:
            for endpoint in ENDPOINTS[1:]:
                self._result.not_reached[endpoint] = "no cloud id"
            return self._result
        site = f"/ex/confluence/{quote(cloud_id, safe='')}/wiki"
        self._list(SPACES, f"{site}/api/v2/spaces?limit=100", cloud_id)
        search = f"{site}/rest/api/content/search?{content_search_query(self._options.since)}"
        found = self._list(CONTENT_SEARCH, search, cloud_id)
        for kind in _VERSIONS:
            content_id = _first_id(found, kind)
            if content_id is None:
                reason = f"no {kind.noun} in the content search results"
                self._result.not_reached[kind.endpoint] = reason
                continue
            target = f"{site}/api/v2/{kind.segment}/{quote(content_id, safe='')}/versions"
            self._list(kind.endpoint, f"{target}?limit=10", cloud_id)
        groups = self._list(GROUPS, f"{site}/rest/api/group?limit=100", cloud_id)
        group_id = next((str(g["id"]) for g in groups if isinstance(g, dict) and g.get("id")), None)
        if group_id is None:
            self._result.not_reached[MEMBERS] = "no group in the groups results"
        else:
            members = f"{site}/rest/api/group/{quote(group_id, safe='')}/membersByGroupId"
            self._list(MEMBERS, f"{members}?limit=100", cloud_id)
        self._list(TASKS, f"{site}/api/v2/tasks?limit=100", cloud_id)
        return self._result

    # ------------------------------------------------------------------ steps
    def _cloud_id(self, sites: list[Any]) -> str | None:
        listed = [(str(s["id"]), str(s.get("url") or "")) for s in sites if _has_id(s)]
        wanted = self._options.cloud_id
        if wanted:
            if listed and wanted not in {site_id for site_id, _ in listed}:
                self._note(
                    f"--cloud-id {wanted} is not among the sites of the grant: {_sites(listed)}"
                )
            return wanted
        if len(listed) == 1:
            site_id, url = listed[0]
            self._note(f"cloud id {site_id} ({url}), from accessible-resources")
            return site_id
        if listed:
            self._result.stopped = (
                f"the grant covers several sites: pass --cloud-id, one of {_sites(listed)}"
            )
        else:
            self._result.stopped = (
                "accessible-resources gave no site: pass --cloud-id (printed by `proxy setup`)"
            )
        return None

    def _note(self, text: str) -> None:
        self._result.notes.append(text)
        self._on_note(text)

    def _list(self, endpoint: str, target: str, cloud_id: str | None = None) -> list[Any]:
        """Every item of up to `pages` pages of one list (the first page's target given)."""
        items: list[Any] = []
        next_target: str | None = target
        for _ in range(self._options.pages):
            if next_target is None or next_target in self._fetched:
                break
            call = self._call(endpoint, next_target, cloud_id)
            if call is None or not call.outcome.ok:
                break
            items.extend(_items(_json(call.outcome.body)))
            next_target = call.next_target
        return items

    def _call(self, endpoint: str, target: str, cloud_id: str | None) -> CrawlCall | None:
        refused = scan_text(target, "the request URL")
        if refused:  # never send a raw identifier, whatever a response suggested
            self._result.refused.extend((endpoint, finding) for finding in refused)
            return None
        self._fetched.add(target)
        outcome = self._caller.call(PlannedCall(target))
        value = _json(outcome.body)
        findings = list(scan_json(value)) if value is not None else []
        link = outcome.headers.get("link")
        if link:
            findings.extend(scan_text(link, "the Link header"))
        next_link = _next_link(value, link) if outcome.ok else None
        call = CrawlCall(
            endpoint=endpoint,
            outcome=outcome,
            items=_count(value) if outcome.ok else None,
            next_target=_proxied(next_link, cloud_id) if next_link else None,
            findings=tuple(findings),
        )
        self._result.calls.append(call)
        self._on_call(call)
        return call


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body.strip() else None
    except ValueError:
        return None


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        results: list[Any] = value["results"]
        return results
    return []


def _count(value: Any) -> int | None:
    if isinstance(value, list) or (isinstance(value, dict) and "results" in value):
        return len(_items(value))
    return None


def _has_id(site: Any) -> bool:
    return isinstance(site, dict) and bool(site.get("id"))


def _sites(listed: list[tuple[str, str]]) -> str:
    return ", ".join(f"{site_id} ({url})" if url else site_id for site_id, url in listed)


def _first_id(results: list[Any], kind: _VersionsKind) -> str | None:
    for item in _search_items(results):
        if _versions_segment(item) == kind.segment:
            return str(item["id"])
    return None


def _search_items(results: list[Any]) -> Iterator[Mapping[str, Any]]:
    for item in results:
        if isinstance(item, dict) and item.get("id") and isinstance(item.get("type"), str):
            yield item


def _versions_segment(item: Mapping[str, Any]) -> str | None:
    """Which v2 versions endpoint serves a v1 search result (None: none of the rules)."""
    kind: str = item["type"]
    if kind == "comment":
        location = (item.get("extensions") or {}).get("location")
        return "inline-comments" if location == "inline" else "footer-comments"
    if kind.startswith(("ac:", "forge:")):  # custom content types are app-defined
        return "custom-content"
    return {"page": "pages", "blogpost": "blogposts", "attachment": "attachments"}.get(kind)


def _next_link(value: Any, link_header: str | None) -> str | None:
    if isinstance(value, dict):
        links = value.get("_links")
        if isinstance(links, dict) and isinstance(links.get("next"), str) and links["next"]:
            return str(links["next"])
    if link_header and (match := _LINK_NEXT.search(link_header)):
        return match.group(1)
    return None


def _proxied(link: str, cloud_id: str | None) -> str | None:
    """A `next` link as a target on the proxy: v2 links start at `/wiki`, v1 links at its
    context (`/rest/...`); absolute links keep their path and query."""
    parts = urlsplit(link)
    path = parts.path
    query = f"?{parts.query}" if parts.query else ""
    if path.startswith("/ex/confluence/") or path.startswith("/oauth/"):
        return path + query
    if cloud_id is None:
        return None
    site = f"/ex/confluence/{quote(cloud_id, safe='')}"
    return f"{site}{path}{query}" if path.startswith("/wiki/") else f"{site}/wiki{path}{query}"

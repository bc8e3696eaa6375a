"""Endpoint matching against the reference's Confluence rules (reference notes §1.6, §6)."""

from __future__ import annotations

import pytest

from proxy.errors import RulesError
from proxy.rules import load_rules, resolve_rules
from proxy.rules._matching import EndpointMatcher, template_to_regex
from proxy.sanitize import PseudonymKeys
from proxy.secret_value import Secret
from support.engine import Engine
from support.reference_rules import REFERENCE_CONFLUENCE_RULES

SEARCH_CQL = (
    "cql=lastmodified%3E%3D2025-08-01+AND+lastmodified%3C%3D2025-09-29+AND+space%3D%22"
    "~608a9b555426330072f9867d%22"
)
C = "/ex/confluence/company-team"

# The 23 invocations of the reference's ConfluenceCloudTests: each must be allowed for GET.
ALLOWED = [
    "/oauth/token/accessible-resources",
    f"{C}/wiki/rest/api/group?limit=100",
    f"{C}/wiki/rest/api/group?next=true&limit=5&start=5",
    f"{C}/wiki/rest/api/group/35e417ad-bcb1-45fe-9be0-959239a84327/membersByGroupId?limit=100",
    f"{C}/wiki/rest/api/group/35e417ad-bcb1-45fe-9be0-959239a84327/membersByGroupId"
    "?next=true&limit=100&start=100",
    f"{C}/wiki/api/v2/tasks?limit=100",
    f"{C}/wiki/api/v2/tasks?limit=100&cursor=some-cursor-value&completed-at-from=1756817402000",
    f"{C}/wiki/api/v2/spaces?limit=100",
    f"{C}/wiki/api/v2/spaces?limit=100&cursor=some-cursor-value",
    f"{C}/wiki/rest/api/content/search?{SEARCH_CQL}&limit=10",
    f"{C}/wiki/rest/api/content/search?next=true&cursor=_f_MTA%3D_sa_WyJcdDI5NDkyMSA6X0MmdTknU1"
    "pvWmJDYnNsdF0haCBjYyJd&expand=body.atlas_doc_format%2Cancestors%2Cversion%2Chistory%2C"
    f"history.previousVersion&includeArchivedSpaces=true&limit=10&start=10&{SEARCH_CQL}",
    *[
        f"{C}/wiki/api/v2/{kind}/{item}/versions?{query}"
        for kind, item in [
            ("attachments", "att66076"),
            ("blogposts", "1234"),
            ("custom-content", "1234"),
            ("footer-comments", "1234"),
            ("inline-comments", "1234"),
            ("pages", "1234"),
        ]
        for query in ("limit=10", "limit=10&cursor=some-cursor-value")
    ],
]

BLOCKED = [
    f"{C}/wiki/api/v2/pages/1234/versions/",  # trailing slash
    f"{C}/wiki/api/v2/pages/1234",  # no such endpoint
    f"{C}/wiki/api/v2/pages/1234/versions?limit=10&body-format=storage",  # unknown param
    "/oauth/token/accessible-resources?x=1",  # no params at all
    "/ex/confluence//wiki/api/v2/spaces",  # empty {cloudId}
    f"{C}/wiki/rest/api/group/g1",
    f"{C}/wiki/rest/api/group/g1/membersByGroupId?expand=x",
    f"{C}/wiki/api/v2/tasks?status=complete",
    f"{C}/wiki/rest/api/content/search?body-format=x",
    f"{C}/wiki/api/v2/spaces?limit=10;foo=1",  # `;` splits off foo
    "/wiki/api/v2/spaces",  # no /ex/confluence/{cloudId} prefix
]

# Allowed by the reference's rules, perhaps surprisingly (and kept for compatibility).
SURPRISINGLY_ALLOWED = [
    f"{C.upper()}/WIKI/API/V2/SPACES",
    f"{C}/wiki/api/v2/spaces?LIMIT=10",
    f"{C}/wiki/api/anything/spaces",
    "/ex/confluence/a%2Fb/wiki/api/v2/spaces",
    f"{C}/wiki/api/v2/spaces?limit",
    f"{C}/wiki/api/v2/spaces?",
]


def _split(url: str) -> tuple[str, str | None]:
    path, sep, query = url.partition("?")
    return path, query if sep else None


@pytest.fixture(scope="module", params=["reference", "bundled"])
def matcher(request: pytest.FixtureRequest) -> EndpointMatcher:
    if request.param == "reference":
        return EndpointMatcher(load_rules(REFERENCE_CONFLUENCE_RULES))
    return EndpointMatcher(resolve_rules("confluence"))


@pytest.mark.parametrize("url", ALLOWED)
def test_every_reference_example_url_is_allowed(matcher: EndpointMatcher, url: str) -> None:
    assert matcher.match("GET", *_split(url)) is not None


@pytest.mark.parametrize("url", BLOCKED)
def test_blocked_cases_are_blocked(matcher: EndpointMatcher, url: str) -> None:
    assert matcher.match("GET", *_split(url)) is None


@pytest.mark.parametrize("url", SURPRISINGLY_ALLOWED)
def test_reference_leniencies_are_kept(matcher: EndpointMatcher, url: str) -> None:
    assert matcher.match("GET", *_split(url)) is not None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_reference_rules_allow_any_method_but_bundled_rules_only_get(method: str) -> None:
    url = f"{C}/wiki/api/v2/spaces"
    assert EndpointMatcher(load_rules(REFERENCE_CONFLUENCE_RULES)).match(method, url, None)
    assert EndpointMatcher(resolve_rules("confluence")).match(method, url, None) is None
    assert EndpointMatcher(resolve_rules("confluence")).match("get", url, None) is not None


def test_first_matching_endpoint_in_file_order_wins() -> None:
    rules = load_rules(
        """
endpoints:
  - pathTemplate: /a/{x}
    allowedQueryParams: [q]
  - pathRegex: "/a/.*"
  - pathTemplate: /a/{y}
"""
    )
    matcher = EndpointMatcher(rules)
    assert matcher.match("GET", "/a/1", "q=1") is rules.endpoints[0]
    assert matcher.match("GET", "/a/1", "z=1") is rules.endpoints[1]


@pytest.mark.parametrize(
    ("template", "regex"),
    [
        ("/api/v1/users/{id}", "^/api/v1/users/(?<id>[^/]+)$"),
        ("/enterprise-info", "^/enterprise\\-info$"),
        ("/enterprise$something", "^/enterprise\\$something$"),
        ("/", "^/$"),
        ("/a/{opt?}/b", "^/a/(?<opt>[^/]*)/b$"),
    ],
)
def test_template_to_regex_like_the_reference(template: str, regex: str) -> None:
    assert template_to_regex(template) == regex


def test_path_regex_sees_path_and_query() -> None:
    matcher = EndpointMatcher(load_rules('endpoints:\n  - pathRegex: "^/a$"\n'))
    assert matcher.match("GET", "/a", None) is not None
    assert matcher.match("GET", "/a", "") is None  # a bare `?` is part of what is matched
    assert matcher.match("GET", "/a", "x=1") is None


def test_java_named_groups_and_inline_flags_in_path_regex() -> None:
    rules = load_rules(
        'endpoints:\n  - pathRegex: "^/users/(?<id>[^/]+)(?)/(?i)Profile(\\\\?.*)?$"\n'
    )
    matcher = EndpointMatcher(rules)
    assert matcher.match("GET", "/users/42/PROFILE", "a=1") is not None
    assert matcher.match("GET", "/users/42/other", None) is None


def test_parameter_schemas_are_enforced() -> None:
    rules = load_rules(
        """
endpoints:
  - pathTemplate: /users/{id}/items
    pathParameterSchemas:
      id: {type: integer}
    queryParamSchemas:
      limit: {type: integer, required: true}
      kind: {enum: [a, b]}
      owner: {format: reversible-pseudonym}
      code: {pattern: "[A-Z]{3}"}
      any: {anyOf: [{type: integer}, {enum: [all]}]}
"""
    )
    matcher = EndpointMatcher(rules)
    ok = "limit=5&kind=a&code=ABC&any=all&owner=p~" + "a" * 43
    assert matcher.match("GET", "/users/7/items", ok) is not None
    for bad in [
        "kind=a",  # required limit missing
        "limit",  # a name without a value does not satisfy `required`
        "limit=1.0",
        "limit=5&kind=c",
        "limit=5&code=AB",
        "limit=5&owner=alice",
        "limit=5&any=7x",
    ]:
        assert matcher.match("GET", "/users/7/items", bad) is None, bad
    assert matcher.match("GET", "/users/abc/items", "limit=5") is None


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("endpoints:\n  - pathRegex: '(unclosed'\n", "invalid regex"),
        ("endpoints:\n  - pathTemplate: '/a/{bad-name}'\n", "malformed {parameter}"),
        (
            "endpoints:\n  - pathTemplate: /a/{id}\n    pathParameterSchemas: {other: {}}\n",
            "names no {other}",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    queryParamSchemas: {x: {format: uuid}}\n",
            "unknown parameter format",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    allowedMethods: [POST]\n"
            "    requestBody: {content: {text/plain: {type: string}}}\n",
            r"requestBody\.content: cannot validate bodies of type 'text/plain'",
        ),
        (
            "endpoints:\n  - pathTemplate: /a\n    allowedMethods: [POST]\n"
            "    requestBody: {content: {application/json: {schema: {type: 7}}}}\n",
            r"requestBody\.content\.application/json: invalid JSON schema",
        ),
    ],
)
def test_matching_errors_surface_at_load(yaml_text: str, message: str) -> None:
    with pytest.raises(RulesError, match=message) as caught:
        Engine(load_rules(yaml_text), PseudonymKeys(salt=Secret("salt")))
    assert "endpoints[0]" in caught.value.message

"""Upstream response headers: what Confluence sends, or a misbehaving upstream's hostile ones.

Hostile headers carry people in every header the proxy may pass through (`Link`, `ETag`,
`Retry-After`, `Expires`, `Last-Modified`, `Cache-Control`, `X-RateLimit-*`), some as values
that almost have the expected shape (`Retry-After: 30 <id>`), each planting recorded.

    headers = upstream_headers(generated, status=429, hostile=True)
"""

from __future__ import annotations

from support.openapi.generator import GeneratedResponse
from support.openapi.people import Person
from support.openapi.planter import SITE, encode_query_value

__all__ = ["upstream_headers"]

_DATE = "Thu, 04 Sep 2025 10:15:00 GMT"


def upstream_headers(
    generated: GeneratedResponse, *, status: int, hostile: bool
) -> list[tuple[str, str]]:
    headers = [
        ("Content-Type", "application/json;charset=UTF-8"),
        ("Cache-Control", "no-cache, no-store, no-transform"),
        ("ETag", '"1725444900"'),
        ("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Last-Modified", _DATE),
        ("X-RateLimit-Limit", "100"),
        ("X-RateLimit-Remaining", "0" if status == 429 else "99"),
        ("X-RateLimit-Reset", "2025-09-04T10:16:00Z"),
    ]
    if status == 429:
        headers.append(("Retry-After", "17"))
    if generated.link_header is not None:
        headers.append(("Link", generated.link_header))
    if not hostile:
        return headers
    hostile_values = dict(_hostile(generated))
    return [(name, value) for name, value in headers if name not in hostile_values] + list(
        hostile_values.items()
    )


def _hostile(generated: GeneratedResponse) -> list[tuple[str, str]]:
    planter = generated.planter
    registry = generated.registry
    rng = planter.rng
    a, b, c = planter.someone(), planter.someone(), planter.someone()

    def planted(name: str, value: str, *, who: Person | None = None) -> tuple[str, str]:
        registry.plant(f"header {name}", f"header {name}", who or a)
        return name, value

    next_path, params = generated.case.pagination(generated.cursor, previous=False)
    next_link = planter.pagination_link(next_path, params, "header Link")
    encoding = rng.choice(("confluence", "lower-hex", "colon-raw"))
    return [
        planted(
            "Link",
            f'<{next_link}>; rel="next", <https://{SITE}/wiki/spaces/{planter.space_key(b)}>;'
            f' rel="base", <mailto:{b.email}>; rel="author"',
            who=b,
        ),
        planted("ETag", rng.choice((f'"{a.account_id}"', f'W/"{a.email}"'))),
        planted("Retry-After", rng.choice((a.email, f"30 {a.account_id}"))),
        planted("Expires", f"{_DATE}; owner={encode_query_value(b.account_id, encoding)}", who=b),
        planted("Last-Modified", rng.choice((c.display_name, f"{_DATE} by {c.username}")), who=c),
        planted("Cache-Control", f'private, max-age=0, x-user="{a.account_id}"'),
        planted("X-RateLimit-Limit", a.account_id),
        planted("X-RateLimit-Remaining", b.email_as("name-addr"), who=b),
        planted("X-RateLimit-Reset", planter.space_key(c), who=c),
        planted("X-RateLimit-NearLimit", f"true; user={c.user_key}", who=c),
    ]

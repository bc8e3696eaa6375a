"""Pages of the simulator's list endpoints, the way Confluence pages them.

v2 lists (`/wiki/api/v2/...`) take `limit` and an opaque `cursor`; when more results exist the
next page's relative URL is in the `Link` header (`<…?limit=1&cursor=…>; rel="next"`, plus the
site as `rel="base"`) and in `_links.next`. A request whose page holds every result gets the
example file byte for byte, so the example calls answer exactly what they always did. Content
search has its own module (`proxy.simulator.search`).

    response = listing_response("spaces.json", request, example_body)
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl, urlencode

from proxy.simulator.routes import SimRequest, SimResponse
from proxy.simulator.search import search_response

__all__ = ["listing_response"]

V2_DEFAULT_LIMIT = 25
_JSON = {"Content-Type": "application/json"}


def listing_response(file: str, request: SimRequest, body: bytes) -> SimResponse:
    """The answer of an example endpoint: searched, paged (v2), or the example as is."""
    if file == "content_search.json":
        return search_response(request, body)
    if "/wiki/api/v2/" in request.path:
        return _v2_page(request, body)
    return SimResponse(200, _JSON, body)


def _v2_page(request: SimRequest, body: bytes) -> SimResponse:
    params = parse_qsl(request.query, keep_blank_values=True)
    try:
        limit = int(dict(params).get("limit") or V2_DEFAULT_LIMIT)
        offset = _decode_cursor(dict(params).get("cursor"))
        if limit < 1:
            raise ValueError("limit")
    except ValueError:
        return SimResponse.json(400, {"errors": [{"status": 400, "title": "Invalid cursor"}]})
    document = json.loads(body)
    if offset is None:  # the cursor of an example file's own `next`: the list ends there
        links = {k: v for k, v in (document.get("_links") or {}).items() if k != "next"}
        return SimResponse.json(200, {**document, "results": [], "_links": links})
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list) or (offset == 0 and limit >= len(results)):
        return SimResponse(200, _JSON, body)
    links = dict(document.get("_links") or {})
    headers = dict(_JSON)
    if offset + limit < len(results):
        kept = [(name, value) for name, value in params if name != "cursor"]
        query = urlencode(kept)
        path = request.path[request.path.index("/wiki/") :]
        links["next"] = f"{path}?{query}&cursor={_encode_cursor(offset + limit)}"
        headers["Link"] = f'<{links["next"]}>; rel="next"'
        if "base" in links:
            headers["Link"] += f', <{links["base"]}>; rel="base"'
    page = {**document, "results": results[offset : offset + limit], "_links": links}
    return SimResponse(200, headers, json.dumps(page, separators=(",", ":")).encode())


def _encode_cursor(offset: int) -> str:
    """Opaque like Atlassian's: base64url of a little JSON, without padding."""
    data = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int | None:
    """The page's offset; None for a cursor of Atlassian's own shape (an example's `next`)."""
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(data, dict) and "offset" not in data and "id" in data:
            return None
        offset = data["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ValueError("cursor") from exc
    if not isinstance(offset, int) or offset < 0:
        raise ValueError("cursor")
    return offset

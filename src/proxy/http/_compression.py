"""Gzip of response bodies for callers that accept it, used by the Lambda and GCP adapters.

The reference compresses bodies of 2048 characters or more on AWS (§3.16); we do the same on
both platforms, which keeps big pages within the platforms' response limits and makes them
cheaper to transfer. Deterministic output (`mtime=0`), zlib's default level as Java's stream.

    if accepts_gzip(request.headers):
        response = gzipped(response) or response
"""

from __future__ import annotations

import gzip

from proxy.http._models import Headers, HttpResponse

__all__ = ["GZIP_MIN_BYTES", "accepts_gzip", "gzipped"]

GZIP_MIN_BYTES = 2048
"""The reference's threshold (it counts characters; our bodies are bytes)."""
_GZIP_LEVEL = 6  # zlib's default, as Java's GZIPOutputStream


def accepts_gzip(headers: Headers) -> bool:
    return any("gzip" in value.lower() for value in headers.get_all("accept-encoding"))


def gzipped(response: HttpResponse) -> HttpResponse | None:
    """The response with a gzip body and `Content-Encoding: gzip`; None when not worth it."""
    if len(response.body) < GZIP_MIN_BYTES or "content-encoding" in response.headers:
        return None
    body = gzip.compress(response.body, compresslevel=_GZIP_LEVEL, mtime=0)
    headers = Headers([*response.headers, ("Content-Encoding", "gzip")])
    return HttpResponse(response.status, headers, body)

"""One response-size policy: what memory lets the proxy read, what the platform lets it return.

Two limits, one error (`ResponseTooLarge`, 502 `RESPONSE_TOO_LARGE`, with a hint to ask for a
lower `limit`), so an oversized page is a clear answer the caller can act on, never an
out-of-memory kill or a bare platform 502:

1. **Upstream cap, from memory.** Handling a response holds several copies of it at once (raw
   bytes, parsed objects, the sanitized result, its encodings): the peak resident memory is
   about `PEAK_BYTES_PER_UPSTREAM_BYTE` times the upstream body (measured by
   `bench/bench_response_memory.py`). So the proxy reads at most
   `(memory - RESERVED_MB) / (PEAK_BYTES_PER_UPSTREAM_BYTE x concurrent requests)`.
2. **Platform limit, on the final encoding.** Lambda posts at most 6 MB of result JSON (the
   body base64-encoded or JSON-escaped inside it), also behind API Gateway (whose own 10 MB is
   never reached); Cloud Run functions return at most 32 MB uncompressed. The adapters measure
   what they are about to hand over (`proxy.platforms`).

>>> upstream_cap_bytes(memory_mb=512, concurrent_requests=1) // MIB
48
"""

from __future__ import annotations

from typing import NamedTuple

from proxy.errors import ResponseTooLarge

__all__ = [
    "DEFAULT_MEMORY_MB",
    "GCP_RESPONSE_LIMIT",
    "LAMBDA_RESPONSE_LIMIT",
    "PEAK_BYTES_PER_UPSTREAM_BYTE",
    "RESERVED_MB",
    "PlatformLimit",
    "response_too_large",
    "upstream_cap_bytes",
    "upstream_too_large",
]

MIB = 1024 * 1024

PEAK_BYTES_PER_UPSTREAM_BYTE = 8
"""Peak resident bytes per upstream byte, rounded up from the measured 5.9 (content search) and
6.9 (group members, the densest shape) in bench/README.md, for shapes not measured."""

RESERVED_MB = 128
"""Memory kept for the interpreter, libraries and runtime (the proxy idles at ~50 MB locally;
the Lambda runtime and the GCP client libraries add to that)."""

DEFAULT_MEMORY_MB = 512
"""Assumed when the platform does not say (locally): the default Lambda and GCP memory."""

MIN_UPSTREAM_CAP_BYTES = 1 * MIB

_HINT = "request fewer items per page: lower the `limit` query parameter"


class PlatformLimit(NamedTuple):
    """The most a platform delivers in one response, and its name for the error message."""

    name: str
    max_bytes: int


LAMBDA_RESPONSE_LIMIT = PlatformLimit(
    "the Lambda response limit (6 MB of result JSON, also behind API Gateway)", 6 * MIB
)
GCP_RESPONSE_LIMIT = PlatformLimit(
    "the Cloud Run functions response limit (32 MB uncompressed)", 32_000_000
)


def upstream_cap_bytes(memory_mb: int, concurrent_requests: int = 1) -> int:
    """The most a single request may read from upstream without risking the memory limit."""
    usable = max(0, memory_mb - RESERVED_MB) * MIB
    share = usable // (PEAK_BYTES_PER_UPSTREAM_BYTE * max(1, concurrent_requests))
    return max(MIN_UPSTREAM_CAP_BYTES, share)


def upstream_too_large(cap: int) -> ResponseTooLarge:
    amount = f"{cap // MIB} MiB" if cap >= MIB else f"{cap} bytes"
    return ResponseTooLarge(
        f"the source API response is larger than the {amount} this function's memory "
        f"allows; {_HINT} (or give the function more memory)"
    )


def response_too_large(size: int, limit: PlatformLimit, *, gzip_possible: bool) -> ResponseTooLarge:
    also = " or accept gzip (`Accept-Encoding: gzip`)" if gzip_possible else ""
    return ResponseTooLarge(
        f"the sanitized response ({size} bytes as sent) exceeds {limit.name}; {_HINT}{also}"
    )

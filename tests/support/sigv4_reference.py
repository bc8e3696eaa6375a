"""SigV4 written from the AWS specification with hashlib/hmac, to check our botocore signing.

Held to the AWS-published SigV4 test-suite vectors in `tests/tooling/test_signing.py`, then used
as the oracle for what `proxy call` signs and sends.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import quote

__all__ = ["AUTH", "reference_signature"]

AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def reference_signature(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: dict[str, str],
    signed_headers: list[str],
    secret: str,
    amz_date: str,
    region: str,
    service: str,
) -> str:
    """SigV4 from the specification (non-S3: the path is URI-encoded once more)."""
    canonical_uri = quote(raw_path, safe="/~")
    pairs = sorted(pair.partition("=")[::2] for pair in raw_query.split("&") if pair)
    canonical_query_string = "&".join(f"{k}={v}" for k, v in pairs)
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    canonical_request = "\n".join(
        [
            method,
            canonical_uri,
            canonical_query_string,
            canonical_headers,
            ";".join(signed_headers),
            hashlib.sha256(b"").hexdigest(),
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret}".encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()

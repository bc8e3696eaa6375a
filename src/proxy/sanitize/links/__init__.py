"""Links the rules let out (`_links.next`, the `Link` header), made free of identifiers.

Owns: parsing and rewriting of URLs, of the CQL in their `cql` parameter and of `Link` header
values, so that every account id in them becomes a reversible `p~` token the gateway decrypts
when the caller follows the link; a link that cannot be made safe is dropped, never passed on.
While a request's answer is sanitized, what its links echo of that request goes back as the
caller sent it, and no value decrypted for it comes back (`RequestEcho`).

May import: `proxy.sanitize.pseudonyms`.

>>> from proxy.secret_value import Secret
>>> from proxy.sanitize.pseudonyms import Pseudonymizer
>>> rewriter = LinkRewriter(Pseudonymizer(Secret("salt"), Secret("key")))
>>> rewriter.rewrite_url("/wiki/api/v2/spaces?limit=10&cursor=abc")
'/wiki/api/v2/spaces?limit=10&cursor=abc'
>>> rewriter.rewrite_url("/search?cql=creator%3D608a9b555426330072f9867d")  # doctest: +ELLIPSIS
'/search?cql=creator%3Dp~...'
"""

from proxy.sanitize.links._cql import CqlError, rewrite_cql
from proxy.sanitize.links._link_header import PAGINATION_RELATIONS, rewrite_link_header
from proxy.sanitize.links._request_echo import RequestEcho, current_echo
from proxy.sanitize.links._rewriter import LinkRewriter, java_url_encode

__all__ = [
    "PAGINATION_RELATIONS",
    "CqlError",
    "LinkRewriter",
    "RequestEcho",
    "current_echo",
    "java_url_encode",
    "rewrite_cql",
    "rewrite_link_header",
]

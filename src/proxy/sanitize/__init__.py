"""Sanitizing: what of an upstream response may leave the proxy, per the rules' endpoint.

Owns the pipeline of one response (parse → augments → schema filter → transforms → JSON, fail
closed), the schema filter, JSON read and written as the reference (Jackson) does, and the
garbage-collector pause around it. Its parts are subpackages, each with its own surface:

- `jsonpath`: the JSONPath engine (parser, evaluator, update plan);
- `pseudonyms`: hashes and reversible tokens of identifiers, the deployment's keys;
- `links`: URLs, CQL and `Link` headers made free of identifiers;
- `transforms`: what the rules do to the values their paths find.

May import: `proxy.errors`, `proxy.secret_value`, `proxy.pseudonym_options`, `proxy.rules`;
never the gateway, config, auth or a platform. Which endpoint a request belongs to is decided
by `proxy.rules.EndpointMatcher`, not here.

>>> from proxy.rules import load_rules
>>> from proxy.secret_value import Secret
>>> rules = load_rules(
...     "endpoints:\\n"
...     "  - pathTemplate: /people\\n"
...     "    transforms: [!<pseudonymize> {jsonPaths: ['$..email']}]"
... )
>>> sanitizer = Sanitizer.build(rules, PseudonymKeys(salt=Secret("salt")))
>>> sanitizer.sanitize(rules.endpoints[0], b'{"email": "alice@acme.com", "n": 1.5}')
b'{"email":"t~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk@acme.com","n":1.5}'
"""

from proxy.sanitize._json_codec import dumps, loads_values, pretty
from proxy.sanitize._sanitizer import Sanitizer
from proxy.sanitize.links import LinkRewriter
from proxy.sanitize.pseudonyms import PseudonymKeys, PseudonymTools, ReverseTokens

__all__ = [
    "LinkRewriter",
    "PseudonymKeys",
    "PseudonymTools",
    "ReverseTokens",
    "Sanitizer",
    "dumps",
    "loads_values",
    "pretty",
]

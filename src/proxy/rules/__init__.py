"""The rules: what a deployment lets through, as data, in the reference's YAML format.

Owns: the rules model (immutable NamedTuples), the YAML loader (tags, `$ref`, the reference's
quirks, every check a rule can fail at load), the bundled rule sets, routing (which endpoint
allows a request: `EndpointMatcher`, with its parameter schemas and the request-body checks)
and the Java regex dialect rules are written in. Applying an endpoint's rules to a response is
`proxy.sanitize`'s job.

May import: `proxy.errors` only (and PyYAML; jsonschema when a rule validates bodies).

>>> rules = load_rules("endpoints:\\n  - pathTemplate: /wiki/api/v2/spaces/{id}")
>>> EndpointMatcher(rules).match("GET", "/wiki/api/v2/spaces/42", None).path_template
'/wiki/api/v2/spaces/{id}'
>>> EndpointMatcher(rules).match("GET", "/wiki/api/v2/pages/42", None) is None
True
"""

from proxy.rules._bundled import BUNDLED_RULES, bundled_rules_text, resolve_rules
from proxy.rules._javaregex import compile_java_regex, translate_java_regex
from proxy.rules._loader import load_rules
from proxy.rules._matching import EndpointMatcher
from proxy.rules._model import (
    Augment,
    Endpoint,
    ParameterSchema,
    RequestBody,
    Rules,
    SchemaNode,
    Transform,
)
from proxy.rules._request_body import body_allowed

__all__ = [
    "BUNDLED_RULES",
    "Augment",
    "Endpoint",
    "EndpointMatcher",
    "ParameterSchema",
    "RequestBody",
    "Rules",
    "SchemaNode",
    "Transform",
    "body_allowed",
    "bundled_rules_text",
    "compile_java_regex",
    "load_rules",
    "resolve_rules",
    "translate_java_regex",
]

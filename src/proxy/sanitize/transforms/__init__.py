"""What the rules do to the values their JSONPaths find: transforms and augments.

Owns: compiling an endpoint's `transforms` into one function over a parsed document (the value
functions that pseudonymize, tokenize, redact, filter and digest text, each with its options
checked at load), and the `textDigest` augment that adds `+field:kind` siblings before the
schema filter runs.

May import: `proxy.errors`, `proxy.rules` (the model and the Java regex dialect),
`proxy.sanitize.jsonpath`, `proxy.sanitize.pseudonyms`, `proxy.sanitize.links`, and the JSON
codec of `proxy.sanitize` (`_json_codec`).

>>> text_digest_object("Four words, two commas", ())
{'length': 22, 'word_count': 4}
"""

from proxy.sanitize.transforms._augments import compile_augments
from proxy.sanitize.transforms._compile import compile_transforms
from proxy.sanitize.transforms._text_digest import text_digest, text_digest_object

__all__ = ["compile_augments", "compile_transforms", "text_digest", "text_digest_object"]

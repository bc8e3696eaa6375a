"""JSONPath with the reference's semantics (Jayway json-path 2.x), compiled once, run per response.

Owns the engine: the parser and its character scanner, filters and their values, the evaluator,
and the update plan that applies many paths to one document in as few walks as it can (with the
batch walk behind it). Nothing outside this package sees a parse tree or an evaluation plan.

May import: `proxy.errors`, and `proxy.rules` for the Java regex dialect of `=~` filters.

>>> path = compile_path("$.results[*].accountId")
>>> path.map({"results": [{"accountId": "a"}, {"accountId": "b"}]}, str.upper)
{'results': [{'accountId': 'A'}, {'accountId': 'B'}]}
>>> try:
...     compile_path("$.a[")
... except JsonPathError as error:
...     print(error.position, error.reason)
3 unbalanced '[' (missing ']')
"""

from proxy.sanitize.jsonpath._path import JsonFunction, JsonPath, JsonPathError, compile_path
from proxy.sanitize.jsonpath._update_plan import GuardedUpdates, PathUpdate, compile_updates

__all__ = [
    "GuardedUpdates",
    "JsonFunction",
    "JsonPath",
    "JsonPathError",
    "PathUpdate",
    "compile_path",
    "compile_updates",
]

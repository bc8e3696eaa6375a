"""Compile an endpoint's `transforms` into one function over a parsed document.

A transform = a value function (what to put instead of a matched value) + JSONPaths (where) +
an optional `applyOnlyWhen` guard. `redact` deletes instead of mapping. Everything is compiled
at rules load, so a bad path or regex fails the deployment's start, not a request; the paths of
all transforms are then applied by the update plan (`proxy.sanitize.jsonpath.compile_updates`),
which walks the document as few times as it can.
"""

from __future__ import annotations

from collections.abc import Sequence

from proxy.errors import MissingEncryptionKey, RulesError
from proxy.rules import Transform
from proxy.sanitize.jsonpath import (
    GuardedUpdates,
    JsonFunction,
    JsonPath,
    PathUpdate,
    compile_path,
    compile_updates,
)
from proxy.sanitize.pseudonyms import PseudonymTools
from proxy.sanitize.transforms import _pseudonym_values as pt
from proxy.sanitize.transforms import _text_values as tt

__all__ = ["compile_transforms"]


# Pure functions of the value, costly (hashes, ciphers), applied to values that recur.
_PSEUDONYM_KINDS = frozenset(
    {
        "pseudonymize",
        "pseudonymizeEmailHeader",
        "pseudonymizeRegexMatches",
        "pseudonymizeLinks",
        "tokenize",
        "hashIp",
        "encryptIp",
    }
)


def _needs_key(transform: Transform) -> bool:
    options = transform.options
    reversible_kinds = ("tokenize", "pseudonymizeLinks")
    return transform.kind in reversible_kinds or bool(options.get("includeReversible"))


def _value_function(transform: Transform, tools: PseudonymTools, where: str) -> JsonFunction:
    options = transform.options
    match transform.kind:
        case "pseudonymize":
            return pt.make_pseudonymize(options, tools.pseudonymizer)
        case "pseudonymizeEmailHeader":
            return pt.make_pseudonymize_email_header(options, tools.pseudonymizer)
        case "pseudonymizeRegexMatches":
            return pt.make_pseudonymize_regex_matches(options, tools.pseudonymizer)
        case "pseudonymizeLinks":
            return pt.make_pseudonymize_links(options, tools.pseudonymizer)
        case "tokenize":
            return pt.make_tokenize(options, tools.pseudonymizer)
        case "hashIp":
            return pt.make_hash_ip(options, tools.ips)
        case "encryptIp":
            return pt.make_encrypt_ip(options, tools.ips)
        case "redactRegexMatches":
            return tt.make_redact_regex_matches(options)
        case "redactExceptPhrases":
            return tt.make_redact_except_phrases(options)
        case "redactExceptSubstringsMatchingRegexes":
            return tt.make_redact_except_substrings(options)
        case "filterTokenByRegex":
            return tt.make_filter_token_by_regex(options)
        case "textDigest":
            return tt.make_text_digest(options, where=f"{where}.jsonPathToProcessWhenEscaped")
    raise RulesError(f"transform {transform.kind!r} has no implementation")


def _compile_paths(paths: Sequence[str], where: str) -> tuple[JsonPath, ...]:
    return tuple(
        compile_path(text, where=f"{where}.jsonPaths[{index}]") for index, text in enumerate(paths)
    )


def _compile_one(transform: Transform, tools: PseudonymTools, where: str) -> GuardedUpdates:
    if _needs_key(transform) and not tools.has_encryption_key:
        raise MissingEncryptionKey(
            f"{where}: reversible pseudonyms need PSOXY_ENCRYPTION_KEY, which is not configured"
        )
    if transform.kind == "encryptIp" and not tools.has_ip_encryption_key:
        raise MissingEncryptionKey(
            f"{where}: encryptIp needs ENCRYPTION_KEY_IP or PSOXY_ENCRYPTION_KEY, neither is set"
        )
    paths = _compile_paths(transform.json_paths, where)
    guard = None
    if transform.apply_only_when is not None:
        guard = compile_path(transform.apply_only_when, where=f"{where}.applyOnlyWhen")
        if guard.is_definite:
            raise RulesError(f"{where}.applyOnlyWhen: must be a filter or wildcard path")
    kind = transform.kind
    value_function = None if kind == "redact" else _value_function(transform, tools, where)
    memoize = kind in _PSEUDONYM_KINDS
    updates = tuple(PathUpdate(path, value_function, kind, memoize) for path in paths)
    return GuardedUpdates(guard, updates)


def compile_transforms(
    transforms: Sequence[Transform], tools: PseudonymTools, where: str
) -> JsonFunction | None:
    """One function applying every transform in rules order (None when there are none)."""
    if not transforms:
        return None
    return compile_updates(
        [
            _compile_one(t, tools, f"{where}.transforms[{i}] ({t.kind})")
            for i, t in enumerate(transforms)
        ]
    )

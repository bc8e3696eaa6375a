"""Value functions of the transforms that produce pseudonyms (reference §2.3).

`pseudonymize` accepts strings and numbers only: a boolean or container means the rules point
at the wrong field, and the reference fails the request rather than guess. So do we.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.errors import RulesError, SanitizationError
from proxy.rules import compile_java_regex
from proxy.sanitize.jsonpath import JsonFunction
from proxy.sanitize.links import LinkRewriter
from proxy.sanitize.pseudonyms import IpPseudonymizer, Pseudonymizer
from proxy.sanitize.transforms._text_values import on_text

__all__ = [
    "make_encrypt_ip",
    "make_hash_ip",
    "make_pseudonymize",
    "make_pseudonymize_email_header",
    "make_pseudonymize_links",
    "make_pseudonymize_regex_matches",
    "make_tokenize",
]


def make_pseudonymize(options: Mapping[str, Any], pseudonymizer: Pseudonymizer) -> JsonFunction:
    encoding = options["encoding"]
    reversible = bool(options["includeReversible"])
    original = bool(options["includeOriginal"])

    def pseudonymize(value: Any) -> Any:
        if isinstance(value, bool) or not (value is None or isinstance(value, str | int | float)):
            raise SanitizationError(f"pseudonymize: cannot pseudonymize a {type(value).__name__}")
        identity = None
        if value is not None and not (isinstance(value, str) and not value.strip()):
            identity = pseudonymizer.pseudonymize(
                value, include_reversible=reversible, include_original=original
            )
        if encoding == "JSON":
            return identity.to_json() if identity is not None else "null"
        if identity is None:
            if encoding == "URL_SAFE_HASH_ONLY":
                raise SanitizationError("pseudonymize: URL_SAFE_HASH_ONLY of a null/blank value")
            return None
        if encoding == "URL_SAFE_HASH_ONLY":
            return identity.hash
        return pseudonymizer.url_safe_token(identity)

    return pseudonymize


def make_pseudonymize_email_header(
    options: Mapping[str, Any], pseudonymizer: Pseudonymizer
) -> JsonFunction:
    json_encoding = options["encoding"] != "URL_SAFE_TOKEN"

    def pseudonymize_header(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise SanitizationError("pseudonymizeEmailHeader: value is not a string")
        if not value.strip():
            return ""
        return pseudonymizer.pseudonymize_email_header(value, json_encoding=json_encoding)

    return pseudonymize_header


def make_pseudonymize_regex_matches(
    options: Mapping[str, Any], pseudonymizer: Pseudonymizer
) -> JsonFunction:
    pattern = compile_java_regex(options["regex"])
    reversible = bool(options["includeReversible"])
    group = 1 if pattern.groups else 0

    def pseudonymize_matches(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise SanitizationError("pseudonymizeRegexMatches: value is not a string")
        pieces: list[str] = []
        position = 0
        replaced = False
        for match in pattern.finditer(value):
            target = match.group(group)
            if target is None or not target.strip():
                continue
            identity = pseudonymizer.pseudonymize(target, include_reversible=reversible)
            if identity is None:
                continue
            start, end = match.span(group)
            pieces.append(value[position:start])
            pieces.append(pseudonymizer.url_safe_token(identity))
            position = end
            replaced = True
        if not replaced:
            return None  # nothing recognisable: redact rather than pass the text on
        pieces.append(value[position:])
        return "".join(pieces)

    return pseudonymize_matches


def make_tokenize(options: Mapping[str, Any], pseudonymizer: Pseudonymizer) -> JsonFunction:
    """`tokenize`; with `canonicalAccountIds: true` (ours) an account id in any form (compact
    personal-key form, `%3A`-encoded) is hashed as its canonical id, so the `p~` joins `t~`."""
    tokenize = pseudonymizer.tokenize
    if options.get("canonicalAccountIds"):
        tokenize = pseudonymizer.tokenize_person
    if not options["regex"]:
        return on_text(tokenize)
    pattern = compile_java_regex(options["regex"])
    if not pattern.groups:
        raise RulesError(f"tokenize: regex {options['regex']!r} needs a capturing group")

    def tokenize_group(text: str) -> str:
        match = pattern.fullmatch(text)
        if not match or not match.group(1):
            return text
        target = match.group(1)
        return text.replace(target, tokenize(target))

    return on_text(tokenize_group)


def make_pseudonymize_links(
    options: Mapping[str, Any], pseudonymizer: Pseudonymizer
) -> JsonFunction:
    """`pseudonymizeLinks` (ours): a URL with every identifier a reversible token, or null when
    that cannot be done safely (see `proxy.sanitize.links`). A non-string becomes null."""
    rewriter = LinkRewriter(pseudonymizer)

    def pseudonymize_link(value: Any) -> Any:
        if not isinstance(value, str):
            return None
        return rewriter.rewrite_url(value)

    return pseudonymize_link


def make_hash_ip(options: Mapping[str, Any], ips: IpPseudonymizer) -> JsonFunction:
    return on_text(ips.hash_ip)


def make_encrypt_ip(options: Mapping[str, Any], ips: IpPseudonymizer) -> JsonFunction:
    return on_text(ips.encrypt_ip)

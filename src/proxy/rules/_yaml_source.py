"""Rules text → plain Python data: the `RULES` value decoding and a tag-aware YAML parser.

The reference accepts `RULES` as plain YAML, base64(YAML) or base64(gzip(YAML)); transforms are
typed by YAML tags written verbatim (`!<pseudonymize>`), short (`!pseudonymize`) or replaced by a
`method:` key. PyYAML reports the verbatim form as `pseudonymize` and the short one as
`!pseudonymize`; `Tagged` keeps whichever it saw, without the `!`.

PyYAML itself is imported by the first `parse_yaml` (`_yaml_parser`): its import compiles
dozens of regexes, and a cold start with the bundled rules reads them pre-parsed (`_preparsed`).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import hashlib
import zlib
from typing import Any, NamedTuple

from proxy.errors import RulesYamlError

__all__ = ["Tagged", "decode_rules_value", "parse_yaml", "rules_sha"]


class Tagged(NamedTuple):
    """A YAML node that carried a local tag, e.g. `!<redact>` → Tagged("redact", {...})."""

    tag: str
    value: Any


def decode_rules_value(value: str | bytes) -> str:
    """Undo the `RULES` value's optional base64 and gzip layers, as the reference tries them."""
    raw = value.encode("utf-8") if isinstance(value, str) else value
    try:
        decoded = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        return _as_text(raw)
    if not decoded:
        return _as_text(raw)
    with contextlib.suppress(OSError, EOFError, zlib.error):  # else: base64 of plain YAML
        decoded = gzip.decompress(decoded)
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        return _as_text(raw)


def _as_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulesYamlError("rules are neither UTF-8 YAML nor base64 of it") from exc


def parse_yaml(text: str) -> Any:
    """Parse one YAML document; errors name the line and column, never echo the document."""
    from proxy.rules._yaml_parser import parse_yaml_document  # imports PyYAML (see above)

    return parse_yaml_document(text)


def rules_sha(text: str) -> str:
    """SHA-1 hex of the decoded rules text: a stable id of exactly these rules."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()

"""Rules text → plain Python data: the `RULES` value decoding and a tag-aware YAML parser.

The reference accepts `RULES` as plain YAML, base64(YAML) or base64(gzip(YAML)); transforms are
typed by YAML tags written verbatim (`!<pseudonymize>`), short (`!pseudonymize`) or replaced by a
`method:` key. PyYAML reports the verbatim form as `pseudonymize` and the short one as
`!pseudonymize`; `Tagged` keeps whichever it saw, without the `!`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import hashlib
import zlib
from typing import Any, NamedTuple

import yaml

from proxy.errors import RulesError, RulesYamlError

__all__ = ["Tagged", "decode_rules_value", "parse_yaml", "rules_sha"]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Tagged(NamedTuple):
    """A YAML node that carried a local tag, e.g. `!<redact>` → Tagged("redact", {...})."""

    tag: str
    value: Any


class _RulesLoader(_Loader):  # type: ignore[valid-type,misc]
    """SafeLoader keeping local tags and refusing duplicate keys (silent overrides hide bugs)."""


def _construct_tagged(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Tagged:
    value: Any
    if isinstance(node, yaml.MappingNode):
        value = _construct_mapping(loader, node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return Tagged(tag=tag_suffix.lstrip("!"), value=value)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            line = key_node.start_mark.line + 1
            raise RulesYamlError(f"duplicate key {key!r} at line {line}")
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_RulesLoader.add_multi_constructor("", _construct_tagged)
_RulesLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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
    try:
        return yaml.load(text, Loader=_RulesLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RulesYamlError(f"invalid YAML{where}: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise RulesYamlError(f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise RulesError("rules YAML is nested too deeply") from exc


def rules_sha(text: str) -> str:
    """SHA-1 hex of the decoded rules text: a stable id of exactly these rules."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()

"""The tag-aware YAML parser behind `_yaml_source.parse_yaml`, imported on its first use.

A SafeLoader (libyaml's when present) that keeps local tags as `Tagged` and refuses duplicate
keys. Kept apart so that importing the rules does not import PyYAML: a cold start with the
bundled rules reads them pre-parsed (`_preparsed`) and never needs it.
"""

from __future__ import annotations

from typing import Any

import yaml

from proxy.errors import RulesError, RulesYamlError
from proxy.rules._yaml_source import Tagged

__all__ = ["parse_yaml_document"]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def parse_yaml_document(text: str) -> Any:
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

"""The bundled rules pre-parsed: a JSON file beside each YAML, so a cold start needs no YAML.

Importing PyYAML (its modules compile dozens of regexes) and parsing the bundled rules took
about 15 ms of a Lambda cold start; `json` is loaded anyway and reads the same data in a tenth
of a millisecond. The JSON is generated from the YAML (`make rules-json`) and carries the SHA-1
of the YAML text: it is used only while that still matches, so a YAML edited without
regenerating is parsed as YAML (correct, only slower), and the rules keep the YAML's `sha`.
`tests/rules/test_preparsed_rules.py` checks that the committed file is current and decodes to
exactly what `parse_yaml` makes of the YAML.

The encoding is JSON's own types, plus one convention: a tagged node (`!<redact> {...}`) is an
object whose single key is the tag in its verbatim spelling, `{"!<redact>": {...}}`. Anything
JSON could not carry exactly (non-string keys, a plain key spelled like a tag, timestamps,
non-finite floats) is refused when generating.

    make rules-json   # write_bundled_json(): rewrites src/proxy/bundled_rules/*.json
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from proxy.rules._yaml_source import Tagged, parse_yaml, rules_sha

__all__ = [
    "decode_preparsed",
    "encode_preparsed",
    "preparsed_json",
    "read_preparsed",
    "write_bundled_json",
]

_TAG_OPEN, _TAG_CLOSE = "!<", ">"
_SCALARS = (str, int, bool, type(None))


def encode_preparsed(data: Any) -> Any:
    """`data` (a `parse_yaml` result) as JSON-ready values; `ValueError` if JSON would alter it."""
    if isinstance(data, Tagged):
        return {f"{_TAG_OPEN}{data.tag}{_TAG_CLOSE}": encode_preparsed(data.value)}
    if isinstance(data, dict):
        for key in data:
            if not isinstance(key, str) or _is_tag(key):
                raise ValueError(f"a key JSON cannot carry as it is: {key!r}")
        return {key: encode_preparsed(value) for key, value in data.items()}
    if isinstance(data, list):
        return [encode_preparsed(item) for item in data]
    if isinstance(data, float) and math.isfinite(data):
        return data
    if type(data) in _SCALARS:
        return data
    raise ValueError(f"a value JSON cannot carry as it is: {type(data).__name__}")


def decode_preparsed(text: str) -> tuple[str, Any]:
    """(the YAML's SHA-1, its parse) from a pre-parsed file's text."""
    document = json.loads(text, object_hook=_untag)
    return document["sha"], document["rules"]


def preparsed_json(yaml_text: str) -> str:
    """The pre-parsed file of this YAML text (what `make rules-json` writes)."""
    document = {"sha": rules_sha(yaml_text), "rules": encode_preparsed(parse_yaml(yaml_text))}
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def read_preparsed(path: Path, sha: str) -> Any | None:
    """The parse stored at `path` if it is of the YAML whose SHA-1 is `sha`; else None."""
    try:
        stored_sha, data = decode_preparsed(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    return data if stored_sha == sha else None


def _is_tag(key: str) -> bool:
    return key.startswith(_TAG_OPEN) and key.endswith(_TAG_CLOSE)


def _untag(node: dict[str, Any]) -> Any:
    if len(node) == 1:
        ((key, value),) = node.items()
        if _is_tag(key):
            return Tagged(key[len(_TAG_OPEN) : -len(_TAG_CLOSE)], value)
    return node


def write_bundled_json() -> None:
    """Regenerate the JSON of every bundled YAML (`make rules-json`)."""
    directory = Path(__file__).resolve().parent.parent / "bundled_rules"
    for source in sorted(directory.glob("*.yaml")):
        text = preparsed_json(source.read_text("utf-8"))
        source.with_suffix(".json").write_text(text, "utf-8")

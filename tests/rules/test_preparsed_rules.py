"""The bundled rules' pre-parsed JSON: current, exactly the YAML's parse, ignored when stale."""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.rules import BUNDLED_RULES, bundled_rules_text, load_rules, resolve_rules
from proxy.rules._preparsed import (
    decode_preparsed,
    encode_preparsed,
    preparsed_json,
    read_preparsed,
)
from proxy.rules._yaml_source import Tagged, parse_yaml, rules_sha

BUNDLED = Path(__file__).resolve().parents[2] / "src" / "proxy" / "bundled_rules"


def same(left: Any, right: Any) -> bool:
    """Equal and of the same types all the way down (`1 == 1.0 == True` would not do)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, Tagged):
        return left.tag == right.tag and same(left.value, right.value)
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same, left, right))
    return bool(left == right)


@pytest.mark.parametrize("name", BUNDLED_RULES)
def test_the_committed_json_is_current(name: str) -> None:
    committed = (BUNDLED / f"{name}.json").read_text("utf-8")
    assert committed == preparsed_json(bundled_rules_text(name)), (
        f"run `make rules-json`: {name}.json is not of the current {name}.yaml"
    )


@pytest.mark.parametrize("name", BUNDLED_RULES)
def test_the_json_holds_exactly_the_yaml_parse(name: str) -> None:
    text = bundled_rules_text(name)
    sha, data = decode_preparsed((BUNDLED / f"{name}.json").read_text("utf-8"))

    assert sha == rules_sha(text)
    assert same(data, parse_yaml(text))
    assert any(isinstance(t, Tagged) for e in data["endpoints"] for t in e.get("transforms", []))


@pytest.mark.parametrize("name", BUNDLED_RULES)
def test_bundled_rules_from_the_json_equal_those_from_the_yaml(name: str) -> None:
    from_json = resolve_rules(name)
    from_yaml = load_rules(bundled_rules_text(name))

    assert from_json == from_yaml
    assert from_json.sha == from_yaml.sha == rules_sha(bundled_rules_text(name))


def test_a_json_of_other_yaml_or_none_at_all_is_not_used(tmp_path: Path) -> None:
    text = "endpoints:\n  - pathTemplate: /a\n"
    path = tmp_path / "rules.json"
    path.write_text(preparsed_json(text), "utf-8")

    assert read_preparsed(path, rules_sha(text)) == {"endpoints": [{"pathTemplate": "/a"}]}
    assert read_preparsed(path, rules_sha(text + "# edited\n")) is None
    assert read_preparsed(tmp_path / "missing.json", rules_sha(text)) is None


def test_tags_in_every_spelling_survive_the_json() -> None:
    text = "t: [!<redact> {jsonPaths: [a]}, !pseudonymize {}, !<hashIp> , !x [1, 2.5, true]]"
    parsed = parse_yaml(text)
    _, decoded = decode_preparsed(preparsed_json(text))

    assert same(decoded, parsed)
    assert [item.tag for item in decoded["t"]] == ["redact", "pseudonymize", "hashIp", "x"]


@pytest.mark.parametrize(
    "data",
    [
        {1: "an integer key"},
        {"!<redact>": "a plain key spelled as a tag"},
        {"when": datetime.date(2024, 1, 1)},
        {"x": math.nan},
        {"x": math.inf},
        {"x": b"bytes"},
        {"x": ("a", "tuple")},
    ],
)
def test_what_json_would_alter_is_refused(data: dict[Any, Any]) -> None:
    with pytest.raises(ValueError, match="JSON cannot carry"):
        encode_preparsed(data)


KEYS = st.text(max_size=8).filter(lambda key: not (key.startswith("!<") and key.endswith(">")))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
DATA = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS, children, max_size=4)
        | st.builds(Tagged, st.text(min_size=1, max_size=8), children)
    ),
    max_leaves=20,
)


@given(DATA)
def test_encoding_then_decoding_gives_the_same_data(data: Any) -> None:
    text = json.dumps({"sha": "x", "rules": encode_preparsed(data)}, ensure_ascii=False)

    assert same(decode_preparsed(text)[1], data)

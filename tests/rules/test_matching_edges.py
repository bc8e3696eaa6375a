"""Matching details a rule writer relies on: templates match case-insensitively (as the
reference), a template with a stray brace is refused at load, and errors name the rule."""

from __future__ import annotations

import pytest

from proxy.errors import RulesError
from proxy.rules._loader import load_rules
from proxy.rules._matching import EndpointMatcher


def matcher(yaml_text: str) -> EndpointMatcher:
    return EndpointMatcher(load_rules(yaml_text))


def test_templates_and_regexes_match_in_any_case() -> None:
    rules = matcher(
        "endpoints:\n"
        "  - pathTemplate: /wiki/api/v2/spaces/{id}\n"
        "  - pathRegex: '^/wiki/rest/api/group[?]limit=\\d+$'\n"
    )

    assert rules.match("GET", "/WIKI/API/V2/Spaces/7", None) is not None
    assert rules.match("GET", "/Wiki/Rest/API/Group", "LIMIT=5") is not None
    assert rules.match("GET", "/wiki/api/v2/pages/7", None) is None


@pytest.mark.parametrize("template", ["/a/{id", "/a/id}", "/a/{id}}", "/a/{{id}"])
def test_a_template_with_a_stray_brace_is_refused(template: str) -> None:
    with pytest.raises(RulesError) as error:
        matcher(f"endpoints:\n  - pathTemplate: '{template}'\n")
    assert error.value.message == (
        f"rules.endpoints[0] ({template}): pathTemplate has a malformed {{parameter}}"
    )


def test_a_bad_path_parameter_schema_names_where_it_is() -> None:
    with pytest.raises(RulesError) as error:
        matcher(
            "endpoints:\n"
            "  - pathTemplate: /a/{id}\n"
            "    pathParameterSchemas: {id: {format: nope}}\n"
        )
    assert error.value.message == (
        "rules.endpoints[0] (/a/{id}).pathParameterSchemas.id: unknown parameter format 'nope'"
    )

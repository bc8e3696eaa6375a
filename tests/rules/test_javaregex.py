"""Java regex syntax from rules, translated for Python's `re`."""

from __future__ import annotations

import pytest

from proxy.errors import RulesError
from proxy.rules import compile_java_regex, translate_java_regex


@pytest.mark.parametrize(
    ("java", "python"),
    [
        ("(?<id>[^/]+)", "(?P<id>[^/]+)"),
        ("a(?)b", "ab"),
        ("(?i)^smtp:(.*)$", "(?i:^smtp:(.*)$)"),
        ("a(?i)b|c", "a(?i:b)|(?i:c)"),
        ("x(y(?s)z|w)v", "x(y(?s:z)|(?s:w))v"),
        ("\\Qa.b\\E+", "a\\.b+"),
        ("[\\p{Alpha}_]+", "[a-zA-Z_]+"),
        ("\\p{Lower}\\P{Digit}", "[a-z][^0-9]"),
        ("(?<=x)(?<!y)", "(?<=x)(?<!y)"),
        ("[(?<a>)]", "[(?<a>)]"),
    ],
)
def test_translation(java: str, python: str) -> None:
    assert translate_java_regex(java) == python


def test_java_semantics_kept() -> None:
    assert compile_java_regex("a(?i)b|c").fullmatch("C")
    assert not compile_java_regex("a(?i)b|c").fullmatch("AB")
    assert compile_java_regex("\\w+").fullmatch("abc_1")
    assert not compile_java_regex("\\w+").fullmatch("é")  # Java's \w is ASCII
    assert compile_java_regex("abc", case_insensitive=True).fullmatch("ABC")


@pytest.mark.parametrize("bad", ["(", "[a", "\\p{Greek}", "[a&&b]"])
def test_bad_regexes_are_rules_errors(bad: str) -> None:
    with pytest.raises(RulesError, match="invalid regex"):
        compile_java_regex(bad)

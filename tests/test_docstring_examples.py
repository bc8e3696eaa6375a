"""Every `>>>` example in the proxy's docstrings runs, so a usage example cannot drift from the
code it shows (one once called an API that did not exist)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import proxy

MODULES = sorted(m.name for m in pkgutil.walk_packages(proxy.__path__, "proxy."))
# Package surfaces and the modules whose behaviour an example shows best: these must keep one.
MUST_SHOW_AN_EXAMPLE = {
    "proxy.config",
    "proxy.config.locks",
    "proxy.config.stores",
    "proxy.http",
    "proxy.pseudonym_options",
    "proxy.rules",
    "proxy.sanitize",
    "proxy.sanitize.jsonpath",
    "proxy.sanitize.links",
    "proxy.sanitize.pseudonyms",
    "proxy.sanitize.transforms",
    "proxy.auth._base",
    "proxy.config._config_values",
    "proxy.rules._matching",
    "proxy.sanitize.pseudonyms._pseudonymizer",
}


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_a_module_run(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(verbose=False)
    tests = finder.find(module, name, globs=vars(module).copy())
    for test in tests:
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} examples of {name} failed"
    if name in MUST_SHOW_AN_EXAMPLE:
        assert results.attempted > 0, f"{name} lost its example"

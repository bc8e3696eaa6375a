"""Rules shipped inside the package (`--rules confluence`), and resolving a rules argument.

The YAML files are read beside this package's modules: every artifact unpacks the package onto
a file system, and `importlib.resources` would cost a cold start 10-40 ms of imports. Each has
a pre-parsed JSON twin (`_preparsed`), read instead of parsing the YAML while it is current.
"""

from __future__ import annotations

from pathlib import Path

from proxy.errors import RulesError
from proxy.rules._loader import load_rules, rules_from_data
from proxy.rules._model import Rules
from proxy.rules._preparsed import read_preparsed
from proxy.rules._yaml_source import rules_sha

__all__ = ["BUNDLED_RULES", "bundled_rules_text", "resolve_rules"]

BUNDLED_RULES = ("confluence",)
_DIRECTORY = Path(__file__).resolve().parent.parent / "bundled_rules"


def bundled_rules_text(name: str) -> str:
    """The YAML text of a bundled rule set, e.g. `confluence`."""
    if name not in BUNDLED_RULES:
        raise RulesError(f"no bundled rules named {name!r} (bundled: {', '.join(BUNDLED_RULES)})")
    return (_DIRECTORY / f"{name}.yaml").read_text("utf-8")


def resolve_rules(name_or_path: str) -> Rules:
    """A bundled rule set by name, else a YAML file by path."""
    if name_or_path in BUNDLED_RULES:
        return _bundled_rules(name_or_path)
    path = Path(name_or_path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {name_or_path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"cannot read rules file {name_or_path}: {exc}") from exc
    return load_rules(text)


def _bundled_rules(name: str) -> Rules:
    """The bundled rules from their pre-parsed JSON when it is of this YAML, else the YAML."""
    text = bundled_rules_text(name)
    sha = rules_sha(text)
    data = read_preparsed(_DIRECTORY / f"{name}.json", sha)
    return load_rules(text) if data is None else rules_from_data(data, sha)

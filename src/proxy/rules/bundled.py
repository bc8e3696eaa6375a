"""Rules shipped inside the package (`--rules confluence`), and resolving a rules argument."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from proxy.errors import RulesError
from proxy.rules.loader import load_rules
from proxy.rules.model import Rules

__all__ = ["BUNDLED_RULES", "bundled_rules_text", "resolve_rules"]

BUNDLED_RULES = ("confluence",)


def bundled_rules_text(name: str) -> str:
    """The YAML text of a bundled rule set, e.g. `confluence`."""
    if name not in BUNDLED_RULES:
        raise RulesError(f"no bundled rules named {name!r} (bundled: {', '.join(BUNDLED_RULES)})")
    return (resources.files("proxy") / "bundled_rules" / f"{name}.yaml").read_text("utf-8")


def resolve_rules(name_or_path: str) -> Rules:
    """A bundled rule set by name, else a YAML file by path."""
    if name_or_path in BUNDLED_RULES:
        return load_rules(bundled_rules_text(name_or_path))
    path = Path(name_or_path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError as exc:
        raise RulesError(f"rules file not found: {name_or_path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"cannot read rules file {name_or_path}: {exc}") from exc
    return load_rules(text)

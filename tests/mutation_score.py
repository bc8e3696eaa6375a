"""The mutation score per module, from `mutmut results --all true` on standard input.

    .venv/bin/mutmut results --all true | .venv/bin/python tests/mutation_score.py

Prints one line per module (mutants, killed, survived, no tests, score), one per package, then
every mutant that was not killed, to compare the survivors with docs/mutation-testing.md.
Score = killed (including timeouts: the mutant hung, the tests noticed) / mutants with a result.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

_LINE = re.compile(r"^\s*(?P<name>[\w.]+)\.x\w*?__mutmut_\d+: (?P<status>.+)$")
_KILLED = {"killed", "timeout", "caught by type check"}


def main() -> int:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in sys.stdin:
        match = _LINE.match(line.rstrip("\n"))
        if match is None:
            continue
        module, status = _module(match["name"]), match["status"].strip()
        by_module[module][status] += 1
        if status not in _KILLED and status != "not checked":
            survivors.append(f"{line.strip()}")
    print(f"{'module':44} {'mutants':>7} {'killed':>6} {'surv.':>5} {'no test':>7} {'score':>6}")
    totals: Counter[str] = Counter()
    by_package: dict[str, Counter[str]] = defaultdict(Counter)
    for module in sorted(by_module):
        counts = by_module[module]
        if counts.total() == counts["not checked"]:
            continue  # not run yet (another `MUTANTS=` selection)
        totals.update(counts)
        by_package[_package(module)].update(counts)
        print(_row(module, counts))
    for package in sorted(by_package):
        print(_row(package if package.endswith(".py") else f"{package}/", by_package[package]))
    print(_row("all", totals))
    if survivors:
        print("\nnot killed:")
        print("\n".join(f"  {s}" for s in survivors))
    return 0


def _module(name: str) -> str:
    """`proxy.gateway.paths.x_check...` and `proxy.auth.oauth.xǁClassǁmethod` -> the module."""
    return name.split(".x", 1)[0] if ".x" in name else name


def _package(module: str) -> str:
    """`proxy.gateway._pipeline` -> `gateway`; `proxy.config.locks._base` -> `config/locks`;
    a module named on its own in the configuration stays a module (`rules/_matching.py`)."""
    parts = module.split(".")[1:]
    if parts[0] == "config" or parts[:2] == ["sanitize", "pseudonyms"]:
        return "/".join(parts[:2])
    if parts[0] in ("gateway", "http", "auth"):
        return parts[0]
    return "/".join(parts) + ".py"


def _row(module: str, counts: Counter[str]) -> str:
    checked = sum(n for status, n in counts.items() if status != "not checked")
    killed = sum(counts[status] for status in _KILLED)
    score = f"{100 * killed / checked:5.1f}%" if checked else "    -"
    return (
        f"{module:44} {checked:>7} {killed:>6} {counts['survived']:>5} "
        f"{counts['no tests']:>7} {score:>6}"
    )


if __name__ == "__main__":
    sys.exit(main())

"""What `proxy call --all` prints: a line per call, then a table per endpoint and the verdicts.

Paths are shown with the site part as `{site}` (`/ex/confluence/<cloud id>/wiki`), so lines stay
readable; the table has one row per endpoint of the rules, called or not (and why not).

    lines = call_lines(call, platform="aws", full=False)
    lines = summary_lines(result)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from proxy.tooling.call_report import describe
from proxy.tooling.crawl import ENDPOINTS, SITE, CrawlCall, CrawlResult

__all__ = ["call_lines", "summary_lines"]

_SITE_LABEL = "{site}"
_SITE_PATH = re.compile(r"^/ex/confluence/[^/?]+/wiki(?=[/?]|$)")


def call_lines(call: CrawlCall, *, platform: str, full: bool) -> list[str]:
    """The status line of one call (and its hints when it failed, its body with `full`)."""
    outcome = call.outcome
    target = _short(outcome.call.target)
    if outcome.status is None:
        head = f"GET {target}: no response ({outcome.failure}) after {outcome.elapsed_ms:.0f} ms"
        return [head]
    head = f"GET {target}: {outcome.status} in {outcome.elapsed_ms:.0f} ms"
    head += f", {len(outcome.body)} bytes"
    if call.items is not None:
        head += f", {_count(call.items, 'item')}"
    if call.next_target:
        head += ", next page"
    detail = describe(outcome, platform=platform, show_body=full, max_body_chars=0)[1:]
    if outcome.ok and not full:
        detail = []  # describe's one-line summary repeats the counts above
    privacy = [f"  privacy: {finding}" for finding in call.findings]
    return [head, *detail, *privacy]


def summary_lines(result: CrawlResult) -> list[str]:
    """The end of the report (the notes were shown as they came, see `Crawl(on_note=…)`)."""
    lines = []
    if result.stopped:
        lines.append(f"stopped: {result.stopped}")
    lines.append("")
    lines.extend(_table(result))
    lines.append("")
    lines.extend(_privacy(result))
    lines.append(_verdict(result))
    return lines


def _table(result: CrawlResult) -> list[str]:
    header = ("endpoint", "calls", "failed", "items", "bytes", "time")
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for endpoint in ENDPOINTS:
        label = endpoint.replace(SITE, _SITE_LABEL)
        calls = [c for c in result.calls if c.endpoint == endpoint]
        if not calls:
            reason = result.not_reached.get(endpoint) or _refused_reason(result, endpoint)
            notes.append(f"{label}: not reached ({reason})")
            continue
        failed = sum(not c.outcome.ok for c in calls)
        items = sum(c.items or 0 for c in calls)
        size = sum(len(c.outcome.body) for c in calls)
        elapsed = sum(c.outcome.elapsed_ms for c in calls)
        rows.append(
            (label, str(len(calls)), str(failed), str(items), str(size), f"{elapsed:.0f} ms")
        )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [f"{_SITE_LABEL} = {SITE}", _row(header, widths)]
    lines.extend(_row(row, widths) for row in rows)
    return lines + notes


def _refused_reason(result: CrawlResult, endpoint: str) -> str:
    if any(refused_endpoint == endpoint for refused_endpoint, _ in result.refused):
        return "its URL would carry a raw identifier; not sent"
    return "an earlier call failed"


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    first = cells[0].ljust(widths[0])
    rest = "  ".join(cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
    return f"{first}  {rest}"


def _privacy(result: CrawlResult) -> list[str]:
    scanned = len(result.calls)
    problems = [
        f"  {_short(call.outcome.call.target)} {finding}" for call, finding in result.findings
    ]
    problems += [
        f"  not sent ({endpoint.replace(SITE, _SITE_LABEL)}): {finding}"
        for endpoint, finding in result.refused
    ]
    if not problems:
        return [
            f"privacy check: {_count(scanned, 'response')} scanned, no raw account id or email "
            "outside t~/p~ pseudonyms"
        ]
    return [
        f"privacy check FAILED: {_count(len(problems), 'raw identifier')} in "
        f"{_count(scanned, 'response')}:",
        *problems,
    ]


def _verdict(result: CrawlResult) -> str:
    calls = len(result.calls)
    failed = [c for c in result.calls if not c.outcome.ok]
    reached = {c.endpoint for c in result.calls}
    parts = [
        f"{_count(calls, 'call')}, " + (f"{len(failed)} failed" if failed else "all answered 2xx"),
        f"{len(reached)} of {len(ENDPOINTS)} endpoints reached",
        "privacy check " + ("passed" if not result.findings and not result.refused else "FAILED"),
    ]
    return "; ".join(parts)


def _short(target: str) -> str:
    return _SITE_PATH.sub(_SITE_LABEL, target, count=1)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"

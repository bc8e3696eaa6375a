"""Plaintexts a `p~` token may decrypt to, and what each must become in the forwarded request.

Shared by the in-process gateway tests and the end-to-end ones, so both levels check one policy:
a value planted upstream is put back as data, never as structure.
"""

from __future__ import annotations

__all__ = ["UNSAFE_EVERYWHERE", "UNSAFE_IN_A_SEGMENT", "query_encodings"]

UNSAFE_EVERYWHERE = ["%2e%2e", "\u0000", "a\r\nb", "\u007f", "\u0085"]
"""Refused wherever they land: already-encoded text and control characters."""

UNSAFE_IN_A_SEGMENT = ["..", ".", "a/b", "a\\b", "x?y", "x#y", "", *UNSAFE_EVERYWHERE]
"""Refused in a path segment: what would change the path."""


def query_encodings(account_id: str) -> list[tuple[str, str]]:
    """(plaintext, how it must appear inside a percent-encoded query value), written out."""
    return [
        (account_id, account_id.replace(":", "%3A")),
        ("~5570581234abcd", "~5570581234abcd"),
        ("alice@example.com", "alice%40example.com"),
        ("..", ".."),
        ("a/b", "a%2Fb"),
        ("x?y", "x%3Fy"),
        ("x#y", "x%23y"),
        ("a&limit=1=", "a%26limit%3D1%3D"),
        ('x" OR creator="y', "x%22%20OR%20creator%3D%22y"),
    ]

"""The test copy of the reference's Confluence rules (tests/fixtures/reference-rules/)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REFERENCE_CONFLUENCE_RULES = (FIXTURES / "reference-rules" / "confluence.yaml").read_text("utf-8")

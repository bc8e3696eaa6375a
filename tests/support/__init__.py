"""Test support code shared across test packages (servers, fakes, fixtures data)."""

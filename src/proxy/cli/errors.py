"""One-line wording of the errors every command may meet, so they all say it the same way."""

from __future__ import annotations

__all__ = ["describe_os_error"]


def describe_os_error(exc: OSError, action: str = "cannot use") -> str:
    """``cannot read data.json: No such file or directory``: the file first, then the reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return reason
    return f"{action} {exc.filename}: {reason}"

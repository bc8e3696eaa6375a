"""`Secret`: a string that never shows itself in reprs, logs or tracebacks."""

from __future__ import annotations

__all__ = ["Secret"]


class Secret:
    """Wraps a salt, token or client secret so that printing it prints stars.

    salt = Secret("s3cr3t"); f"{salt!r}" == "Secret('**********')"; salt.reveal() == "s3cr3t"
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The raw value: call only where it is sent or used, never where it is logged."""
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

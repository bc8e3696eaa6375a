"""The pseudonym options a deployment picks: values both `config` (which reads them from the
environment) and `sanitize` (which applies them) need, so neither imports the other for them.

>>> EmailCanonicalization.parse("ignore_dots")
<EmailCanonicalization.IGNORE_DOTS: 'IGNORE_DOTS'>
>>> EmailDomainHandling.parse("tokenize")
<EmailDomainHandling.TOKENIZE: 'TOKENIZE'>
"""

from __future__ import annotations

import enum
from typing import TypeVar

from proxy.errors import ConfigurationError

__all__ = ["EmailCanonicalization", "EmailDomainHandling", "parse_enum"]

_E = TypeVar("_E", bound=enum.Enum)


def parse_enum(kind: type[_E], text: str, setting: str) -> _E:
    """`kind[TEXT]`, or a configuration error naming the setting and the allowed values."""
    try:
        return kind[text.strip().upper()]
    except KeyError:
        allowed = ", ".join(kind.__members__)
        raise ConfigurationError(f"{setting} must be one of {allowed}, not {text!r}") from None


class EmailCanonicalization(enum.Enum):
    """How the local part is folded before hashing (`EMAIL_CANONICALIZATION`)."""

    STRICT = "STRICT"
    IGNORE_DOTS = "IGNORE_DOTS"

    @classmethod
    def parse(cls, text: str) -> EmailCanonicalization:
        """Case-insensitive, like the reference's config parsing: `parse("ignore_dots")`."""
        return parse_enum(cls, text, "EMAIL_CANONICALIZATION")


class EmailDomainHandling(enum.Enum):
    """What follows `@` in an email's pseudonym (`EMAIL_DOMAIN_HANDLING`)."""

    PRESERVE = "PRESERVE"
    REDACT = "REDACT"
    TOKENIZE = "TOKENIZE"
    ENCRYPT = "ENCRYPT"

    @classmethod
    def parse(cls, text: str) -> EmailDomainHandling:
        """Case-insensitive: `parse("tokenize")`."""
        return parse_enum(cls, text, "EMAIL_DOMAIN_HANDLING")

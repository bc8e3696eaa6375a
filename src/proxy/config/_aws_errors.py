"""Classify botocore errors once, for the SSM and Secrets Manager adapters."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

__all__ = ["AWS_ERRORS", "aws_error_code", "is_access_denied"]

AWS_ERRORS = (ClientError, BotoCoreError)
"""Everything a boto3 call may raise on purpose (service errors and transport/SDK errors)."""


def aws_error_code(exc: BaseException) -> str:
    """The service error code (``ParameterNotFound``…) or the SDK exception's class name."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "Unknown"))
    return type(exc).__name__


def is_access_denied(exc: BaseException) -> bool:
    code = aws_error_code(exc)
    return "AccessDenied" in code or "Forbidden" in code

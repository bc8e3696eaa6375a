"""The one exception tree of the proxy.

Every error the proxy raises on purpose is a ``ProxyError``: it knows the HTTP status and the
``X-Psoxy-Error`` code the caller gets, so the pipeline converts it to a response in a single
``except``. Messages are safe to log and to return: they never contain tokens, secrets, salts,
bodies or un-sanitized URLs.

    ProxyError                          500 UNKNOWN
    ├── ConfigurationError              500 CONFIGURATION_FAILURE
    │   ├── MissingSecretError          500 CONFIGURATION_FAILURE (names the missing key)
    │   ├── ConfigStoreUnavailable      503 CONFIGURATION_FAILURE
    │   └── RulesError                  500 RULES_INVALID
    │       └── RulesYamlError          500 RULES_INVALID_YAML
    ├── RequestError                    400 INVALID_REQUEST
    │   ├── HttpsRequired               400 HTTPS_REQUIRED
    │   ├── UnauthorizedIpAddress       403 UNAUTHORIZED_IP_ADDRESS
    │   ├── BlockedByRules              403 BLOCKED_BY_RULES
    │   └── InvalidPseudonymToken       409 TOKENIZED_REQUEST_PARAMETER_INVALID
    ├── SourceAuthError                 500 CONNECTION_SETUP
    │   ├── RefreshTokenRevoked         500 SOURCE_AUTH_INVALID_GRANT
    │   └── SourceAuthBusy              503 SOURCE_AUTH_LOCK_CONTENTION (+ Retry-After)
    ├── UpstreamError                   502 CONNECTION_TO_SOURCE
    │   ├── UpstreamConnectError        503 CONNECTION_TO_SOURCE
    │   ├── UpstreamTimeout             504 SOURCE_API_READ_TIMEOUT (+ Retry-After)
    │   └── UpstreamResponseInvalid     502 SOURCE_API_RESPONSE_INVALID
    ├── DeadlineExceeded                504 DEADLINE_EXCEEDED (+ Retry-After)
    ├── ResponseTooLarge                502 RESPONSE_TOO_LARGE
    ├── SanitizationError               500 SANITIZATION_FAILED
    │   ├── InputNotJson                502 SOURCE_API_RESPONSE_INVALID
    │   └── MissingEncryptionKey        500 CONFIGURATION_FAILURE
    └── OperatorToolError               (never served: `proxy setup` / `proxy call` cannot go on)
"""

from __future__ import annotations

__all__ = [
    "BlockedByRules",
    "ConfigStoreUnavailable",
    "ConfigurationError",
    "DeadlineExceeded",
    "HttpsRequired",
    "InputNotJson",
    "InvalidPseudonymToken",
    "MissingEncryptionKey",
    "MissingSecretError",
    "OperatorToolError",
    "ProxyError",
    "RefreshTokenRevoked",
    "RequestError",
    "ResponseTooLarge",
    "RulesError",
    "RulesYamlError",
    "SanitizationError",
    "SourceAuthBusy",
    "SourceAuthError",
    "UnauthorizedIpAddress",
    "UpstreamConnectError",
    "UpstreamError",
    "UpstreamResponseInvalid",
    "UpstreamTimeout",
]


class ProxyError(Exception):
    """Base of every deliberate proxy error; carries what the HTTP response needs."""

    status: int = 500
    code: str = "UNKNOWN"

    def __init__(self, message: str = "", *, retry_after_seconds: int | None = None) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        self.retry_after_seconds = retry_after_seconds


class ConfigurationError(ProxyError):
    """The deployment is misconfigured: a setting is missing or malformed."""

    code = "CONFIGURATION_FAILURE"


class MissingSecretError(ConfigurationError):
    """A required config value or secret is absent (or still the `fill me` placeholder)."""

    def __init__(self, message: str = "", *, property_name: str | None = None) -> None:
        super().__init__(message)
        self.property_name = property_name


class ConfigStoreUnavailable(ConfigurationError):
    """The secret store could not be reached; worth retrying later."""

    status = 503


class RulesError(ConfigurationError):
    """The rules are well-formed YAML but not valid rules (unknown key, bad path, bad regex)."""

    code = "RULES_INVALID"


class RulesYamlError(RulesError):
    """The rules text is not parseable YAML."""

    code = "RULES_INVALID_YAML"


class RequestError(ProxyError):
    """The inbound request itself is unacceptable."""

    status = 400
    code = "INVALID_REQUEST"


class HttpsRequired(RequestError):
    code = "HTTPS_REQUIRED"


class UnauthorizedIpAddress(RequestError):
    status = 403
    code = "UNAUTHORIZED_IP_ADDRESS"


class BlockedByRules(RequestError):
    """No rules endpoint allows this method + URL; nothing is forwarded."""

    status = 403
    code = "BLOCKED_BY_RULES"


class InvalidPseudonymToken(RequestError):
    """A `p~` token in the request URL could not be decrypted with this deployment's key."""

    status = 409
    code = "TOKENIZED_REQUEST_PARAMETER_INVALID"


class SourceAuthError(ProxyError):
    """Could not obtain credentials for the upstream call."""

    code = "CONNECTION_SETUP"


class RefreshTokenRevoked(SourceAuthError):
    """The OAuth refresh token was rejected (`invalid_grant`): an operator must re-run the setup."""

    code = "SOURCE_AUTH_INVALID_GRANT"


class SourceAuthBusy(SourceAuthError):
    """Another instance holds the refresh lock for longer than we may wait."""

    status = 503
    code = "SOURCE_AUTH_LOCK_CONTENTION"


class UpstreamError(ProxyError):
    status = 502
    code = "CONNECTION_TO_SOURCE"


class UpstreamConnectError(UpstreamError):
    status = 503


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "SOURCE_API_READ_TIMEOUT"


class UpstreamResponseInvalid(UpstreamError):
    """A 2xx upstream response we refuse to pass on (not JSON, truncated, wrong encoding)."""

    code = "SOURCE_API_RESPONSE_INVALID"


class DeadlineExceeded(ProxyError):
    """The request's time budget ran out before the work was done (see `proxy.deadline`)."""

    status = 504
    code = "DEADLINE_EXCEEDED"


class ResponseTooLarge(ProxyError):
    """A response the function's memory or the platform's response limit cannot carry.

    One code for both limits (see the response-size policy of `proxy.http`); the message says
    which one and asks for a lower `limit`, so the caller can page through the same data in
    smaller parts.
    """

    status = 502
    code = "RESPONSE_TOO_LARGE"


class SanitizationError(ProxyError):
    """Sanitizing failed; the caller gets this error and nothing from upstream."""

    code = "SANITIZATION_FAILED"


class InputNotJson(SanitizationError):
    """The body to sanitize is not (complete) JSON."""

    status = 502
    code = "SOURCE_API_RESPONSE_INVALID"


class MissingEncryptionKey(SanitizationError):
    """Reversible tokens were asked for but `PSOXY_ENCRYPTION_KEY` is not configured."""

    code = "CONFIGURATION_FAILURE"


class OperatorToolError(ProxyError):
    """An operator command (`proxy setup`, `proxy call`) cannot go on; the message says what to do.

    Raised only by the command-line tools, never while serving, so it has no HTTP meaning.
    """

    code = "OPERATOR_TOOL_FAILURE"

"""The one way in for both platforms: build the gateway once, read the request, answer it.

Every failure on the way is answered here, in one place, the same on Lambda and on GCP: a
`ProxyError` (an unreadable event, a configuration the gateway cannot be built from) becomes its
own response; anything else — a bug while building, translating or handling — a 500 with
`X-Psoxy-Error: UNKNOWN`, its type and stack logged (not its message, which may quote data).
The platform modules only translate their events and results, as powertools' event classes and
serializers do.

    request, response = respond(gateway, lambda: read(event), log=log, where="the Lambda handler")
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from proxy.errors import ProxyError
from proxy.http import HttpRequest, HttpResponse, error_response
from proxy.log_events import error_event, event
from proxy.safe_logging import log_unexpected

if TYPE_CHECKING:  # the settings are imported when the gateway is built, not at cold start
    from proxy.config import Settings

__all__ = ["RequestHandler", "gateway_for", "gateway_from_environment", "respond"]


class RequestHandler(Protocol):
    """What an entry point needs of the gateway (`proxy.gateway.Gateway`)."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...


def gateway_from_environment(environ: Mapping[str, str]) -> RequestHandler:
    """Settings read from the environment, then `gateway_for` them."""
    from proxy.config import Settings

    return gateway_for(Settings.from_env(environ))


def gateway_for(settings: Settings) -> RequestHandler:
    """Logging configured as the settings say, and the gateway: the heavy imports live here."""
    from proxy.platforms._logs import configure_logging
    from proxy.platforms.composition import build_gateway

    configure_logging(
        development_mode=settings.is_development_mode,
        log_format=settings.log_format,
        platform=settings.platform,
    )
    return build_gateway(settings)


def respond(
    gateway: Callable[[], RequestHandler],
    read_request: Callable[[], HttpRequest],
    *,
    log: logging.Logger,
    where: str,
) -> tuple[HttpRequest | None, HttpResponse]:
    """The request (None when it could not be read) and the response to send for it.

    `gateway` builds the gateway or returns the one built before (a `Lazy`); failures are
    logged to the platform's `log`, and `where` names the entry point in an unexpected one.
    """
    request: HttpRequest | None = None
    starting = False
    try:
        request = read_request()
        starting = True
        handler = gateway()
        starting = False
        return request, handler.handle(request)
    except ProxyError as error:
        level = logging.ERROR if starting or error.status >= 500 else logging.WARNING
        log.log(
            level,
            "%s: %s: %s",
            "cannot start the proxy" if starting else "request not handled",
            error.code,
            error.message,
            extra=event(error_event(error), error_code=error.code),
        )
        return request, error_response(error)
    except Exception as exc:  # a bug: the stack to the log, nothing of it to the caller
        log_unexpected(log, f"unexpected error in {where}", exc, development_mode=False)
        return request, error_response(ProxyError("unexpected error; see the logs"))

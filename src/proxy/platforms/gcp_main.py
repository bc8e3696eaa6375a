"""functions-framework entry point: `route` (the GCP source zip's `main.py` re-exports it).

Configuration comes from the environment, read once when the first request arrives.

    functions-framework --target route --source src/proxy/platforms/gcp_main.py
"""

from __future__ import annotations

import os

from proxy.config._settings import Settings
from proxy.errors import ProxyError
from proxy.lazy import Lazy
from proxy.platforms._client_ip import ForwardedFor
from proxy.platforms._gcp import ServedGateway, make_route
from proxy.platforms._logs import configure_logging
from proxy.platforms.composition import build_gateway

__all__ = ["route"]

_settings = Lazy(lambda: Settings.from_env(os.environ))


def _gateway_from_environment() -> ServedGateway:
    settings = _settings.get()
    configure_logging(
        development_mode=settings.is_development_mode,
        log_format=settings.log_format,
        platform=settings.platform,
    )
    return ServedGateway(build_gateway(settings), ForwardedFor.for_settings(settings))


def _trace_project() -> str | None:
    """The project of the Cloud Logging trace field; None while the settings cannot be read."""
    try:
        return _settings.get().gcp_project_id
    except ProxyError:
        return None


route = make_route(_gateway_from_environment, trace_project=_trace_project)

"""functions-framework entry point: `route` (the GCP source zip's `main.py` re-exports it).

Configuration comes from the environment, read once when the first request arrives.

    functions-framework --target route --source src/proxy/platforms/gcp_main.py
"""

from __future__ import annotations

import os

from proxy.config.settings import Settings
from proxy.platforms.client_ip import ForwardedFor
from proxy.platforms.composition import build_gateway
from proxy.platforms.gcp import ServedGateway, make_route
from proxy.platforms.logs import configure_logging

__all__ = ["route"]


def _gateway_from_environment() -> ServedGateway:
    settings = Settings.from_env(os.environ)
    configure_logging(development_mode=settings.is_development_mode)
    return ServedGateway(build_gateway(settings), ForwardedFor.for_settings(settings))


route = make_route(_gateway_from_environment)

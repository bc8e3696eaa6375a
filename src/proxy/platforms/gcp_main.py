"""functions-framework entry point: `route` (the GCP source zip's `main.py` re-exports it).

Configuration comes from the environment, read once when the first request arrives. The
gateway's modules are imported here, when the server starts (before Cloud Run sends traffic),
so the first request does not pay for them; on Lambda they wait for the first invocation.

    functions-framework --target route --source src/proxy/platforms/gcp_main.py
"""

from __future__ import annotations

import os

import proxy.platforms.composition  # noqa: F401  (imported at start, see above)
from proxy.config import Settings
from proxy.errors import ProxyError
from proxy.lazy import Lazy
from proxy.platforms._client_ip import ForwardedFor
from proxy.platforms._entry import gateway_for
from proxy.platforms._gcp import make_route

__all__ = ["route"]

_settings = Lazy(lambda: Settings.from_env(os.environ))
_forwarded_for = Lazy(lambda: ForwardedFor.for_settings(_settings.get()))


def _trace_project() -> str | None:
    """The project of the Cloud Logging trace field; None while the settings cannot be read."""
    try:
        return _settings.get().gcp_project_id
    except ProxyError:
        return None


route = make_route(
    lambda: gateway_for(_settings.get()),
    forwarded_for=_forwarded_for.get,
    trace_project=_trace_project,
)

"""GCP Cloud Functions gen2 entry point (`--entry-point route`), also used by `proxy serve`."""

from proxy.platforms.gcp_main import route

__all__ = ["route"]

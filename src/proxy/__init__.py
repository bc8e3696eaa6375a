"""Pseudonymizing proxy for Confluence Cloud, compatible with Worklytics psoxy."""

__version__ = "0.1.0"
#: What the health check (`version`), `X-Psoxy-Psoxy-Version` and `proxy --version` show.
VERSION = f"v{__version__}"

"""Pseudonymizing proxy for Confluence Cloud, compatible with Worklytics psoxy."""

__version__ = "0.1.0"

"""Maximal Confluence responses built from Atlassian's OpenAPI descriptions, people planted."""

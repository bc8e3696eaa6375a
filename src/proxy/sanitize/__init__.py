"""sanitize package."""

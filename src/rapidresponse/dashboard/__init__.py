"""The dashboard: the first page after login, composed from the other domains' public services."""

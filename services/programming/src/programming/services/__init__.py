"""Use cases of the programming service."""

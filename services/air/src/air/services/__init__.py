"""Use cases of the AIR service; they receive the session and call repositories."""

"""Persistence of the AIR service: models and repositories (all SQL lives here)."""

"""Persistence: the ORM models and the repositories that hold every SQL statement."""

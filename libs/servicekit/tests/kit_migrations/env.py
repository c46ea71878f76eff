"""Alembic env of the test-only database used by the service kit's own tests."""

from sqlalchemy import MetaData

from servicekit.migrations import run_env

run_env(MetaData())

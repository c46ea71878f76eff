"""Billing's database: models and the repositories that hold all of its SQL."""

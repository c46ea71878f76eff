"""Outgoing events: what the AIR service writes to its outbox (topic air.v1)."""

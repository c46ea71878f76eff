"""Outgoing events: what programming writes to its outbox (topic programming.v1)."""
